{#-
    One row per purchase (doc block `purchase`) paid on or before the as-of date by a customer of
    the run: a completed order or a paid subscription period, of the sources in var
    `purchase_sources`, with its source, net revenue and margin in the reporting currency.
    Discount, channel and cost are known for orders only; they are NULL on subscription payments.
-#}
{%- set sources = purchase_sources() %}

with

{% if 'orders' in sources -%}
completed_orders as (
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

{% endif -%}
{% if 'renewals' in sources -%}
paid_subscription_periods as (
    select
        subscription_period_id,
        subscription_id,
        customer_id,
        paid_at,
        paid_date,
        amount
    from {{ ref('int_subscription_payments') }}
    where is_paid
),

{% endif -%}
customers as (
    select customer_id from {{ ref('int_customers_as_of') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

{% if 'orders' in sources -%}
order_purchases as (
    select
        order_id as purchase_id,
        'order' as purchase_source,
        order_id,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        customer_id,
        ordered_at as purchased_at,
        ordered_date as purchase_date,
        gross_amount,
        discount_amount,
        refunded_amount,
        cost_amount,
        discount_amount > 0 or promo_code is not null as is_discounted,
        is_assisted,
        sales_channel
    from completed_orders
),

{% endif -%}
{% if 'renewals' in sources -%}
subscription_purchases as (
    {#- A payment for a period carries its price: no discount, refund, cost or channel is known. -#}
    select
        subscription_period_id as purchase_id,
        'subscription' as purchase_source,
        cast(null as {{ dbt.type_string() }}) as order_id,
        subscription_id,
        customer_id,
        paid_at as purchased_at,
        paid_date as purchase_date,
        amount as gross_amount,
        cast(0 as decimal(38, 2)) as discount_amount,
        cast(0 as decimal(38, 2)) as refunded_amount,
        cast(null as decimal(38, 2)) as cost_amount,
        cast(null as boolean) as is_discounted,
        cast(null as boolean) as is_assisted,
        cast(null as {{ dbt.type_string() }}) as sales_channel
    from paid_subscription_periods
),

{% endif -%}
purchases as (
    {%- if 'orders' in sources %}
    select * from order_purchases
    {%- endif %}
    {%- if sources | length > 1 %}
    union all
    {%- endif %}
    {%- if 'renewals' in sources %}
    select * from subscription_purchases
    {%- endif %}
),

visible_purchases as (
    select purchases.*
    from purchases
    inner join customers
        on purchases.customer_id = customers.customer_id
    cross join as_of
    where purchases.purchase_date <= as_of.as_of_date
),

final as (
    select
        purchase_id,
        purchase_source,
        order_id,
        subscription_id,
        customer_id,
        purchased_at,
        purchase_date,
        gross_amount,
        discount_amount,
        refunded_amount,
        gross_amount - discount_amount - refunded_amount as net_amount,
        cost_amount,
        gross_amount - discount_amount - refunded_amount - cost_amount as margin_amount,
        is_discounted,
        is_assisted,
        sales_channel
    from visible_purchases
)

select * from final
