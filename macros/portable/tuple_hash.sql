{#-
    A 64-bit hash of a tuple of columns or expressions (a list): equal tuples hash equal, NULLs
    included, so grouping by the hash finds every repeated tuple in one pass over one integer
    column. Different tuples may share a hash: a caller that needs exact answers compares the
    tuples behind a repeated hash (macros/duplicated_tuples.sql).
-#}
{% macro tuple_hash(columns) -%}
    {{ return(adapter.dispatch('tuple_hash', 'customer_tiering')(columns)) }}
{%- endmacro %}

{% macro default__tuple_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__tuple_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
