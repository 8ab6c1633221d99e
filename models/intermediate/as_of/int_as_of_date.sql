{#-
    One row: the as-of date of this run. From the var `as_of_date` when given, else the latest
    business date of a purchase (doc block `purchase`: a clean completed order or a paid
    subscription period, of the sources in var `purchase_sources`), derived from the data, never
    the wall clock, and never after the business date of the latest load (loaded_at) of those
    sources: a row without a loaded_at was loaded before every dated row (docs/raw-data-contract.md, D70). A data
    set without any purchase of those sources stops the run here, with a message, whatever the
    as-of date: there is nothing to tier. The data's latest purchase date is kept beside it:
    publication tells a replay (a given date that differs from it) from a live build
    (DECISIONLOG D64).

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
{%- set sources = purchase_sources() %}
{%- set no_purchase_message = "No purchase in the data: no completed order and no paid subscription period among "
    ~ "the purchase sources " ~ sources | join(', ')
    ~ " (var purchase_sources). There is nothing to tier; check the orders and renewals files." %}
{%- set string = dbt.type_string() -%}
{%- set max_days_after = var('as_of_date_max_days_after_data') | int -%}

with

{# Read at run time: an error here when any entity fails the gate. #}
load_gate as (
    select count(*) as entities_passed
    from {{ ref('stg_raw__load_gate') }}
    where passed
),

{% if 'orders' in sources -%}
completed_orders as (
    select
        max(case when status = 'completed' then ordered_date end) as latest_date,
        count(case when status = 'completed' then 1 end) as purchases,
        max(loaded_at) as latest_loaded_at
    from {{ ref('stg_raw__orders') }}
),

{% endif -%}
{% if 'renewals' in sources -%}
renewal_loads as (
    select max(loaded_at) as latest_loaded_at
    from {{ ref('stg_raw__renewals') }}
),

paid_subscription_periods as (
    select
        max(payments.paid_date) as latest_date,
        count(*) as purchases,
        max(renewal_loads.latest_loaded_at) as latest_loaded_at
    from {{ ref('int_subscription_payments') }} as payments
    cross join renewal_loads
    where payments.is_paid
),

{% endif -%}
purchases_by_source as (
    {%- if 'orders' in sources %}
    select
        latest_date,
        purchases,
        latest_loaded_at
    from completed_orders
    {%- endif %}
    {%- if sources | length > 1 %}
    union all
    {%- endif %}
    {%- if 'renewals' in sources %}
    select
        latest_date,
        purchases,
        latest_loaded_at
    from paid_subscription_periods
    {%- endif %}
),

purchase_totals as (
    select
        max(latest_date) as latest_purchase_date,
        sum(purchases) as purchases,
        {{ to_business_date('max(latest_loaded_at)') }} as latest_load_date
    from purchases_by_source
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

as_of_chosen as (
    select
        purchase_totals.purchases,
        purchase_totals.latest_purchase_date,
        coalesce(
            cast({{ "'" ~ given_date ~ "'" if given_date else 'null' }} as date),
            case
                when purchase_totals.latest_load_date < purchase_totals.latest_purchase_date
                    then purchase_totals.latest_load_date
                else purchase_totals.latest_purchase_date
            end
        ) as as_of_date,
        data_span.first_signed_up_date,
        data_span.last_event_date
    from purchase_totals
    cross join data_span
    {#- passed entities > 0: the gate has been evaluated (a failing gate stopped the query). #}
    inner join load_gate
        on load_gate.entities_passed > 0
),

final as (
    select
        case
            when purchases = 0 then {{ raise_error(no_purchase_message) }}
            when as_of_date < first_signed_up_date
                then {{ raise_error_expression(
                    "'as_of_date ' || cast(as_of_date as " ~ string ~ ") || ' is before the first customer signed up ('"
                    ~ " || cast(first_signed_up_date as " ~ string ~ ") || '): every tier would be empty. '"
                    ~ " || 'Choose a date within the loaded data.'") }}
            when as_of_date > {{ dbt.dateadd('day', max_days_after, 'last_event_date') }}
                then {{ raise_error_expression(
                    "'as_of_date ' || cast(as_of_date as " ~ string ~ ") || ' is more than " ~ max_days_after
                    ~ " days (var as_of_date_max_days_after_data) after the latest loaded event ('"
                    ~ " || cast(last_event_date as " ~ string ~ ") || '): every customer would have churned. '"
                    ~ " || 'Choose a date within the loaded data, or raise the var to replay that far.'") }}
            else as_of_date
        end as as_of_date,
        latest_purchase_date
    from as_of_chosen
)

select * from final
