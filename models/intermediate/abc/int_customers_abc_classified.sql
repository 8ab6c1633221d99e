{#-
    One row per customer with at least one purchase: rank, cumulative share and ABC class by
    net revenue and by margin; the current as-of date's rows of
    int_customers_abc_classified_by_as_of_date. Convention: doc block `abc_class`.
-#}
with

classified as (
    select * from {{ ref('int_customers_abc_classified_by_as_of_date') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        classified.customer_id,
        classified.net_revenue,
        classified.revenue_rank,
        classified.revenue_cumulative_share,
        classified.abc_class_revenue,
        classified.margin,
        classified.margin_rank,
        classified.margin_cumulative_share,
        classified.abc_class_margin,
        classified.has_non_positive_revenue,
        classified.has_non_positive_margin
    from classified
    inner join as_of
        on classified.as_of_date = as_of.as_of_date
)

select * from final
