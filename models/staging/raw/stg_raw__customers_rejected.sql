{#-
    The quarantine for customers: one row per raw row that did not reach stg_raw__customers, with the
    reason code and the raw text as it arrived (PII columns left out).
-#}
with

checked as (
    select * from {{ ref('base_raw__customers_checked') }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        raw_line_number,
        raw_customer_id,
        raw_signed_up_at,
        raw_region,
        raw_customer_type,
        raw_acquisition_channel,
        raw_loaded_at
    from checked
    where reject_reason is not null
)

select * from final
