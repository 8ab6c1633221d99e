{#-
    One row per as-of date (int_as_of_dates) and customer of that date with at least one
    purchase on or before it: first and last purchase, recency, frequency, monetary, margin and
    the rhythm of their purchase days. int_customers_purchases_aggregated is the current date.
    Each as-of date reads the customer's purchase days (int_purchase_days), not orders.
-#}
with

purchase_days as (
    {#- The gap before a day does not depend on the as-of date: every earlier day is visible too. -#}
    select
        customer_id,
        purchase_date,
        purchases,
        net_amount,
        margin_amount,
        purchases_with_cost,
        gap_days
    from {{ ref('int_purchase_days') }}
),

customers as (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
),

visible_days as (
    select
        customers.as_of_date,
        purchase_days.*
    from purchase_days
    inner join customers
        on
            purchase_days.customer_id = customers.customer_id
            and purchase_days.purchase_date <= customers.as_of_date
),

{#
    The median gap from ranks, not a median aggregate: on DuckDB a per-customer
    quantile_cont over 10^7 orders kept every customer's list of gaps in one hash table
    and took 30 s (spilling gigabytes at the memory limit); two sorted passes take 4 s
    (DECISIONLOG D54). The first day of each customer has no gap (NULL, ranked last).
#}
ranked_gaps as (
    select
        *,
        {{ median_rank('gap_days', 'as_of_date, customer_id') }} as gap_rank,
        {{ median_count('gap_days', 'as_of_date, customer_id') }} as gap_count
    from visible_days
),

totals as (
    select
        as_of_date,
        customer_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        sum(purchases) as frequency,
        count(*) as purchase_days,
        sum(net_amount) as monetary,
        sum(margin_amount) as margin,
        sum(purchases_with_cost) as purchases_with_cost,
        {{ median_of_ranked('gap_days', 'gap_rank', 'gap_count') }} as median_purchase_gap_days,
        max(gap_days) as max_purchase_gap_days
    from ranked_gaps
    group by as_of_date, customer_id
),

final as (
    select
        as_of_date,
        customer_id,
        first_purchase_date,
        last_purchase_date,
        {{ dbt.datediff("last_purchase_date", "as_of_date", "day") }}
            as recency_days,
        {{ dbt.datediff("first_purchase_date", "as_of_date", "day") }}
            as tenure_days,
        cast(frequency as {{ dbt.type_bigint() }}) as frequency,
        cast(purchase_days as {{ dbt.type_bigint() }}) as purchase_days,
        monetary,
        margin,
        cast(purchases_with_cost as {{ dbt.type_bigint() }}) as purchases_with_cost,
        monetary <= 0 as has_non_positive_revenue,
        median_purchase_gap_days,
        max_purchase_gap_days
    from totals
)

select * from final
