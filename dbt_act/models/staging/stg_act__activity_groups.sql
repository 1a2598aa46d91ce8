{{ config(enabled=var('act__using_activity_groups')) }}

with links as (
    {{ act_live_rows('activity_groups') }}
)

select
    activity_id,
    group_id,
    name as group_name,
    _fivetran_synced
from links
