{#-
    One row per customer of the run with at least one feedback item submitted on or before the
    as-of date: mean CSAT, latest NPS and its class, complaints, and the satisfaction tier (doc
    block `satisfaction`). Customers without feedback are absent; the marts give them `unknown`.
-#}
with

feedback as (
    select
        feedback_id,
        customer_id,
        submitted_at,
        submitted_date,
        kind,
        csat,
        nps
    from {{ ref('stg_raw__feedback') }}
),

customers as (
    select customer_id from {{ ref('int_customers_as_of') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

visible_feedback as (
    select
        feedback.*,
        feedback.kind = 'complaint' as is_complaint,
        {{ dbt.datediff("feedback.submitted_date", "as_of.as_of_date", "day") }}
        < {{ var('complaint_window_days') }} as is_within_complaint_window
    from feedback
    inner join customers
        on feedback.customer_id = customers.customer_id
    cross join as_of
    where feedback.submitted_date <= as_of.as_of_date
),

nps_answers_ranked as (
    select
        customer_id,
        nps,
        row_number() over (
            partition by customer_id
            order by submitted_at desc, feedback_id desc
        ) as recency_rank
    from visible_feedback
    where nps is not null
),

latest_nps as (
    select
        customer_id,
        nps as latest_nps
    from nps_answers_ranked
    where recency_rank = 1
),

feedback_totals as (
    select
        customer_id,
        count(*) as feedback_count,
        avg(cast(csat as {{ type_double() }})) as avg_csat,
        sum(
            case when is_complaint and is_within_complaint_window then 1 else 0 end
        ) as complaints_recent,
        sum(case when is_complaint then 1 else 0 end) as complaints_total
    from visible_feedback
    group by customer_id
),

customers_joined as (
    select
        feedback_totals.customer_id,
        feedback_totals.feedback_count,
        feedback_totals.avg_csat,
        latest_nps.latest_nps,
        feedback_totals.complaints_recent,
        feedback_totals.complaints_total
    from feedback_totals
    left join latest_nps
        on feedback_totals.customer_id = latest_nps.customer_id
),

nps_classified as (
    select
        *,
        case
            when latest_nps >= 9 then 'promoter'
            when latest_nps >= 7 then 'passive'
            when latest_nps >= 0 then 'detractor'
        end as nps_class
    from customers_joined
),

satisfaction_tiered as (
    select
        *,
        case
            when
                nps_class = 'detractor'
                or avg_csat <= {{ var('satisfaction_low_max_csat') }}
                or complaints_recent >= {{ var('satisfaction_low_min_complaints') }}
                then 'low'
            when
                complaints_recent = 0
                and (avg_csat is not null or latest_nps is not null)
                and coalesce(avg_csat >= {{ var('satisfaction_high_min_csat') }}, true)
                and coalesce(nps_class = 'promoter', true)
                then 'high'
            else 'medium'
        end as satisfaction_tier
    from nps_classified
),

final as (
    select
        customer_id,
        cast(feedback_count as {{ dbt.type_int() }}) as feedback_count,
        avg_csat,
        cast(latest_nps as {{ dbt.type_int() }}) as latest_nps,
        nps_class,
        cast(complaints_recent as {{ dbt.type_int() }}) as complaints_recent,
        cast(complaints_total as {{ dbt.type_int() }}) as complaints_total,
        satisfaction_tier
    from satisfaction_tiered
)

select * from final
