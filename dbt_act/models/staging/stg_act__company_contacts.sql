{{ config(enabled=var('act__using_company_contacts')) }}

with links as (
    {{ act_live_rows('company_contacts') }}
)

select
    company_id,
    contact_id,
    _fivetran_synced
from links
