{{ config(enabled=var('act__using_note_companies')) }}

with links as (
    {{ act_live_rows('note_companies') }}
)

select
    note_id,
    company_id,
    name as company_name,
    _fivetran_synced
from links
