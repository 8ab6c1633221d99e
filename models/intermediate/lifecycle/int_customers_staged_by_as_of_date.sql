{#-
    One row per as-of date (int_as_of_dates) and customer of that date: the lifecycle stage as of
    that date, the rule that placed them there and the dates that justify it. Ladder: doc block
    `lifecycle_stage`. The mart lifecycle_stage publishes the current date's rows.
    A view (D188): the history mart reads the stage of every as-of date from it and
    lifecycle_stage every column of the current date, so the rows of the past dates (23 million
    at 10^7 orders) are not written to a table for the one column the history needs.
-#}
{{ config(materialized='view') }}
with

customers as (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
),

purchases as {{ not_materialized() }} (
    select
        as_of_date,
        customer_id,
        first_purchase_date,
        last_purchase_date,
        recency_days,
        frequency,
        median_purchase_gap_days,
        max_purchase_gap_days
    from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
),

subscriptions as (
    select
        as_of_date,
        customer_id,
        subscription_state,
        days_overdue,
        next_renewal_due_date,
        first_period_start_date,
        renewal_tenure
    from {{ ref('int_customers_subscription_states_by_as_of_date') }}
),

first_purchaser_dates as (
    {#- The first as-of date (of those in the history) at which each customer is a purchaser. -#}
    select
        customer_id,
        min(as_of_date) as first_purchaser_date
    from purchases
    group by customer_id
),

customers_purchases as (
    {#- The purchasers of a date, then its customers without a purchase by it. The purchasers are
        customers of their date by construction (int_customers_purchases_aggregated_by_as_of_date),
        so these are every customer of the date, and no join has to hold the purchase columns of
        19 million rows (at 10^7 orders) in memory, as a join of every customer to them did (D203).
        A customer is a purchaser from their first purchaser date on, so the customers of a date
        are matched against one row per customer, as in the RFM by date (D204, D206). -#}
    select
        as_of_date,
        customer_id,
        true as has_purchases,
        first_purchase_date,
        last_purchase_date,
        recency_days,
        frequency,
        median_purchase_gap_days,
        max_purchase_gap_days
    from purchases
    union all
    select
        customers.as_of_date,
        customers.customer_id,
        false as has_purchases,
        null as first_purchase_date,
        null as last_purchase_date,
        null as recency_days,
        null as frequency,
        null as median_purchase_gap_days,
        null as max_purchase_gap_days
    from customers
    left join first_purchaser_dates
        on customers.customer_id = first_purchaser_dates.customer_id
    where
        first_purchaser_dates.first_purchaser_date is null
        or customers.as_of_date < first_purchaser_dates.first_purchaser_date
),

signals as (
    select
        customers_purchases.customer_id,
        customers_purchases.as_of_date,
        customers_purchases.has_purchases,
        coalesce(subscriptions.subscription_state, 'none') as subscription_state,
        customers_purchases.first_purchase_date,
        customers_purchases.last_purchase_date,
        customers_purchases.recency_days,
        coalesce(customers_purchases.frequency, 0) as frequency,
        customers_purchases.median_purchase_gap_days,
        subscriptions.first_period_start_date,
        subscriptions.next_renewal_due_date,
        subscriptions.days_overdue,
        subscriptions.renewal_tenure,
        case
            when customers_purchases.first_purchase_date is null then subscriptions.first_period_start_date
            when subscriptions.first_period_start_date is null then customers_purchases.first_purchase_date
            when subscriptions.first_period_start_date < customers_purchases.first_purchase_date
                then subscriptions.first_period_start_date
            else customers_purchases.first_purchase_date
        end as first_start_date,
        coalesce(customers_purchases.max_purchase_gap_days >= {{ var('lifecycle_churn_days') }}, false)
            as returned_after_churn
    from customers_purchases
    left join subscriptions
        on
            customers_purchases.as_of_date = subscriptions.as_of_date
            and customers_purchases.customer_id = subscriptions.customer_id
),

signals_dated as (
    select
        *,
        {{ dbt.datediff('first_start_date', 'as_of_date', 'day') }}
            as days_since_first_start,
        {{ dbt.datediff('first_purchase_date', 'as_of_date', 'day') }}
            as days_since_first_purchase
    from signals
),

staged as (
    select
        *,
        case
            when not has_purchases and subscription_state = 'none'
                then 'no_purchase_yet'
            when subscription_state <> 'active' and has_purchases
                and recency_days >= {{ var('lifecycle_churn_days') }}
                then 'no_order_within_churn_days'
            when subscription_state <> 'active' and not has_purchases
                then 'all_subscriptions_lapsed'
            when subscription_state = 'active' and days_overdue > 0
                then 'renewal_overdue'
            when subscription_state <> 'active'
                and recency_days >= {{ var('lifecycle_at_risk_days') }}
                then 'silent_beyond_global_threshold'
            when subscription_state <> 'active'
                and median_purchase_gap_days is not null
                and recency_days >= {{ var('lifecycle_at_risk_min_days') }}
                and recency_days > {{ var('lifecycle_at_risk_rhythm_factor') }} * median_purchase_gap_days
                then 'silent_beyond_own_rhythm'
            when days_since_first_start < {{ var('lifecycle_new_max_days') }}
                then 'first_purchase_within_new_days'
            when frequency >= {{ var('lifecycle_mature_min_orders') }}
                and days_since_first_purchase >= {{ var('lifecycle_mature_min_tenure_days') }}
                then 'orders_and_tenure_reached'
            when renewal_tenure = 'long_term'
                then 'long_term_renewer'
            else 'default_growing'
        end as stage_rule
    from signals_dated
),

final as (
    select
        customer_id,
        as_of_date,
        case
            when stage_rule = 'no_purchase_yet' then 'prospect'
            when stage_rule in ('no_order_within_churn_days', 'all_subscriptions_lapsed') then 'churned'
            when stage_rule in ('renewal_overdue', 'silent_beyond_global_threshold', 'silent_beyond_own_rhythm')
                then 'at_risk'
            when stage_rule = 'first_purchase_within_new_days' then 'new'
            when stage_rule in ('orders_and_tenure_reached', 'long_term_renewer') then 'mature'
            else 'growing'
        end as stage,
        stage_rule,
        returned_after_churn,
        first_purchase_date,
        last_purchase_date,
        first_period_start_date,
        recency_days,
        frequency,
        median_purchase_gap_days,
        cast(
            {{ dbt.dateadd('day', 'cast(round(median_purchase_gap_days) as ' ~ dbt.type_int() ~ ')',
                           'last_purchase_date') }}
            as date
        ) as expected_next_purchase_date,
        subscription_state,
        next_renewal_due_date,
        days_overdue
    from staged
)

select * from final
