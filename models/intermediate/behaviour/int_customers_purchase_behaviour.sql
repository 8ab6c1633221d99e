{#-
    One row per customer with at least one purchase as of the as-of date: how much they buy on
    discount and through assisted channels, and their purchase behaviour class (doc block
    `purchase_behaviour`). The shares are over the purchases whose discount and channel are
    known, the orders: a subscription payment has neither (NULL), so it counts as a purchase but
    not as evidence of how the customer buys. Prospects are absent; the marts give them `no_orders`.
-#}
with

purchases as (
    select
        customer_id,
        gross_amount,
        discount_amount,
        is_discounted,
        is_assisted
    from {{ ref('int_purchases_as_of') }}
),

purchase_totals as (
    select
        customer_id,
        count(*) as purchases_count,
        count(is_discounted) as orders_count,
        count(case when is_discounted then 1 end) as discounted_orders_count,
        count(case when is_assisted then 1 end) as assisted_orders_count,
        sum(case when is_discounted is not null then discount_amount end) as total_discount_amount,
        sum(case when is_discounted is not null then gross_amount end) as total_gross_amount
    from purchases
    group by customer_id
),

shares_computed as (
    select
        customer_id,
        purchases_count,
        orders_count,
        cast(discounted_orders_count as {{ type_double() }}) / nullif(orders_count, 0) as discounted_order_share,
        cast(total_discount_amount as {{ type_double() }})
        / nullif(cast(total_gross_amount as {{ type_double() }}), 0) as discount_depth,
        cast(assisted_orders_count as {{ type_double() }}) / nullif(orders_count, 0) as assisted_order_share
    from purchase_totals
),

behaviour_classified as (
    select
        *,
        case
            when orders_count < {{ var('behaviour_min_orders') }} then 'insufficient_history'
            when discounted_order_share >= {{ var('promo_driven_min_share') }} then 'promotion_driven'
            when assisted_order_share >= {{ var('guided_min_share') }} then 'passive'
            else 'active'
        end as behaviour_class
    from shares_computed
),

final as (
    select
        customer_id,
        cast(purchases_count as {{ dbt.type_int() }}) as purchases_count,
        cast(orders_count as {{ dbt.type_int() }}) as orders_count,
        discounted_order_share,
        discount_depth,
        assisted_order_share,
        behaviour_class
    from behaviour_classified
)

select * from final
