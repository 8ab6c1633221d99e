{#-
    Do layers and stages agree? Customers per lifecycle stage and RFM segment: at-risk champions
    need retention work (客户挽留) now; "new" lost customers would point at a rule to revisit.
-#}
with

customer_segments as (
    select
        customer_id,
        segment_code
    from {{ ref('customer_segments') }}
),

lifecycle_stage as (
    select
        customer_id,
        stage
    from {{ ref('lifecycle_stage') }}
),

final as (
    select
        lifecycle_stage.stage,
        customer_segments.segment_code,
        count(*) as customers
    from lifecycle_stage
    inner join customer_segments
        on lifecycle_stage.customer_id = customer_segments.customer_id
    group by lifecycle_stage.stage, customer_segments.segment_code
)

select * from final
