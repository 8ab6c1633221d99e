{#-
    Every raw order row of every batch, checked and converted to the reporting currency, with
    the first reject reason that applies (NULL = clean). Among valid rows sharing an order_id,
    the latest loaded_at wins, across all batches; the others are duplicates. Incremental on
    DuckDB (DECISIONLOG D187): a run checks again the order_ids whose verdict may have changed
    (new, changed or gone batches, customers, the latest plausible moment, the code) from every
    batch, and keeps the other rows. The checks run in two parts, rows whose order_id occurs once
    and the rest, so that only the rest is ranked (DECISIONLOG D55).
-#}
{{ config(
    materialized=checked_materialization(),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_rechecked_keys(['order_id'], ref('base_raw__orders_parsed'), customers=ref('stg_raw__customers')) }}",
    post_hook="{{ drop_recheck_relation() }}",
) }}
{%- set raw_columns = ['order_id', 'customer_id', 'ordered_at', 'status', 'currency',
                       'gross_amount', 'discount_amount', 'refunded_amount', 'cost_amount',
                       'sales_channel', 'promo_code', 'loaded_at'] -%}

with

parsed_orders as {{ not_materialized() }} (
    select * from {{ ref('base_raw__orders_parsed') }}{{ rechecked_keys_filter(['order_id']) }}
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

{# Every record of every batch; those the reader could not read carry their reason already. #}
parsed as {{ not_materialized() }} (
    select
        raw_batch,
        raw_batch_fingerprint,
        raw_rows_in_batch,
        raw_row_key as reader_row_key,
        reject_reason as reader_reject_reason,
        raw_line_number,
        {%- for column in raw_columns %}
        {{ column }},
        {%- endfor %}
        ordered_at_utc,
        loaded_at_utc,
        status_code,
        currency_code,
        gross_local,
        discount_local,
        refunded_local,
        cost_local,
        sales_channel_code
    from parsed_orders
),

key_counts as (
    {{ natural_key_counts('parsed', ['order_id']) }}
),

{#- The orders checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

rows_{{ part }} as (
    {{ rows_by_key_count('parsed', ['order_id'], part == 'repeated') }}
),

checked_{{ part }} as (
    select
        parsed.*,
        fx_rates.rate_to_reporting,
        coalesce(parsed.reader_reject_reason, {{ first_reject_reason([
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
        ]) }}) as invalid_reason
    from rows_{{ part }} as parsed
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
        converted.raw_line_number,
        converted.raw_batch,
        converted.raw_batch_fingerprint,
        converted.raw_rows_in_batch,
        {{ raw_text_passthrough(raw_columns, 'converted') }},
        {{ checked_context() }} as checked_context,
        {{ plausible_timestamp_max() }} as checked_plausible_until
    from converted
    left join sales_channels
        on converted.sales_channel_code = sales_channels.sales_channel
)

select * from final
