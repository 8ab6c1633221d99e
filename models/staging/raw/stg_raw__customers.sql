{#- The clean customers: one row per customer, parsed, deduplicated, in the reporting currency. -#}
with

checked as (
    select * from {{ ref('base_raw__customers_checked') }}
),

final as (
    select
        customer_id,
        signed_up_at,
        signed_up_date,
        region,
        customer_type,
        acquisition_channel,
        email_hash,
        loaded_at
    from checked
    where reject_reason is null
)

select * from final
