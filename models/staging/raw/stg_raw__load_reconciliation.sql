{#-
    One row per raw entity: how many raw rows arrived and where each one went, with the most
    frequent reject reasons: the sum over the entity's load batches (stg_raw__batch_reconciliation),
    so the counts always describe one and the same load (DECISIONLOG D73, D143). The reasons
    come from the base_raw__*_checked tables. raw_rows = clean_rows + rejected_rows +
    duplicate_rows, asserted by a test.
-#}
{{ config(materialized='table') }}
{%- set entities = ['customers', 'orders', 'renewals', 'feedback'] -%}
{%- set string = dbt.type_string() -%}

with

{% for entity in entities %}
{{ entity }}_reasons as (
    select
        '{{ entity }}' as entity,
        reject_reason,
        count(*) as reason_rows
    from {{ ref('base_raw__' ~ entity ~ '_checked') }}
    group by reject_reason
),

{% endfor %}
entities as (
    {%- for entity in entities %}
    select '{{ entity }}' as entity{{ " union all" if not loop.last }}
    {%- endfor %}
),

reasons as (
    {%- for entity in entities %}
    select * from {{ entity }}_reasons{{ " union all" if not loop.last }}
    {%- endfor %}
),

batches as (
    select * from {{ ref('stg_raw__batch_reconciliation') }}
),

outcomes as (
    select
        entity,
        sum(raw_rows) as raw_rows,
        sum(clean_rows) as clean_rows,
        sum(rejected_rows) as rejected_rows,
        sum(duplicate_rows) as duplicate_rows
    from batches
    group by entity
),

{# The reject reasons of each entity, most frequent first (ties by name), duplicates aside. #}
ranked_reasons as (
    select
        entity,
        reject_reason || ' ' || cast(reason_rows as {{ string }}) as reason_with_count,
        row_number() over (partition by entity order by reason_rows desc, reject_reason asc) as reason_rank
    from reasons
    where reject_reason <> 'duplicate'
),

top_reasons as (
    select
        entity,
        max(case when reason_rank = 1 then reason_with_count end) as reason_1,
        max(case when reason_rank = 2 then ', ' || reason_with_count end) as reason_2,
        max(case when reason_rank = 3 then ', ' || reason_with_count end) as reason_3
    from ranked_reasons
    where reason_rank <= 3
    group by entity
),

final as (
    select
        entities.entity,
        coalesce(outcomes.raw_rows, 0) as raw_rows,
        coalesce(outcomes.clean_rows, 0) as clean_rows,
        coalesce(outcomes.rejected_rows, 0) as rejected_rows,
        coalesce(outcomes.duplicate_rows, 0) as duplicate_rows,
        case
            when outcomes.raw_rows > 0
                then cast(outcomes.rejected_rows as {{ type_double() }}) / outcomes.raw_rows
        end as reject_rate,
        top_reasons.reason_1 || coalesce(top_reasons.reason_2, '') || coalesce(top_reasons.reason_3, '')
            as top_reject_reasons
    from entities
    left join outcomes
        on entities.entity = outcomes.entity
    left join top_reasons
        on entities.entity = top_reasons.entity
)

select * from final
