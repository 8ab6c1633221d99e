{#-
    One row per customer with at least one purchase as of the as-of date: the inputs of the
    BG/NBD and Gamma-Gamma CLV models on purchase days (doc block `clv_inputs`), in days or
    weeks per var `clv_time_unit`, from the customer's purchase days (int_purchase_days).
-#}
{%- set time_unit = var('clv_time_unit') | trim | lower -%}
{%- if time_unit not in ('days', 'weeks') -%}
    {{ exceptions.raise_compiler_error(
        "var clv_time_unit must be 'days' or 'weeks', got '" ~ time_unit ~ "'"
    ) }}
{%- endif -%}
{%- set per_unit = ' / 7.0' if time_unit == 'weeks' else '' -%}

with

purchase_days as (
    select
        customer_id,
        purchase_date,
        net_amount as day_net_amount,
        purchase_day_number
    from {{ ref('int_purchase_days') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

customer_totals as (
    select
        customer_id,
        count(*) as purchase_days_count,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        {#- an exact decimal sum and one division: the same bits on every run (DECISIONLOG D77) #}
        cast(sum(case when purchase_day_number > 1 then day_net_amount end) as {{ type_double() }})
        / nullif(count(case when purchase_day_number > 1 then 1 end), 0) as repeat_day_mean_net_amount
    from purchase_days
    group by customer_id
),

final as (
    select
        customer_totals.customer_id,
        cast(customer_totals.purchase_days_count - 1 as {{ dbt.type_int() }}) as frequency,
        cast(
            {{ dbt.datediff("customer_totals.first_purchase_date", "customer_totals.last_purchase_date", "day") }}
            as {{ type_double() }}
        )
        {{- per_unit }} as recency,
        cast(
            {{ dbt.datediff("customer_totals.first_purchase_date", "as_of.as_of_date", "day") }}
            as {{ type_double() }}
        )
        {{- per_unit }} as t,
        coalesce(customer_totals.repeat_day_mean_net_amount, cast(0 as {{ type_double() }})) as monetary_value,
        '{{ time_unit }}' as time_unit
    from customer_totals
    cross join as_of
)

select * from final
