{#-
    Every raw order row, parsed and converted to the reporting currency, with the first
    reject reason that applies (NULL = clean). Among valid rows sharing an order_id, the
    latest loaded_at wins; the others are duplicates. The parse and the checks run in two
    parts, rows whose order_id occurs once in the file and the rest, so that only the rest
    is ranked (DECISIONLOG D55).
-#}
{{ config(
    materialized='table',
    pre_hook="{{ reset_malformed_rows('orders') }}",
    post_hook="{{ collect_malformed_rows('orders') }}",
) }}
{%- set raw_columns = ['order_id', 'customer_id', 'ordered_at', 'status', 'currency',
                       'gross_amount', 'discount_amount', 'refunded_amount', 'cost_amount',
                       'sales_channel', 'promo_code', 'loaded_at'] -%}
{%- set natural_key = [clean_text('raw_rows.order_id')] -%}

with

key_counts as (
    {{ natural_key_counts('orders', natural_key) }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

sales_channels as (
    select
        sales_channel,
        is_assisted
    from {{ ref('sales_channels') }}
),

{# The clean customers, for the unknown_customer check (DECISIONLOG D170). #}
customers as (
    select customer_id
    from {{ ref('stg_raw__customers') }}
),

{#- The raw orders parsed and checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

raw_{{ part }} as (
    {{ raw_rows_by_key_count('orders', raw_columns, natural_key, part == 'repeated') }}
),

parsed_{{ part }} as (
    select
        raw_orders.*,
        {{ parse_timestamp('raw_orders.ordered_at') }} as ordered_at_utc,
        {{ parse_timestamp('raw_orders.loaded_at') }} as loaded_at_utc,
        lower(raw_orders.status) as status_code,
        upper(raw_orders.currency) as currency_code,
        {{ parse_decimal('raw_orders.gross_amount') }} as gross_local,
        {{ parse_decimal('raw_orders.discount_amount') }} as discount_local,
        {{ parse_decimal('raw_orders.refunded_amount') }} as refunded_local,
        {{ parse_decimal('raw_orders.cost_amount') }} as cost_local,
        coalesce(lower(raw_orders.sales_channel), 'unknown') as sales_channel_code
    from raw_{{ part }} as raw_orders
),

checked_{{ part }} as (
    select
        parsed.*,
        fx_rates.rate_to_reporting,
        {{ first_reject_reason([
            ("parsed.order_id is null", "missing_key"),
            ("parsed.customer_id is null", "missing_customer_id"),
            ("ordered_at_utc is null", "unparseable_date"),
            (given_but_unparsed("parsed.loaded_at", "loaded_at_utc"), "unparseable_date"),
            ("gross_local is null", "unparseable_number"),
            (given_but_unparsed("parsed.discount_amount", "discount_local"), "unparseable_number"),
            (given_but_unparsed("parsed.refunded_amount", "refunded_local"), "unparseable_number"),
            (given_but_unparsed("parsed.cost_amount", "cost_local"), "unparseable_number"),
            ("status_code is null or status_code not in ('completed', 'pending', 'cancelled', 'refunded')", "unknown_status"),
            ("fx_rates.currency is null", "unknown_currency"),
            ("gross_local < 0 or discount_local < 0 or refunded_local < 0 or cost_local < 0", "negative_amount"),
            ("ordered_at_utc > loaded_at_utc", "future_dated"),
            (implausible_timestamp("ordered_at_utc") ~ " or " ~ implausible_timestamp("loaded_at_utc"), "implausible_date"),
            ("customers.customer_id is null", "unknown_customer"),
        ]) }} as invalid_reason
    from parsed_{{ part }} as parsed
    left join fx_rates
        on parsed.currency_code = fx_rates.currency
    left join customers
        on parsed.customer_id = customers.customer_id
),
{%- endfor %}

ranked as (
    {{ rank_duplicates('checked_once', 'checked_repeated', ['order_id'], raw_columns) }}
),

converted as (
    select
        ranked.*,
        round(ranked.gross_local * ranked.rate_to_reporting, 2) as gross_amount_reporting,
        round(coalesce(ranked.discount_local, 0) * ranked.rate_to_reporting, 2) as discount_amount_reporting,
        round(coalesce(ranked.refunded_local, 0) * ranked.rate_to_reporting, 2) as refunded_amount_reporting,
        round(ranked.cost_local * ranked.rate_to_reporting, 2) as cost_amount_reporting
    from ranked
),

final as (
    select
        converted.raw_row_key,
        converted.reject_reason,
        converted.order_id,
        converted.customer_id,
        converted.ordered_at_utc as ordered_at,
        {{ business_date('converted.ordered_at', 'converted.ordered_at_utc') }} as ordered_date,
        converted.status_code as status,
        converted.currency_code as currency,
        converted.rate_to_reporting as fx_rate_to_reporting,
        converted.gross_amount_reporting as gross_amount,
        converted.discount_amount_reporting as discount_amount,
        converted.refunded_amount_reporting as refunded_amount,
        converted.cost_amount_reporting as cost_amount,
        converted.sales_channel_code as sales_channel,
        coalesce(sales_channels.is_assisted, false) as is_assisted,
        lower(converted.promo_code) as promo_code,
        converted.loaded_at_utc as loaded_at,
        cast(null as {{ dbt.type_bigint() }}) as raw_line_number,
        {{ raw_row_count('orders') }} as raw_rows_in_load,
        {{ raw_text_passthrough(raw_columns, 'converted') }}
    from converted
    left join sales_channels
        on converted.sales_channel_code = sales_channels.sales_channel
)

select * from final
