{#- Fails for each combination of `columns` that occurs more than once: the key test of the link tables, whose
    primary key is (parent id, linked id). dbt-utils has one; this package needs no packages. -#}
{% test act_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
