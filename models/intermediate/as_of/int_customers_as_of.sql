{#-
    One row per customer who had signed up by the as-of date: the customer dimension of the run,
    the same rows as the current as-of date's in int_customers_by_as_of_date.
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

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        customers.customer_id,
        customers.signed_up_date,
        customers.region,
        customers.customer_type,
        customers.acquisition_channel
    from customers
    inner join as_of
        on {{ customer_signed_up_by('customers.signed_up_date', 'as_of.as_of_date') }}
)

select * from final
