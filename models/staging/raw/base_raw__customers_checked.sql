{#-
    Every raw customer row, parsed, with the first reject reason that applies (NULL = clean).
    Duplicates: among valid rows sharing a customer_id, the latest loaded_at wins. The parse
    and the checks run in two parts, rows whose customer_id occurs once in the file and the
    rest, so that only the rest is ranked (DECISIONLOG D55).
-#}
{{ config(
    materialized='table',
    pre_hook="{{ reset_malformed_rows('customers') }}",
    post_hook="{{ collect_malformed_rows('customers') }}",
) }}
{%- set raw_columns = ['customer_id', 'signed_up_at', 'region', 'customer_type',
                       'acquisition_channel', 'email', 'loaded_at'] -%}
{%- set natural_key = [clean_text('raw_rows.customer_id')] -%}

with

key_counts as (
    {{ natural_key_counts('customers', natural_key) }}
),

{#- The raw customers parsed and checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

raw_{{ part }} as (
    {{ raw_rows_by_key_count('customers', raw_columns, natural_key, part == 'repeated') }}
),

parsed_{{ part }} as (
    select
        *,
        {{ parse_timestamp('signed_up_at') }} as signed_up_at_utc,
        {{ parse_timestamp('loaded_at') }} as loaded_at_utc,
        lower(customer_type) as customer_type_code
    from raw_{{ part }}
),

checked_{{ part }} as (
    select
        *,
        {{ first_reject_reason([
            ("customer_id is null", "missing_key"),
            ("signed_up_at_utc is null", "unparseable_date"),
            (given_but_unparsed("loaded_at", "loaded_at_utc"), "unparseable_date"),
            ("customer_type_code is null or customer_type_code not in ('b2b', 'b2c')", "invalid_value"),
            ("signed_up_at_utc > loaded_at_utc", "future_dated"),
            (implausible_timestamp("signed_up_at_utc") ~ " or " ~ implausible_timestamp("loaded_at_utc"), "implausible_date"),
        ]) }} as invalid_reason
    from parsed_{{ part }}
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
        {{ email_hash('email') }} as email_hash,
        loaded_at_utc as loaded_at,
        cast(null as {{ dbt.type_bigint() }}) as raw_line_number,
        {{ raw_row_count('customers') }} as raw_rows_in_load,
        {{ raw_text_passthrough(raw_columns | reject('equalto', 'email') | list) }}
    from ranked
)

select * from final
