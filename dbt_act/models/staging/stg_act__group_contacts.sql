{{ config(enabled=var('act__using_group_contacts')) }}

with links as (
    {{ act_live_rows('group_contacts') }}
)

select
    group_id,
    contact_id,
    _fivetran_synced
from links
