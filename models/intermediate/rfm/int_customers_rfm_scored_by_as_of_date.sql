{#-
    One row per as-of date (int_as_of_dates) and customer of that date: recency, frequency and
    monetary, their 1-5 scores (5 = best) and the score cell, every cut taken among the customers
    of the same as-of date. Method and fallbacks: doc block `rfm`. int_customers_rfm_scored is
    the current date.
    Both methods are written out; the vars pick one, so the choice is visible in the SQL.
-#}
{{ config(
    materialized=history_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ forget_stale_history_dates() }}",
) }}
{%- set method = var('rfm_method') -%}
{%- set frequency_method = var('rfm_frequency_method') -%}
{%- set fixed_cuts = var('rfm_frequency_fixed_cuts') -%}
{%- if method not in ('value_cuts', 'rank_bins') -%}
    {{ exceptions.raise_compiler_error("var rfm_method must be value_cuts or rank_bins, got " ~ method) }}
{%- endif -%}
{%- if frequency_method not in ('auto', 'quantile', 'fixed') -%}
    {{ exceptions.raise_compiler_error("var rfm_frequency_method must be auto, quantile or fixed, got "
                                       ~ frequency_method) }}
{%- endif -%}
{%- if fixed_cuts | length != 4 -%}
    {{ exceptions.raise_compiler_error("var rfm_frequency_fixed_cuts needs 4 values (least frequency for scores 2-5)") }}
{%- endif -%}

with

dates_to_compute as (
    {{ history_dates_to_compute() | indent(4) }}
),

customers as (
    select
        as_of_date,
        customer_id
    from {{ ref('int_customers_by_as_of_date') }}
    {{ history_dates_filter() }}
),

purchasers as {{ not_materialized() }} (
    select
        as_of_date,
        customer_id,
        recency_days,
        frequency,
        monetary,
        has_non_positive_revenue
    from {{ ref('int_customers_purchases_aggregated_by_as_of_date') }}
    {{ history_dates_filter() }}
),

population as (
    select
        as_of_date,
        count(*) as scored_customers,
        count(case when not has_non_positive_revenue then 1 end) as paying_customers
    from purchasers
    group by as_of_date
),

recency_values as (
    select
        as_of_date,
        recency_days,
        count(*) as customers
    from purchasers
    group by as_of_date, recency_days
),

recency_values_positioned as (
    {#- Recency and frequency take few distinct values (tens of thousands in 19 million rows at
        10^7 orders): the customers with a strictly worse value are counted once per value, not
        ranked row by row (D189). Monetary values are mostly distinct, so they are ranked. -#}
    select
        as_of_date,
        recency_days,
        coalesce(sum(customers) over (
            partition by as_of_date
            order by recency_days desc
            rows between unbounded preceding and 1 preceding
        ), 0) as recency_worse_count
    from recency_values
),

frequency_values as (
    select
        as_of_date,
        frequency,
        count(*) as customers
    from purchasers
    group by as_of_date, frequency
),

frequency_values_positioned as (
    select
        as_of_date,
        frequency,
        coalesce(sum(customers) over (
            partition by as_of_date
            order by frequency asc
            rows between unbounded preceding and 1 preceding
        ), 0) as frequency_worse_count
    from frequency_values
),

