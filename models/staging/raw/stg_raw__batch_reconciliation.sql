{#-
    One row per raw entity and load batch (grain: entity, raw_batch): how many raw rows the
    batch held and where each one went: clean, rejected, or a duplicate superseded by a later
    row of any batch. Built from the base_raw__*_checked tables alone: the raw count is the
    one the parsed model counted from the batch when it read it (raw_rows_in_batch, D73, D143);
    the records the reader could not read (malformed_row, invalid_encoding) are rows of the
    checked table but not of that count, so they are added to it.
    raw_rows = clean_rows + rejected_rows + duplicate_rows, asserted by a test.
-#}
{{ config(materialized='table') }}
{%- set entities = ['customers', 'orders', 'renewals', 'feedback'] -%}

with

{% for entity in entities %}
{{ entity }}_rows as (
    select
        '{{ entity }}' as entity,
        raw_batch,
        reject_reason,
        raw_rows_in_batch
    from {{ ref('base_raw__' ~ entity ~ '_checked') }}
),

{% endfor %}
checked_rows as (
    {%- for entity in entities %}
    select * from {{ entity }}_rows{{ " union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        entity,
        raw_batch,
        coalesce(max(raw_rows_in_batch), 0)
        + sum(case when reject_reason in ('malformed_row', 'invalid_encoding') then 1 else 0 end)
            as raw_rows,
        sum(case when reject_reason is null then 1 else 0 end) as clean_rows,
        sum(case when reject_reason <> 'duplicate' then 1 else 0 end) as rejected_rows,
        sum(case when reject_reason = 'duplicate' then 1 else 0 end) as duplicate_rows
    from checked_rows
    group by entity, raw_batch
)

select * from final
