{#-
    For every pair of consecutive as-of dates and every dimension of segment_migration, the
    customers of all rows equal the customers of customer_segment_history at period_to, and those
    of the rows not coming from `not_a_customer` equal its customers at period_from; the same
    per to-value and per from-value (the matrix's column and row totals). A failing row is one
    period, dimension and value whose totals differ, with both counts.
-#}
with

history as (
    select
        as_of_date,
        previous_as_of_date,
        segment_code,
        value_tier,
        stage
    from {{ ref('customer_segment_history') }}
),

migration as (
    select
        dimension,
        period_from,
        period_to,
        from_value,
        to_value,
        customers
    from {{ ref('segment_migration') }}
),

history_values as (
    select
        as_of_date,
        'segment' as dimension,
        segment_code as segment_value
    from history
    union all
    select
        as_of_date,
        'value_tier' as dimension,
        value_tier as segment_value
    from history
    union all
    select
        as_of_date,
        'lifecycle_stage' as dimension,
        stage as segment_value
    from history
),

history_counts as (
    select
        as_of_date,
        dimension,
        segment_value,
        count(*) as customers
    from history_values
    group by as_of_date, dimension, segment_value
),

periods as (
    select distinct
        as_of_date as period_to,
        previous_as_of_date as period_from
    from history
    where previous_as_of_date is not null
),

expected as (
    {#- The history's counts at each end of every consecutive pair, by value. -#}
    select
        'to' as side,
        periods.period_to,
        history_counts.dimension,
        history_counts.segment_value,
        history_counts.customers
    from periods
    inner join history_counts
        on periods.period_to = history_counts.as_of_date
    union all
    select
        'from' as side,
        periods.period_to,
        history_counts.dimension,
        history_counts.segment_value,
        history_counts.customers
    from periods
    inner join history_counts
        on periods.period_from = history_counts.as_of_date
),

migrated as (
    select
        'to' as side,
        period_to,
        dimension,
        to_value as segment_value,
        sum(customers) as customers
    from migration
    group by period_to, dimension, to_value
    union all
    select
        'from' as side,
        period_to,
        dimension,
        from_value as segment_value,
        sum(customers) as customers
    from migration
    where from_value <> 'not_a_customer'
    group by period_to, dimension, from_value
),

final as (
    select
        coalesce(expected.side, migrated.side) as side,
        coalesce(expected.period_to, migrated.period_to) as period_to,
        coalesce(expected.dimension, migrated.dimension) as dimension,
        coalesce(expected.segment_value, migrated.segment_value) as segment_value,
        expected.customers as history_customers,
        migrated.customers as migration_customers
    from expected
    full outer join migrated
        on
            expected.side = migrated.side
            and expected.period_to = migrated.period_to
            and expected.dimension = migrated.dimension
            and expected.segment_value = migrated.segment_value
    where coalesce(expected.customers, -1) <> coalesce(migrated.customers, -1)
)

select * from final
