{#-
    Which valuable customers are unhappy? Customers per RFM segment and satisfaction tier; the
    cells "champions / loyal / cant_lose × low" are the first calls to make (articles 001, 003).
-#}
with

customer_segments as (
    select
        customer_id,
        segment_code,
        segment_label_en,
        segment_label_zh,
        satisfaction_tier
    from {{ ref('customer_segments') }}
),

final as (
    select
        segment_code,
        segment_label_en,
        segment_label_zh,
        satisfaction_tier,
        count(*) as customers
    from customer_segments
    group by segment_code, segment_label_en, segment_label_zh, satisfaction_tier
)

select * from final
