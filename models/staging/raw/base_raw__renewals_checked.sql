{#-
    Every raw subscription-period row, parsed and converted to the reporting currency, with
    the first reject reason that applies (NULL = clean). The natural key is
    (subscription_id, period_start); among valid rows sharing it, the latest loaded_at wins.
    Incremental on DuckDB: a run checks again only the natural keys whose verdict may have
    changed, from every batch (DECISIONLOG D187). The checks run in two parts, rows whose
    natural key occurs once and the rest, so that only the rest is ranked (DECISIONLOG D55).
-#}
{{ config(
    materialized=checked_materialization(),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_rechecked_keys(['subscription_id', 'period_start'], ref('base_raw__renewals_parsed'), customers=ref('stg_raw__customers'), parsed_keys=['subscription_id', 'period_start_utc']) }}",
    post_hook="{{ drop_recheck_relation() }}",
) }}
{%- set raw_columns = ['subscription_id', 'customer_id', 'plan', 'billing_cycle', 'period_start',
                       'period_end', 'renewed_at', 'amount', 'currency', 'status', 'loaded_at'] -%}

with

parsed_renewals as {{ not_materialized() }} (
    select * from {{ ref('base_raw__renewals_parsed') }}{{ rechecked_keys_filter(
        ['subscription_id', 'period_start'], ['subscription_id', 'period_start_utc']
    ) }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
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
        period_start_utc,
        period_end_utc,
        renewed_at_utc,
        loaded_at_utc,
        amount_local,
        billing_cycle_code,
        status_code,
        currency_code
    from parsed_renewals
),

key_counts as (
    {{ natural_key_counts('parsed', ['subscription_id', 'period_start_utc']) }}
),

{#- The renewals checked, once for each part. #}
{%- for part in ['once', 'repeated'] %}

rows_{{ part }} as (
    {{ rows_by_key_count('parsed', ['subscription_id', 'period_start_utc'], part == 'repeated') }}
),

checked_{{ part }} as (
    select
        parsed.*,
        fx_rates.rate_to_reporting,
        coalesce(parsed.reader_reject_reason, {{ first_reject_reason([
            ("parsed.subscription_id is null or parsed.period_start is null", "missing_key"),
            ("parsed.customer_id is null", "missing_customer_id"),
            ("period_start_utc is null or period_end_utc is null", "unparseable_date"),
            (given_but_unparsed("parsed.renewed_at", "renewed_at_utc"), "unparseable_date"),
            (given_but_unparsed("parsed.loaded_at", "loaded_at_utc"), "unparseable_date"),
            ("amount_local is null", "unparseable_number"),
            ("billing_cycle_code is null or billing_cycle_code not in ('month', 'quarter', 'year')", "invalid_value"),
            ("period_end_utc <= period_start_utc", "invalid_value"),
            ("status_code is null or status_code not in ('active', 'renewed', 'lapsed', 'cancelled')", "unknown_status"),
            ("fx_rates.currency is null", "unknown_currency"),
            ("amount_local < 0", "negative_amount"),
            ("period_start_utc > loaded_at_utc or renewed_at_utc > loaded_at_utc", "future_dated"),
            (implausible_timestamp("period_start_utc") ~ " or " ~ implausible_timestamp("period_end_utc", upper_bound=false)
             ~ " or " ~ implausible_timestamp("renewed_at_utc") ~ " or " ~ implausible_timestamp("loaded_at_utc"), "implausible_date"),
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
    {{ rank_duplicates('checked_once', 'checked_repeated', ['subscription_id', 'period_start_utc'], raw_columns) }}
),

final as (
    select
        raw_row_key,
        reject_reason,
        subscription_id,
        customer_id,
        coalesce(lower(plan), 'unknown') as plan,
        billing_cycle_code as billing_cycle,
        period_start_utc as period_start,
        period_end_utc as period_end,
        renewed_at_utc as renewed_at,
        {{ business_date('period_start', 'period_start_utc') }} as period_start_date,
        {{ business_date('period_end', 'period_end_utc') }} as period_end_date,
        {{ business_date('renewed_at', 'renewed_at_utc') }} as renewed_date,
        status_code as status,
        currency_code as currency,
        round(amount_local * rate_to_reporting, 2) as amount,
        loaded_at_utc as loaded_at,
        raw_line_number,
        raw_batch,
        raw_batch_fingerprint,
        raw_rows_in_batch,
        {{ raw_text_passthrough(raw_columns) }},
        {{ checked_context() }} as checked_context,
        {{ plausible_timestamp_max() }} as checked_plausible_until
    from ranked
)

select * from final
