{#-
    row_count_matches: the model has exactly as many rows as `compare_model` (a ref or
    source), optionally counting only the compare_model rows that match `compare_where`.
    Use it where a model must keep the grain of another: one row in, one row out.

    A failing row is the single pair of counts when they differ.
-#}
{% test row_count_matches(model, compare_model, compare_where=none) %}

with

model_rows as (
    select count(*) as row_count from {{ model }}
),

compare_rows as (
    select count(*) as row_count from {{ compare_model }}
    {%- if compare_where %}
    where {{ compare_where }}
    {%- endif %}
),

final as (
    select
        model_rows.row_count as model_row_count,
        compare_rows.row_count as compare_row_count
    from model_rows
    cross join compare_rows
    where model_rows.row_count != compare_rows.row_count
)

select * from final

{% endtest %}
