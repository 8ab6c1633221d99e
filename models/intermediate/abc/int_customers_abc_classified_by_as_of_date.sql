{#-
    One row per as-of date (int_as_of_dates) and customer with at least one purchase on or before
    it: the ABC class by net revenue and by margin among the customers of the same as-of date,
    what the history reads. The ranks and cumulative shares behind the classes are computed for
    the current date only, by int_customers_abc_classified; one definition serves both
    (macro abc_classified, D207). Convention (crossing customer in the higher class, non-positive
    values last and in C): doc block `abc_class`.
-#}
{{ config(
    materialized=history_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ forget_stale_history_dates() }}",
) }}
with

dates_to_compute as (
    {{ history_dates_to_compute() | indent(4) }}
),

purchasers as (
    select
        as_of_date,
        customer_id,
        monetary as net_revenue,
        margin
    from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
    {{ history_dates_filter() }}
),

classified as (
    {{ abc_classified('purchasers', partition_by=['as_of_date']) | indent(4) }}
),

computed as (
    select
        as_of_date,
        customer_id,
        abc_class_revenue,
        abc_class_margin
    from classified
),

fingerprints as (
    {{ history_fingerprints_checked(['int_customers_purchases_aggregated_by_as_of_date']) | indent(4) }}
),

final as (
    select
        computed.*,
        fingerprints.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from computed
    inner join fingerprints
        on computed.as_of_date = fingerprints.as_of_date
)

select * from final
