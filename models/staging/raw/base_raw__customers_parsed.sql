{#-
    One row per raw customer record of every load batch, its text trimmed and parsed, with
    the batch it came from; the records the reader could not read carry their reject reason
    (malformed_row, invalid_encoding) and nothing else. Incremental (DECISIONLOG D141): a run
    reads only the batches not stored yet, or stored with another fingerprint; the checks that
    need every batch (duplicates) run in base_raw__customers_checked.
-#}
{{ config(
    materialized=raw_batch_materialization(),
    pre_hook=["{{ reset_malformed_rows('customers') }}", "{{ forget_changed_batches('customers') }}"],
    post_hook="{{ collect_malformed_rows('customers') }}",
) }}
{%- set raw_columns = ['customer_id', 'signed_up_at', 'region', 'customer_type',
                       'acquisition_channel', 'email', 'loaded_at'] -%}

with

raw_customers as (
    {{ raw_batch_rows('customers', unread_raw_batches('customers', this), raw_columns) }}
),

{# The e-mail address is stored only as its pseudonym (D85): this table keeps the text of every row. #}
parsed as (
    select
        raw_batch,
        raw_batch_fingerprint,
        raw_rows_in_batch,
        {%- for column in raw_columns if column != 'email' %}
        {{ column }},
        {%- endfor %}
        {{ email_hash('email') }} as email_hash,
        {{ parse_timestamp('signed_up_at') }} as signed_up_at_utc,
        {{ parse_timestamp('loaded_at') }} as loaded_at_utc,
        lower(customer_type) as customer_type_code
    from raw_customers
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
