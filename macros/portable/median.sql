{#-
    A median per group, from ranks (DECISIONLOG D54): a median aggregate (DuckDB's
    quantile_cont, Spark's percentile) keeps every group's values in one hash table, which
    DuckDB cannot spill to disk, while a window sorts and spills. Plain SQL, the same on every
    engine. In a CTE, rank each group's values with median_rank (NULLs last) and count them
    with median_count; then aggregate with median_of_ranked, which averages the middle value,
    or the two middle values for an even count. NULL when the group has no value. The same
    value as quantile_cont(value, 0.5) or Spark's percentile(value, 0.5).
-#}
{% macro median_rank(value, partition_by) -%}
    row_number() over (partition by {{ partition_by }} order by {{ value }} asc nulls last)
{%- endmacro %}

{% macro median_count(value, partition_by) -%}
    count({{ value }}) over (partition by {{ partition_by }})
{%- endmacro %}

{% macro median_of_ranked(value, value_rank, value_count) -%}
    avg(
        case
            when {{ value_rank }} in (floor(({{ value_count }} + 1) / 2), floor(({{ value_count }} + 2) / 2))
                then {{ value }}
        end
    )
{%- endmacro %}

{#-
    The median of `value` over the rows of its partition up to and including the current one in
    `order_by` (a growing window frame), for every row at once (DECISIONLOG D188): a running
    median is a window, which sorts each partition and spills, not the hash aggregate D54
    avoids. NULL values are ignored; NULL while the frame has none. Linear interpolation: the
    average of the two middle values for an even count, as median_of_ranked.
-#}
{% macro running_median(value, partition_by, order_by) -%}
    {{ return(adapter.dispatch('running_median', 'customer_tiering')(value, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__running_median(value, partition_by, order_by) -%}
    quantile_cont({{ value }}, 0.5) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
    )
{%- endmacro %}

{% macro spark__running_median(value, partition_by, order_by) -%}
    percentile({{ value }}, 0.5) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
    )
{%- endmacro %}
