{#-
    dbt.safe_cast falls back to a plain cast on DuckDB and Spark, and a plain cast of a bad
    value fails the whole query (DuckDB always, Spark under ANSI mode). Raw text must parse
    to NULL instead, so both engines use their try_cast.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
