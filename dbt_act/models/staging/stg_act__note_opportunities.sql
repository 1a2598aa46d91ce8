{{ config(enabled=var('act__using_note_opportunities')) }}

with links as (
    {{ act_live_rows('note_opportunities') }}
)

select
    note_id,
    opportunity_id,
    name as opportunity_name,
    _fivetran_synced
from links
