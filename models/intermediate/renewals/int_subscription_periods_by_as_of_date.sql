{#-
    One row per as-of date (int_as_of_dates) and subscription period visible as of it (started
    on or before it) of a customer of that date, with its renewal as of that date
    (int_subscription_periods_as_of is the current date's rows): a renewal paid after the as-of date
    is invisible, so the period counts as not renewed. The nominal length of each billing cycle
    in days (for the cadence fallback) is defined here, once, as in the doc block
    `renewal_cadence`: month 30 days, quarter 91, year 365; in months (for the next due date)
    by the macro billing_cycle_months.
-#}
{{ config(
    materialized=history_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ forget_stale_history_dates() }}",
) }}

with

dates_to_compute as (
    {{ history_dates_to_compute() | indent(4) }}
),

renewals as (
    select
        subscription_id,
        customer_id,
        plan,
        billing_cycle,
        period_start,
        period_start_date,
        period_end_date,
        renewed_date,
        amount,
        status
    from {{ ref('stg_raw__renewals') }}
),

customers as (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
    {{ history_dates_filter() }}
),

visible_periods as (
    select
        renewals.subscription_id,
        renewals.customer_id,
        renewals.plan,
        renewals.billing_cycle,
        renewals.period_start,
        renewals.period_start_date,
        renewals.period_end_date,
        renewals.amount,
        renewals.status,
        customers.as_of_date,
        case
            when renewals.renewed_date <= customers.as_of_date then renewals.renewed_date
        end as renewed_date
    from renewals
    inner join customers
        on
            renewals.customer_id = customers.customer_id
            and renewals.period_start_date <= customers.as_of_date
),

periods_flagged as (
    select
        *,
        renewed_date is not null as is_renewed,
        period_end_date <= as_of_date as has_ended,
        case billing_cycle
            when 'month' then 30
            when 'quarter' then 91
            when 'year' then 365
        end as cycle_nominal_days,
        {{ billing_cycle_months('billing_cycle') }} as cycle_months,
        {{ dbt.datediff(
            "period_end_date",
            "renewed_date",
            "day"
        ) }} as renewal_delay_days
    from visible_periods
),

periods_sequenced as (
    {#- Renewal intervals: consecutive renewal payments of one subscription, in payment order (a
        late payment for one period can come after an early one for the next). Unrenewed periods
        sort after every renewed one, so the previous row of a renewed period is the previous
        renewal payment; they get no interval. -#}
    select
        *,
        row_number() over (
            partition by as_of_date, customer_id, subscription_id
            order by period_start asc
        ) as period_number,
        period_start = max(period_start) over (
            partition by as_of_date, customer_id, subscription_id
        ) as is_latest_period,
        case
            when is_renewed
                then {{ dbt.datediff(
                    "lag(renewed_date) over (partition by as_of_date, customer_id, subscription_id"
                    ~ " order by renewed_date asc nulls last, period_start asc)",
                    "renewed_date",
                    "day"
                ) }}
        end as renewal_interval_days
    from periods_flagged
),

computed as (
    select
        as_of_date,
        {{ dbt.concat([
            "subscription_id",
            "'|'",
            "cast(period_start as " ~ dbt.type_string() ~ ")",
        ]) }} as subscription_period_id,
        subscription_id,
        customer_id,
        plan,
        billing_cycle,
        cycle_nominal_days,
        cycle_months,
        period_number,
        is_latest_period,
        period_start,
        period_start_date,
        period_end_date,
        renewed_date,
        is_renewed,
        has_ended,
        renewal_delay_days,
        case
            when has_ended
                then coalesce(renewal_delay_days <= {{ var('renewal_grace_days') }}, false)
        end as is_renewed_on_time,
        cast(renewal_interval_days as {{ dbt.type_int() }}) as renewal_interval_days,
        amount,
        status as loaded_status
    from periods_sequenced
),

final as (
    select
        computed.*,
        dates_to_compute.inputs_fingerprint
    from computed
    inner join dates_to_compute
        on computed.as_of_date = dates_to_compute.as_of_date
)

select * from final
