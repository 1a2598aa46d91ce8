{{ config(enabled=var('act__using_note_groups')) }}

with links as (
    {{ act_live_rows('note_groups') }}
)

select
    note_id,
    group_id,
    name as group_name,
    _fivetran_synced
from links
