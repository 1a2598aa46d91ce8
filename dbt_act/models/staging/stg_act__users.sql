{{ config(enabled=var('act__using_users')) }}

with users as (
    {{ act_live_rows('users') }}
)

select
    id as user_id,
    username,
    display_name as user_name,
    first_name,
    last_name,
    email,
    role,
    status,
    status = 'Active' as is_active,
    last_log_on_date as last_logged_on_at,
    {{ act_custom_fields('users') }}
    _fivetran_synced
from users
