{#- One row per customer who had signed up by the as-of date: the customer dimension of the run. -#}
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
    select customers.*
    from customers
    cross join as_of
    where customers.signed_up_date <= as_of.as_of_date
)

select * from final
