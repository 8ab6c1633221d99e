{#-
    One row per acquisition month (cohort) and month since acquisition, up to the month that
    holds the as-of date: cohort size, active and churned customers, retention, revenue.
    Months after the as-of date are absent; the as-of month is flagged partial.
-#}
with

purchases as (
    select
        customer_id,
        purchase_date,
        net_amount
    from {{ ref('int_purchases_as_of') }}
),

as_of as (
    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from {{ ref('int_as_of_date') }}
),

customer_cohorts as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'min(purchase_date)') }} as date) as cohort_month,
        cast({{ dbt.date_trunc('month', 'max(purchase_date)') }} as date) as last_purchase_month
    from purchases
    group by customer_id
),

customer_months as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'purchase_date') }} as date) as activity_month,
        sum(net_amount) as revenue
    from purchases
    group by customer_id, cast({{ dbt.date_trunc('month', 'purchase_date') }} as date)
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from customer_cohorts
    group by cohort_month
),

cohorts_reached as (
    {#- How many months after acquisition the as-of date has reached, per cohort. -#}
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        {{ dbt.datediff('cohort_sizes.cohort_month', 'as_of.as_of_month', 'month') }}
            as months_reached
    from cohort_sizes
    cross join as_of
),

month_offsets as (
    select generated_number - 1 as months_since_acquisition
    from ({{ dbt.generate_series(var('churn_cohort_max_months')) }}) as series  -- noqa: ST05
),

cohort_periods as (
    {#- Every month from acquisition to the as-of month: the cells the as-of date has reached. -#}
    select
        cohorts_reached.cohort_month,
        month_offsets.months_since_acquisition,
        cast(
            {{ dbt.dateadd('month', 'month_offsets.months_since_acquisition', 'cohorts_reached.cohort_month') }}
            as date
        ) as period_month,
        cohorts_reached.cohort_size
    from cohorts_reached
    inner join month_offsets
        on cohorts_reached.months_reached >= month_offsets.months_since_acquisition
),

activity as (
    select
        customer_cohorts.cohort_month,
        customer_months.activity_month,
        count(*) as active_customers,
        sum(customer_months.revenue) as revenue
    from customer_months
    inner join customer_cohorts
        on customer_months.customer_id = customer_cohorts.customer_id
    group by customer_cohorts.cohort_month, customer_months.activity_month
),

last_purchases as (
    select
        cohort_month,
        last_purchase_month,
        count(*) as customers
    from customer_cohorts
    group by cohort_month, last_purchase_month
),

churned as (
    select
        cohort_periods.cohort_month,
        cohort_periods.months_since_acquisition,
        cast(sum(last_purchases.customers) as {{ dbt.type_bigint() }}) as churned_customers
    from cohort_periods
    inner join last_purchases
        on
            cohort_periods.cohort_month = last_purchases.cohort_month
            and cohort_periods.period_month > last_purchases.last_purchase_month
    group by cohort_periods.cohort_month, cohort_periods.months_since_acquisition
),

cells as (
    select
        cohort_periods.cohort_month,
        cohort_periods.months_since_acquisition,
        cohort_periods.period_month,
        cohort_periods.cohort_size,
        coalesce(activity.active_customers, 0) as active_customers,
        coalesce(churned.churned_customers, 0) as churned_customers,
        coalesce(activity.revenue, 0) as revenue,
        cohort_periods.period_month = as_of.as_of_month as is_partial_period
    from cohort_periods
    cross join as_of
    left join activity
        on
            cohort_periods.cohort_month = activity.cohort_month
            and cohort_periods.period_month = activity.activity_month
    left join churned
        on
            cohort_periods.cohort_month = churned.cohort_month
            and cohort_periods.months_since_acquisition = churned.months_since_acquisition
),

acquisition_revenue as (
    select
        cohort_month,
        revenue as acquisition_month_revenue
    from cells
    where months_since_acquisition = 0
),

final as (
    select
        cells.cohort_month,
        cells.months_since_acquisition,
        as_of.as_of_date,
        cells.period_month,
        cells.cohort_size,
        cells.active_customers,
        cast(cells.active_customers as {{ type_double() }}) / cells.cohort_size as retention_rate,
        cells.churned_customers,
        cells.revenue,
        case
            when acquisition_revenue.acquisition_month_revenue <> 0
                then cast(cells.revenue as {{ type_double() }}) / acquisition_revenue.acquisition_month_revenue
        end as revenue_retention,
        cells.is_partial_period
    from cells
    cross join as_of
    inner join acquisition_revenue
        on cells.cohort_month = acquisition_revenue.cohort_month
)

select * from final
