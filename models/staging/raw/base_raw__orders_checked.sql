{#-
    Every raw order row, parsed and converted to the reporting currency, with the first
    reject reason that applies (NULL = clean). Among valid rows sharing an order_id, the
    latest loaded_at wins; the others are duplicates.
-#}
{{ config(materialized='table') }}
{%- set raw_columns = ['order_id', 'customer_id', 'ordered_at', 'status', 'currency',
                       'gross_amount', 'discount_amount', 'refunded_amount', 'cost_amount',
                       'sales_channel', 'promo_code', 'loaded_at'] -%}

with

raw_orders as (
    select
        {{ raw_text_columns(raw_columns) }}
    from {{ raw_relation('orders') }}
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

customers as (
    select customer_id
    from {{ ref('stg_raw__customers') }}
),

parsed as (
    select
        raw_orders.*,
        {{ raw_row_hash(raw_columns) }} as row_hash,
        {{ parse_timestamp('raw_orders.ordered_at') }} as ordered_at_utc,
        {{ parse_timestamp('raw_orders.loaded_at') }} as loaded_at_utc,
        lower(raw_orders.status) as status_code,
        upper(raw_orders.currency) as currency_code,
        {{ parse_decimal('raw_orders.gross_amount') }} as gross_local,
        {{ parse_decimal('raw_orders.discount_amount') }} as discount_local,
        {{ parse_decimal('raw_orders.refunded_amount') }} as refunded_local,
        {{ parse_decimal('raw_orders.cost_amount') }} as cost_local,
        coalesce(lower(raw_orders.sales_channel), 'unknown') as sales_channel_code
    from raw_orders
),

checked as (
    select
        parsed.*,
        fx_rates.rate_to_reporting,
        customers.customer_id is not null as customer_exists,
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
            ("customers.customer_id is null", "unknown_customer"),
        ]) }} as invalid_reason
    from parsed
    left join fx_rates
        on parsed.currency_code = fx_rates.currency
    left join customers
        on parsed.customer_id = customers.customer_id
),

ranked as (
    select
        *,
        {{ duplicate_ranking(['order_id']) }}
    from checked
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
        {{ raw_row_key('converted') }} as raw_row_key,
        {{ final_reject_reason('converted') }} as reject_reason,
        converted.order_id,
        converted.customer_id,
        converted.ordered_at_utc as ordered_at,
        {{ to_business_date('converted.ordered_at_utc') }} as ordered_date,
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
        {{ raw_text_passthrough(raw_columns, 'converted') }}
    from converted
    left join sales_channels
        on converted.sales_channel_code = sales_channels.sales_channel
)

select * from final
