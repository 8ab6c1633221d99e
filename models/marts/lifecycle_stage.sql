{#-
    One row per customer of the run: the lifecycle stage as of the as-of date, the rule that
    placed them there and the dates that justify it; the current as-of date's rows of
    int_customers_staged_by_as_of_date. Ladder: doc block `lifecycle_stage`.
-#}
with

staged as (
    select * from {{ ref('int_customers_staged_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        staged.customer_id,
        staged.as_of_date,
        staged.stage,
        staged.stage_rule,
        staged.returned_after_churn,
        staged.first_purchase_date,
        staged.last_purchase_date,
        staged.first_period_start_date,
        staged.recency_days,
        staged.frequency,
        staged.median_purchase_gap_days,
        staged.expected_next_purchase_date,
        staged.subscription_state,
        staged.next_renewal_due_date,
        staged.days_overdue
    from staged
    inner join as_of
        on staged.as_of_date = as_of.as_of_date
)

select * from final
