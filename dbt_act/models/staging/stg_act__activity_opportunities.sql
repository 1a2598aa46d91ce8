{{ config(enabled=var('act__using_activity_opportunities')) }}

with links as (
    {{ act_live_rows('activity_opportunities') }}
)

select
    activity_id,
    opportunity_id,
    name as opportunity_name,
    _fivetran_synced
from links
