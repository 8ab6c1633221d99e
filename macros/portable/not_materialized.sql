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

{#-
    `<name> as {{ materialized_cte() }} (...)`: the engine stores the CTE's rows once and the query
    reads them from there, even where the CTE is read once. DuckDB then frees the memory of the
    operator that computed them (a window's sort) before the rest of the query runs, instead of
    holding it while the rest streams through: int_customers_purchases_aggregated_by_as_of_date's
    running totals, about 6 s faster at 10^7 orders under the 1536MB limit (DECISIONLOG D204). Spark
    plans CTEs its own way and has no such keyword.
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'customer_tiering')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}
