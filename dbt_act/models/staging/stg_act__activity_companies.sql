{{ config(enabled=var('act__using_activity_companies')) }}

with links as (
    {{ act_live_rows('activity_companies') }}
)

select
    activity_id,
    company_id,
    name as company_name,
    _fivetran_synced
from links
