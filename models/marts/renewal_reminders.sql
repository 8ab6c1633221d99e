{#-
    One row per subscription whose renewal is due within the reminder window or overdue within
    the grace days, as of the as-of date, with the customer's tier and service level.
    Rule: doc block `renewal_reminders`.
-#}
with

periods as (
    select
        subscription_id,
        customer_id,
        plan,
        billing_cycle,
        period_start_date,
        period_end_date,
        renewed_date,
        amount,
        status
    from {{ ref('stg_raw__renewals') }}
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

latest_visible_periods as (
    select
        periods.*,
        as_of.as_of_date,
        row_number() over (
            partition by periods.subscription_id order by periods.period_start_date desc
        ) as recency_rank
    from periods
    cross join as_of
    where periods.period_start_date <= as_of.as_of_date
),

due_periods as (
    select
        *,
        {{ dbt.datediff('as_of_date', 'period_end_date', 'day') }} as days_until_due
    from latest_visible_periods
    where
        recency_rank = 1
        and (renewed_date is null or renewed_date > as_of_date)
        and status <> 'cancelled'
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
        due_periods.amount,
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
