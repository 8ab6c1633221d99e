{#-
    The ranges of as-of dates of one subscription period follow one another without overlap, so
    int_subscription_periods_by_as_of_date (a view, D189) yields at most one row per as-of date and
    period: its grain, at every as-of date, rests on this. A NULL valid_from starts at the
    beginning, a NULL valid_to never ends. Returns each range that reaches into the next one.
-#}
with

ranges as (
    select
        subscription_period_id,
        valid_from,
        valid_to,
        lead(valid_from) over (
            partition by subscription_period_id
            order by valid_from asc nulls first
        ) as next_valid_from,
        count(*) over (partition by subscription_period_id) as ranges_of_period
    from {{ ref('int_subscription_periods_ranged') }}
),

final as (
    select
        subscription_period_id,
        valid_from,
        valid_to,
        next_valid_from,
        ranges_of_period
    from ranges
    where
        ranges_of_period > 1
        and (
            (valid_from is null and next_valid_from is null)
            or (next_valid_from is not null and (valid_to is null or valid_to > next_valid_from))
        )
)

select * from final
