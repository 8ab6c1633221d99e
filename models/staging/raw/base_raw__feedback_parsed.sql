{#-
    One row per raw feedback record of every load batch, its text trimmed and parsed, with
    the batch it came from; the records the reader could not read carry their reject reason
    (malformed_row, invalid_encoding) and nothing else. Incremental (DECISIONLOG D141): a run
    reads only the batches not stored yet, or stored with another fingerprint; the checks that
    need every batch (duplicates, unknown customers) run in base_raw__feedback_checked.
-#}
{{ config(
    materialized=raw_batch_materialization(),
    pre_hook=["{{ reset_malformed_rows('feedback') }}", "{{ forget_changed_batches('feedback') }}"],
    post_hook="{{ collect_malformed_rows('feedback') }}",
) }}
{%- set raw_columns = ['feedback_id', 'customer_id', 'submitted_at', 'kind', 'csat', 'nps',
                       'comment', 'loaded_at'] -%}

with

raw_feedback as (
    {{ raw_batch_rows('feedback', unread_raw_batches('feedback', this), raw_columns) }}
),

{# Free text is stored only as its length and a hash (the row key hashes it): never the text. #}
parsed as (
    select
        raw_feedback.raw_batch,
        raw_feedback.raw_batch_fingerprint,
        raw_feedback.raw_rows_in_batch,
        {%- for column in raw_columns if column != 'comment' %}
        raw_feedback.{{ column }},
        {%- endfor %}
        coalesce(length(raw_feedback.comment), 0) as comment_length,
        {{ dbt.hash('raw_feedback.comment') }} as comment_hash,
        {{ parse_timestamp('raw_feedback.submitted_at') }} as submitted_at_utc,
        {{ parse_timestamp('raw_feedback.loaded_at') }} as loaded_at_utc,
        {{ parse_decimal('raw_feedback.csat') }} as csat_value,
        {{ parse_decimal('raw_feedback.nps') }} as nps_value,
        lower(raw_feedback.kind) as kind_code
    from raw_feedback
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
