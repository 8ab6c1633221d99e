{#-
    Finding repeated keys at scale, for the grain tests: `unique_combination`
    (tests/generic/unique_combination.sql) and dbt's own `unique`, overridden here.
-#}

{#-
    dbt's own `unique` test, overridden (the project comes first in dbt's dispatch search order):
    the same two steps, over the rows whose value is not NULL (dbt's meaning of unique). dbt's
    version groups the values themselves, and on 10^8 purchase ids that ran out of memory at the
    1536MB limit (DECISIONLOG D184).
-#}
{% macro default__test_unique(model, column_name) %}
{%- set non_null_rows -%}
    (select {{ column_name }} from {{ model }} where {{ column_name }} is not null) as non_null_rows
{%- endset -%}
{{ duplicated_tuples(non_null_rows, [column_name]) }}
{% endmacro %}

{#- The tuples of `columns` that occur more than once in `relation`, with how often. -#}
{% macro duplicated_tuples(relation, columns) %}
with

hashed as (
    select {{ tuple_hash(columns) }} as tuple_hash
    from {{ relation }}
),

repeated_hashes as (
    {{ repeated_hashes('hashed') | indent(4) }}
),

duplicated_tuples as (
    {#- The tuples behind a repeated hash, compared exactly: a hash collision alone fails nothing. -#}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        count(*) as occurrences
    from {{ relation }}
    where {{ tuple_hash(columns) }} in (select repeated_hashes.tuple_hash from repeated_hashes)
    group by
        {%- for column in columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    having count(*) > 1
),

final as (
    select * from duplicated_tuples
)

select * from final
{% endmacro %}

{#-
    The hashes that occur more than once in the column tuple_hash of `hashed`. Equal tuples hash
    equal, so every duplicate is behind a repeated hash; one integer column is cheaper to compare
    than the tuple, and spills where grouping text ran out of memory (DECISIONLOG D184).
-#}
{% macro repeated_hashes(hashed) -%}
    {{ return(adapter.dispatch('repeated_hashes', 'customer_tiering')(hashed)) }}
{%- endmacro %}

{#- Grouped: one hash table over every hash, which Spark spreads over its executors. -#}
{% macro default__repeated_hashes(hashed) -%}
select tuple_hash
from {{ hashed }}
group by tuple_hash
having count(*) > 1
{%- endmacro %}

{#- Sorted: a hash equal to the one before it is repeated. DuckDB sorts 23 million hashes in
    about 60 % of the time it takes to group them, and sorting spills as grouping does (D207). -#}
{% macro duckdb__repeated_hashes(hashed) -%}
select tuple_hash
from (
    select
        tuple_hash,
        lag(tuple_hash) over (order by tuple_hash asc) as previous_hash
    from {{ hashed }}
) as sorted_hashes
where tuple_hash = previous_hash
{%- endmacro %}
