{#-
    Every raw feedback row, parsed, with the first reject reason that applies (NULL = clean).
    Free text never leaves this layer: only its length is kept. Among valid rows sharing a
    feedback_id, the latest loaded_at wins. Incremental on DuckDB: a run checks again only the
    feedback_ids whose verdict may have changed, from every batch (DECISIONLOG D187). The
    checks run in two parts, rows whose feedback_id occurs once and the rest, so that only the
    rest is ranked (DECISIONLOG D55).
-#}
{{ config(
    materialized=checked_materialization(),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_rechecked_keys(['feedback_id'], ref('base_raw__feedback_parsed'), customers=ref('stg_raw__customers')) }}",
    post_hook="{{ drop_recheck_relation() }}",
) }}
{%- set raw_columns = ['feedback_id', 'customer_id', 'submitted_at', 'kind', 'csat', 'nps',
                       'comment_hash', 'loaded_at'] -%}

with

parsed_feedback as {{ not_materialized() }} (
    select * from {{ ref('base_raw__feedback_parsed') }}{{ rechecked_keys_filter(['feedback_id']) }}
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
        submitted_at_utc,
        loaded_at_utc,
        csat_value,
        nps_value,
        kind_code,
        comment_length
    from parsed_feedback
),

key_counts as (
    {{ natural_key_counts('parsed', ['feedback_id']) }}
),

{#- The feedback checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

rows_{{ part }} as (
    {{ rows_by_key_count('parsed', ['feedback_id'], part == 'repeated') }}
),

checked_{{ part }} as (
    select
        parsed.*,
        coalesce(parsed.reader_reject_reason, {{ first_reject_reason([
            ("parsed.feedback_id is null", "missing_key"),
            ("parsed.customer_id is null", "missing_customer_id"),
            ("submitted_at_utc is null", "unparseable_date"),
            (given_but_unparsed("parsed.loaded_at", "loaded_at_utc"), "unparseable_date"),
            (given_but_unparsed("parsed.csat", "csat_value"), "unparseable_number"),
            (given_but_unparsed("parsed.nps", "nps_value"), "unparseable_number"),
            ("kind_code is null or kind_code not in ('survey', 'complaint', 'review')", "invalid_value"),
            ("csat_value not in (1, 2, 3, 4, 5)", "invalid_value"),
            ("nps_value not in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)", "invalid_value"),
            ("submitted_at_utc > loaded_at_utc", "future_dated"),
            (implausible_timestamp("submitted_at_utc") ~ " or " ~ implausible_timestamp("loaded_at_utc"), "implausible_date"),
            ("customers.customer_id is null", "unknown_customer"),
        ]) }}) as invalid_reason
    from rows_{{ part }} as parsed
    left join customers
        on parsed.customer_id = customers.customer_id
),
{%- endfor %}

ranked as (
    {{ rank_duplicates('checked_once', 'checked_repeated', ['feedback_id'], raw_columns) }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        feedback_id,
        customer_id,
        submitted_at_utc as submitted_at,
        {{ business_date('submitted_at', 'submitted_at_utc') }} as submitted_date,
        kind_code as kind,
        cast(csat_value as {{ dbt.type_int() }}) as csat,
        cast(nps_value as {{ dbt.type_int() }}) as nps,
        comment_length,
        loaded_at_utc as loaded_at,
        raw_line_number,
        raw_batch,
        raw_batch_fingerprint,
        raw_rows_in_batch,
        {{ raw_text_passthrough(raw_columns | reject('equalto', 'comment_hash') | list) }},
        {{ checked_context() }} as checked_context,
        {{ plausible_timestamp_max() }} as checked_plausible_until
    from ranked
)

select * from final
