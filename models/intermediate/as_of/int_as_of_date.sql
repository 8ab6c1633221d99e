{#-
    One row: the as-of date of this run. From the var `as_of_date` when given, else the latest
    business date of a clean completed order (derived from the data, never the wall clock).
    A business without one-off orders (no orders file, D81) falls back to the latest business
    date of any other clean event: a sign-up, a subscription period start or renewal, feedback.
-#}
{%- set given_date = var('as_of_date') -%}
{%- if given_date and not modules.re.match('^\d{4}-\d{2}-\d{2}$', given_date | string) -%}
    {{ exceptions.raise_compiler_error("var as_of_date must be a date written YYYY-MM-DD, got '" ~ given_date ~ "'") }}
{%- endif %}

with

latest_completed_order as (
    select max(ordered_date) as ordered_date
    from {{ ref('stg_raw__orders') }}
    where status = 'completed'
),

other_events as (
    select signed_up_date as event_date from {{ ref('stg_raw__customers') }}
    union all
    select period_start_date as event_date from {{ ref('stg_raw__renewals') }}
    union all
    select renewed_date as event_date from {{ ref('stg_raw__renewals') }}
    union all
    select submitted_date as event_date from {{ ref('stg_raw__feedback') }}
),

latest_other_event as (
    select max(event_date) as event_date
    from other_events
),

final as (
    select
        coalesce(
            cast({{ "'" ~ given_date ~ "'" if given_date else 'null' }} as date),
            latest_completed_order.ordered_date,
            latest_other_event.event_date
        ) as as_of_date
    from latest_completed_order
    cross join latest_other_event
)

select * from final
