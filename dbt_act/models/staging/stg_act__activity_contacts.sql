{{ config(enabled=var('act__using_activity_contacts')) }}

with links as (
    {{ act_live_rows('activity_contacts') }}
)

select
    activity_id,
    contact_id,
    display_name as contact_name,
    email_address,
    is_invited,
    _fivetran_synced
from links
