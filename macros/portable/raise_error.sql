{#-
    An SQL expression that stops the query with `message` when it is evaluated: guard it with a
    `case when <problem> then {{ raise_error("...") }} end`. A run-time check on the data, for
    what the compiler cannot know (how many rows a file had). DuckDB spells it `error()`, Spark
    `raise_error()`; both abort the statement, so dbt reports the model as failed with the message.
    The message is a literal: single quotes in it are doubled.
-#}
{% macro raise_error(message) -%}
    {{ return(raise_error_expression("'" ~ (message | replace("'", "''")) ~ "'")) }}
{%- endmacro %}

{#-
    The same with a message computed by the query: `message_expression` is an SQL string
    expression (counts, dates and codes of the failing rows, DECISIONLOG D72). Used in a CASE
    branch it fails only when a row reaches that branch, at run time, so the check is made on the
    data the model reads and no selection that leaves out a data test skips it. Its type is NULL,
    which a CASE coerces to the other branches' type.
-#}
{% macro raise_error_expression(message_expression) -%}
    {{ return(adapter.dispatch('raise_error_expression', 'customer_tiering')(message_expression)) }}
{%- endmacro %}

{% macro default__raise_error_expression(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro spark__raise_error_expression(message_expression) -%}
    raise_error({{ message_expression }})
{%- endmacro %}
