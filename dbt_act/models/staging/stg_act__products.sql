{{ config(enabled=var('act__using_products')) }}

with products as (
    {{ act_live_rows('products') }}
)

select
    id as product_id,
    name as product_name,
    item_number,
    cost,
    price,
    create_date as created_at,
    edit_date as edited_at,
    {{ act_custom_fields('products') }}
    _fivetran_synced
from products
