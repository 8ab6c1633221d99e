{#-
    A scored customer's segment is the one the seed map gives their score cell, and their value
    tier is that segment's tier. Returns the customers where the mart and the map disagree.
-#}
with

customer_segments as (
    select
        customer_id,
        rfm_cell,
        segment_code,
        value_tier
    from {{ ref('customer_segments') }}
    where rfm_status = 'scored'
),

rfm_cells as (
    select
        rfm_cell,
        segment_code,
        value_tier
    from {{ ref('stg_reference__rfm_cells') }}
),

final as (
    select
        customer_segments.customer_id,
        customer_segments.rfm_cell,
        customer_segments.segment_code,
        rfm_cells.segment_code as mapped_segment_code,
        customer_segments.value_tier,
        rfm_cells.value_tier as mapped_value_tier
    from customer_segments
    left join rfm_cells
        on customer_segments.rfm_cell = rfm_cells.rfm_cell
    where
        rfm_cells.segment_code is null
        or customer_segments.segment_code <> rfm_cells.segment_code
        or customer_segments.value_tier <> rfm_cells.value_tier
)

select * from final
