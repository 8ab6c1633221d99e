{#-
    dbt.generate_series: the integers 1 to upper_bound as `generated_number`. dbt's default
    builds them from powers of two with power(), a double, so on Spark the numbers (and every
    month offset derived from them) came out as doubles while DuckDB's own version gives
    bigints. Spark's range() table function gives bigints too.
-#}
{% macro spark__generate_series(upper_bound) -%}
    select id as generated_number from range(1, {{ upper_bound }} + 1)
{%- endmacro %}
