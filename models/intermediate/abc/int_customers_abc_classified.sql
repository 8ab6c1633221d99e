{#-
    One row per customer with at least one purchase as of the as-of date: rank, cumulative share
    and ABC class by net revenue and by margin. The classes are those of the current as-of date
    in int_customers_abc_classified_by_as_of_date: one definition serves both (macro
    abc_classified, D207). Convention: doc block `abc_class`.
-#}
with

purchasers as (
    select
        customer_id,
        monetary as net_revenue,
        margin
    from {{ ref('int_customers_purchases_aggregated') }}
),

classified as (
    {{ abc_classified('purchasers') | indent(4) }}
),

final as (
    select
        customer_id,
        net_revenue,
        revenue_rank,
        revenue_cumulative_share,
        abc_class_revenue,
        margin,
        margin_rank,
        margin_cumulative_share,
        abc_class_margin,
        has_non_positive_revenue,
        has_non_positive_margin
    from classified
)

select * from final
