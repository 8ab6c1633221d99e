{#-
    One row per customer with at least one purchase as of the as-of date: first and last
    purchase, recency, frequency, monetary, margin and the rhythm of their purchase days.
-#}
with

purchases as (
    select
        customer_id,
        order_id,
        ordered_date,
        net_amount,
        margin_amount
    from {{ ref('int_purchases_as_of') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

purchase_days as (
    select distinct
        customer_id,
        ordered_date
    from purchases
),

purchase_day_gaps as (
    select
        customer_id,
        {{ dbt.datediff(
            "lag(ordered_date) over (partition by customer_id order by ordered_date)",
            "ordered_date",
            "day"
        ) }} as gap_days
    from purchase_days
),

gap_summary as (
    select
        customer_id,
        {{ median('gap_days') }} as median_purchase_gap_days,
        max(gap_days) as max_purchase_gap_days
    from purchase_day_gaps
    where gap_days is not null
    group by customer_id
),

totals as (
    select
        customer_id,
        min(ordered_date) as first_purchase_date,
        max(ordered_date) as last_purchase_date,
        count(*) as frequency,
        count(distinct ordered_date) as purchase_days,
        sum(net_amount) as monetary,
        sum(margin_amount) as margin,
        count(margin_amount) as purchases_with_cost
    from purchases
    group by customer_id
),

final as (
    select
        totals.customer_id,
        totals.first_purchase_date,
        totals.last_purchase_date,
        {{ dbt.datediff("totals.last_purchase_date", "as_of.as_of_date", "day") }}
            as recency_days,
        {{ dbt.datediff("totals.first_purchase_date", "as_of.as_of_date", "day") }}
            as tenure_days,
        totals.frequency,
        totals.purchase_days,
        totals.monetary,
        totals.margin,
        totals.purchases_with_cost,
        totals.monetary <= 0 as has_non_positive_revenue,
        gap_summary.median_purchase_gap_days,
        gap_summary.max_purchase_gap_days
    from totals
    cross join as_of
    left join gap_summary
        on totals.customer_id = gap_summary.customer_id
)

select * from final
