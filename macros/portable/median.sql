{#-
    The median of a numeric expression in an aggregate: for an even count, the mean of the two
    middle values (continuous interpolation), the same on every engine.
-#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'customer_tiering')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}
