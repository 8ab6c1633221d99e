{#-
    One row per as-of date (int_as_of_dates) and customer with at least one purchase on or before
    it: rank, cumulative share and ABC class by net revenue and by margin among the customers of
    the same as-of date. int_customers_abc_classified is the current date. Convention (crossing customer in the higher class, non-positive
    values last and in C): doc block `abc_class`.
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

purchasers as (
    select
        as_of_date,
        customer_id,
        monetary as net_revenue,
        margin
    from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
    {{ history_dates_filter() }}
),

ranked as (
    {#-
        One sort per measure serves its rank and its running total: in descending order every
        positive value comes before the non-positive ones, so the running total of a positive
        row sums positive values only; NULL margins sort last and get no rank.
    -#}
    select
        as_of_date,
        customer_id,
        net_revenue,
        row_number() over (
            partition by as_of_date order by net_revenue desc, customer_id asc
        ) as revenue_rank,
        sum(net_revenue) over (
            partition by as_of_date
            order by net_revenue desc, customer_id asc
            rows between unbounded preceding and current row
        ) as revenue_running_total,
        sum(case when net_revenue > 0 then net_revenue end) over (partition by as_of_date)
            as revenue_positive_total,
        margin,
        row_number() over (
            partition by as_of_date order by margin desc nulls last, customer_id asc
        ) as margin_row_number,
        sum(margin) over (
            partition by as_of_date
            order by margin desc nulls last, customer_id asc
            rows between unbounded preceding and current row
        ) as margin_running_total,
        sum(case when margin > 0 then margin end) over (partition by as_of_date) as margin_positive_total
    from purchasers
),

running_totals as (
    {#- A running total and a share exist for positive values only. -#}
    select
        as_of_date,
        customer_id,
        net_revenue,
        revenue_rank,
        case when net_revenue > 0 then revenue_running_total end as revenue_running_total,
        revenue_positive_total,
        margin,
        case when margin is not null then margin_row_number end as margin_rank,
        case when margin > 0 then margin_running_total end as margin_running_total,
        margin_positive_total
    from ranked
),

computed as (
    select
        as_of_date,
        customer_id,
        net_revenue,
        revenue_rank,
        cast(revenue_running_total as {{ type_double() }}) / revenue_positive_total as revenue_cumulative_share,
        {{ abc_class('revenue_running_total', 'net_revenue', 'revenue_positive_total') }} as abc_class_revenue,
        margin,
        margin_rank,
        cast(margin_running_total as {{ type_double() }}) / margin_positive_total as margin_cumulative_share,
        {{ abc_class('margin_running_total', 'margin', 'margin_positive_total') }} as abc_class_margin,
        net_revenue <= 0 as has_non_positive_revenue,
        margin <= 0 as has_non_positive_margin
    from running_totals
),

fingerprints as (
    {{ history_fingerprints_checked(['int_customers_purchases_aggregated_by_as_of_date']) | indent(4) }}
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
