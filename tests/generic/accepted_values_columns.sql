{#-
    accepted_values_columns: every non-NULL value of each column in `values_by_column` (a map
    column -> list of accepted values) is one of that column's values. One test per model over
    its enum columns replaces one `accepted_values` test per column, with dbt's semantics: NULL
    is not this test's concern (not_null_columns is), text values are compared as text, numbers
    as numbers (DECISIONLOG D160). The map in the model's YAML is where a reader sees each
    column's allowed values.

    A failing row is one value outside its column's list: the column's name, the value (as
    text) and how many rows hold it.

    Compiled for {customer_type: [b2b, b2c], cycle_months: [1, 3, 12]} (on DuckDB the condition
    looks the value up in a list instead: value_not_listed, below):
        with unexpected_values as (
            select 'customer_type' as column_name, cast(customer_type as string) as value_found,
                count(*) as rows_found
            from <model> where customer_type not in ('b2b', 'b2c') group by customer_type
            union all
            select 'cycle_months' as column_name, cast(cycle_months as string) as value_found,
                count(*) as rows_found
            from <model> where cycle_months not in (1, 3, 12) group by cycle_months
        ),
        final as (select * from unexpected_values)
        select * from final
-#}
{% test accepted_values_columns(model, values_by_column) %}
{%- if values_by_column is not mapping or not values_by_column -%}
    {{ exceptions.raise_compiler_error("accepted_values_columns on " ~ model
        ~ " needs a non-empty map `values_by_column` (column: [values])") }}
{%- endif -%}

with

unexpected_values as (
    {%- for column, values in values_by_column.items() %}
    select
        {{ dbt.string_literal(column) }} as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as value_found,
        count(*) as rows_found
    from {{ model }}
    where {{ value_not_listed(column, values) }}
    group by {{ column }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from unexpected_values
)

select * from final

{% endtest %}
