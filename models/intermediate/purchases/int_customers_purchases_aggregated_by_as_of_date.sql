{#-
    One row per as-of date (int_as_of_dates) and customer of that date with at least one
    purchase on or before it: first and last purchase, recency, frequency, monetary, margin and
    the rhythm of their purchase days, what the history reads. int_customers_purchases_aggregated
    is the current date's rows, with the tenure and the counts of purchase days and of purchases
    with a known cost that only the current date needs (D208).
    Each as-of date reads the customer's purchase days (int_purchase_days), not orders. Two ways
    to the same numbers (D191), chosen at run time by how many dates the run computes: for many
    dates (a build of the history), every total and the median gap is the running one at the last
    purchase day on or before the as-of date, computed once per purchase day however many as-of
    dates share it; for a few (a build without history, a nightly run), the visible days of each
    date are aggregated directly, which needs no running window over every purchase day.
-#}
{#- The most as-of dates computed by aggregating each date's visible days (D191). -#}
{%- set direct_dates_max = 3 -%}
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
        gap_days
    from {{ ref('int_purchase_days') }}
),

customers as {{ not_materialized() }} (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
    {{ history_dates_filter() }}
),

running_totals as {{ materialized_cte() }} (
    {#- Totals and the median gap up to and including each purchase day, and the next purchase
        day: one sorted pass over the purchase days, not every prefix's gaps joined again (D188).
        Stored once, so the sort's memory is freed before the rows are joined to the dates and
        written (D204). -#}
    select
        customer_id,
        purchase_date,
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
        max(gap_days) over (
            partition by customer_id order by purchase_date asc rows between unbounded preceding and current row
        ) as max_purchase_gap_days,
        {{ running_median('gap_days', 'customer_id', 'purchase_date asc') }} as median_purchase_gap_days
    from purchase_days
    where (select count(*) from dates_to_compute) > {{ direct_dates_max }}
),

signups as (
    select
        customer_id,
        {{ customer_counted_from('signed_up_date') }} as counted_from_date
    from {{ ref('stg_raw__customers') }}
),

running_visible as (
    {#- The as-of dates that see a purchase day's totals as the customer's last: from the day (or
        the sign-up, if later: the customer counts from then) to the next purchase day. -#}
    select
        running_totals.*,
        greatest(running_totals.purchase_date, signups.counted_from_date) as visible_from_date,
        coalesce(running_totals.next_purchase_date, cast('9999-12-31' as date)) as visible_until_date
    from running_totals
    inner join signups
        on running_totals.customer_id = signups.customer_id
),

running_last_visible_days as (
    {#- Each as-of date with the customer's last purchase day on or before it: each purchase day
        against the few as-of dates, not every customer of every date against every purchase day
        of the customer (D197). The bounds are compared as day counts, which DuckDB joins by a
        loop over the small side; plain date comparisons made it sort the 10 million purchase
        days for a range join, which took longer. -#}
    select
        dates_to_compute.as_of_date,
        running_visible.customer_id,
        running_visible.first_purchase_date,
        running_visible.purchase_date,
        running_visible.frequency,
        running_visible.monetary,
        running_visible.margin,
        running_visible.max_purchase_gap_days,
        running_visible.median_purchase_gap_days
    from running_visible
    inner join dates_to_compute
        on
            {{ dbt.datediff("running_visible.visible_from_date", "dates_to_compute.as_of_date", "day") }}
            >= 0
            and {{ dbt.datediff("dates_to_compute.as_of_date", "running_visible.visible_until_date", "day") }}
            > 0
),

visible_days as (
    {#- A few dates: every purchase day on or before each as-of date, the gaps ranked for the median. -#}
    select
        customers.as_of_date,
        purchase_days.customer_id,
        purchase_days.purchase_date,
        purchase_days.purchases,
        purchase_days.net_amount,
        purchase_days.margin_amount,
        purchase_days.gap_days,
        {{ median_rank('purchase_days.gap_days', 'customers.as_of_date, purchase_days.customer_id') }} as gap_rank,
        {{ median_count('purchase_days.gap_days', 'customers.as_of_date, purchase_days.customer_id') }} as gap_count
    from customers
    inner join purchase_days
        on
            customers.customer_id = purchase_days.customer_id
            and customers.as_of_date >= purchase_days.purchase_date
    where (select count(*) from dates_to_compute) <= {{ direct_dates_max }}
),

direct_last_visible_days as (
    {#- The same columns as running_last_visible_days: totals over the days visible at the date. -#}
    select
        as_of_date,
        customer_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as purchase_date,
        sum(purchases) as frequency,
        sum(net_amount) as monetary,
        sum(margin_amount) as margin,
        max(gap_days) as max_purchase_gap_days,
        {{ median_of_ranked('gap_days', 'gap_rank', 'gap_count') }} as median_purchase_gap_days
    from visible_days
    group by as_of_date, customer_id
),

last_visible_days as (
    select * from running_last_visible_days
    union all
    select * from direct_last_visible_days
),

computed as (
    select
        last_visible_days.as_of_date,
        last_visible_days.customer_id,
        last_visible_days.first_purchase_date,
        last_visible_days.purchase_date as last_purchase_date,
        {{ dbt.datediff("last_visible_days.purchase_date", "last_visible_days.as_of_date", "day") }}
            as recency_days,
        cast(last_visible_days.frequency as {{ dbt.type_bigint() }}) as frequency,
        {{ customer_money_total('last_visible_days.monetary', 'net revenue (monetary)') | indent(8) }}
            as monetary,
        {{ customer_money_total('last_visible_days.margin', 'margin') | indent(8) }} as margin,
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
