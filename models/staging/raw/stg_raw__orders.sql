{#- The clean orders: one row per order, parsed, deduplicated, in the reporting currency. -#}
with

checked as (
    select * from {{ ref('base_raw__orders_checked') }}
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        status,
        currency,
        fx_rate_to_reporting,
        gross_amount,
        discount_amount,
        refunded_amount,
        cost_amount,
        sales_channel,
        is_assisted,
        promo_code,
        loaded_at
    from checked
    where reject_reason is null
)

select * from final
