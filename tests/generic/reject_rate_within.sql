{#-
    Asserts that a checked raw entity is usable: it has at least one clean row and the share of
    its raw rows rejected for a reason other than `duplicate` is at most max_rate.
    Attached to the base_raw__*_checked models, so that with severity error a broken file
    stops `dbt build` before any tier is computed from it. Returns one row describing the
    problem, with the reject rate, when the assertion fails.
-#}
{% test reject_rate_within(model, column_name, max_rate) %}

with

outcomes as (
    select
        count(*) as raw_rows,
        count(case when {{ column_name }} is null then 1 end) as clean_rows,
        count(case when {{ column_name }} <> 'duplicate' then 1 end) as rejected_rows
    from {{ model }}
),

rated as (
    select
        raw_rows,
        clean_rows,
        rejected_rows,
        case when raw_rows > 0
            then cast(rejected_rows as {{ type_double() }}) / raw_rows
        end as reject_rate
    from outcomes
)

select
    *,
    {{ max_rate }} as max_reject_rate
from rated
where clean_rows = 0 or reject_rate > {{ max_rate }}

{% endtest %}
