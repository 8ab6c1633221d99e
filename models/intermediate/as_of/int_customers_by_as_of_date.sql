{#-
    One row per as-of date (int_as_of_dates) and customer who had signed up by it: the customer
    dimension of each as-of date. int_customers_as_of is the row set of the current date.
-#}
with

customers as (
    select
        customer_id,
        signed_up_date,
        region,
        customer_type,
        acquisition_channel
    from {{ ref('stg_raw__customers') }}
),

as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

final as (
    select
        as_of_dates.as_of_date,
        customers.customer_id,
        customers.signed_up_date,
        customers.region,
        customers.customer_type,
        customers.acquisition_channel
    from customers
    inner join as_of_dates
        on customers.signed_up_date <= as_of_dates.as_of_date
)

select * from final
