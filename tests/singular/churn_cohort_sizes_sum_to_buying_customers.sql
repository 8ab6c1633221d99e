{#-
    Every customer with a purchase belongs to exactly one cohort: the month-0 cohort sizes add up
    to the customers with at least one purchase, and month-0 active customers equal the size.
    Returns one row with both counts when they differ.
-#}
with

cohort_sizes as (
    select
        sum(cohort_size) as customers_in_cohorts,
        sum(active_customers) as active_in_month_zero
    from {{ ref('churn_cohort') }}
    where months_since_acquisition = 0
),

buying_customers as (
    select count(*) as customers_with_purchases
    from {{ ref('int_customers_purchases_aggregated') }}
),

final as (
    select
        cohort_sizes.customers_in_cohorts,
        cohort_sizes.active_in_month_zero,
        buying_customers.customers_with_purchases
    from cohort_sizes
    cross join buying_customers
    where
        coalesce(cohort_sizes.customers_in_cohorts, 0) <> buying_customers.customers_with_purchases
        or coalesce(cohort_sizes.active_in_month_zero, 0) <> buying_customers.customers_with_purchases
)

select * from final
