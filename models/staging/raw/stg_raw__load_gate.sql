{#-
    One row per raw entity: the load gate (DECISIONLOG D72). Every tier depends on it through
    int_as_of_date, which reads it at run time, so `dbt run`, `dbt build` and any selection
    that builds a tier stop before it when one entity fails:
    - more than var reject_rate_error of its raw rows are rejected (duplicates are not rejects);
    - it had raw rows and lost every one of them to the quarantine;
    - it is customers and has no clean row (orders, renewals and feedback may be empty).
    The error names the entity, its reject rate, the threshold and the top reasons with counts;
    never a raw value. When several fail, the first in the order customers, orders, renewals,
    feedback is named (an orphaned order fails because of the customers file). A view: the check runs whenever it is read, on the current reconciliation.
-#}
{{ config(materialized='view') }}
{%- set string = dbt.type_string() -%}
{%- set max_rate = var('reject_rate_error') -%}

with

reconciliation as (
    select * from {{ ref('stg_raw__load_reconciliation') }}
),

judged as (
    select
        entity,
        raw_rows,
        clean_rows,
        rejected_rows,
        reject_rate,
        top_reject_reasons,
        case
            when entity = 'customers' and raw_rows = 0
                then 'the file has no customer row, and every tier needs customers'
            when raw_rows > 0 and clean_rows = 0
                then 'all ' || cast(raw_rows as {{ string }}) || ' raw rows were quarantined'
            when reject_rate > {{ max_rate }}
                then
                    cast(rejected_rows as {{ string }}) || ' of ' || cast(raw_rows as {{ string }})
                    || ' raw rows were quarantined ('
                    || cast(round(reject_rate * 100, 2) as {{ string }}) || ' %), above reject_rate_error ('
                    || cast({{ max_rate * 100 }} as {{ string }}) || ' %)'
        end as failure,
        {#- when several entities fail, the one reported is the first in this order: orders,
            renewals and feedback that lost every row to `unknown_customer` fail because of the
            customers file, so customers come first #}
        case entity when 'customers' then 1 when 'orders' then 2 when 'renewals' then 3 else 4 end
            as report_order
    from reconciliation
),

first_failure as (
    select
        judged.*,
        min(case when judged.failure is not null then judged.report_order end) over () as first_failing_order
    from judged
),

final as (
    select
        entity,
        raw_rows,
        clean_rows,
        reject_rate,
        {{ max_rate }} as max_reject_rate,
        case
            when failure is null then true
            when report_order <> first_failing_order then false
            else {{ raise_error_expression(
                "'Load gate failed for ' || entity || ': ' || failure
                || coalesce('; top reject reasons: ' || top_reject_reasons, '')
                || '. No tier was built. See staging.stg_raw__' || entity || '_rejected and '
                || 'the reconciliation printed at the end of the run (docs/raw-data-contract.md, \"Nothing is lost\").'"
            ) }}
        end as passed
    from first_failure
)

select * from final
