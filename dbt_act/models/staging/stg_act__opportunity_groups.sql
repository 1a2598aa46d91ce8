{{ config(enabled=var('act__using_opportunity_groups')) }}

with links as (
    {{ act_live_rows('opportunity_groups') }}
)

select
    opportunity_id,
    group_id,
    name as group_name,
    _fivetran_synced
from links
