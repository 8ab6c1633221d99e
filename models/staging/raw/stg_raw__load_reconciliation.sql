{#-
    One row per raw entity: how many raw rows arrived and where each one went.
    raw_rows = clean_rows + rejected_rows + duplicate_rows, asserted by a test.
    raw_rows = the records the reader returned, counted here, plus the records it could not read
    (malformed_row, invalid_encoding: the reader reports them, D80). A table, so that the files
    are counted once; its hooks empty the reader's temporary reject tables its scans fill.
-#}
{%- set entities = ['customers', 'orders', 'renewals', 'feedback'] -%}
{{ config(
    materialized='table',
    post_hook=["{{ reset_malformed_rows('customers') }}", "{{ reset_malformed_rows('orders') }}",
               "{{ reset_malformed_rows('renewals') }}", "{{ reset_malformed_rows('feedback') }}"],
) }}

with

{% for entity in entities %}
{#-
    Every column is read: DuckDB checks the encoding only of the columns a query reads, so a
    bare count(*) would count a record the checked model (which reads them all) finds unreadable.
#}
{%- set columns = raw_contract_columns(entity) | map(attribute=0) | list %}
{{ entity }}_raw_count as (
    select count(*) as raw_rows
    from {{ raw_relation(entity) }} as raw_records
    {%- if columns %}
    where length(concat_ws('|'
        {%- for column in columns %}, coalesce(raw_records.{{ column }}, ''){% endfor -%}
    )) >= 0
    {%- endif %}
),

{{ entity }}_outcomes as (
    select
        count(case when reject_reason is null then 1 end) as clean_rows,
        count(case when reject_reason <> 'duplicate' then 1 end) as rejected_rows,
        count(case when reject_reason = 'duplicate' then 1 end) as duplicate_rows,
        count(case when reject_reason in ('malformed_row', 'invalid_encoding') then 1 end) as unreadable_rows
    from {{ ref('base_raw__' ~ entity ~ '_checked') }}
),

{% endfor %}
unioned as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        {{ entity }}_raw_count.raw_rows + {{ entity }}_outcomes.unreadable_rows as raw_rows,
        {{ entity }}_outcomes.clean_rows,
        {{ entity }}_outcomes.rejected_rows,
        {{ entity }}_outcomes.duplicate_rows
    from {{ entity }}_raw_count
    cross join {{ entity }}_outcomes
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        entity,
        raw_rows,
        clean_rows,
        rejected_rows,
        duplicate_rows,
        case
            when raw_rows > 0
                then cast(rejected_rows as {{ type_double() }}) / raw_rows
        end as reject_rate
    from unioned
)

select * from final
