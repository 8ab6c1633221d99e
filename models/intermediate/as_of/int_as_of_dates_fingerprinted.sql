{#-
    One row per as-of date (int_as_of_dates) with the fingerprint of everything the history
    computes from, as visible at that date (doc block `history_inputs_fingerprint`): the rows of
    the customers signed up by it, of the subscription periods started by it and of the purchase
    days on or before it, the as-of date's place in the history, the project's code and every
    var but as_of_date (it moves the run's own date, which has a row of its own; the past period
    ends the run keeps see the same rows whatever its date). Two runs give an as-of date the same
    fingerprint only when they would give it the same history rows, so an incremental run
    recomputes the dates whose fingerprint changed and keeps the others (DECISIONLOG D180).
-#}
with

as_of_dates as (
    select
        as_of_date,
        is_current,
        previous_as_of_date
    from {{ ref('int_as_of_dates') }}
),

customers as (
    select * from {{ ref('stg_raw__customers') }}
),

subscription_periods as (
    select * from {{ ref('stg_raw__renewals') }}
),

purchase_days as (
    select * from {{ ref('int_purchase_days') }}
),

input_rows as (
    {#- Each row with the first as-of date it can change: a row without that date counts from the start. -#}
    select
        'customers' as input_name,
        signed_up_date as visible_from,
        {{ row_fingerprint('customers') }} as row_fingerprint
    from customers
    union all
    select
        'subscription_periods' as input_name,
        period_start_date as visible_from,
        {{ row_fingerprint('subscription_periods') }} as row_fingerprint
    from subscription_periods
    union all
    select
        'purchase_days' as input_name,
        purchase_date as visible_from,
        {{ row_fingerprint('purchase_days') }} as row_fingerprint
    from purchase_days
),

input_days as (
    select
        input_name,
        coalesce(visible_from, cast('0001-01-01' as date)) as visible_from,
        count(*) as input_rows,
        sum(row_fingerprint) as fingerprint_sum
    from input_rows
    group by input_name, coalesce(visible_from, cast('0001-01-01' as date))
),

visible_inputs as (
    {#- Per as-of date and input: the rows visible at it and the sum of their fingerprints. -#}
    select
        as_of_dates.as_of_date,
        {{ dbt.concat([
            "cast(sum(case when input_days.input_name = 'customers' then input_days.input_rows else 0 end)"
            ~ " as " ~ dbt.type_string() ~ ")",
            "':'",
            "cast(sum(case when input_days.input_name = 'customers' then input_days.fingerprint_sum else 0 end)"
            ~ " as " ~ dbt.type_string() ~ ")",
        ]) }} as visible_customers,
        {{ dbt.concat([
            "cast(sum(case when input_days.input_name = 'subscription_periods' then input_days.input_rows else 0 end)"
            ~ " as " ~ dbt.type_string() ~ ")",
            "':'",
            "cast(sum(case when input_days.input_name = 'subscription_periods' then input_days.fingerprint_sum else 0 end)"
            ~ " as " ~ dbt.type_string() ~ ")",
        ]) }} as visible_subscription_periods,
        {{ dbt.concat([
            "cast(sum(case when input_days.input_name = 'purchase_days' then input_days.input_rows else 0 end)"
            ~ " as " ~ dbt.type_string() ~ ")",
            "':'",
            "cast(sum(case when input_days.input_name = 'purchase_days' then input_days.fingerprint_sum else 0 end)"
            ~ " as " ~ dbt.type_string() ~ ")",
        ]) }} as visible_purchase_days
    from as_of_dates
    inner join input_days
        on as_of_dates.as_of_date >= input_days.visible_from
    group by as_of_dates.as_of_date
),

final as (
    select
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        as_of_dates.previous_as_of_date,
        md5({{ dbt.concat([
            "'" ~ code_fingerprint(['as_of_date']) ~ "'",
            "'|'", project_macros_fingerprint(),
            "'|'", "cast(as_of_dates.as_of_date as " ~ dbt.type_string() ~ ")",
            "'|'", "cast(as_of_dates.is_current as " ~ dbt.type_string() ~ ")",
            "'|'", "coalesce(cast(as_of_dates.previous_as_of_date as " ~ dbt.type_string() ~ "), '-')",
            "'|'", "coalesce(visible_inputs.visible_customers, '-')",
            "'|'", "coalesce(visible_inputs.visible_subscription_periods, '-')",
            "'|'", "coalesce(visible_inputs.visible_purchase_days, '-')",
        ]) }}) as inputs_fingerprint
    from as_of_dates
    left join visible_inputs
        on as_of_dates.as_of_date = visible_inputs.as_of_date
)

select * from final
