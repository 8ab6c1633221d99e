{#-
    The quarantine for renewals: one row per raw row that did not reach stg_raw__renewals, with the
    reason code and the raw text as it arrived (PII columns left out).
-#}
with

checked as (
    select * from {{ ref('base_raw__renewals_checked') }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        raw_line_number,
        raw_subscription_id,
        raw_customer_id,
        raw_plan,
        raw_billing_cycle,
        raw_period_start,
        raw_period_end,
        raw_renewed_at,
        raw_amount,
        raw_currency,
        raw_status,
        raw_loaded_at
    from checked
    where reject_reason is not null
)

select * from final
