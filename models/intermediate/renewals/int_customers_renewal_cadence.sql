{#-
    One row per customer of the run with at least one subscription period started on or before
    the as-of date: how often and how reliably they renew, and whether any subscription is still
    active (doc block `renewal_cadence`); the current as-of date's rows of
    int_customers_renewal_cadence_by_as_of_date. Customers without subscriptions are absent.
-#}
with

cadence as (
    select * from {{ ref('int_customers_renewal_cadence_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        cadence.customer_id,
        cadence.subscriptions_count,
        cadence.active_subscriptions_count,
        cadence.periods_count,
        cadence.renewals_count,
        cadence.median_renewal_interval_days,
        cadence.cadence_basis,
        cadence.cadence_class,
        cadence.dominant_billing_cycle,
        cadence.renewal_tenure,
        cadence.on_time_renewal_rate,
        cadence.subscription_state,
        cadence.next_renewal_due_date,
        cadence.days_overdue,
        cadence.first_period_start_date,
        cadence.last_renewed_date
    from cadence
    inner join as_of
        on cadence.as_of_date = as_of.as_of_date
)

select * from final