frequency_value_cuts as (
    {#- The frequency score by value cuts, once per distinct frequency: the rows take it from here,
        and the filled bins that choose the frequency method are counted here, so the 19 million
        scored rows (at 10^7 orders) are not held for a second reading (D204). -#}
    select
        frequency_values_positioned.as_of_date,
        frequency_values_positioned.frequency,
        frequency_values_positioned.frequency_worse_count,
        1 + cast(
            floor(5.0 * frequency_values_positioned.frequency_worse_count / population.scored_customers)
            as {{ dbt.type_int() }}
        ) as f_value_cut
    from frequency_values_positioned
    inner join population
        on frequency_values_positioned.as_of_date = population.as_of_date
),

positions as (
    {#- How many customers have a strictly worse value (value_cuts; for frequency its cut already),
        the balanced bin (rank_bins) and the fixed frequency bucket, with the values they rank. -#}
    select
        purchasers.as_of_date,
        purchasers.customer_id,
        purchasers.recency_days,
        purchasers.frequency,
        purchasers.monetary,
        purchasers.has_non_positive_revenue,
        recency_values_positioned.recency_worse_count,
        frequency_value_cuts.f_value_cut,
        case
            when not purchasers.has_non_positive_revenue
                then rank() over (
                        partition by purchasers.as_of_date, purchasers.has_non_positive_revenue
                        order by purchasers.monetary asc
                    ) - 1
        end as monetary_worse_count,
        ntile(5) over (
            partition by purchasers.as_of_date
            order by purchasers.recency_days desc, purchasers.customer_id asc
        ) as recency_bin,
        ntile(5) over (
            partition by purchasers.as_of_date
            order by purchasers.frequency asc, purchasers.customer_id asc
        ) as frequency_bin,
        case
            when not purchasers.has_non_positive_revenue
                then ntile(5) over (
                        partition by purchasers.as_of_date, purchasers.has_non_positive_revenue
                        order by purchasers.monetary asc, purchasers.customer_id asc
                    )
        end as monetary_bin,
        case
            when purchasers.frequency >= {{ fixed_cuts[3] }} then 5
            when purchasers.frequency >= {{ fixed_cuts[2] }} then 4
            when purchasers.frequency >= {{ fixed_cuts[1] }} then 3
            when purchasers.frequency >= {{ fixed_cuts[0] }} then 2
            else 1
        end as f_fixed_bucket
    from purchasers
    inner join recency_values_positioned
        on
            purchasers.as_of_date = recency_values_positioned.as_of_date
            and purchasers.recency_days = recency_values_positioned.recency_days
    inner join frequency_value_cuts
        on
            purchasers.as_of_date = frequency_value_cuts.as_of_date
            and purchasers.frequency = frequency_value_cuts.frequency
),

scored_both_ways as (
    {#- Both methods are written out; the vars pick one (scores), and the database computes only
        the windows the chosen one reads. -#}
    select
        positions.as_of_date,
        positions.customer_id,
        positions.recency_days,
        positions.frequency,
        positions.monetary,
        positions.has_non_positive_revenue,
        positions.f_fixed_bucket,
        population.scored_customers,
        positions.recency_bin as r_rank_bin,
        positions.frequency_bin as f_rank_bin,
        coalesce(positions.monetary_bin, 1) as m_rank_bin,
        1 + cast(floor(5.0 * positions.recency_worse_count / population.scored_customers) as {{ dbt.type_int() }})
            as r_value_cut,
        positions.f_value_cut,
        coalesce(
            1 + cast(
                floor(5.0 * positions.monetary_worse_count / population.paying_customers) as {{ dbt.type_int() }}
            ),
            1
        ) as m_value_cut
    from positions
    inner join population
        on positions.as_of_date = population.as_of_date
),

frequency_value_cuts_filled as (
    select
        as_of_date,
        count(distinct f_value_cut) as filled_bins
    from frequency_value_cuts
    group by as_of_date
),

frequency_method_chosen as (
    select
        as_of_date,
        case
            when '{{ frequency_method }}' = 'fixed' then 'fixed_buckets'
            when
                '{{ frequency_method }}' = 'auto' and '{{ method }}' = 'value_cuts' and filled_bins < 5
                then 'fixed_buckets'
            else '{{ method }}'
        end as f_score_method
    from frequency_value_cuts_filled
),

scores as (
    {#- f_score_method is fixed_buckets or the method itself. -#}
    select
        scored_both_ways.as_of_date,
        scored_both_ways.customer_id,
        scored_both_ways.recency_days,
        scored_both_ways.frequency,
        scored_both_ways.monetary,
        scored_both_ways.has_non_positive_revenue,
        scored_both_ways.scored_customers,
        scored_both_ways.{{ 'r_value_cut' if method == 'value_cuts' else 'r_rank_bin' }} as r_score,
        case
            when frequency_method_chosen.f_score_method = 'fixed_buckets' then scored_both_ways.f_fixed_bucket
            else scored_both_ways.{{ 'f_value_cut' if method == 'value_cuts' else 'f_rank_bin' }}
        end as f_score,
        scored_both_ways.{{ 'm_value_cut' if method == 'value_cuts' else 'm_rank_bin' }} as m_score,
        frequency_method_chosen.f_score_method
    from scored_both_ways
    inner join frequency_method_chosen
        on scored_both_ways.as_of_date = frequency_method_chosen.as_of_date
),

scores_gated as (
    {#- Below the minimum population nobody gets a score: quintiles of a handful are noise. -#}
    select
        as_of_date,
        customer_id,
        recency_days,
        frequency,
        monetary,
        has_non_positive_revenue,
        scored_customers >= {{ var('rfm_min_customers') }} as is_scored,
        case when scored_customers >= {{ var('rfm_min_customers') }} then r_score end as r_score,
        case when scored_customers >= {{ var('rfm_min_customers') }} then f_score end as f_score,
        case when scored_customers >= {{ var('rfm_min_customers') }} then m_score end as m_score,
        case when scored_customers >= {{ var('rfm_min_customers') }} then f_score_method end as f_score_method
    from scores
),

first_purchaser_dates as (
    {#- The first as-of date (of those computed) at which each customer is a purchaser. -#}
    select
        customer_id,
        min(as_of_date) as first_purchaser_date
    from purchasers
    group by customer_id
),

prospects as (
    {#- The customers of a date without a purchase by it. The purchasers are customers of their
        date by construction (int_customers_purchases_aggregated_by_as_of_date), so the scored rows
        and these make every customer of the date, and no join has to hold the scored rows' wide
        columns in memory (D196). A purchase on or before a date is on or before every later date,
        so a customer is a purchaser from their first purchaser date on: the customers of a date
        are matched against one row per customer, not against the purchasers of every date (D204). -#}
    select
        customers.as_of_date,
        customers.customer_id
    from customers
    left join first_purchaser_dates
        on customers.customer_id = first_purchaser_dates.customer_id
    where
        first_purchaser_dates.first_purchaser_date is null
        or customers.as_of_date < first_purchaser_dates.first_purchaser_date
),

computed as (
    select
        scores_gated.as_of_date,
        scores_gated.customer_id,
        scores_gated.recency_days,
        scores_gated.frequency,
        scores_gated.monetary,
        cast(scores_gated.r_score as {{ dbt.type_int() }}) as r_score,
        cast(scores_gated.f_score as {{ dbt.type_int() }}) as f_score,
        cast(scores_gated.m_score as {{ dbt.type_int() }}) as m_score,
        {{ dbt.concat([
            "cast(scores_gated.r_score as " ~ dbt.type_string() ~ ")",
            "cast(scores_gated.f_score as " ~ dbt.type_string() ~ ")",
            "cast(scores_gated.m_score as " ~ dbt.type_string() ~ ")",
        ]) }} as rfm_cell,
        case when scores_gated.is_scored then 'scored' else 'population_too_small' end as rfm_status,
        scores_gated.f_score_method,
        coalesce(scores_gated.has_non_positive_revenue, false) as has_non_positive_revenue
    from scores_gated
    union all
    select
        prospects.as_of_date,
        prospects.customer_id,
        null as recency_days,
        null as frequency,
        null as monetary,
        null as r_score,
        null as f_score,
        null as m_score,
        null as rfm_cell,
        'prospect' as rfm_status,
        null as f_score_method,
        false as has_non_positive_revenue
    from prospects
),

fingerprints as (
    {{ history_fingerprints_checked([
        'int_customers_by_as_of_date',
        'int_customers_purchases_aggregated_by_as_of_date',
    ]) | indent(4) }}
),

final as (
    select
        computed.*,
        fingerprints.inputs_fingerprint,
        {{ history_computed_at() }} as computed_at
    from computed
    inner join fingerprints
        on computed.as_of_date = fingerprints.as_of_date
)

select * from final
