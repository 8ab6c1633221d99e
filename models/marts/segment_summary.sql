{#- One row per RFM segment (plus prospect and unscored), even when empty: size, revenue, averages. -#}
with

customer_segments as (
    select
        customer_id,
        segment_code,
        recency_days,
        frequency,
        monetary
    from {{ ref('customer_segments') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

{# The seed as it is: reference seeds need no staging model (DECISIONLOG D171). #}
all_segments as (
    select
        segment_code,
        sort_order,
        label_en,
        label_zh,
        value_tier
    from {{ ref('rfm_segments') }}
),

per_segment as (
    select
        segment_code,
        count(*) as customers,
        coalesce(sum(monetary), 0) as revenue,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        {#- an exact decimal sum and one division, not a float average whose last bits depend on
            the order the threads add in: the same bits on every run (DECISIONLOG D77) #}
        cast(sum(monetary) as {{ type_double() }}) / nullif(count(monetary), 0) as avg_monetary
    from customer_segments
    group by segment_code
),

totals as (
    select
        count(*) as all_customers,
        coalesce(sum(monetary), 0) as all_revenue
    from customer_segments
),

final as (
    select
        all_segments.segment_code,
        as_of.as_of_date,
        all_segments.sort_order,
        all_segments.label_en as segment_label_en,
        all_segments.label_zh as segment_label_zh,
        all_segments.value_tier,
        coalesce(per_segment.customers, 0) as customers,
        case
            when totals.all_customers > 0
                then cast(coalesce(per_segment.customers, 0) as {{ type_double() }}) / totals.all_customers
        end as customer_share,
        coalesce(per_segment.revenue, 0) as revenue,
        case
            when totals.all_revenue <> 0
                then cast(coalesce(per_segment.revenue, 0) as {{ type_double() }}) / totals.all_revenue
        end as revenue_share,
        per_segment.avg_recency_days,
        per_segment.avg_frequency,
        per_segment.avg_monetary
    from all_segments
    cross join as_of
    cross join totals
    left join per_segment
        on all_segments.segment_code = per_segment.segment_code
)

select * from final
