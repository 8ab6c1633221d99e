{#-
    The condition that a non-NULL value of `column` is not one of `values` (text literals for
    text values, numbers as written), for the test accepted_values_columns
    (tests/generic/accepted_values_columns.sql).
-#}
{% macro value_not_listed(column, values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(dbt.string_literal(value) if value is string else value) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('value_not_listed', 'customer_tiering')(column, literals)) }}
{%- endmacro %}

{% macro default__value_not_listed(column, literals) -%}
    {{ column }} not in ({{ literals | join(', ') }})
{%- endmacro %}

{#- A lookup in a list: on a table written earlier in the same DuckDB session (every test of a
    build), `not in` over 23 million labels took ten times as long (D207). The list and the
    column must be of one kind (text values for a text column): DuckDB does not convert one to
    the other here, and the test stops with a binder error that says so. -#}
{% macro duckdb__value_not_listed(column, literals) -%}
    {{ column }} is not null and list_position([{{ literals | join(', ') }}], {{ column }}) is null
{%- endmacro %}
