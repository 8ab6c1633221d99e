{#-
    One row per as-of date of the history (the as-of date of the run and the `history_periods`
    period ends before it) and customer who had signed up by it: the RFM scores and cell,
    segment, value tier, ABC classes, lifecycle stage and the moves since the previous as-of date, exactly as a
    build with that as_of_date publishes them in customer_segments (doc block `segment_history`).
-#}
with

segmented as (
    select * from {{ ref('int_customers_segmented_by_as_of_date') }}
),

as_of_dates as (
    select
        as_of_date,
        is_current
    from {{ ref('int_as_of_dates') }}
),

final as (
    select
        segmented.as_of_date,
        segmented.customer_id,
        as_of_dates.is_current,
        segmented.recency_days,
        segmented.frequency,
        segmented.monetary,
        segmented.r_score,
        segmented.f_score,
        segmented.m_score,
        segmented.rfm_cell,
        segmented.rfm_status,
        segmented.segment_code,
        segmented.value_tier,
        segmented.value_level,
        segmented.abc_class_revenue,
        segmented.abc_class_margin,
        segmented.has_non_positive_revenue,
        segmented.stage,
        segmented.previous_as_of_date,
        segmented.previous_segment_code,
        segmented.previous_value_tier,
        segmented.previous_stage,
        segmented.value_tier_movement
    from segmented
    inner join as_of_dates
        on segmented.as_of_date = as_of_dates.as_of_date
)

select * from final
