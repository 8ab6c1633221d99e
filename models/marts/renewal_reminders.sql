{#-
    One row per subscription whose renewal is due within the reminder window or overdue within
    the grace days, as of the as-of date, with the customer's tier and service level.
    Rule: doc block `renewal_reminders`.
-#}
with

latest_periods as (
    select
        subscription_id,
        customer_id,
        plan,
        billing_cycle,
        period_end_date,
        amount,
        is_renewed,
        loaded_status
    from {{ ref('int_subscription_periods_as_of') }}
    where is_latest_period
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

customer_segments as (
    select
        customer_id,
        value_tier,
        segment_code,
        abc_class_revenue,
        satisfaction_tier,
        service_level
    from {{ ref('customer_segments') }}
),

due_periods as (
    select
        latest_periods.*,
        as_of.as_of_date,
        {{ dbt.datediff('as_of.as_of_date', 'latest_periods.period_end_date', 'day') }}
            as days_until_due
    from latest_periods
    cross join as_of
    where
        not latest_periods.is_renewed
        and latest_periods.loaded_status <> 'cancelled'
),

final as (
    select
        due_periods.subscription_id,
        due_periods.customer_id,
        due_periods.as_of_date,
        due_periods.plan,
        due_periods.billing_cycle,
        due_periods.period_end_date as due_date,
        due_periods.days_until_due,
        case
            when due_periods.days_until_due > 0 then 'upcoming'
            when due_periods.days_until_due = 0 then 'due_today'
            else 'overdue'
        end as reminder_status,
        cast(due_periods.amount as decimal(38, 2)) as amount,
        customer_segments.value_tier,
        customer_segments.segment_code,
        customer_segments.abc_class_revenue,
        customer_segments.satisfaction_tier,
        customer_segments.service_level
    from due_periods
    inner join customer_segments
        on due_periods.customer_id = customer_segments.customer_id
    where
        due_periods.days_until_due >= -{{ var('renewal_grace_days') }}
        and due_periods.days_until_due <= {{ var('renewal_reminder_window_days') }}
)

select * from final
