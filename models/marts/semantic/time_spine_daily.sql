{#-
    The calendar MetricFlow joins metrics to: one row per day from var time_spine_start_date up to,
    not including, var time_spine_end_date. A fixed range (not the data's) so that the spine never
    depends on the as-of date or on the wall clock; dbt.date_spine keeps it portable.
-#}
with

days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('time_spine_start_date') ~ "' as date)",
        end_date="cast('" ~ var('time_spine_end_date') ~ "' as date)",
    ) }}
),

final as (
    select cast(days.date_day as date) as date_day
    from days
)

select * from final
