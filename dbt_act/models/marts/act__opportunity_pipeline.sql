{{ config(enabled=var('act__using_opportunities')) }}

-- The open pipeline: open opportunities by sales process, stage and expected close month, with their value and
-- their value weighted by probability. Inactive opportunities are not in the pipeline; won and lost ones are in
-- act__opportunity_outcomes_by_month.

with open_opportunities as (
    select *
    from {{ ref('stg_act__opportunities') }}
    where is_open
)

select
    sales_process_name,
    stage_number,
    stage_name,
    cast({{ dbt.date_trunc('month', 'estimated_close_date') }} as date) as expected_close_month,
    count(*) as opportunity_count,
    sum(total_value) as open_value,
    sum(coalesce(weighted_value, total_value * probability / 100.0)) as weighted_value,
    avg(probability) as average_probability
from open_opportunities
group by 1, 2, 3, 4
