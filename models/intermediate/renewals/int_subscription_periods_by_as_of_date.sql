{#-
    One row per as-of date (int_as_of_dates) and subscription period visible as of it (started
    on or before it) of a customer of that date, with its renewal as of that date
    (int_subscription_periods_as_of is the current date's rows): a renewal paid after the as-of date
    is invisible, so the period counts as not renewed. What does not depend on the as-of date
    (numbers, next period start, renewal intervals and the dates over which each holds) comes from
    int_subscription_periods_ranged; only what visibility changes is computed per as-of date.
    A view (D189): the subscription states by date compute the dates they compute (D205),
    int_subscription_periods_as_of the current one, and no table of every date's periods is
    written.
-#}
{{ config(materialized='view') }}

with

periods_ranged as (
    select
        subscription_period_id,
        subscription_id,
        customer_id,
        plan,
        billing_cycle,
        cycle_nominal_days,
        cycle_months,
        period_number,
        next_period_start_date,
        period_start,
        period_start_date,
        period_end_date,
        renewed_date,
        paid_delay_days,
        amount,
        loaded_status,
        valid_from,
        valid_to,
        interval_days
    from {{ ref('int_subscription_periods_ranged') }}
),

customers as (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
),

visible_periods as (
    select
        periods_ranged.subscription_period_id,
        periods_ranged.subscription_id,
        periods_ranged.customer_id,
        periods_ranged.plan,
        periods_ranged.billing_cycle,
        periods_ranged.cycle_nominal_days,
        periods_ranged.cycle_months,
        periods_ranged.period_number,
        periods_ranged.period_start,
        periods_ranged.period_start_date,
        periods_ranged.period_end_date,
        periods_ranged.amount,
        periods_ranged.loaded_status,
        customers.as_of_date,
        periods_ranged.next_period_start_date is null
        or periods_ranged.next_period_start_date > customers.as_of_date as is_latest_period,
        case
            when periods_ranged.renewed_date <= customers.as_of_date then periods_ranged.renewed_date
        end as renewed_date,
        case
            when periods_ranged.renewed_date <= customers.as_of_date then periods_ranged.paid_delay_days
        end as renewal_delay_days,
        case
            when periods_ranged.renewed_date <= customers.as_of_date then periods_ranged.interval_days
        end as renewal_interval_days
    from periods_ranged
    inner join customers
        on
            periods_ranged.customer_id = customers.customer_id
            and periods_ranged.period_start_date <= customers.as_of_date
            and (periods_ranged.valid_from is null or periods_ranged.valid_from <= customers.as_of_date)
            and (periods_ranged.valid_to is null or periods_ranged.valid_to > customers.as_of_date)
),

final as (
    select
        as_of_date,
        subscription_period_id,
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
        renewed_date is not null as is_renewed,
        period_end_date <= as_of_date as has_ended,
        renewal_delay_days,
        case
            when period_end_date <= as_of_date
                then coalesce(renewal_delay_days <= {{ var('renewal_grace_days') }}, false)
        end as is_renewed_on_time,
        cast(renewal_interval_days as {{ dbt.type_int() }}) as renewal_interval_days,
        amount,
        loaded_status
    from visible_periods
)

select * from final
