{#-
    One row per customer of the run: recency, frequency and monetary, their 1-5 scores
    (5 = best) and the score cell. Method and fallbacks: doc block `rfm`.
-#}
{%- set method = var('rfm_method') -%}
{%- set frequency_method = var('rfm_frequency_method') -%}
{%- set fixed_cuts = var('rfm_frequency_fixed_cuts') -%}
{%- if method not in ('value_cuts', 'rank_bins') -%}
    {{ exceptions.raise_compiler_error("var rfm_method must be value_cuts or rank_bins, got " ~ method) }}
{%- endif -%}
{%- if frequency_method not in ('auto', 'quantile', 'fixed') -%}
    {{ exceptions.raise_compiler_error("var rfm_frequency_method must be auto, quantile or fixed, got " ~ frequency_method) }}
{%- endif -%}
{%- if fixed_cuts | length != 4 -%}
    {{ exceptions.raise_compiler_error("var rfm_frequency_fixed_cuts needs 4 values (the least frequency for scores 2-5)") }}
{%- endif -%}

with

customers as (
    select customer_id from {{ ref('int_customers_as_of') }}
),

purchasers as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        has_non_positive_revenue
    from {{ ref('int_customers_purchases_aggregated') }}
),

population as (
    select
        count(*) as scored_customers,
        count(case when not has_non_positive_revenue then 1 end) as paying_customers
    from purchasers
),

positions as (
    {#- How many customers have a strictly worse value (value_cuts) and the balanced bin (rank_bins). -#}
    select
        customer_id,
        rank() over (order by recency_days desc) - 1 as recency_worse_count,
        rank() over (order by frequency asc) - 1 as frequency_worse_count,
        case when not has_non_positive_revenue then
            rank() over (partition by has_non_positive_revenue order by monetary asc) - 1
        end as monetary_worse_count,
        ntile(5) over (order by recency_days desc, customer_id asc) as recency_bin,
        ntile(5) over (order by frequency asc, customer_id asc) as frequency_bin,
        case when not has_non_positive_revenue then
            ntile(5) over (partition by has_non_positive_revenue order by monetary asc, customer_id asc)
        end as monetary_bin
    from purchasers
),

scored_by_method as (
    select
        positions.customer_id,
        {%- if method == 'value_cuts' %}
        1 + cast(floor(5.0 * recency_worse_count / population.scored_customers) as {{ dbt.type_int() }})
            as r_score,
        1 + cast(floor(5.0 * frequency_worse_count / population.scored_customers) as {{ dbt.type_int() }})
            as f_score_computed,
        coalesce(
            1 + cast(floor(5.0 * monetary_worse_count / population.paying_customers) as {{ dbt.type_int() }}),
            1
        ) as m_score
        {%- else %}
        recency_bin as r_score,
        frequency_bin as f_score_computed,
        coalesce(monetary_bin, 1) as m_score
        {%- endif %}
    from positions
    cross join population
),

frequency_buckets as (
    select
        purchasers.customer_id,
        case
            when purchasers.frequency >= {{ fixed_cuts[3] }} then 5
            when purchasers.frequency >= {{ fixed_cuts[2] }} then 4
            when purchasers.frequency >= {{ fixed_cuts[1] }} then 3
            when purchasers.frequency >= {{ fixed_cuts[0] }} then 2
            else 1
        end as f_score_fixed
    from purchasers
),

frequency_bins_used as (
    select count(distinct f_score_computed) as filled_bins
    from scored_by_method
),

scores as (
    select
        scored_by_method.customer_id,
        scored_by_method.r_score,
        {%- if frequency_method == 'fixed' %}
        frequency_buckets.f_score_fixed as f_score,
        {%- elif frequency_method == 'auto' and method == 'value_cuts' %}
        case
            when frequency_bins_used.filled_bins < 5 then frequency_buckets.f_score_fixed
            else scored_by_method.f_score_computed
        end as f_score,
        {%- else %}
        scored_by_method.f_score_computed as f_score,
        {%- endif %}
        scored_by_method.m_score,
        {%- if frequency_method == 'fixed' %}
        'fixed_buckets' as f_score_method
        {%- elif frequency_method == 'auto' and method == 'value_cuts' %}
        case
            when frequency_bins_used.filled_bins < 5 then 'fixed_buckets'
            else 'value_cuts'
        end as f_score_method
        {%- else %}
        '{{ method }}' as f_score_method
        {%- endif %}
    from scored_by_method
    inner join frequency_buckets
        on scored_by_method.customer_id = frequency_buckets.customer_id
    cross join frequency_bins_used
),

final as (
    select
        customers.customer_id,
        purchasers.recency_days,
        purchasers.frequency,
        purchasers.monetary,
        case when population.scored_customers >= {{ var('rfm_min_customers') }} then scores.r_score end as r_score,
        case when population.scored_customers >= {{ var('rfm_min_customers') }} then scores.f_score end as f_score,
        case when population.scored_customers >= {{ var('rfm_min_customers') }} then scores.m_score end as m_score,
        case
            when population.scored_customers >= {{ var('rfm_min_customers') }} then
                {{ dbt.concat([
                    "cast(scores.r_score as " ~ dbt.type_string() ~ ")",
                    "cast(scores.f_score as " ~ dbt.type_string() ~ ")",
                    "cast(scores.m_score as " ~ dbt.type_string() ~ ")",
                ]) }}
        end as rfm_cell,
        case
            when purchasers.customer_id is null then 'prospect'
            when population.scored_customers < {{ var('rfm_min_customers') }} then 'population_too_small'
            else 'scored'
        end as rfm_status,
        case
            when population.scored_customers >= {{ var('rfm_min_customers') }} then scores.f_score_method
        end as f_score_method,
        coalesce(purchasers.has_non_positive_revenue, false) as has_non_positive_revenue
    from customers
    cross join population
    left join purchasers
        on customers.customer_id = purchasers.customer_id
    left join scores
        on customers.customer_id = scores.customer_id
)

select * from final
