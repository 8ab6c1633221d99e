{#-
    One row: the as-of date of this run. From the var `as_of_date` when given, else the latest
    business date of a purchase (doc block `purchase`: a clean completed order or a paid
    subscription period, of the sources in var `purchase_sources`), derived from the data, never
    the wall clock. A data set without any purchase of those sources stops the run here, with a
    message, whatever the as-of date: there is nothing to tier. The data-derived date is kept
    beside it: publication tells a replay (a given date that differs from it) from a live build
    (DECISIONLOG D64).
-#}
{%- set given_date = var('as_of_date') -%}
{%- if given_date and not modules.re.match('^\d{4}-\d{2}-\d{2}$', given_date | string) -%}
    {{ exceptions.raise_compiler_error("var as_of_date must be a date written YYYY-MM-DD, got '" ~ given_date ~ "'") }}
{%- endif %}
{%- set sources = purchase_sources() %}
{%- set no_purchase_message = "No purchase in the data: no completed order and no paid subscription period among "
    ~ "the purchase sources " ~ sources | join(', ')
    ~ " (var purchase_sources). There is nothing to tier; check the orders and renewals files." %}

with

{% if 'orders' in sources -%}
completed_orders as (
    select
        max(ordered_date) as latest_date,
        count(*) as purchases
    from {{ ref('stg_raw__orders') }}
    where status = 'completed'
),

{% endif -%}
{% if 'renewals' in sources -%}
paid_subscription_periods as (
    select
        max(paid_date) as latest_date,
        count(*) as purchases
    from {{ ref('int_subscription_payments') }}
    where is_paid
),

{% endif -%}
purchases_by_source as (
    {%- if 'orders' in sources %}
    select
        latest_date,
        purchases
    from completed_orders
    {%- endif %}
    {%- if sources | length > 1 %}
    union all
    {%- endif %}
    {%- if 'renewals' in sources %}
    select
        latest_date,
        purchases
    from paid_subscription_periods
    {%- endif %}
),

purchase_totals as (
    select
        max(latest_date) as latest_purchase_date,
        sum(purchases) as purchases
    from purchases_by_source
),

as_of_chosen as (
    select
        purchases,
        latest_purchase_date,
        coalesce(
            cast({{ "'" ~ given_date ~ "'" if given_date else 'null' }} as date),
            latest_purchase_date
        ) as as_of_date
    from purchase_totals
),

final as (
    select
        case
            when purchases = 0 then {{ raise_error(no_purchase_message) }}
            else as_of_date
        end as as_of_date,
        latest_purchase_date
    from as_of_chosen
)

select * from final
