{#- The clean renewals: one row per subscription period, parsed, deduplicated, in the reporting currency. -#}
with

checked as (
    select * from {{ ref('base_raw__renewals_checked') }}
),

final as (
    select
        subscription_id,
        customer_id,
        plan,
        billing_cycle,
        period_start,
        period_end,
        renewed_at,
        period_start_date,
        period_end_date,
        renewed_date,
        status,
        currency,
        amount,
        loaded_at
    from checked
    where reject_reason is null
)

select * from final
