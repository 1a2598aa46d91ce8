{{ config(enabled=var('act__using_activities')) }}

-- Activities by the user they are scheduled for, their type and the week they start: how many, how many done,
-- how many still open and overdue, and the time they take.

with activities as (
    select * from {{ ref('stg_act__activities') }}
),

{% if var('act__using_users') %}
users as (
    select * from {{ ref('stg_act__users') }}
),
{% endif %}

{% if var('act__using_activity_types') %}
activity_types as (
    select * from {{ ref('stg_act__activity_types') }}
),
{% endif %}

enriched as (
    select
        activities.scheduled_for_user_id as user_id,
        {% if var('act__using_users') -%}
        coalesce(users.user_name, activities.scheduled_for_name) as user_name,
        {%- else -%}
        activities.scheduled_for_name as user_name,
        {%- endif %}
        activities.activity_type_id,
        {% if var('act__using_activity_types') -%}
        coalesce(activity_types.activity_type_name, activities.activity_type_name) as activity_type_name,
        {%- else -%}
        activities.activity_type_name,
        {%- endif %}
        cast({{ dbt.date_trunc('week', 'activities.starts_at') }} as date) as activity_week,
        activities.is_open,
        activities.is_open and coalesce(activities.ends_at, activities.starts_at) < {{ dbt.current_timestamp() }}
            as is_overdue,
        activities.duration_minutes
    from activities
    {% if var('act__using_users') -%}
    left join users on activities.scheduled_for_user_id = users.user_id
    {%- endif %}
    {% if var('act__using_activity_types') -%}
    left join activity_types on activities.activity_type_id = activity_types.activity_type_id
    {%- endif %}
)

select
    user_id,
    max(user_name) as user_name,
    activity_type_id,
    max(activity_type_name) as activity_type_name,
    activity_week,
    count(*) as activity_count,
    sum(case when is_open then 0 else 1 end) as cleared_count,
    sum(case when is_open then 1 else 0 end) as open_count,
    sum(case when is_overdue then 1 else 0 end) as overdue_count,
    sum(duration_minutes) as total_duration_minutes
from enriched
group by user_id, activity_type_id, activity_week
