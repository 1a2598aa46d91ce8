{{ config(enabled=var('act__using_groups')) }}

with act_groups as (
    {{ act_live_rows('groups') }}
)

select
    id as group_id,
    name as group_name,
    description,
    contacts as contact_count,
    parent_id as parent_group_id,
    has_subgroups,
    hierarchy_level,
    address_city,
    address_state,
    address_country,
    is_private,
    record_manager_id,
    record_manager as record_manager_name,
    import_date as imported_at,
    created as created_at,
    edited as edited_at,
    edited_by,
    {{ act_custom_fields('groups') }}
    _fivetran_synced
from act_groups
