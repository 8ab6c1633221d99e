{#-
    A customer who paid for a subscription period by the as-of date has made a purchase, so is
    never in segment `prospect` (with renewals among var purchase_sources). Returns every such
    customer who is.
-#}
{{ config(enabled='renewals' in purchase_sources()) }}

with

paying_subscribers as (
    select distinct payments.customer_id
    from {{ ref('int_subscription_payments') }} as payments
    cross join {{ ref('int_as_of_date') }} as as_of
    where
        payments.is_paid
        and payments.paid_date <= as_of.as_of_date
),

customer_segments as (
    select
        customer_id,
        segment_code
    from {{ ref('customer_segments') }}
),

final as (
    select
        customer_segments.customer_id,
        customer_segments.segment_code
    from customer_segments
    inner join paying_subscribers
        on customer_segments.customer_id = paying_subscribers.customer_id
    where customer_segments.segment_code = 'prospect'
)

select * from final
