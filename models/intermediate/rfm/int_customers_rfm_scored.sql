{#-
    One row per customer of the run: recency, frequency and monetary, their 1-5 scores
    (5 = best) and the score cell; the current as-of date's rows of
    int_customers_rfm_scored_by_as_of_date. Method and fallbacks: doc block `rfm`.
-#}
with

scored as (
    select * from {{ ref('int_customers_rfm_scored_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        scored.customer_id,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.rfm_cell,
        scored.rfm_status,
        scored.f_score_method,
        scored.has_non_positive_revenue
    from scored
    inner join as_of
        on scored.as_of_date = as_of.as_of_date
)

select * from final
