{#-
    One row per as-of date (int_as_of_dates) and customer of that date with at least one
    subscription period started on or before it (int_customers_renewal_cadence is the current
    date's rows): how often and how reliably they renew, and whether any subscription is still
    active (doc block `renewal_cadence`). Customers without subscriptions are absent; the marts
    give them cadence class and subscription state `no_subscription` / `none`.
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

periods as {{ not_materialized() }} (
    select
        as_of_date,
        customer_id,
        subscription_id,
        billing_cycle,
        cycle_nominal_days,
        cycle_months,
        is_latest_period,
        period_start_date,
        period_end_date,
        renewed_date,
        is_renewed,
        has_ended,
        is_renewed_on_time,
        renewal_interval_days
    from {{ ref('int_subscription_periods_by_as_of_date') }}
    {{ history_dates_filter() }}
),

latest_periods_stated as (
    select
        periods.as_of_date,
        periods.customer_id,
        periods.subscription_id,
        periods.is_renewed
        or {{ dbt.datediff("periods.period_end_date", "periods.as_of_date", "day") }}
        <= {{ var('renewal_grace_days') }} as is_active,
        case
            when periods.is_renewed
                then cast({{ dbt.dateadd("month", "periods.cycle_months", "periods.period_end_date") }} as date)
            else periods.period_end_date
        end as next_due_date
    from periods
    where periods.is_latest_period
),

subscription_states as (
    select
        as_of_date,
        customer_id,
        count(*) as subscriptions_count,
        sum(case when is_active then 1 else 0 end) as active_subscriptions_count,
        min(case when is_active then next_due_date end) as next_renewal_due_date
    from latest_periods_stated
    group by as_of_date, customer_id
),

{# Renewal intervals ranked per customer for their median (DECISIONLOG D54): only the intervals go
   through the sort, not every column of every period (D175). #}
intervals_ranked as (
    select
        as_of_date,
        customer_id,
        renewal_interval_days,
        {{ median_rank('renewal_interval_days', 'as_of_date, customer_id') }} as interval_rank,
        {{ median_count('renewal_interval_days', 'as_of_date, customer_id') }} as interval_count
    from periods
    where renewal_interval_days is not null
),

interval_medians as (
    select
        as_of_date,
        customer_id,
        {{ median_of_ranked('renewal_interval_days', 'interval_rank', 'interval_count') }}
            as median_renewal_interval_days
    from intervals_ranked
    group by as_of_date, customer_id
),

period_totals as (
    select
        as_of_date,
        customer_id,
        count(*) as periods_count,
        sum(case when is_renewed then 1 else 0 end) as renewals_count,
        sum(case when has_ended then 1 else 0 end) as ended_periods_count,
        sum(case when is_renewed_on_time then 1 else 0 end) as on_time_renewals_count,
        min(period_start_date) as first_period_start_date,
        max(renewed_date) as last_renewed_date
    from periods
    group by as_of_date, customer_id
),

billing_cycle_periods as (
    select
        as_of_date,
        customer_id,
        billing_cycle,
        cycle_nominal_days,
        count(*) as periods_count
    from periods
    group by
        as_of_date,
        customer_id,
        billing_cycle,
        cycle_nominal_days
),

billing_cycles_ranked as (
    select
        as_of_date,
        customer_id,
        billing_cycle,
        cycle_nominal_days,
        row_number() over (
            partition by as_of_date, customer_id
            order by periods_count desc, cycle_nominal_days asc, billing_cycle asc
        ) as cycle_rank
    from billing_cycle_periods
),

dominant_billing_cycles as (
    select
        as_of_date,
        customer_id,
        billing_cycle as dominant_billing_cycle,
        cycle_nominal_days as dominant_cycle_nominal_days
    from billing_cycles_ranked
    where cycle_rank = 1
),

customers_joined as (
    select
        period_totals.as_of_date,
        period_totals.customer_id,
        subscription_states.subscriptions_count,
        subscription_states.active_subscriptions_count,
        subscription_states.next_renewal_due_date,
        period_totals.periods_count,
        period_totals.renewals_count,
        cast(interval_medians.median_renewal_interval_days as {{ type_double() }}) as median_renewal_interval_days,
        period_totals.ended_periods_count,
        period_totals.on_time_renewals_count,
        period_totals.first_period_start_date,
        period_totals.last_renewed_date,
        dominant_billing_cycles.dominant_billing_cycle,
        dominant_billing_cycles.dominant_cycle_nominal_days
    from period_totals
    inner join subscription_states
        on
            period_totals.as_of_date = subscription_states.as_of_date
            and period_totals.customer_id = subscription_states.customer_id
    inner join dominant_billing_cycles
        on
            period_totals.as_of_date = dominant_billing_cycles.as_of_date
            and period_totals.customer_id = dominant_billing_cycles.customer_id
    left join interval_medians
        on
            period_totals.as_of_date = interval_medians.as_of_date
            and period_totals.customer_id = interval_medians.customer_id
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
            when renewals_count >= {{ var('renewal_tenure_long_term_min') }} then 'long_term'
            when renewals_count >= {{ var('renewal_tenure_returning_min') }} then 'returning'
            else 'new'
        end as renewal_tenure,
        case
            when ended_periods_count > 0
                then cast(on_time_renewals_count as {{ type_double() }}) / ended_periods_count
        end as on_time_renewal_rate,
        case
            when active_subscriptions_count > 0 then 'active'
            else 'lapsed'
        end as subscription_state,
        {{ dbt.datediff(
            "next_renewal_due_date",
            "as_of_date",
            "day"
        ) }} as days_past_due
    from customers_joined
),

computed as (
    select
        as_of_date,
        customer_id,
        cast(subscriptions_count as {{ dbt.type_int() }}) as subscriptions_count,
        cast(active_subscriptions_count as {{ dbt.type_int() }}) as active_subscriptions_count,
        cast(periods_count as {{ dbt.type_int() }}) as periods_count,
        cast(renewals_count as {{ dbt.type_int() }}) as renewals_count,
        median_renewal_interval_days,
        cadence_basis,
        cadence_class,
        dominant_billing_cycle,
        renewal_tenure,
        on_time_renewal_rate,
        subscription_state,
        next_renewal_due_date,
        case
            when subscription_state = 'active'
                then cast(greatest(days_past_due, 0) as {{ dbt.type_int() }})
        end as days_overdue,
        first_period_start_date,
        last_renewed_date
    from customers_classified
),

fingerprints as (
    {#- the periods are a view (D189): the history model it reads is checked instead -#}
    {{ history_fingerprints_checked(['int_customers_by_as_of_date']) | indent(4) }}
),

final as (
    select
        computed.*,
        fingerprints.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from computed
    inner join fingerprints
        on computed.as_of_date = fingerprints.as_of_date
)

select * from final
