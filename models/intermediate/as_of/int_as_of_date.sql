{#-
    One row: the as-of date of this run. From the var `as_of_date` when given, else the latest
    business date of a clean completed order, but never after the business date of the latest
    order load (derived from the data, never the wall clock).

    Every tier depends on this model, so it also holds the run-time stops that must come
    before any tier (DECISIONLOG D72, D74): it reads the load gate, which fails when a raw
    entity was rejected beyond var reject_rate_error, and it fails when the as-of date lies
    before the first customer's sign-up (every mart would be empty) or more than var
    as_of_date_max_days_after_data days after the latest loaded event.
-#}
{%- set given_date = var('as_of_date') -%}
{%- if given_date and not modules.re.match('^\d{4}-\d{2}-\d{2}$', given_date | string) -%}
    {{ exceptions.raise_compiler_error("var as_of_date must be a date written YYYY-MM-DD, got '" ~ given_date ~ "'") }}
{%- endif %}
{%- set string = dbt.type_string() -%}
{%- set max_days_after = var('as_of_date_max_days_after_data') | int -%}

with

{# Read at run time: an error here when any entity fails the gate. #}
load_gate as (
    select count(*) as entities_passed
    from {{ ref('stg_raw__load_gate') }}
    where passed
),

{# The latest completed order, never later than the latest order load: a row without a
   loaded_at was loaded before every dated row (README), so it cannot be later (D70). #}
completed_orders as (
    select
        max(case when status = 'completed' then ordered_date end) as latest_completed_order_date,
        {{ to_business_date('max(loaded_at)') }} as latest_order_load_date
    from {{ ref('stg_raw__orders') }}
),

{# The span of the loaded events: first sign-up, latest event of any entity. #}
event_dates as (
    select
        min(signed_up_date) as first_event_date,
        max(signed_up_date) as last_event_date
    from {{ ref('stg_raw__customers') }}
    union all
    select
        null as first_event_date,
        max(ordered_date) as last_event_date
    from {{ ref('stg_raw__orders') }}
    union all
    select
        null as first_event_date,
        max(case when renewed_date > period_start_date then renewed_date else period_start_date end)
            as last_event_date
    from {{ ref('stg_raw__renewals') }}
    union all
    select
        null as first_event_date,
        max(submitted_date) as last_event_date
    from {{ ref('stg_raw__feedback') }}
),

data_span as (
    select
        min(first_event_date) as first_signed_up_date,
        max(last_event_date) as last_event_date
    from event_dates
),

resolved as (
    select
        coalesce(
            cast({{ "'" ~ given_date ~ "'" if given_date else 'null' }} as date),
            case
                when completed_orders.latest_order_load_date < completed_orders.latest_completed_order_date
                    then completed_orders.latest_order_load_date
                else completed_orders.latest_completed_order_date
            end
        ) as as_of_date,
        data_span.first_signed_up_date,
        data_span.last_event_date
    from completed_orders
    cross join data_span
    {#- passed entities > 0: the gate has been evaluated (a failing gate stopped the query). #}
    inner join load_gate
        on load_gate.entities_passed > 0
),

final as (
    select
        case
            when as_of_date < first_signed_up_date
                then {{ raise_build_error(
                    "'as_of_date ' || cast(as_of_date as " ~ string ~ ") || ' is before the first customer signed up ('"
                    ~ " || cast(first_signed_up_date as " ~ string ~ ") || '): every tier would be empty. '"
                    ~ " || 'Choose a date within the loaded data.'") }}
            when as_of_date > {{ dbt.dateadd('day', max_days_after, 'last_event_date') }}
                then {{ raise_build_error(
                    "'as_of_date ' || cast(as_of_date as " ~ string ~ ") || ' is more than " ~ max_days_after
                    ~ " days (var as_of_date_max_days_after_data) after the latest loaded event ('"
                    ~ " || cast(last_event_date as " ~ string ~ ") || '): every customer would have churned. '"
                    ~ " || 'Choose a date within the loaded data, or raise the var to replay that far.'") }}
            else as_of_date
        end as as_of_date
    from resolved
)

select * from final
