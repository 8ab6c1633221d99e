{#-
    The time spine holds every day of its range exactly once: as many distinct days as the range
    is long, from its first day to the day before its end. Returns one row when that is not so.
-#}
{%- set start_date = "cast('" ~ var('time_spine_start_date') ~ "' as date)" -%}
{%- set end_date = "cast('" ~ var('time_spine_end_date') ~ "' as date)" -%}

with

spine as (
    select date_day from {{ ref('time_spine_daily') }}
),

spine_summary as (
    select
        count(distinct spine.date_day) as days,
        min(spine.date_day) as first_day,
        max(spine.date_day) as last_day
    from spine
),

final as (
    select
        spine_summary.days,
        spine_summary.first_day,
        spine_summary.last_day
    from spine_summary
    where
        spine_summary.days <> {{ dbt.datediff(start_date, end_date, 'day') }}
        or spine_summary.first_day <> {{ start_date }}
        or spine_summary.last_day <> cast({{ dbt.dateadd('day', -1, end_date) }} as date)
)

select * from final
