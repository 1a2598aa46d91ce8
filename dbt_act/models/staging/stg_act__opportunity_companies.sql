{{ config(enabled=var('act__using_opportunity_companies')) }}

with links as (
    {{ act_live_rows('opportunity_companies') }}
)

select
    opportunity_id,
    company_id,
    name as company_name,
    _fivetran_synced
from links
