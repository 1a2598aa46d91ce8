{{ config(enabled=var('act__using_history_opportunities')) }}

with links as (
    {{ act_live_rows('history_opportunities') }}
)

select
    history_id,
    opportunity_id,
    name as opportunity_name,
    _fivetran_synced
from links
