{#-
    Every raw feedback row, parsed, with the first reject reason that applies (NULL = clean).
    Free text never leaves this layer: only its length is kept. Among valid rows sharing a
    feedback_id, the latest loaded_at wins. The parse and the checks run in two parts, rows
    whose feedback_id occurs once in the file and the rest, so that only the rest is ranked
    (DECISIONLOG D55).
-#}
{{ config(
    materialized='table',
    pre_hook="{{ reset_malformed_rows('feedback') }}",
    post_hook="{{ collect_malformed_rows('feedback') }}",
) }}
{%- set raw_columns = ['feedback_id', 'customer_id', 'submitted_at', 'kind', 'csat', 'nps',
                       'comment', 'loaded_at'] -%}
{%- set natural_key = [clean_text('raw_rows.feedback_id')] -%}

with

key_counts as (
    {{ natural_key_counts('feedback', natural_key) }}
),

{# The clean customers, for the unknown_customer check (DECISIONLOG D170). #}
customers as (
    select customer_id
    from {{ ref('stg_raw__customers') }}
),

{#- The raw feedback parsed and checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

raw_{{ part }} as (
    {{ raw_rows_by_key_count('feedback', raw_columns, natural_key, part == 'repeated') }}
),

parsed_{{ part }} as (
    select
        raw_feedback.*,
        {{ parse_timestamp('raw_feedback.submitted_at') }} as submitted_at_utc,
        {{ parse_timestamp('raw_feedback.loaded_at') }} as loaded_at_utc,
        {{ parse_decimal('raw_feedback.csat') }} as csat_value,
        {{ parse_decimal('raw_feedback.nps') }} as nps_value,
        lower(raw_feedback.kind) as kind_code
    from raw_{{ part }} as raw_feedback
),

checked_{{ part }} as (
    select
        parsed.*,
        {{ first_reject_reason([
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
        ]) }} as invalid_reason
    from parsed_{{ part }} as parsed
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
        coalesce(length(comment), 0) as comment_length,
        loaded_at_utc as loaded_at,
        cast(null as {{ dbt.type_bigint() }}) as raw_line_number,
        {{ raw_row_count('feedback') }} as raw_rows_in_load,
        {{ raw_text_passthrough(raw_columns | reject('equalto', 'comment') | list) }}
    from ranked
)

select * from final
