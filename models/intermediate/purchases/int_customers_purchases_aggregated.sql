{#-
    One row per customer with at least one purchase as of the as-of date: first and last
    purchase, recency, frequency, monetary, margin and the rhythm of their purchase days from the
    current as-of date's rows of int_customers_purchases_aggregated_by_as_of_date; the tenure and
    the counts of purchase days and of purchases with a known cost, which only the current date
    needs, are computed here from the purchase days (D208).
-#}
with

purchasers as (
    select * from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

purchase_day_totals as (
    {#- int_purchase_days holds the days on or before the current as-of date: all of them count.
        Joined left: a purchaser without a day would keep its row with no count, which the
        model's test `purchase_days >= 1` rejects. -#}
    select
        customer_id,
        count(*) as purchase_days,
        sum(purchases_with_cost) as purchases_with_cost
    from {{ ref('int_purchase_days') }}
    group by customer_id
),

final as (
    select
        purchasers.customer_id,
        purchasers.first_purchase_date,
        purchasers.last_purchase_date,
        purchasers.recency_days,
        {{ dbt.datediff("purchasers.first_purchase_date", "purchasers.as_of_date", "day") }}
            as tenure_days,
        purchasers.frequency,
        cast(purchase_day_totals.purchase_days as {{ dbt.type_bigint() }}) as purchase_days,
        purchasers.monetary,
        purchasers.margin,
        cast(purchase_day_totals.purchases_with_cost as {{ dbt.type_bigint() }}) as purchases_with_cost,
        purchasers.has_non_positive_revenue,
        purchasers.median_purchase_gap_days,
        purchasers.max_purchase_gap_days
    from purchasers
    inner join as_of
        on purchasers.as_of_date = as_of.as_of_date
    left join purchase_day_totals
        on purchasers.customer_id = purchase_day_totals.customer_id
)

select * from final
