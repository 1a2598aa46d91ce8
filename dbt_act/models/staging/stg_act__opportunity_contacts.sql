{{ config(enabled=var('act__using_opportunity_contacts')) }}

with links as (
    {{ act_live_rows('opportunity_contacts') }}
)

select
    opportunity_id,
    contact_id,
    display_name as contact_name,
    company as company_name,
    is_invited,
    _fivetran_synced
from links
