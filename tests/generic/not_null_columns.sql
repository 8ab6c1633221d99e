{#-
    not_null_columns: none of the model's `columns` (its required columns, a list) is NULL in
    any row. One test per model over the list replaces one `not_null` test per column: the same
    check in one scan and one dbt node (DECISIONLOG D160). The list in the model's YAML is where
    a reader sees which columns are required.

    A failing row is one required column that holds NULLs: its name and how many rows.

    Compiled for columns [customer_id, segment_code]:
        with null_counts as (
            select
                sum(case when customer_id is null then 1 else 0 end) as null_rows_1,
                sum(case when segment_code is null then 1 else 0 end) as null_rows_2
            from <model>
        ),
        nulls_per_column as (
            select 'customer_id' as column_name, null_rows_1 as null_rows from null_counts
            union all
            select 'segment_code' as column_name, null_rows_2 as null_rows from null_counts
        ),
        final as (select * from nulls_per_column where null_rows > 0)
        select * from final
-#}
{% test not_null_columns(model, columns) %}
{%- if columns is string -%}
    {%- set columns = [columns] -%}
{%- endif -%}
{%- if not columns -%}
    {{ exceptions.raise_compiler_error("not_null_columns on " ~ model ~ " needs a non-empty list `columns`") }}
{%- endif -%}

with

null_counts as (
    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

nulls_per_column as (
    {%- for column in columns %}
    select
        {{ dbt.string_literal(column) }} as column_name,
        null_rows_{{ loop.index }} as null_rows
    from null_counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from nulls_per_column
    where null_rows > 0
)

select * from final

{% endtest %}
