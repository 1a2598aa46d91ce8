{{ config(enabled=var('act__using_histories')) }}

with histories as (
    {{ act_live_rows('histories') }}
)

select
    id as history_id,
    regarding,
    details,
    history_type_id,
    history_type_name,
    history_type_activity_type_id as activity_type_id,
    history_type_activity_type_name as activity_type_name,
    start_time as starts_at,
    end_time as ends_at,
    {{ dbt.datediff('start_time', 'end_time', 'minute') }} as duration_minutes,
    contact_company,
    contact_email,
    contact_phone,
    is_private,
    create_user_id as created_by_user_id,
    create_user_name as created_by_name,
    edit_user_id as edited_by_user_id,
    edit_user_name as edited_by_name,
    record_manager_id,
    record_manager as record_manager_name,
    outlook_id,
    attachment_display_name,
    attachment_file_name,
    created as created_at,
    edited as edited_at,
    {{ act_custom_fields('histories') }}
    _fivetran_synced
from histories
