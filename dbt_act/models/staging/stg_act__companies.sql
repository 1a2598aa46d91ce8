{{ config(enabled=var('act__using_companies')) }}

with companies as (
    {{ act_live_rows('companies') }}
)

select
    id as company_id,
    name as company_name,
    description,
    division,
    industry,
    region,
    territory,
    id_status,
    revenue,
    number_of_employees,
    parent_id as parent_company_id,
    root_parent_id as root_company_id,
    hierarchy_level,
    has_divisions,
    phone,
    toll_free_phone,
    fax,
    website,
    ticker_symbol,
    sic_code,
    referred_by,
    address_line_1,
    address_line_2,
    address_city,
    address_state,
    address_postal_code,
    address_country,
    billing_address_city,
    billing_address_country,
    shipping_address_city,
    shipping_address_country,
    is_private,
    record_manager_id,
    record_manager as record_manager_name,
    import_date as imported_at,
    created as created_at,
    edited as edited_at,
    edited_by,
    {{ act_custom_fields('companies') }}
    _fivetran_synced
from companies
