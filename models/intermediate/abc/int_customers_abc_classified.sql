{#-
    One row per customer with at least one purchase: rank, cumulative share and ABC class by
    net revenue and by margin. Convention (crossing customer in the higher class, non-positive
    values last and in C): doc block `abc_class`.
-#}
with

purchasers as (
    select
        customer_id,
        monetary as net_revenue,
        margin
    from {{ ref('int_customers_purchases_aggregated') }}
),

revenue_ranked as (
    select
        customer_id,
        net_revenue,
        net_revenue <= 0 as has_non_positive_revenue,
        row_number() over (order by net_revenue desc, customer_id asc) as revenue_rank,
        case when net_revenue > 0 then
            sum(net_revenue) over (
                partition by net_revenue > 0
                order by net_revenue desc, customer_id asc
                rows between unbounded preceding and current row
            )
        end as revenue_running_total,
        sum(case when net_revenue > 0 then net_revenue else 0 end) over () as revenue_positive_total
    from purchasers
),

margin_ranked as (
    select
        customer_id,
        margin,
        margin <= 0 as has_non_positive_margin,
        row_number() over (order by margin desc, customer_id asc) as margin_rank,
        case when margin > 0 then
            sum(margin) over (
                partition by margin > 0
                order by margin desc, customer_id asc
                rows between unbounded preceding and current row
            )
        end as margin_running_total,
        sum(case when margin > 0 then margin else 0 end) over () as margin_positive_total
    from purchasers
    where margin is not null
),

final as (
    select
        revenue_ranked.customer_id,
        revenue_ranked.net_revenue,
        revenue_ranked.revenue_rank,
        cast(revenue_ranked.revenue_running_total as {{ type_double() }})
            / revenue_ranked.revenue_positive_total as revenue_cumulative_share,
        {{ abc_class('revenue_ranked.revenue_running_total', 'revenue_ranked.net_revenue',
                     'revenue_ranked.revenue_positive_total') }} as abc_class_revenue,
        margin_ranked.margin,
        margin_ranked.margin_rank,
        cast(margin_ranked.margin_running_total as {{ type_double() }})
            / margin_ranked.margin_positive_total as margin_cumulative_share,
        {{ abc_class('margin_ranked.margin_running_total', 'margin_ranked.margin',
                     'margin_ranked.margin_positive_total') }} as abc_class_margin,
        revenue_ranked.has_non_positive_revenue,
        margin_ranked.has_non_positive_margin
    from revenue_ranked
    left join margin_ranked
        on revenue_ranked.customer_id = margin_ranked.customer_id
)

select * from final
