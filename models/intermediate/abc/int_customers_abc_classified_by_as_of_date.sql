{#-
    One row per as-of date (int_as_of_dates) and customer with at least one purchase on or before
    it: rank, cumulative share and ABC class by net revenue and by margin among the customers of
    the same as-of date. int_customers_abc_classified is the current date. Convention (crossing customer in the higher class, non-positive
    values last and in C): doc block `abc_class`.
-#}
with

purchasers as (
    select
        as_of_date,
        customer_id,
        monetary as net_revenue,
        margin
    from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
),

revenue_ranked as (
    select
        as_of_date,
        customer_id,
        net_revenue,
        net_revenue <= 0 as has_non_positive_revenue,
        row_number() over (partition by as_of_date order by net_revenue desc, customer_id asc) as revenue_rank
    from purchasers
),

revenue_running as (
    {#- Cumulative sums over paying customers only, highest first, with a rows frame. -#}
    select
        as_of_date,
        customer_id,
        sum(net_revenue) over (
            partition by as_of_date
            order by net_revenue desc, customer_id asc
            rows between unbounded preceding and current row
        ) as revenue_running_total,
        sum(net_revenue) over (partition by as_of_date) as revenue_positive_total
    from purchasers
    where net_revenue > 0
),

margin_ranked as (
    select
        as_of_date,
        customer_id,
        margin,
        margin <= 0 as has_non_positive_margin,
        row_number() over (partition by as_of_date order by margin desc, customer_id asc) as margin_rank
    from purchasers
    where margin is not null
),

margin_running as (
    select
        as_of_date,
        customer_id,
        sum(margin) over (
            partition by as_of_date
            order by margin desc, customer_id asc
            rows between unbounded preceding and current row
        ) as margin_running_total,
        sum(margin) over (partition by as_of_date) as margin_positive_total
    from purchasers
    where margin > 0
),

final as (
    select
        revenue_ranked.as_of_date,
        revenue_ranked.customer_id,
        revenue_ranked.net_revenue,
        revenue_ranked.revenue_rank,
        cast(revenue_running.revenue_running_total as {{ type_double() }}) / revenue_running.revenue_positive_total
            as revenue_cumulative_share,
        {{ abc_class('revenue_running.revenue_running_total', 'revenue_ranked.net_revenue',
                     'revenue_running.revenue_positive_total') }} as abc_class_revenue,
        margin_ranked.margin,
        margin_ranked.margin_rank,
        cast(margin_running.margin_running_total as {{ type_double() }}) / margin_running.margin_positive_total
            as margin_cumulative_share,
        {{ abc_class('margin_running.margin_running_total', 'margin_ranked.margin',
                     'margin_running.margin_positive_total') }} as abc_class_margin,
        revenue_ranked.has_non_positive_revenue,
        margin_ranked.has_non_positive_margin
    from revenue_ranked
    left join revenue_running
        on
            revenue_ranked.as_of_date = revenue_running.as_of_date
            and revenue_ranked.customer_id = revenue_running.customer_id
    left join margin_ranked
        on
            revenue_ranked.as_of_date = margin_ranked.as_of_date
            and revenue_ranked.customer_id = margin_ranked.customer_id
    left join margin_running
        on
            revenue_ranked.as_of_date = margin_running.as_of_date
            and revenue_ranked.customer_id = margin_running.customer_id
)

select * from final
