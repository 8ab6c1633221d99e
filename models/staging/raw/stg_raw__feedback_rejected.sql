{#-
    The quarantine for feedback: one row per raw row that did not reach stg_raw__feedback, with the
    reason code and the raw text as it arrived (PII columns left out).
-#}
with

checked as (
    select * from {{ ref('base_raw__feedback_checked') }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        raw_line_number,
        raw_feedback_id,
        raw_customer_id,
        raw_submitted_at,
        raw_kind,
        raw_csat,
        raw_nps,
        raw_loaded_at
    from checked
    where reject_reason is not null
)

select * from final
