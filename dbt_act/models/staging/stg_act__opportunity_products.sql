{{ config(enabled=var('act__using_opportunity_products')) }}

with opportunity_products as (
    {{ act_live_rows('opportunity_products') }}
)

select
    id as opportunity_product_id,
    opportunity_id,
    product_id,
    name as product_name,
    item_number,
    type as product_type,
    quantity,
    price,
    discount,
    discount_price,
    cost,
    total,
    is_quickbooks_product,
    coalesce(created, create_date) as created_at,
    coalesce(edited, edit_date) as edited_at,
    edited_by,
    record_manager as record_manager_name,
    {{ act_custom_fields('opportunity_products') }}
    _fivetran_synced
from opportunity_products
