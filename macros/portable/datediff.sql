{#-
    dbt.datediff on Spark returns an int for days (Spark's datediff) and a double for months
    (months_between), where DuckDB's date_diff returns a bigint: the same column would have
    another type per engine and break the enforced contracts (recency_days, days_until_due).
    dbt-spark's own expression, cast to bigint.
    Beware on every engine: a difference in months is only the same on DuckDB (month
    boundaries crossed) and Spark (whole months elapsed) between first days of months, which
    is how the models use it.
-#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast(({{ dbt.spark__datediff(first_date, second_date, datepart) }}) as {{ dbt.type_bigint() }})
{%- endmacro %}
