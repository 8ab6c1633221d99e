{#-
    One row: the as-of date of this run. From the var `as_of_date` when given, else the latest
    business date of a clean completed order (derived from the data, never the wall clock).
    That data-derived date is kept beside it: publication tells a replay (a given date that
    differs from it) from a live build (DECISIONLOG D64).
-#}
{%- set given_date = var('as_of_date') -%}
{%- if given_date and not modules.re.match('^\d{4}-\d{2}-\d{2}$', given_date | string) -%}
    {{ exceptions.raise_compiler_error("var as_of_date must be a date written YYYY-MM-DD, got '" ~ given_date ~ "'") }}
{%- endif %}

with

completed_orders as (
    select ordered_date
    from {{ ref('stg_raw__orders') }}
    where status = 'completed'
),

latest_completed_order as (
    select max(ordered_date) as latest_completed_order_date
    from completed_orders
),

final as (
    select
        coalesce(
            cast({{ "'" ~ given_date ~ "'" if given_date else 'null' }} as date),
            latest_completed_order_date
        ) as as_of_date,
        latest_completed_order_date
    from latest_completed_order
)

select * from final
