{#-
    One row: the as-of date of this run. From the var `as_of_date` when given, else the latest
    business date of a clean completed order (derived from the data, never the wall clock).
-#}
with

completed_orders as (
    select ordered_date from {{ ref('stg_raw__orders') }}
    where status = 'completed'
),

final as (
    select
        {%- if var('as_of_date') %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else %}
        max(ordered_date) as as_of_date
        {%- endif %}
    from completed_orders
)

select * from final
