{#-
    One row per start cohort (month of a subscription's first period) × billing cycle × periods
    since start, up to the period that holds the as-of date: subscriptions at start, still paid
    (retained), retention, period-over-period renewal rate and revenue (续费留存). Periods the
    as-of date has not reached are absent; the one that holds it is flagged partial unless the
    as-of date is its last day. Rules: doc
    block `subscription_cohort`.
-#}
with

payments as (
    select
        subscription_id,
        customer_id,
        billing_cycle,
        period_start_date,
        paid_through_date,
        periods_since_start,
        amount
    from {{ ref('int_subscription_payments') }}
),

customers as (
    select customer_id from {{ ref('int_customers_as_of') }}
),

as_of as (
    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from {{ ref('int_as_of_date') }}
),

retained_periods as (
    {#- Periods of an unbroken run of renewals from the first period, paid for, together with
        every period before them, on or before the as-of date. -#}
    select payments.*
    from payments
    inner join customers
        on payments.customer_id = customers.customer_id
    cross join as_of
    where
        payments.periods_since_start is not null
        and payments.paid_through_date <= as_of.as_of_date
),

subscription_starts as (
    select
        subscription_id,
        customer_id,
        billing_cycle,
        cast({{ dbt.date_trunc('month', 'period_start_date') }} as date) as cohort_month,
        {{ billing_cycle_months('billing_cycle') }} as cycle_months
    from retained_periods
    where periods_since_start = 0
),

cohorts as (
    select
        cohort_month,
        billing_cycle,
        cycle_months,
        count(*) as subscriptions_at_start
    from subscription_starts
    group by
        cohort_month,
        billing_cycle,
        cycle_months
),

cohorts_reached as (
    {#- How many calendar months after the cohort month the as-of date has reached. -#}
    select
        cohorts.*,
        {{ dbt.datediff('cohorts.cohort_month', 'as_of.as_of_month', 'month') }}
            as months_reached
    from cohorts
    cross join as_of
),

period_offsets as (
    select generated_number - 1 as periods_since_start
    from ({{ dbt.generate_series(var('churn_cohort_max_months')) }}) as series  -- noqa: ST05
),

cohort_periods as (
    {#- Every period from the start to the one that holds the as-of date: the cells reached. -#}
    select
        cohorts_reached.cohort_month,
        cohorts_reached.billing_cycle,
        cohorts_reached.cycle_months,
        cohorts_reached.subscriptions_at_start,
        period_offsets.periods_since_start,
        cast(
            {{ dbt.dateadd('month', 'period_offsets.periods_since_start * cohorts_reached.cycle_months',
                           'cohorts_reached.cohort_month') }}
            as date
        ) as period_start_month,
        cast(
            {{ dbt.dateadd('month', '(period_offsets.periods_since_start + 1) * cohorts_reached.cycle_months',
                           'cohorts_reached.cohort_month') }}
            as date
        ) as next_period_start_month
    from cohorts_reached
    inner join period_offsets
        on period_offsets.periods_since_start * cohorts_reached.cycle_months <= cohorts_reached.months_reached
),

retained_counts as (
    select
        subscription_starts.cohort_month,
        subscription_starts.billing_cycle,
        retained_periods.periods_since_start,
        count(*) as subscriptions_retained,
        sum(retained_periods.amount) as revenue
    from retained_periods
    inner join subscription_starts
        on
            retained_periods.subscription_id = subscription_starts.subscription_id
            and retained_periods.customer_id = subscription_starts.customer_id
    group by
        subscription_starts.cohort_month,
        subscription_starts.billing_cycle,
        retained_periods.periods_since_start
),

cells as (
    select
        cohort_periods.cohort_month,
        cohort_periods.billing_cycle,
        cohort_periods.periods_since_start,
        cohort_periods.period_start_month,
        cohort_periods.subscriptions_at_start,
        coalesce(retained_counts.subscriptions_retained, 0) as subscriptions_retained,
        coalesce(retained_counts.revenue, 0) as revenue,
        {#- over when the as-of date is the period's last day, as in churn_cohort (DECISIONLOG D31) #}
        cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date) < cohort_periods.next_period_start_month
            as is_partial_period,
        as_of.as_of_date
    from cohort_periods
    cross join as_of
    left join retained_counts
        on
            cohort_periods.cohort_month = retained_counts.cohort_month
            and cohort_periods.billing_cycle = retained_counts.billing_cycle
            and cohort_periods.periods_since_start = retained_counts.periods_since_start
),

cells_with_previous as (
    select
        *,
        lag(subscriptions_retained) over (
            partition by cohort_month, billing_cycle
            order by periods_since_start asc
        ) as subscriptions_retained_previous_period,
        sum(case when periods_since_start = 0 then revenue end) over (
            partition by cohort_month, billing_cycle
        ) as start_period_revenue
    from cells
),

final as (
    select
        as_of_date,
        cohort_month,
        billing_cycle,
        cast(periods_since_start as {{ dbt.type_bigint() }}) as periods_since_start,
        period_start_month,
        cast(subscriptions_at_start as {{ dbt.type_bigint() }}) as subscriptions_at_start,
        cast(subscriptions_retained as {{ dbt.type_bigint() }}) as subscriptions_retained,
        cast(subscriptions_retained_previous_period as {{ dbt.type_bigint() }})
            as subscriptions_retained_previous_period,
        cast(subscriptions_retained as {{ type_double() }}) / subscriptions_at_start as retention_rate,
        case
            when subscriptions_retained_previous_period > 0
                then cast(subscriptions_retained as {{ type_double() }}) / subscriptions_retained_previous_period
        end as renewal_rate,
        cast(revenue as decimal(38, 2)) as revenue,
        case
            when start_period_revenue <> 0
                then cast(revenue as {{ type_double() }}) / start_period_revenue
        end as revenue_retention,
        is_partial_period
    from cells_with_previous
)

select * from final
