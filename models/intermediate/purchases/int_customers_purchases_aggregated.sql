{#-
    One row per customer with at least one purchase as of the as-of date: first and last
    purchase, recency, frequency, monetary, margin and the rhythm of their purchase days; the
    current as-of date's rows of int_customers_purchases_aggregated_by_as_of_date.
-#}
with

purchasers as (
    select * from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        purchasers.customer_id,
        purchasers.first_purchase_date,
        purchasers.last_purchase_date,
        purchasers.recency_days,
        purchasers.tenure_days,
        purchasers.frequency,
        purchasers.purchase_days,
        purchasers.monetary,
        purchasers.margin,
        purchasers.purchases_with_cost,
        purchasers.has_non_positive_revenue,
        purchasers.median_purchase_gap_days,
        purchasers.max_purchase_gap_days
    from purchasers
    inner join as_of
        on purchasers.as_of_date = as_of.as_of_date
)

select * from final
