{#-
    Where should account managers and campaign budget go? Customers, revenue and the service
    level they are recommended, per value tier (article 000: resources per layer).
-#}
with

customer_segments as (
    select
        customer_id,
        value_tier,
        service_level,
        monetary
    from {{ ref('customer_segments') }}
),

final as (
    select
        value_tier,
        service_level,
        count(*) as customers,
        coalesce(sum(monetary), 0) as revenue,
        avg(monetary) as revenue_per_customer
    from customer_segments
    group by value_tier, service_level
)

select * from final
