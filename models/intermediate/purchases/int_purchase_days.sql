{#-
    One row per customer and business date with at least one purchase (int_purchases_as_of) on
    or before the as-of date: the day's purchases summed, the day's number in the customer's
    sequence of purchase days and the gap in days since the previous one. The gap and the
    number of a day do not depend on the as-of date (every earlier day is visible too), so the
    current-date models and every as-of date of the history read these rows.
-#}
with

purchases as (
    select
        customer_id,
        purchase_date,
        net_amount,
        margin_amount
    from {{ ref('int_purchases_as_of') }}
),

days as (
    select
        customer_id,
        purchase_date,
        count(*) as purchases,
        sum(net_amount) as net_amount,
        sum(margin_amount) as margin_amount,
        count(margin_amount) as purchases_with_cost
    from purchases
    group by customer_id, purchase_date
),

final as (
    select
        customer_id,
        purchase_date,
        cast(purchases as {{ dbt.type_bigint() }}) as purchases,
        net_amount,
        margin_amount,
        cast(purchases_with_cost as {{ dbt.type_bigint() }}) as purchases_with_cost,
        cast(
            row_number() over (partition by customer_id order by purchase_date asc) as {{ dbt.type_bigint() }}
        ) as purchase_day_number,
        {{ dbt.datediff(
            "lag(purchase_date) over (partition by customer_id order by purchase_date asc)",
            "purchase_date",
            "day"
        ) }} as gap_days
    from days
)

select * from final
