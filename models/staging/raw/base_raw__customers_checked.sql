{#-
    Every raw customer row, parsed, with the first reject reason that applies (NULL = clean).
    Duplicates: among valid rows sharing a customer_id, the latest loaded_at wins. Incremental
    on DuckDB: a run checks again only the customer_ids whose verdict may have changed, from
    every batch (DECISIONLOG D187). The checks run in two parts, rows whose customer_id occurs
    once and the rest, so that only the rest is ranked (DECISIONLOG D55).
-#}
{{ config(
    materialized=checked_materialization(),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_rechecked_keys(['customer_id'], ref('base_raw__customers_parsed')) }}",
    post_hook="{{ drop_recheck_relation() }}",
) }}
{#- the raw text columns, the e-mail address as its pseudonym (base_raw__customers_parsed) -#}
{%- set raw_columns = ['customer_id', 'signed_up_at', 'region', 'customer_type',
                       'acquisition_channel', 'email_hash', 'loaded_at'] -%}

with

parsed_customers as {{ not_materialized() }} (
    select * from {{ ref('base_raw__customers_parsed') }}{{ rechecked_keys_filter(['customer_id']) }}
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
        signed_up_at_utc,
        loaded_at_utc,
        customer_type_code
    from parsed_customers
),

key_counts as (
    {{ natural_key_counts('parsed', ['customer_id']) }}
),

{#- The customers checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

rows_{{ part }} as (
    {{ rows_by_key_count('parsed', ['customer_id'], part == 'repeated') }}
),

checked_{{ part }} as (
    select
        *,
        coalesce(reader_reject_reason, {{ first_reject_reason([
            ("customer_id is null", "missing_key"),
            ("signed_up_at_utc is null", "unparseable_date"),
            (given_but_unparsed("loaded_at", "loaded_at_utc"), "unparseable_date"),
            ("customer_type_code is null or customer_type_code not in ('b2b', 'b2c')", "invalid_value"),
            ("signed_up_at_utc > loaded_at_utc", "future_dated"),
            (implausible_timestamp("signed_up_at_utc") ~ " or " ~ implausible_timestamp("loaded_at_utc"), "implausible_date"),
        ]) }}) as invalid_reason
    from rows_{{ part }}
),
{%- endfor %}

ranked as (
    {{ rank_duplicates('checked_once', 'checked_repeated', ['customer_id'], raw_columns) }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        customer_id,
        signed_up_at_utc as signed_up_at,
        {{ business_date('signed_up_at', 'signed_up_at_utc') }} as signed_up_date,
        coalesce(lower(region), 'unknown') as region,
        customer_type_code as customer_type,
        coalesce(lower(acquisition_channel), 'unknown') as acquisition_channel,
        email_hash,
        loaded_at_utc as loaded_at,
        raw_line_number,
        raw_batch,
        raw_batch_fingerprint,
        raw_rows_in_batch,
        {{ raw_text_passthrough(raw_columns | reject('equalto', 'email_hash') | list) }},
        {{ checked_context() }} as checked_context,
        {{ plausible_timestamp_max() }} as checked_plausible_until
    from ranked
)

select * from final
