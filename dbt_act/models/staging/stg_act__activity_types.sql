{{ config(enabled=var('act__using_activity_types')) }}

with activity_types as (
    {{ act_live_rows('activity_types') }}
)

select
    id as activity_type_id,
    name as activity_type_name,
    description,
    is_active,
    is_custom,
    is_deletable,
    task_type_guid as activity_type_guid,
    default_preferences_priority as default_priority_id,
    default_preferences_duration as default_duration,
    default_preferences_is_all_day_event as default_is_all_day,
    default_preferences_color as color,
    {{ act_custom_fields('activity_types') }}
    _fivetran_synced
from activity_types
