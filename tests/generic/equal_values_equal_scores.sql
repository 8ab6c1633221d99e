{#-
    equal_values_equal_scores: rows with the same `value_column` carry the same score in
    `column_name`, so a tie in the input is never split across two scores. NULL scores are
    ignored; NULL values form one group, as in any `group by`.

    A failing row is one value of `value_column` that carries more than one distinct non-null
    score, with how many scores it carries and the lowest and highest of them.

    With `group_by` (a column, e.g. as_of_date) the rule holds within each of its values: scores
    cut separately per as-of date are compared only with scores of the same date.

    Two scores share a value only where their ranges of values (lowest to highest) overlap, so
    each score's range is taken first (one small row per score) and only the rows whose value
    lies in an overlap of two ranges, or is NULL, are grouped by value. Where scores are cut by
    value without splitting a tie, no ranges overlap and no value is grouped: at 10^7 orders
    the monetary values of 24 as-of dates are 19 million, the scores 125 (DECISIONLOG D202).
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

score_ranges as (
    select
        score_group,
        score,
        min(scored_value) as lowest_value,
        max(scored_value) as highest_value
    from scored_rows
    group by score_group, score
),

overlapping_ranges as (
    select
        lower_scores.score_group,
        greatest(lower_scores.lowest_value, higher_scores.lowest_value) as overlap_from,
        least(lower_scores.highest_value, higher_scores.highest_value) as overlap_to
    from score_ranges as lower_scores
    inner join score_ranges as higher_scores
        on
            lower_scores.score_group = higher_scores.score_group
            and lower_scores.score < higher_scores.score
            and lower_scores.lowest_value <= higher_scores.highest_value
            and higher_scores.lowest_value <= lower_scores.highest_value
),

candidate_rows as (
    {#- A row in two overlaps appears twice; every aggregate below is a min, a max or a
        count(distinct), which a repeated row does not change. -#}
    select
        scored_rows.score_group,
        scored_rows.scored_value,
        scored_rows.score
    from scored_rows
    inner join overlapping_ranges
        on
            scored_rows.score_group = overlapping_ranges.score_group
            and scored_rows.scored_value >= overlapping_ranges.overlap_from
            and scored_rows.scored_value <= overlapping_ranges.overlap_to
    union all
    select
        score_group,
        scored_value,
        score
    from scored_rows
    where scored_value is null
),

scores_per_value as (
    {#- min and max, not count(distinct): a value carries one score exactly when they are equal,
        and the two aggregates cost half as much over millions of values (D189). -#}
    select
        score_group,
        scored_value,
        min(score) as min_score,
        max(score) as max_score
    from candidate_rows
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
        count(distinct candidate_rows.score) as distinct_scores,
        split_values.min_score,
        split_values.max_score
    from split_values
    inner join candidate_rows
        on
            split_values.score_group = candidate_rows.score_group
            and (
                split_values.scored_value = candidate_rows.scored_value
                or (split_values.scored_value is null and candidate_rows.scored_value is null)
            )
    group by
        split_values.score_group,
        split_values.scored_value,
        split_values.min_score,
        split_values.max_score
)

select * from final
{% endtest %}
