{#- The clean feedback: one row per feedback item, parsed, deduplicated, in the reporting currency. -#}
with

checked as (
    select * from {{ ref('base_raw__feedback_checked') }}
),

final as (
    select
        feedback_id,
        customer_id,
        submitted_at,
        submitted_date,
        kind,
        csat,
        nps,
        comment_length,
        loaded_at
    from checked
    where reject_reason is null
)

select * from final
