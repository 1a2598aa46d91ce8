{{ config(enabled=var('act__using_history_companies')) }}

with links as (
    {{ act_live_rows('history_companies') }}
)

select
    history_id,
    company_id,
    name as company_name,
    _fivetran_synced
from links
