{#-
    unique_combination: the tuple of `combination_of_columns` (a list of columns or
    expressions) is unique, the primary key of a model whose grain spans several columns.
    NULLs compare equal here, as in `group by`; not_null on each column is a separate test.

    A failing row is one duplicated tuple with the number of rows that carry it.
-#}
{% test unique_combination(model, combination_of_columns) %}
{%- if combination_of_columns is string -%}
    {%- set combination_of_columns = [combination_of_columns] -%}
{%- endif -%}
{{ duplicated_tuples(model, combination_of_columns) }}
{% endtest %}
