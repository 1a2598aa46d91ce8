{{ config(enabled=var('act__using_notes')) }}

with notes as (
    {{ act_live_rows('notes') }}
)

select
    id as note_id,
    note_text,
    note_type_id,
    display_date as displayed_at,
    is_private,
    create_user_id as created_by_user_id,
    record_manager_id,
    record_manager as record_manager_name,
    attachment_display_name,
    attachment_file_name,
    created as created_at,
    edited as edited_at,
    {{ act_custom_fields('notes') }}
    _fivetran_synced
from notes
