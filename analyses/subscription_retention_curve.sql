{#-
    The retention curve of subscriptions (续费留存曲线), one row per billing cycle and period since
    start: the cohorts pooled (weighted by their size), complete periods only, so the period
    that holds the as-of date does not pull the curve down. This is the survival curve a
    shifted-beta-geometric model is fitted to (subscriptions still paying, renewal rate per period).
-#}
with

subscription_cohort as (
    select
        billing_cycle,
        periods_since_start,
        subscriptions_at_start,
        subscriptions_retained,
        subscriptions_retained_previous_period,
        is_partial_period
    from {{ ref('subscription_cohort') }}
),

complete_periods as (
    select *
    from subscription_cohort
    where not is_partial_period
),

final as (
    select
        billing_cycle,
        periods_since_start,
        sum(subscriptions_at_start) as subscriptions_at_start,
        sum(subscriptions_retained) as subscriptions_retained,
        cast(sum(subscriptions_retained) as {{ type_double() }}) / sum(subscriptions_at_start) as retention_rate,
        cast(sum(subscriptions_retained) as {{ type_double() }})
        / nullif(sum(subscriptions_retained_previous_period), 0) as renewal_rate
    from complete_periods
    group by
        billing_cycle,
        periods_since_start
)

select * from final
