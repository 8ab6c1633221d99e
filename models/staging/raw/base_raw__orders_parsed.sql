{#-
    One row per raw order record of every load batch, its text trimmed and parsed, with the
    batch it came from; the records the reader could not read carry their reject reason
    (malformed_row, invalid_encoding) and nothing else. Incremental (DECISIONLOG D141): a run
    reads only the batches not stored yet, or stored with another fingerprint; the checks that
    need every batch (duplicates, unknown customers) run in base_raw__orders_checked.
-#}
{{ config(
    materialized=raw_batch_materialization(),
    pre_hook=["{{ reset_malformed_rows('orders') }}", "{{ forget_changed_batches('orders') }}"],
    post_hook="{{ collect_malformed_rows('orders') }}",
) }}
{%- set raw_columns = ['order_id', 'customer_id', 'ordered_at', 'status', 'currency',
                       'gross_amount', 'discount_amount', 'refunded_amount', 'cost_amount',
                       'sales_channel', 'promo_code', 'loaded_at'] -%}

with

raw_orders as (
    {{ raw_batch_rows('orders', unread_raw_batches('orders', this), raw_columns) }}
),

parsed as (
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
    from raw_orders
),

final as (
    select
        parsed.*,
        cast(null as {{ dbt.type_string() }}) as raw_row_key,
        cast(null as {{ dbt.type_string() }}) as reject_reason,
        cast(null as {{ dbt.type_bigint() }}) as raw_line_number
    from parsed
)

select * from final
