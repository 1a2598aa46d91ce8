{{ config(enabled=var('act__using_contacts')) }}

-- Contacts with their company, their last and next activity, their last history (a completed activity, an e-mail
-- sent ...) and the value of their open opportunities. The activity, history and opportunity columns need the link
-- tables activity_contacts, history_contacts and opportunity_contacts (off in the connector by default): without
-- them they are null. An opportunity linked to several contacts counts in full
-- for each of them.

with contacts as (
    select * from {{ ref('stg_act__contacts') }}
)

{% if var('act__using_companies') %}
, companies as (
    select * from {{ ref('stg_act__companies') }}
)
{% endif %}

{% if var('act__using_activity_contacts') and var('act__using_activities') %}
, contact_activities as (
    select
        links.contact_id,
        count(*) as activity_count,
        max(case when activities.starts_at <= {{ dbt.current_timestamp() }} then activities.starts_at end)
            as last_activity_at,
        min(case when activities.starts_at > {{ dbt.current_timestamp() }} and activities.is_open
            then activities.starts_at end) as next_activity_at,
        sum(case when activities.is_open
            and coalesce(activities.ends_at, activities.starts_at) < {{ dbt.current_timestamp() }}
            then 1 else 0 end) as overdue_activity_count
    from {{ ref('stg_act__activity_contacts') }} as links
    inner join {{ ref('stg_act__activities') }} as activities
        on links.activity_id = activities.activity_id
    group by links.contact_id
)
{% endif %}

{% if var('act__using_history_contacts') and var('act__using_histories') %}
, contact_histories as (
    select
        links.contact_id,
        max(histories.starts_at) as last_history_at
    from {{ ref('stg_act__history_contacts') }} as links
    inner join {{ ref('stg_act__histories') }} as histories
        on links.history_id = histories.history_id
    group by links.contact_id
)
{% endif %}

{% if var('act__using_opportunity_contacts') and var('act__using_opportunities') %}
, contact_opportunities as (
    select
        links.contact_id,
        count(*) as open_opportunity_count,
        sum(opportunities.total_value) as open_opportunity_value,
        sum(opportunities.weighted_value) as open_opportunity_weighted_value
    from {{ ref('stg_act__opportunity_contacts') }} as links
    inner join {{ ref('stg_act__opportunities') }} as opportunities
        on links.opportunity_id = opportunities.opportunity_id
    where opportunities.is_open
    group by links.contact_id
)
{% endif %}

select
    contacts.*,
    {% if var('act__using_companies') -%}
    companies.company_name as company_record_name,
    companies.industry as company_industry,
    companies.region as company_region,
    companies.number_of_employees as company_number_of_employees,
    {%- else -%}
    cast(null as {{ dbt.type_string() }}) as company_record_name,
    cast(null as {{ dbt.type_string() }}) as company_industry,
    cast(null as {{ dbt.type_string() }}) as company_region,
    cast(null as {{ dbt.type_int() }}) as company_number_of_employees,
    {%- endif %}
    {% if var('act__using_activity_contacts') and var('act__using_activities') -%}
    coalesce(contact_activities.activity_count, 0) as activity_count,
    contact_activities.last_activity_at,
    contact_activities.next_activity_at,
    coalesce(contact_activities.overdue_activity_count, 0) as overdue_activity_count,
    {%- else -%}
    cast(null as {{ dbt.type_int() }}) as activity_count,
    cast(null as {{ dbt.type_timestamp() }}) as last_activity_at,
    cast(null as {{ dbt.type_timestamp() }}) as next_activity_at,
    cast(null as {{ dbt.type_int() }}) as overdue_activity_count,
    {%- endif %}
    {% if var('act__using_history_contacts') and var('act__using_histories') -%}
    contact_histories.last_history_at,
    {%- else -%}
    cast(null as {{ dbt.type_timestamp() }}) as last_history_at,
    {%- endif %}
    {% if var('act__using_opportunity_contacts') and var('act__using_opportunities') -%}
    coalesce(contact_opportunities.open_opportunity_count, 0) as open_opportunity_count,
    coalesce(contact_opportunities.open_opportunity_value, 0) as open_opportunity_value,
    coalesce(contact_opportunities.open_opportunity_weighted_value, 0) as open_opportunity_weighted_value
    {%- else -%}
    cast(null as {{ dbt.type_int() }}) as open_opportunity_count,
    cast(null as {{ dbt.type_float() }}) as open_opportunity_value,
    cast(null as {{ dbt.type_float() }}) as open_opportunity_weighted_value
    {%- endif %}
from contacts
{% if var('act__using_companies') -%}
left join companies on contacts.company_id = companies.company_id
{%- endif %}
{% if var('act__using_activity_contacts') and var('act__using_activities') -%}
left join contact_activities on contacts.contact_id = contact_activities.contact_id
{%- endif %}
{% if var('act__using_history_contacts') and var('act__using_histories') -%}
left join contact_histories on contacts.contact_id = contact_histories.contact_id
{%- endif %}
{% if var('act__using_opportunity_contacts') and var('act__using_opportunities') -%}
left join contact_opportunities on contacts.contact_id = contact_opportunities.contact_id
{%- endif %}
