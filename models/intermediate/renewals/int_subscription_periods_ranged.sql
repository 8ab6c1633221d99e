{#-
    One row per subscription period and range of as-of dates over which the renewal interval of
    the period, as seen at such a date, is the same (valid_from inclusive, valid_to exclusive, NULL
    = unbounded): what does not depend on the as-of date, computed once per period (DECISIONLOG
    D174, D189). int_subscription_periods_by_as_of_date picks, per as-of date, the visible
    periods and their range. The nominal length of each billing cycle in days (for the cadence
    fallback) is defined here, once, as in the doc block `renewal_cadence`: month 30 days,
    quarter 91, year 365; in months (for the next due date) by the macro billing_cycle_months.
    The visible periods of a subscription are the first ones in start order, and its visible
    renewals the first ones in payment order (unless a renewal was paid before its period
    started), so a period's number, the next period's start and the previous renewal payment are
    computed here, not once per as-of date.
-#}
with

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
    {#- the load gate, read at run time: nothing this model reads is gated (D72) #}
    where (
        select count(*) from {{ ref('stg_raw__load_gate') }} as load_gate
        where load_gate.passed
    ) > 0
),

periods_sequenced as (
    {#- Renewal payments of one subscription in payment order (a late payment for one period can
        come after an early one for the next); unrenewed periods sort after every renewed one. -#}
    select
        *,
        row_number() over (
            partition by customer_id, subscription_id
            order by period_start asc
        ) as period_number,
        lead(period_start_date) over (
            partition by customer_id, subscription_id
            order by period_start asc
        ) as next_period_start_date,
        row_number() over (
            partition by customer_id, subscription_id
            order by renewed_date asc nulls last, period_start asc
        ) as payment_number,
        lag(renewed_date) over (
            partition by customer_id, subscription_id
            order by renewed_date asc nulls last, period_start asc
        ) as previous_renewed_date,
        max(case when renewed_date < period_start_date then 1 else 0 end) over (
            partition by customer_id, subscription_id
        ) as renewals_before_start
    from renewals
),

periods_keyed as (
    select
        *,
        {{ dbt.concat([
            "subscription_id",
            "'|'",
            "cast(period_start as " ~ dbt.type_string() ~ ")",
        ]) }} as subscription_period_id,
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
        ) }} as paid_delay_days
    from periods_sequenced
),

{#- The renewal interval of a renewed period is the days since the previous renewal payment
    visible at the as-of date. A payment is visible once both it and its period's start are,
    so the previous payment is the same at every as-of date that sees this renewal, unless an
    earlier payment was made before its own period started: only in such subscriptions does
    the previous visible payment change with the as-of date, at the starts of those periods.
    Each period therefore gets one interval per range of as-of dates [valid_from, valid_to). #}

payment_pairs as (
    {#- Subscriptions with a payment made before its period's start: each renewed period with
        every earlier payment. -#}
    select
        later_payments.customer_id,
        later_payments.subscription_id,
        later_payments.period_start,
        earlier_payments.payment_number as earlier_payment_number,
        earlier_payments.period_start_date as earlier_period_start_date,
        {{ dbt.datediff(
            "earlier_payments.renewed_date",
            "later_payments.renewed_date",
            "day"
        ) }} as days_since_earlier_payment
    from periods_keyed as later_payments
    inner join periods_keyed as earlier_payments
        on
            later_payments.customer_id = earlier_payments.customer_id
            and later_payments.subscription_id = earlier_payments.subscription_id
            and later_payments.payment_number > earlier_payments.payment_number
    where
        later_payments.renewals_before_start = 1
        and later_payments.renewed_date is not null
),

payment_pairs_ranged as (
    {#- An earlier payment is the previous visible one from its period's start until a nearer
        payment's period has started. -#}
    select
        customer_id,
        subscription_id,
        period_start,
        earlier_period_start_date as valid_from,
        min(earlier_period_start_date) over (
            partition by customer_id, subscription_id, period_start
            order by earlier_payment_number desc
            rows between unbounded preceding and 1 preceding
        ) as valid_to,
        days_since_earlier_payment as interval_days
    from payment_pairs
),

interval_ranges as (
    {#- Periods of other subscriptions: one range, the previous payment in payment order. #}
    select
        customer_id,
        subscription_id,
        period_start,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        {{ dbt.datediff(
            "previous_renewed_date",
            "renewed_date",
            "day"
        ) }} as interval_days
    from periods_keyed
    where renewals_before_start = 0
    union all
    -- before the first earlier payment's period starts, no previous payment is visible
    select
        periods_keyed.customer_id,
        periods_keyed.subscription_id,
        periods_keyed.period_start,
        cast(null as date) as valid_from,
        min(payment_pairs.earlier_period_start_date) as valid_to,
        cast(null as {{ dbt.type_int() }}) as interval_days
    from periods_keyed
    left join payment_pairs
        on
            periods_keyed.customer_id = payment_pairs.customer_id
            and periods_keyed.subscription_id = payment_pairs.subscription_id
            and periods_keyed.period_start = payment_pairs.period_start
    where periods_keyed.renewals_before_start = 1
    group by
        periods_keyed.customer_id,
        periods_keyed.subscription_id,
        periods_keyed.period_start
    union all
    select
        customer_id,
        subscription_id,
        period_start,
        valid_from,
        valid_to,
        interval_days
    from payment_pairs_ranged
    where valid_to is null or valid_from < valid_to
),

final as (
    select
        periods_keyed.subscription_period_id,
        periods_keyed.subscription_id,
        periods_keyed.customer_id,
        periods_keyed.plan,
        periods_keyed.billing_cycle,
        periods_keyed.cycle_nominal_days,
        periods_keyed.cycle_months,
        periods_keyed.period_number,
        periods_keyed.next_period_start_date,
        periods_keyed.period_start,
        periods_keyed.period_start_date,
        periods_keyed.period_end_date,
        periods_keyed.renewed_date,
        periods_keyed.paid_delay_days,
        periods_keyed.amount,
        periods_keyed.status as loaded_status,
        interval_ranges.valid_from,
        interval_ranges.valid_to,
        interval_ranges.interval_days
    from periods_keyed
    inner join interval_ranges
        on
            periods_keyed.customer_id = interval_ranges.customer_id
            and periods_keyed.subscription_id = interval_ranges.subscription_id
            and periods_keyed.period_start = interval_ranges.period_start
)

select * from final
