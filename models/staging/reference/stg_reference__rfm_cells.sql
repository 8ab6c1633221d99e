{#- One row per RFM score cell of the segment map, with its segment and that segment's labels. -#}
with

segment_map as (
    select
        r_score,
        f_score,
        m_score,
        segment_code
    from {{ ref('rfm_segment_map') }}
),

segments as (
    select
        segment_code,
        label_en,
        label_zh,
        value_tier,
        value_level,
        suggested_action
    from {{ ref('rfm_segments') }}
),

final as (
    select
        {{ dbt.concat([
            "cast(segment_map.r_score as " ~ dbt.type_string() ~ ")",
            "cast(segment_map.f_score as " ~ dbt.type_string() ~ ")",
            "cast(segment_map.m_score as " ~ dbt.type_string() ~ ")",
        ]) }} as rfm_cell,
        segment_map.r_score,
        segment_map.f_score,
        segment_map.m_score,
        segment_map.segment_code,
        segments.label_en,
        segments.label_zh,
        segments.value_tier,
        segments.value_level,
        segments.suggested_action
    from segment_map
    left join segments
        on segment_map.segment_code = segments.segment_code
)

select * from final
