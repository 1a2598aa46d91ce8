{{ config(enabled=var('act__using_opportunities')) }}

-- Won and lost opportunities by the month they closed (Act!'s actual close date; the estimated close date when
-- Act! has none), with their value and the win rate of the month.

with closed as (
    select
        cast({{ dbt.date_trunc('month', 'coalesce(cast(closed_at as date), estimated_close_date)') }} as date)
            as close_month,
        is_won,
        is_lost,
        total_value
    from {{ ref('stg_act__opportunities') }}
    where is_won or is_lost
)

select
    close_month,
    sum(case when is_won then 1 else 0 end) as won_count,
    sum(case when is_won then total_value else 0 end) as won_value,
    sum(case when is_lost then 1 else 0 end) as lost_count,
    sum(case when is_lost then total_value else 0 end) as lost_value,
    sum(case when is_won then 1 else 0 end) * 1.0 / count(*) as win_rate
from closed
group by 1
