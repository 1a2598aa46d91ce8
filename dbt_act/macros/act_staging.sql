{#- Helpers the staging models share. Built on dbt-core's cross-database macros only (no packages). -#}

{#- The live rows of one of the connector's tables: rows marked deleted by Fivetran (`_fivetran_deleted`) are out. -#}
{% macro act_live_rows(table_name) -%}
    select * from {{ source('act', table_name) }}
    where not coalesce(_fivetran_deleted, false)
{%- endmacro %}

{#- Every `custom_fields_<name>` column the table has, each followed by a comma. The connector adds one column per
    Act! custom field (typed from the field's definition), so the set differs between databases and grows when a
    field is added in Act!: it is read from the warehouse when the model runs, and passed through unchanged. -#}
{% macro act_custom_fields(table_name) -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(source('act', table_name)) -%}
            {%- if column.name.lower().startswith('custom_fields_') %}
    {{ column.name }},
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
