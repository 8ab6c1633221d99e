{#-
    One row per pair of consecutive as-of dates of the history, dimension (segment, value_tier,
    lifecycle_stage),
    from-value and to-value: the customers who made that move and the net revenue they brought
    in between the two dates. A customer not yet signed up at the earlier date comes from
    `not_a_customer`. Reading a migration matrix: doc block `segment_migration`. Incremental on
    DuckDB like the history it reads (DECISIONLOG D180): the pairs of a period_to whose history
    rows are kept are kept too, with the run's as-of date.
-#}
{{ config(
    materialized=history_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ forget_stale_history_dates('period_to') }}",
    post_hook="{{ date_kept_history_rows('as_of_date') }}",
) }}
with

dates_to_compute as (
    {{ history_dates_to_compute('period_to') | indent(4) }}
),

history as (
    select
        as_of_date,
        customer_id,
        previous_as_of_date,
        segment_code,
        value_tier,
        stage,
        previous_segment_code,
        previous_value_tier,
        previous_stage,
        value_tier_movement,
        period_revenue
    from {{ ref('customer_segment_history') }}
    {{ history_dates_filter() }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

fingerprints as (
    {{ history_fingerprints_checked(['customer_segment_history']) | indent(4) }}
),

pairs as (
    {#- Each customer at a later date, with their values at the date before (when signed up then),
        which the history row carries. -#}
    select
        previous_as_of_date as period_from,
        as_of_date as period_to,
        customer_id,
        coalesce(previous_segment_code, 'not_a_customer') as from_segment,
        segment_code as to_segment,
        coalesce(previous_value_tier, 'not_a_customer') as from_value_tier,
        value_tier as to_value_tier,
        coalesce(previous_stage, 'not_a_customer') as from_stage,
        stage as to_stage,
        value_tier_movement as movement,
        period_revenue
    from history
    where previous_as_of_date is not null
),

pair_cells as (
    {#- The customers and revenue of each combination of the three moves between two dates: a few
        thousand rows however many customers there are, so the dimensions are split from these
        sums rather than from every customer's row (D185). -#}
    select
        period_from,
        period_to,
        from_segment,
        to_segment,
        from_value_tier,
        to_value_tier,
        from_stage,
        to_stage,
        movement,
        count(*) as customers,
        sum(period_revenue) as revenue
    from pairs
    group by
        period_from,
        period_to,
        from_segment,
        to_segment,
        from_value_tier,
        to_value_tier,
        from_stage,
        to_stage,
        movement
),

moves as (
    select
        period_from,
        period_to,
        'segment' as dimension,
        from_segment as from_value,
        to_segment as to_value,
        movement,
        customers,
        revenue
    from pair_cells
    union all
    select
        period_from,
        period_to,
        'value_tier' as dimension,
        from_value_tier as from_value,
        to_value_tier as to_value,
        movement,
        customers,
        revenue
    from pair_cells
    union all
    -- stages are not ranked: their moves have no direction (NULL movement)
    select
        period_from,
        period_to,
        'lifecycle_stage' as dimension,
        from_stage as from_value,
        to_stage as to_value,
        cast(null as {{ dbt.type_string() }}) as movement,
        customers,
        revenue
    from pair_cells
),

moves_summed as (
    select
        dimension,
        period_from,
        period_to,
        from_value,
        to_value,
        movement,
        sum(customers) as customers,
        sum(revenue) as revenue
    from moves
    group by
        dimension,
        period_from,
        period_to,
        from_value,
        to_value,
        movement
),

final as (
    select
        as_of.as_of_date,
        moves_summed.dimension,
        moves_summed.period_from,
        moves_summed.period_to,
        moves_summed.from_value,
        moves_summed.to_value,
        moves_summed.movement,
        cast(moves_summed.customers as {{ dbt.type_bigint() }}) as customers,
        cast(moves_summed.revenue as decimal(38, 2)) as revenue,
        fingerprints.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from moves_summed
    inner join fingerprints
        on moves_summed.period_to = fingerprints.as_of_date
    cross join as_of
)

select * from final
