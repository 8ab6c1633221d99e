{#-
    The ABC class of a ranked row from its running total (including itself), its own value and
    the total over positive values. The share *before* the row decides, so the row that crosses
    a cut-off is in the higher class and class A always holds at least var abc_cutoff_a.
    Compared as amounts (running total − own value < cut-off × total), not as rounded shares.
    NULL value (no margin known): NULL class. Non-positive value: C.
-#}
{% macro abc_class(running_total, value, positive_total) -%}
    case
        when {{ value }} is null then null
        when {{ value }} <= 0 then 'C'
        when {{ running_total }} - {{ value }} < {{ var('abc_cutoff_a') }} * {{ positive_total }} then 'A'
        when {{ running_total }} - {{ value }} < {{ var('abc_cutoff_b') }} * {{ positive_total }} then 'B'
        else 'C'
    end
{%- endmacro %}

{#-
    Rank, cumulative share and ABC class by net revenue and by margin of the rows of `purchasers`
    (a relation or CTE name with customer_id, net_revenue and margin), each ranked among the rows
    with the same `partition_by` columns: a select. The one definition behind
    int_customers_abc_classified (the current date, every column) and
    int_customers_abc_classified_by_as_of_date (every as-of date, the classes only: the database
    leaves out what the caller does not select). Convention: doc block `abc_class`.
-#}
{% macro abc_classified(purchasers, partition_by=[]) -%}
{%- set partition_columns = partition_by | join(', ') -%}
{%- set partition = 'partition by ' ~ partition_columns if partition_by else '' -%}
select
    {%- for column in partition_by %}
    {{ column }},
    {%- endfor %}
    customer_id,
    net_revenue,
    revenue_rank,
    cast(revenue_running_total as {{ type_double() }}) / revenue_positive_total as revenue_cumulative_share,
    {{ abc_class('revenue_running_total', 'net_revenue', 'revenue_positive_total') }} as abc_class_revenue,
    margin,
    margin_rank,
    cast(margin_running_total as {{ type_double() }}) / margin_positive_total as margin_cumulative_share,
    {{ abc_class('margin_running_total', 'margin', 'margin_positive_total') }} as abc_class_margin,
    net_revenue <= 0 as has_non_positive_revenue,
    margin <= 0 as has_non_positive_margin
from (
    {#- A running total and a share exist for positive values only. -#}
    select
        {%- for column in partition_by %}
        {{ column }},
        {%- endfor %}
        customer_id,
        net_revenue,
        revenue_rank,
        case when net_revenue > 0 then revenue_running_total end as revenue_running_total,
        revenue_positive_total,
        margin,
        case when margin is not null then margin_row_number end as margin_rank,
        case when margin > 0 then margin_running_total end as margin_running_total,
        margin_positive_total
    from (
        {#-
            One sort per measure serves its rank and its running total: in descending order every
            positive value comes before the non-positive ones, so the running total of a positive
            row sums positive values only; NULL margins sort last and get no rank.
        -#}
        select
            {%- for column in partition_by %}
            {{ column }},
            {%- endfor %}
            customer_id,
            net_revenue,
            row_number() over (
                {{ partition }} order by net_revenue desc, customer_id asc
            ) as revenue_rank,
            sum(net_revenue) over (
                {{ partition }}
                order by net_revenue desc, customer_id asc
                rows between unbounded preceding and current row
            ) as revenue_running_total,
            sum(case when net_revenue > 0 then net_revenue end) over ({{ partition }}) as revenue_positive_total,
            margin,
            row_number() over (
                {{ partition }} order by margin desc nulls last, customer_id asc
            ) as margin_row_number,
            sum(margin) over (
                {{ partition }}
                order by margin desc nulls last, customer_id asc
                rows between unbounded preceding and current row
            ) as margin_running_total,
            sum(case when margin > 0 then margin end) over ({{ partition }}) as margin_positive_total
        from {{ purchasers }}
    ) as ranked
) as running_totals
{%- endmacro %}
