{#-
    Every subscription whose first period started by the as-of date (of a customer of the run) is
    in exactly one start cohort: the period-0 subscriptions at start add up to the first periods
    in int_subscription_periods_as_of, and the period-0 revenue to their amounts. Returns one row
    with both sides when they differ.
-#}
with

cohort_starts as (
    select
        sum(subscriptions_at_start) as subscriptions_in_cohorts,
        sum(revenue) as start_period_revenue_in_cohorts
    from {{ ref('subscription_cohort') }}
    where periods_since_start = 0
),

first_periods as (
    select
        count(*) as first_periods,
        sum(amount) as first_period_amount
    from {{ ref('int_subscription_periods_as_of') }}
    where period_number = 1
),

final as (
    select
        cohort_starts.subscriptions_in_cohorts,
        cohort_starts.start_period_revenue_in_cohorts,
        first_periods.first_periods,
        first_periods.first_period_amount
    from cohort_starts
    cross join first_periods
    where
        coalesce(cohort_starts.subscriptions_in_cohorts, 0) <> first_periods.first_periods
        or coalesce(cohort_starts.start_period_revenue_in_cohorts, 0) <> coalesce(first_periods.first_period_amount, 0)
)

select * from final
