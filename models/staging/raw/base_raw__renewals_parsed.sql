{#-
    One row per raw renewal record of every load batch, its text trimmed and parsed, with
    the batch it came from; the records the reader could not read carry their reject reason
    (malformed_row, invalid_encoding) and nothing else. Incremental (DECISIONLOG D141): a run
    reads only the batches not stored yet, or stored with another fingerprint; the checks that
    need every batch (duplicates, unknown customers) run in base_raw__renewals_checked.
-#}
{{ config(
    materialized=raw_batch_materialization(),
    pre_hook=["{{ reset_malformed_rows('renewals') }}", "{{ forget_changed_batches('renewals') }}"],
    post_hook="{{ collect_malformed_rows('renewals') }}",
) }}
{%- set raw_columns = ['subscription_id', 'customer_id', 'plan', 'billing_cycle', 'period_start',
                       'period_end', 'renewed_at', 'amount', 'currency', 'status', 'loaded_at'] -%}

with

raw_renewals as (
    {{ raw_batch_rows('renewals', unread_raw_batches('renewals', this), raw_columns) }}
),

parsed as (
    select
        raw_renewals.*,
        {{ parse_timestamp('raw_renewals.period_start') }} as period_start_utc,
        {{ parse_timestamp('raw_renewals.period_end') }} as period_end_utc,
        {{ parse_timestamp('raw_renewals.renewed_at') }} as renewed_at_utc,
        {{ parse_timestamp('raw_renewals.loaded_at') }} as loaded_at_utc,
        {{ parse_decimal('raw_renewals.amount') }} as amount_local,
        lower(raw_renewals.billing_cycle) as billing_cycle_code,
        lower(raw_renewals.status) as status_code,
        upper(raw_renewals.currency) as currency_code
    from raw_renewals
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
