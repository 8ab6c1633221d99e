{#-
    One row per customer of the run with at least one subscription period started on or before
    the as-of date: how often and how reliably they renew, and whether any subscription is still
    active (doc block `renewal_cadence`). The counts, state, tenure and due dates are the current
    as-of date's rows of int_customers_subscription_states_by_as_of_date, where those rules are
    written; the intervals, dominant billing cycle, cadence class and on-time rate are computed
    here from the current date's periods (int_subscription_periods_as_of), for this date only
    (D205). Customers without subscriptions are absent.
-#}
with

states_by_date as (
    select * from {{ ref('int_customers_subscription_states_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

states as (
    select
        states_by_date.customer_id,
        states_by_date.subscriptions_count,
        states_by_date.active_subscriptions_count,
        states_by_date.periods_count,
        states_by_date.renewals_count,
        states_by_date.renewal_tenure,
        states_by_date.subscription_state,
        states_by_date.next_renewal_due_date,
        states_by_date.days_overdue,
        states_by_date.first_period_start_date,
        states_by_date.last_renewed_date
    from states_by_date
    inner join as_of
        on states_by_date.as_of_date = as_of.as_of_date
),

periods as (
    select
        customer_id,
        billing_cycle,
        cycle_nominal_days,
        has_ended,
        is_renewed_on_time,
        renewal_interval_days
    from {{ ref('int_subscription_periods_as_of') }}
),

{# Renewal intervals ranked per customer for their median (DECISIONLOG D54): only the intervals go
   through the sort, not every column of every period (D175). #}
intervals_ranked as (
    select
        customer_id,
        renewal_interval_days,
        {{ median_rank('renewal_interval_days', 'customer_id') }} as interval_rank,
        {{ median_count('renewal_interval_days', 'customer_id') }} as interval_count
    from periods
    where renewal_interval_days is not null
),

interval_medians as (
    select
        customer_id,
        {{ median_of_ranked('renewal_interval_days', 'interval_rank', 'interval_count') }}
            as median_renewal_interval_days
    from intervals_ranked
    group by customer_id
),

on_time_totals as (
    select
        customer_id,
        sum(case when has_ended then 1 else 0 end) as ended_periods_count,
        sum(case when is_renewed_on_time then 1 else 0 end) as on_time_renewals_count
    from periods
    group by customer_id
),

billing_cycle_periods as (
    select
        customer_id,
        billing_cycle,
        cycle_nominal_days,
        count(*) as periods_count
    from periods
    group by
        customer_id,
        billing_cycle,
        cycle_nominal_days
),

billing_cycles_ranked as (
    select
        customer_id,
        billing_cycle,
        cycle_nominal_days,
        row_number() over (
            partition by customer_id
            order by periods_count desc, cycle_nominal_days asc, billing_cycle asc
        ) as cycle_rank
    from billing_cycle_periods
),

dominant_billing_cycles as (
    select
        customer_id,
        billing_cycle as dominant_billing_cycle,
        cycle_nominal_days as dominant_cycle_nominal_days
    from billing_cycles_ranked
    where cycle_rank = 1
),

customers_joined as (
    select
        states.*,
        cast(interval_medians.median_renewal_interval_days as {{ type_double() }}) as median_renewal_interval_days,
        on_time_totals.ended_periods_count,
        on_time_totals.on_time_renewals_count,
        dominant_billing_cycles.dominant_billing_cycle,
        dominant_billing_cycles.dominant_cycle_nominal_days
    from states
    inner join on_time_totals
        on states.customer_id = on_time_totals.customer_id
    inner join dominant_billing_cycles
        on states.customer_id = dominant_billing_cycles.customer_id
    left join interval_medians
        on states.customer_id = interval_medians.customer_id
),

customers_classified as (
    select
        *,
        case
            when median_renewal_interval_days is not null then 'observed_intervals'
            else 'billing_cycle'
        end as cadence_basis,
        case
            when
                coalesce(median_renewal_interval_days, dominant_cycle_nominal_days)
                <= {{ var('cadence_high_max_days') }}
                then 'high'
            when
                coalesce(median_renewal_interval_days, dominant_cycle_nominal_days)
                <= {{ var('cadence_medium_max_days') }}
                then 'medium'
            else 'low'
        end as cadence_class,
        case
            when ended_periods_count > 0
                then cast(on_time_renewals_count as {{ type_double() }}) / ended_periods_count
        end as on_time_renewal_rate
    from customers_joined
),

final as (
    select
        customer_id,
        subscriptions_count,
        active_subscriptions_count,
        periods_count,
        renewals_count,
        median_renewal_interval_days,
        cadence_basis,
        cadence_class,
        dominant_billing_cycle,
        renewal_tenure,
        on_time_renewal_rate,
        subscription_state,
        next_renewal_due_date,
        days_overdue,
        first_period_start_date,
        last_renewed_date
    from customers_classified
)

select * from final
