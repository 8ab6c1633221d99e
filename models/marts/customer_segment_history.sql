{#-
    One row per as-of date of the history (the as-of date of the run and the `history_periods`
    period ends before it) and customer who had signed up by it: the RFM scores and cell,
    segment, value tier, ABC classes, lifecycle stage and the moves and revenue since the
    previous as-of date (doc blocks `tier_movement`, `col_period_revenue`), exactly as a build
    with that as_of_date publishes them in customer_segments (doc block `segment_history`).
    customer_segments and segment_migration read these rows: the history is written once.
-#}
{{ config(
    materialized=history_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ forget_stale_history_dates() }}",
) }}
{%- set tier_order = var('value_tier_order') -%}
{#- The labels the joins and the window carry as small codes (label_code, D192). -#}
{%- set abc_classes = ['A', 'B', 'C'] -%}
{%- set stages = ['prospect', 'new', 'growing', 'mature', 'at_risk', 'churned'] -%}
{%- set rfm_statuses = ['scored', 'prospect', 'population_too_small'] -%}

with

dates_to_compute as (
    {{ history_dates_to_compute() | indent(4) }}
),

rfm as (
    select
        as_of_date,
        customer_id,
        recency_days,
        frequency,
        monetary,
        rfm_cell,
        rfm_status,
        has_non_positive_revenue
    from {{ ref('int_customers_rfm_scored_by_as_of_date') }}
    {{ history_dates_filter() }}
),

rfm_cells as (
    {#- rfm_cell_key: the cell's row in this small table, which the joins and the window carry in
        place of the cell and its three scores (D208) -#}
    select
        rfm_cell,
        r_score,
        f_score,
        m_score,
        segment_code,
        cast(row_number() over (order by rfm_cell) as smallint) as rfm_cell_key
    from {{ ref('stg_reference__rfm_cells') }}
),

segments as (
    {#- segment_key: the segment's row in this small table, which the joins and the window carry
        in place of the segment's code, tier and level (D192) -#}
    select
        segment_code,
        value_tier,
        value_level,
        case value_tier
            {%- for tier in tier_order %}
            when '{{ tier }}' then {{ loop.index }}
            {%- endfor %}
        end as value_tier_rank,
        cast(row_number() over (order by segment_code) as smallint) as segment_key
    from {{ ref('rfm_segments') }}
),

abc as (
    select
        as_of_date,
        customer_id,
        {{ label_code('abc_class_revenue', abc_classes) }} as abc_class_revenue_code,
        {{ label_code('abc_class_margin', abc_classes) }} as abc_class_margin_code
    from {{ ref('int_customers_abc_classified_by_as_of_date') }}
    {{ history_dates_filter() }}
),

stages as (
    select
        as_of_date,
        customer_id,
        {{ label_code('stage', stages) }} as stage_code
    from {{ ref('int_customers_staged_by_as_of_date') }}
    {{ history_dates_filter() }}
),

fingerprints as (
    {#- the stages are a view (D188): the history models it reads are checked instead -#}
    {{ history_fingerprints_checked([
        'int_customers_rfm_scored_by_as_of_date',
        'int_customers_abc_classified_by_as_of_date',
        'int_customers_by_as_of_date',
        'int_customers_purchases_aggregated_by_as_of_date',
        'int_customers_subscription_states_by_as_of_date',
    ]) | indent(4) }}
),

rfm_segmented as (
    select
        rfm.as_of_date,
        rfm.customer_id,
        rfm.recency_days,
        rfm.frequency,
        rfm.monetary,
        rfm_cells.rfm_cell_key,
        {{ label_code('rfm.rfm_status', rfm_statuses) }} as rfm_status_code,
        rfm.has_non_positive_revenue,
        case
            when rfm.rfm_status = 'prospect' then 'prospect'
            when rfm.rfm_status = 'population_too_small' then 'unscored'
            else rfm_cells.segment_code
        end as segment_code
    from rfm
    left join rfm_cells
        on rfm.rfm_cell = rfm_cells.rfm_cell
),

customers_tiered as (
    select
        rfm_segmented.as_of_date,
        rfm_segmented.customer_id,
        rfm_segmented.recency_days,
        rfm_segmented.frequency,
        rfm_segmented.monetary,
        rfm_segmented.rfm_cell_key,
        rfm_segmented.rfm_status_code,
        rfm_segmented.has_non_positive_revenue,
        segments.segment_key,
        abc.abc_class_revenue_code,
        abc.abc_class_margin_code,
        stages.stage_code
    from rfm_segmented
    left join segments
        on rfm_segmented.segment_code = segments.segment_code
    left join abc
        on
            rfm_segmented.as_of_date = abc.as_of_date
            and rfm_segmented.customer_id = abc.customer_id
    left join stages
        on
            rfm_segmented.as_of_date = stages.as_of_date
            and rfm_segmented.customer_id = stages.customer_id
),

candidate_rows as (
    {#- An incremental run computes some as-of dates only (D180): the previous as-of date of the
        first of them is kept, and its stored rows give the previous segment, tier and stage. -#}
    select
        *,
        false as is_stored
    from customers_tiered
    {%- if is_incremental() %}
    union all
    select
        stored.as_of_date,
        stored.customer_id,
        stored.recency_days,
        stored.frequency,
        stored.monetary,
        rfm_cells.rfm_cell_key,
        {{ label_code('stored.rfm_status', rfm_statuses) }} as rfm_status_code,
        stored.has_non_positive_revenue,
        segments.segment_key,
        {{ label_code('stored.abc_class_revenue', abc_classes) }} as abc_class_revenue_code,
        {{ label_code('stored.abc_class_margin', abc_classes) }} as abc_class_margin_code,
        {{ label_code('stored.stage', stages) }} as stage_code,
        true as is_stored
    from {{ this }} as stored
    left join rfm_cells
        on stored.rfm_cell = rfm_cells.rfm_cell
    left join segments
        on stored.segment_code = segments.segment_code
    where
        stored.as_of_date in (select dates_to_compute.previous_as_of_date from dates_to_compute)
        and stored.as_of_date not in (select dates_to_compute.as_of_date from dates_to_compute)
    {%- endif %}
),

customers_with_previous as (
    {#- A customer absent at the previous as-of date had not signed up: no earlier row either. -#}
    select
        *,
        lag(as_of_date) over (partition by customer_id order by as_of_date asc) as previous_row_as_of_date,
        lag(segment_key) over (partition by customer_id order by as_of_date asc) as previous_row_segment_key,
        lag(stage_code) over (partition by customer_id order by as_of_date asc) as previous_row_stage_code,
        lag(monetary) over (partition by customer_id order by as_of_date asc) as previous_row_monetary
    from candidate_rows
),

customers_dated as (
    {#- The dates' own columns join after the window, which then sorts narrower rows (D188). -#}
    select
        customers_with_previous.*,
        dates_to_compute.is_current,
        dates_to_compute.previous_as_of_date,
        fingerprints.inputs_fingerprint
    from customers_with_previous
    inner join dates_to_compute
        on customers_with_previous.as_of_date = dates_to_compute.as_of_date
    inner join fingerprints
        on customers_with_previous.as_of_date = fingerprints.as_of_date
    where not customers_with_previous.is_stored
),

customers_compared as (
    select
        *,
        case when previous_row_as_of_date = previous_as_of_date then previous_row_segment_key end
            as previous_segment_key,
        case when previous_row_as_of_date = previous_as_of_date then previous_row_stage_code end
            as previous_stage_code,
        case when previous_row_as_of_date = previous_as_of_date then previous_row_monetary end
            as previous_monetary
    from customers_dated
),

customers_decoded as (
    {#- The cell, its scores and the segments' columns, now and at the previous as-of date, from
        their small keys. -#}
    select
        customers_compared.*,
        rfm_cells.rfm_cell,
        rfm_cells.r_score,
        rfm_cells.f_score,
        rfm_cells.m_score,
        segments.segment_code,
        segments.value_tier,
        segments.value_level,
        segments.value_tier_rank,
        previous_segments.segment_code as previous_segment_code,
        previous_segments.value_tier as previous_value_tier,
        previous_segments.value_tier_rank as previous_value_tier_rank
    from customers_compared
    left join rfm_cells
        on customers_compared.rfm_cell_key = rfm_cells.rfm_cell_key
    left join segments
        on customers_compared.segment_key = segments.segment_key
    left join segments as previous_segments
        on customers_compared.previous_segment_key = previous_segments.segment_key
),

final as (
    select
        as_of_date,
        customer_id,
        is_current,
        recency_days,
        frequency,
        {#- published as DECIMAL(38, 2) whatever the per-date tables carry (D200) #}
        cast(monetary as decimal(38, 2)) as monetary,
        r_score,
        f_score,
        m_score,
        rfm_cell,
        {{ label_from_code('rfm_status_code', rfm_statuses) }} as rfm_status,
        segment_code,
        value_tier,
        value_level,
        {{ label_from_code('abc_class_revenue_code', abc_classes) }} as abc_class_revenue,
        {{ label_from_code('abc_class_margin_code', abc_classes) }} as abc_class_margin,
        has_non_positive_revenue,
        {{ label_from_code('stage_code', stages) }} as stage,
        previous_as_of_date,
        previous_segment_code,
        previous_value_tier,
        {{ label_from_code('previous_stage_code', stages) }} as previous_stage,
        case
            when previous_as_of_date is null then null
            when value_tier_rank is null then 'unranked'
            when previous_value_tier_rank is null then 'entered'
            when value_tier_rank > previous_value_tier_rank then 'up'
            when value_tier_rank < previous_value_tier_rank then 'down'
            else 'stayed'
        end as value_tier_movement,
        case
            when previous_as_of_date is not null
                then cast(coalesce(monetary, 0) - coalesce(previous_monetary, 0) as decimal(38, 2))
        end as period_revenue,
        inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from customers_decoded
)

select * from final
