{#-
    One row per as-of date (int_as_of_dates) and customer of that date with at least one
    purchase on or before it: first and last purchase, recency, frequency, monetary, margin and
    the rhythm of their purchase days. int_customers_purchases_aggregated is the current date.
    Each as-of date reads the customer's purchase days (int_purchase_days), not orders: every
    total, and the median gap, is the running one at the last purchase day on or before the
    as-of date, computed once per purchase day however many as-of dates share it.
-#}
{{ config(
    materialized=history_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ forget_stale_history_dates() }}",
) }}
with

dates_to_compute as (
    {{ history_dates_to_compute() | indent(4) }}
),

purchase_days as {{ not_materialized() }} (
    {#- The gap before a day does not depend on the as-of date: every earlier day is visible too. -#}
    select
        customer_id,
        purchase_date,
        purchases,
        net_amount,
        margin_amount,
        purchases_with_cost,
        purchase_day_number,
        gap_days
    from {{ ref('int_purchase_days') }}
),

customers as (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
    {{ history_dates_filter() }}
),

running_totals as (
    {#- Totals and the median gap up to and including each purchase day, and the next purchase
        day: one sorted pass over the purchase days, not every prefix's gaps joined again (D188). -#}
    select
        customer_id,
        purchase_date,
        purchase_day_number,
        min(purchase_date) over (partition by customer_id) as first_purchase_date,
        lead(purchase_date) over (partition by customer_id order by purchase_date asc) as next_purchase_date,
        sum(purchases) over (
            partition by customer_id order by purchase_date asc rows between unbounded preceding and current row
        ) as frequency,
        sum(net_amount) over (
            partition by customer_id order by purchase_date asc rows between unbounded preceding and current row
        ) as monetary,
        sum(margin_amount) over (
            partition by customer_id order by purchase_date asc rows between unbounded preceding and current row
        ) as margin,
        sum(purchases_with_cost) over (
            partition by customer_id order by purchase_date asc rows between unbounded preceding and current row
        ) as purchases_with_cost,
        max(gap_days) over (
            partition by customer_id order by purchase_date asc rows between unbounded preceding and current row
        ) as max_purchase_gap_days,
        {{ running_median('gap_days', 'customer_id', 'purchase_date asc') }} as median_purchase_gap_days
    from purchase_days
),

last_visible_days as (
    {#- Each as-of date with the customer's last purchase day on or before it. -#}
    select
        customers.as_of_date,
        running_totals.*
    from customers
    inner join running_totals
        on
            customers.customer_id = running_totals.customer_id
            and customers.as_of_date >= running_totals.purchase_date
            and (
                running_totals.next_purchase_date is null
                or customers.as_of_date < running_totals.next_purchase_date
            )
),

computed as (
    select
        last_visible_days.as_of_date,
        last_visible_days.customer_id,
        last_visible_days.first_purchase_date,
        last_visible_days.purchase_date as last_purchase_date,
        {{ dbt.datediff("last_visible_days.purchase_date", "last_visible_days.as_of_date", "day") }}
            as recency_days,
        {{ dbt.datediff("last_visible_days.first_purchase_date", "last_visible_days.as_of_date", "day") }}
            as tenure_days,
        cast(last_visible_days.frequency as {{ dbt.type_bigint() }}) as frequency,
        cast(last_visible_days.purchase_day_number as {{ dbt.type_bigint() }}) as purchase_days,
        last_visible_days.monetary,
        last_visible_days.margin,
        cast(last_visible_days.purchases_with_cost as {{ dbt.type_bigint() }}) as purchases_with_cost,
        last_visible_days.monetary <= 0 as has_non_positive_revenue,
        last_visible_days.median_purchase_gap_days,
        last_visible_days.max_purchase_gap_days
    from last_visible_days
),

fingerprints as (
    {{ history_fingerprints_checked(['int_customers_by_as_of_date']) | indent(4) }}
),

final as (
    select
        computed.*,
        fingerprints.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from computed
    inner join fingerprints
        on computed.as_of_date = fingerprints.as_of_date
)

select * from final
