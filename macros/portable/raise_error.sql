{#-
    An SQL expression that stops the query with `message` when it is evaluated: guard it with a
    `case when <problem> then {{ raise_error("...") }} end`. A run-time check on the data, for
    what the compiler cannot know (how many rows a file had). DuckDB spells it `error()`, Spark
    `raise_error()`; both abort the statement, so dbt reports the model as failed with the message.
    The message is a literal: single quotes in it are doubled.
-#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'customer_tiering')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    error('{{ message | replace("'", "''") }}')
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error('{{ message | replace("'", "''") }}')
{%- endmacro %}
