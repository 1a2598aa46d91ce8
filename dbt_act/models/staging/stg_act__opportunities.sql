{{ config(enabled=var('act__using_opportunities')) }}

with opportunities as (
    {{ act_live_rows('opportunities') }}
)

select
    id as opportunity_id,
    name as opportunity_name,
    status,
    status = 'Open' as is_open,
    status = 'Won' as is_won,
    status = 'Lost' as is_lost,
    stage_process_id as sales_process_id,
    stage_process_name as sales_process_name,
    stage_id,
    stage_number,
    stage_name,
    stage_probability,
    probability,
    product_total as total_value,
    weighted_total as weighted_value,
    gross_margin,
    total_per_company,
    total_per_contact,
    total_per_group,
    product,
    competitor,
    reason,
    source,
    contact_names,
    days_open,
    days_in_stage,
    open_date as opened_at,
    stage_start_date as stage_started_at,
    cast(estimated_close_date as date) as estimated_close_date,
    actual_close_date as closed_at,
    is_private,
    creator,
    record_manager_id,
    record_manager as record_manager_name,
    import_date as imported_at,
    created as created_at,
    edited as edited_at,
    edited_by,
    {{ act_custom_fields('opportunities') }}
    _fivetran_synced
from opportunities
