{{ config(enabled=var('act__using_history_contacts')) }}

with links as (
    {{ act_live_rows('history_contacts') }}
)

select
    history_id,
    contact_id,
    display_name as contact_name,
    company as company_name,
    _fivetran_synced
from links
