{{ config(enabled=var('act__using_activities')) }}

with activities as (
    {{ act_live_rows('activities') }}
)

select
    id as activity_id,
    subject,
    details,
    location,
    activity_type_id,
    activity_type_name,
    activity_priority_id as priority_id,
    activity_priority_name as priority,
    start_time as starts_at,
    end_time as ends_at,
    {{ dbt.datediff('start_time', 'end_time', 'minute') }} as duration_minutes,
    is_cleared,
    not coalesce(is_cleared, false) as is_open,
    is_timeless,
    is_all_day,
    is_private,
    is_recurring,
    series_id,
    original_time as original_starts_at,
    recur_spec_recur_type as recurrence_type,
    recur_spec_frequency as recurrence_frequency,
    is_alarmed,
    lead_minutes as alarm_lead_minutes,
    scheduled_by_id as scheduled_by_user_id,
    scheduled_by as scheduled_by_name,
    scheduled_for_id as scheduled_for_user_id,
    scheduled_for as scheduled_for_name,
    scheduled_with_company,
    scheduled_with_email,
    scheduled_with_phone,
    attachment_file_name,
    created as created_at,
    edited as edited_at,
    {{ act_custom_fields('activities') }}
    _fivetran_synced
from activities
