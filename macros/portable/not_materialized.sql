{#-
    `<name> as {{ not_materialized() }} (...)`: the engine reads the CTE's query where the CTE is
    used instead of storing its rows first. DuckDB stores the rows of a CTE used more than once;
    for a CTE that only reads a table, that copies the table (at 10^8 orders the parsed orders:
    about 40 GB written to the temporary folder, DECISIONLOG D186), while reading the table again
    costs a scan. Only for CTEs that read a relation without computing much: a CTE that
    computes, inlined, computes once per use. Spark plans CTEs its own way and has no such
    keyword.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'customer_tiering')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
