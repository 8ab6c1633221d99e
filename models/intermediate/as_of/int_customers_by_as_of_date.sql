{#-
    One row per as-of date (int_as_of_dates) and customer who had signed up by it: which customers
    each as-of date counts. It carries the keys only: the models that read it need no more, and
    the customer's attributes (int_customers_as_of) do not change with the date (D198).
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
        signed_up_date
    from {{ ref('stg_raw__customers') }}
),

final as (
    select
        dates_to_compute.as_of_date,
        customers.customer_id,
        dates_to_compute.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from customers
    inner join dates_to_compute
        on {{ customer_signed_up_by('customers.signed_up_date', 'dates_to_compute.as_of_date') }}
)

select * from final
