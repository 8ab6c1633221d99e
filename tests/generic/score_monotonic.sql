{#-
    score_monotonic: a better value never gets a lower score. With higher_is_better (the
    default) a larger `value_column` is better (frequency, monetary); set it to false when a
    smaller value is better (recency in days). Rows with a NULL value or score are ignored.

    The distinct values are ordered from worst to best; for each one, the highest score of all
    strictly worse values (a running max over a rows frame) is compared with the lowest score
    of the value itself. A failing row is a value whose lowest score is below the highest score
    of some worse value, shown with its own min and max score and that worse maximum.

    With `group_by` (a column, e.g. as_of_date) the rule holds within each of its values: scores
    cut separately per as-of date are compared only with scores of the same date.
-#}
{% test score_monotonic(model, column_name, value_column, higher_is_better=true, group_by=none) %}
{%- if higher_is_better is string -%}
    {%- set higher_is_better = higher_is_better | trim | lower in ('true', 'yes', '1') -%}
{%- endif -%}
{%- set worst_to_best = 'asc' if higher_is_better else 'desc' -%}

with

scored_rows as (
    select
        {{ group_by if group_by else "'all'" }} as score_group,
        {{ value_column }} as scored_value,
        {{ column_name }} as score
    from {{ model }}
    where {{ value_column }} is not null
        and {{ column_name }} is not null
),

scores_per_value as (
    select
        score_group,
        scored_value,
        min(score) as min_score,
        max(score) as max_score
    from scored_rows
    group by score_group, scored_value
),

scores_with_worse_values as (
    select
        score_group,
        scored_value,
        min_score,
        max_score,
        max(max_score) over (
            partition by score_group
            order by scored_value {{ worst_to_best }}
            rows between unbounded preceding and 1 preceding
        ) as max_score_of_worse_values
    from scores_per_value
),

final as (
    select * from scores_with_worse_values
    where max_score_of_worse_values > min_score
)

select * from final

{% endtest %}
