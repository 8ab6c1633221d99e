{#-
    The RFM audit: one row per dimension (recency, frequency, monetary) and score 1-5, with the
    method that produced it, how many customers fell in the bin and the range of their values.
    Empty bins are rows too (customers = 0), so a degenerate dimension is visible.
-#}
with

scored as (
    select
        r_score,
        f_score,
        m_score,
        f_score_method,
        recency_days,
        frequency,
        monetary
    from {{ ref('int_customers_rfm_scored') }}
    where rfm_status = 'scored'
),

score_spine as (
    {%- for score in range(1, 6) %}
    select {{ score }} as score{{ " union all" if not loop.last }}
    {%- endfor %}
),

dimension_spine as (
    select 'recency' as dimension, '{{ var("rfm_method") }}' as method
    union all
    select 'frequency' as dimension, coalesce(max(f_score_method), '{{ var("rfm_method") }}') as method
    from scored
    union all
    select 'monetary' as dimension, '{{ var("rfm_method") }}' as method
),

customer_values as (
    select 'recency' as dimension, r_score as score, cast(recency_days as {{ dbt.type_numeric() }}) as value
    from scored
    union all
    select 'frequency' as dimension, f_score as score, cast(frequency as {{ dbt.type_numeric() }}) as value
    from scored
    union all
    select 'monetary' as dimension, m_score as score, cast(monetary as {{ dbt.type_numeric() }}) as value
    from scored
),

bins as (
    select
        dimension,
        score,
        count(*) as customers,
        min(value) as min_value,
        max(value) as max_value
    from customer_values
    group by dimension, score
),

cells as (
    select
        dimension_spine.dimension,
        score_spine.score,
        dimension_spine.method,
        coalesce(bins.customers, 0) as customers,
        bins.min_value,
        bins.max_value
    from dimension_spine
    cross join score_spine
    left join bins
        on
            dimension_spine.dimension = bins.dimension
            and score_spine.score = bins.score
),

final as (
    select
        dimension,
        score,
        method,
        customers,
        min_value,
        max_value,
        customers = 0 as is_empty,
        sum(case when customers = 0 then 1 else 0 end) over (partition by dimension) as empty_bins_in_dimension,
        sum(customers) over (partition by dimension) as population
    from cells
)

select * from final
