{{ config(enabled=var('act__using_history_groups')) }}

with links as (
    {{ act_live_rows('history_groups') }}
)

select
    history_id,
    group_id,
    name as group_name,
    _fivetran_synced
from links
