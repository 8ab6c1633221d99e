{#-
    One row per subscription period visible as of the as-of date (started on or before it) of a
    customer of the run, with its renewal as of that date; the current as-of date's rows of
    int_subscription_periods_by_as_of_date, where the rule is written.
-#}
with

periods as (
    select * from {{ ref('int_subscription_periods_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        periods.subscription_period_id,
        periods.subscription_id,
        periods.customer_id,
        periods.plan,
        periods.billing_cycle,
        periods.cycle_nominal_days,
        periods.cycle_months,
        periods.period_number,
        periods.is_latest_period,
        periods.period_start,
        periods.period_start_date,
        periods.period_end_date,
        periods.renewed_date,
        periods.is_renewed,
        periods.has_ended,
        periods.renewal_delay_days,
        periods.is_renewed_on_time,
        periods.renewal_interval_days,
        periods.amount,
        periods.loaded_status
    from periods
    inner join as_of
        on periods.as_of_date = as_of.as_of_date
)

select * from final
