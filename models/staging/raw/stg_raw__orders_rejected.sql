{#-
    The quarantine for orders: one row per raw row that did not reach stg_raw__orders, with the
    reason code and the raw text as it arrived (PII columns left out).
-#}
with

checked as (
    select * from {{ ref('base_raw__orders_checked') }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        raw_line_number,
        raw_order_id,
        raw_customer_id,
        raw_ordered_at,
        raw_status,
        raw_currency,
        raw_gross_amount,
        raw_discount_amount,
        raw_refunded_amount,
        raw_cost_amount,
        raw_sales_channel,
        raw_promo_code,
        raw_loaded_at
    from checked
    where reject_reason is not null
)

select * from final
