{#-
    equal_values_equal_scores: rows with the same `value_column` carry the same score in
    `column_name`, so a tie in the input is never split across two scores. NULL scores are
    ignored; NULL values form one group, as in any `group by`.

    A failing row is one value of `value_column` that carries more than one distinct non-null
    score, with how many scores it carries and the lowest and highest of them.

    With `group_by` (a column, e.g. as_of_date) the rule holds within each of its values: scores
    cut separately per as-of date are compared only with scores of the same date.
-#}
{% test equal_values_equal_scores(model, column_name, value_column, group_by=none) %}

with

scored_rows as (
    select
        {{ group_by if group_by else "'all'" }} as score_group,
        {{ value_column }} as scored_value,
        {{ column_name }} as score
    from {{ model }}
    where {{ column_name }} is not null
),

scores_per_value as (
    {#- min and max, not count(distinct): a value carries one score exactly when they are equal,
        and the two aggregates cost half as much over millions of values (D189). -#}
    select
        score_group,
        scored_value,
        min(score) as min_score,
        max(score) as max_score
    from scored_rows
    group by score_group, scored_value
),

split_values as (
    select
        score_group,
        scored_value,
        min_score,
        max_score
    from scores_per_value
    where min_score <> max_score
),

final as (
    {#- how many scores each split value carries, counted for those values only -#}
    select
        split_values.score_group,
        split_values.scored_value,
        count(distinct scored_rows.score) as distinct_scores,
        split_values.min_score,
        split_values.max_score
    from split_values
    inner join scored_rows
        on
            split_values.score_group = scored_rows.score_group
            and (
                split_values.scored_value = scored_rows.scored_value
                or (split_values.scored_value is null and scored_rows.scored_value is null)
            )
    group by
        split_values.score_group,
        split_values.scored_value,
        split_values.min_score,
        split_values.max_score
)

select * from final
{% endtest %}
