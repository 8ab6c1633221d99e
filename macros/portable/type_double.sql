{#-
    An 8-byte floating-point type for shares, means and CLV inputs. dbt.type_float() renders
    `float`, which is a 4-byte REAL on DuckDB (about 7 significant digits) but a double on
    other engines, so shares and averages would silently lose precision on DuckDB only.
    DuckDB and Spark both spell the 8-byte type `double`; engines that do not (Postgres:
    `double precision`) get their own dispatch.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'customer_tiering')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
