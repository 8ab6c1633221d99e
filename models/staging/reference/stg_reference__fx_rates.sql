{#- One row per currency: the rate that converts one unit into the reporting currency. -#}
with

fx_rates as (
    select
        currency,
        base_per_unit
    from {{ ref('fx_rates') }}
),

reporting_currency as (
    select base_per_unit as reporting_base_per_unit
    from fx_rates
    where currency = '{{ var("reporting_currency") }}'
),

final as (
    select
        fx_rates.currency,
        cast(fx_rates.base_per_unit / reporting_currency.reporting_base_per_unit as {{ dbt.type_numeric() }})
            as rate_to_reporting
    from fx_rates
    cross join reporting_currency
)

select * from final
