{#- One row per currency: the rate that converts one unit into the reporting currency. -#}
with

fx_rates as (
    select
        currency,
        base_per_unit
    from {{ ref('fx_rates') }}
),

{# var reporting_currency, upper-cased; a code the seed lacks stops the build here. #}
reporting_currency as (
    select
        case
            when count(*) = 1 then max(base_per_unit)
            else {{ raise_error("var reporting_currency " ~ reporting_currency()
                ~ " is not in seeds/reference/fx_rates.csv: add its rate there or choose a listed code") }}
        end as reporting_base_per_unit
    from fx_rates
    where currency = '{{ reporting_currency() }}'
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
