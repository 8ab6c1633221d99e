{#-
    An SQL expression that stops the query, and with it the dbt node, with `message_expression`
    (an SQL string expression) as the error text. Used in a CASE branch, it fails only when a
    row reaches that branch, at run time, so the check is made on the data the model reads and
    cannot be skipped by a selection that leaves out a data test (DECISIONLOG D72). The
    expression's type is NULL, which a CASE coerces to the other branches' type.
-#}
{% macro raise_build_error(message_expression) -%}
    {{ return(adapter.dispatch('raise_build_error', 'customer_tiering')(message_expression)) }}
{%- endmacro %}

{% macro default__raise_build_error(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro spark__raise_build_error(message_expression) -%}
    raise_error({{ message_expression }})
{%- endmacro %}
