{#-
    One row per as-of date (int_as_of_dates) and customer who had signed up by it: the customer
    dimension of each as-of date. int_customers_as_of is the row set of the current date.
    A history model (D180): an incremental run computes only the as-of dates whose inputs changed.
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

customers as (
    select
        customer_id,
        signed_up_date,
        region,
        customer_type,
        acquisition_channel
    from {{ ref('stg_raw__customers') }}
),

final as (
    select
        dates_to_compute.as_of_date,
        customers.customer_id,
        customers.signed_up_date,
        customers.region,
        customers.customer_type,
        customers.acquisition_channel,
        dates_to_compute.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from customers
    inner join dates_to_compute
        on {{ customer_signed_up_by('customers.signed_up_date', 'dates_to_compute.as_of_date') }}
)

select * from final
