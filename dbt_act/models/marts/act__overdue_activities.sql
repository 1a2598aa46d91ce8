{{ config(enabled=var('act__using_activities')) }}

-- Open activities whose time has passed: one row each, oldest first when ordered by `due_at`, with who they are
-- scheduled for and (when activity_contacts is synced) whom they are with.

with overdue as (
    select
        *,
        coalesce(ends_at, starts_at) as due_at
    from {{ ref('stg_act__activities') }}
    where is_open
        and coalesce(ends_at, starts_at) < {{ dbt.current_timestamp() }}
)

{% if var('act__using_activity_contacts') %}
, contacts as (
    select
        activity_id,
        count(*) as contact_count,
        {{ dbt.listagg('contact_name', "', '", 'order by contact_name') }} as contact_names
    from {{ ref('stg_act__activity_contacts') }}
    group by activity_id
)
{% endif %}

select
    overdue.activity_id,
    overdue.subject,
    overdue.activity_type_name,
    overdue.priority,
    overdue.scheduled_for_user_id,
    overdue.scheduled_for_name,
    overdue.starts_at,
    overdue.due_at,
    {{ dbt.datediff('overdue.due_at', dbt.current_timestamp(), 'day') }} as days_overdue,
    {% if var('act__using_activity_contacts') -%}
    coalesce(contacts.contact_count, 0) as contact_count,
    contacts.contact_names
    {%- else -%}
    cast(null as {{ dbt.type_int() }}) as contact_count,
    cast(null as {{ dbt.type_string() }}) as contact_names
    {%- endif %}
from overdue
{% if var('act__using_activity_contacts') -%}
left join contacts on overdue.activity_id = contacts.activity_id
{%- endif %}
