{{ config(enabled=var('act__using_note_contacts')) }}

with links as (
    {{ act_live_rows('note_contacts') }}
)

select
    note_id,
    contact_id,
    display_name as contact_name,
    company as company_name,
    _fivetran_synced
from links
