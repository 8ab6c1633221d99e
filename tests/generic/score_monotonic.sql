{#-
    score_monotonic: a better value never gets a lower score. With higher_is_better (the
    default) a larger `value_column` is better (frequency, monetary); set it to false when a
    smaller value is better (recency in days). Rows with a NULL value or score are ignored.

    The rule fails exactly when some score holds a value strictly worse than a value of a lower
    score. So each score's best and worst value are taken (one small row per score), the scores
    are ordered from lowest to highest, and each score's worst value is compared with the best
    value of all lower scores (a running max, or min, over a rows frame). Equal values on two
    scores are a split tie, not an inversion (equal_values_equal_scores tests those). A failing
    row is a score whose worst value is worse than the best value of some lower score, shown with
    its own worst and best value and that best lower value. Only a score's extremes go through
    the window, not every distinct value: at 10^7 orders the monetary values of 24 as-of dates
    are 19 million, the scores 125 (DECISIONLOG D202).

    With `group_by` (a column, e.g. as_of_date) the rule holds within each of its values: scores
    cut separately per as-of date are compared only with scores of the same date.
-#}
{% test score_monotonic(model, column_name, value_column, higher_is_better=true, group_by=none) %}
{%- if higher_is_better is string -%}
    {%- set higher_is_better = higher_is_better | trim | lower in ('true', 'yes', '1') -%}
{%- endif -%}
{%- set worst = 'min' if higher_is_better else 'max' -%}
{%- set best = 'max' if higher_is_better else 'min' -%}
{%- set worse_than = '<' if higher_is_better else '>' -%}

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

values_per_score as (
    select
        score_group,
        score,
        {{ worst }}(scored_value) as worst_value,
        {{ best }}(scored_value) as best_value
    from scored_rows
    group by score_group, score
),

scores_with_lower_scores as (
    select
        score_group,
        score,
        worst_value,
        best_value,
        {{ best }}(best_value) over (
            partition by score_group
            order by score asc
            rows between unbounded preceding and 1 preceding
        ) as best_value_of_lower_scores
    from values_per_score
),

final as (
    select * from scores_with_lower_scores
    where worst_value {{ worse_than }} best_value_of_lower_scores
)

select * from final

{% endtest %}
