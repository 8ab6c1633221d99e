{#-
    One row per purchase (completed order) placed on or before the as-of date by a customer of
    the run, with its net revenue and margin in the reporting currency.
-#}
with

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        gross_amount,
        discount_amount,
        refunded_amount,
        cost_amount,
        sales_channel,
        is_assisted,
        promo_code
    from {{ ref('stg_raw__orders') }}
    where status = 'completed'
),

customers as (
    select customer_id from {{ ref('int_customers_as_of') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

visible_orders as (
    select orders.*
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    cross join as_of
    where orders.ordered_date <= as_of.as_of_date
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        gross_amount,
        discount_amount,
        refunded_amount,
        gross_amount - discount_amount - refunded_amount as net_amount,
        cost_amount,
        gross_amount - discount_amount - refunded_amount - cost_amount as margin_amount,
        discount_amount > 0 or promo_code is not null as is_discounted,
        is_assisted,
        sales_channel
    from visible_orders
)

select * from final
