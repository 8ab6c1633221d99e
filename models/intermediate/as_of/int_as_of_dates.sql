{#-
    One row per as-of date the warehouse computes: the as-of date of the run (is_current) and
    the `history_periods` period ends before it (calendar ends of var `history_period_grain`:
    month, quarter or year). Every model named `..._by_as_of_date` is computed for each of
    these dates at once; the run's models read the row of the current date (doc block
    `segment_history`).
-#}
{%- set grain = var('history_period_grain') -%}
{%- set periods = var('history_periods') -%}
{%- if grain not in ('month', 'quarter', 'year') -%}
    {{ exceptions.raise_compiler_error("var history_period_grain must be month, quarter or year, got " ~ grain) }}
{%- endif -%}
{%- if periods is not number or periods < 0 -%}
    {{ exceptions.raise_compiler_error("var history_periods must be a whole number >= 0, got " ~ periods) }}
{%- endif %}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

{% if periods > 0 -%}
period_offsets as (
    select generated_number as periods_back
    from ({{ dbt.generate_series(periods) }}) as series  -- noqa: ST05
),

period_ends as (
    {#- The day before the start of the period that holds the as-of date, and the same n periods back. -#}
    select
        cast(
            {{ dbt.dateadd(
                'day', -1,
                dbt.dateadd(grain, '1 - period_offsets.periods_back',
                            dbt.date_trunc(grain, 'as_of.as_of_date'))
            ) }} as date
        ) as as_of_date,
        false as is_current
    from period_offsets
    cross join as_of
),

{% endif -%}
dates as (
    select
        as_of_date,
        true as is_current
    from as_of
    {%- if periods > 0 %}
    union all
    select
        as_of_date,
        is_current
    from period_ends
    {%- endif %}
),

final as (
    select
        as_of_date,
        is_current,
        cast(lag(as_of_date) over (order by as_of_date asc) as date) as previous_as_of_date
    from dates
)

select * from final
