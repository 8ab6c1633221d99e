{#-
    How fast do cohorts fade? Retention 1, 3, 6 and 12 months after acquisition per cohort
    (NULL where the as-of date has not reached that month yet, never 0 %).
-#}
with

churn_cohort as (
    select
        cohort_month,
        months_since_acquisition,
        cohort_size,
        retention_rate
    from {{ ref('churn_cohort') }}
),

final as (
    select
        cohort_month,
        max(cohort_size) as cohort_size,
        max(case when months_since_acquisition = 1 then retention_rate end) as retention_month_1,
        max(case when months_since_acquisition = 3 then retention_rate end) as retention_month_3,
        max(case when months_since_acquisition = 6 then retention_rate end) as retention_month_6,
        max(case when months_since_acquisition = 12 then retention_rate end) as retention_month_12
    from churn_cohort
    group by cohort_month
)

select * from final
