{#-
    unique_combination: the tuple of `combination_of_columns` (a list of columns or
    expressions) is unique, the primary key of a model whose grain spans several columns.
    NULLs compare equal here, as in `group by`; not_null on each column is a separate test.

    A failing row is one duplicated tuple with the number of rows that carry it.
-#}
{% test unique_combination(model, combination_of_columns) %}
{%- if combination_of_columns is string -%}
    {%- set combination_of_columns = [combination_of_columns] -%}
{%- endif -%}

with

hashed as (
    select {{ tuple_hash(combination_of_columns) }} as tuple_hash
    from {{ model }}
),

repeated_hashes as (
    {#- Equal tuples hash equal, so every duplicate is behind a repeated hash; grouping one
        integer column is cheaper than grouping the tuple (DECISIONLOG D184). -#}
    select tuple_hash
    from hashed
    group by tuple_hash
    having count(*) > 1
),

duplicated_tuples as (
    {#- The tuples behind a repeated hash, compared exactly: a hash collision alone fails nothing. -#}
    select
        {%- for column in combination_of_columns %}
        {{ column }},
        {%- endfor %}
        count(*) as occurrences
    from {{ model }}
    where {{ tuple_hash(combination_of_columns) }} in (select repeated_hashes.tuple_hash from repeated_hashes)
    group by
        {%- for column in combination_of_columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    having count(*) > 1
),

final as (
    select * from duplicated_tuples
)

select * from final

{% endtest %}
