{#-
    One row per as-of date (int_as_of_dates) and customer of that date with at least one
    subscription period started on or before it: how many subscriptions and periods they have,
    how many were renewed, whether any subscription is still active and when the next renewal is
    due (doc block `renewal_cadence`). The lifecycle stage reads these for every date of the
    history. How often and how reliably the customer renews (intervals, dominant cycle, cadence
    class, on-time rate) is computed for the run's as-of date only, by
    int_customers_renewal_cadence: nothing in the history reads it for a past date (D205).
    Customers without subscriptions are absent; the marts give them subscription state `none`.
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
        cycle_months,
        is_latest_period,
        period_start_date,
        period_end_date,
        renewed_date,
        is_renewed
    from {{ ref('int_subscription_periods_by_as_of_date') }}
    {{ history_dates_filter() }}
),

periods_stated as (
    {#- Whether a subscription's latest visible period keeps it active, and when it is due next. -#}
    select
        periods.as_of_date,
        periods.customer_id,
        periods.is_latest_period,
        periods.period_start_date,
        periods.renewed_date,
        periods.is_renewed,
        periods.is_latest_period
        and (
            periods.is_renewed
            or {{ dbt.datediff("periods.period_end_date", "periods.as_of_date", "day") }}
            <= {{ var('renewal_grace_days') }}
        ) as is_active_subscription,
        case
            when periods.is_renewed
                then cast({{ dbt.dateadd("month", "periods.cycle_months", "periods.period_end_date") }} as date)
            else periods.period_end_date
        end as next_due_date
    from periods
),

customers_counted as (
    {#- One pass over the visible periods (D208): a subscription is counted at its latest period,
        every period in the totals. -#}
    select
        as_of_date,
        customer_id,
        count(case when is_latest_period then 1 end) as subscriptions_count,
        count(case when is_active_subscription then 1 end) as active_subscriptions_count,
        min(case when is_active_subscription then next_due_date end) as next_renewal_due_date,
        count(*) as periods_count,
        count(case when is_renewed then 1 end) as renewals_count,
        min(period_start_date) as first_period_start_date,
        max(renewed_date) as last_renewed_date
    from periods_stated
    group by as_of_date, customer_id
),

customers_stated as (
    select
        *,
        case
            when renewals_count >= {{ var('renewal_tenure_long_term_min') }} then 'long_term'
            when renewals_count >= {{ var('renewal_tenure_returning_min') }} then 'returning'
            else 'new'
        end as renewal_tenure,
        case
            when active_subscriptions_count > 0 then 'active'
            else 'lapsed'
        end as subscription_state,
        {{ dbt.datediff(
            "next_renewal_due_date",
            "as_of_date",
            "day"
        ) }} as days_past_due
    from customers_counted
),

computed as (
    select
        as_of_date,
        customer_id,
        cast(subscriptions_count as {{ dbt.type_int() }}) as subscriptions_count,
        cast(active_subscriptions_count as {{ dbt.type_int() }}) as active_subscriptions_count,
        cast(periods_count as {{ dbt.type_int() }}) as periods_count,
        cast(renewals_count as {{ dbt.type_int() }}) as renewals_count,
        renewal_tenure,
        subscription_state,
        next_renewal_due_date,
        case
            when subscription_state = 'active'
                then cast(greatest(days_past_due, 0) as {{ dbt.type_int() }})
        end as days_overdue,
        first_period_start_date,
        last_renewed_date
    from customers_stated
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
