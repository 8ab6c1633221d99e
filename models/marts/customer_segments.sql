{#-
    One row per customer of the run (prospects included) as of the as-of date: every layer
    signal in one place, for BI and CRM. Definitions: the doc blocks named in the YAML.
-#}
with

customers as (
    select * from {{ ref('int_customers_as_of') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

history as (
    select * from {{ ref('customer_segment_history') }}
),

{# The seed as it is: reference seeds need no staging model (DECISIONLOG D171). #}
segments as (
    select
        segment_code,
        label_en,
        label_zh,
        suggested_action
    from {{ ref('rfm_segments') }}
),

cadence as (
    select
        customer_id,
        cadence_class,
        subscription_state
    from {{ ref('int_customers_renewal_cadence') }}
),

satisfaction as (
    select
        customer_id,
        satisfaction_tier
    from {{ ref('int_customers_satisfaction_scored') }}
),

behaviour as (
    select
        customer_id,
        behaviour_class
    from {{ ref('int_customers_purchase_behaviour') }}
),

rfm_segmented as (
    {#- The current as-of date's rows of the history: one definition, published twice. -#}
    select history.*
    from history
    inner join as_of
        on history.as_of_date = as_of.as_of_date
),

joined as (
    select
        customers.customer_id,
        as_of.as_of_date,
        customers.region,
        customers.customer_type,
        customers.acquisition_channel,
        customers.signed_up_date,
        rfm_segmented.recency_days,
        rfm_segmented.frequency,
        {#- published as DECIMAL(38, 2) whatever the per-date tables carry (D200) #}
        cast(rfm_segmented.monetary as decimal(38, 2)) as monetary,
        rfm_segmented.r_score,
        rfm_segmented.f_score,
        rfm_segmented.m_score,
        rfm_segmented.rfm_cell,
        rfm_segmented.rfm_status,
        rfm_segmented.segment_code,
        segments.label_en as segment_label_en,
        segments.label_zh as segment_label_zh,
        segments.suggested_action,
        rfm_segmented.value_tier,
        rfm_segmented.value_level,
        rfm_segmented.abc_class_revenue,
        rfm_segmented.abc_class_margin,
        coalesce(cadence.cadence_class, 'no_subscription') as cadence_class,
        coalesce(cadence.subscription_state, 'none') as subscription_state,
        coalesce(satisfaction.satisfaction_tier, 'unknown') as satisfaction_tier,
        coalesce(behaviour.behaviour_class, 'no_orders') as behaviour_class,
        rfm_segmented.has_non_positive_revenue,
        rfm_segmented.previous_as_of_date,
        rfm_segmented.previous_segment_code,
        rfm_segmented.previous_value_tier,
        rfm_segmented.previous_stage,
        rfm_segmented.value_tier_movement
    from customers
    cross join as_of
    inner join rfm_segmented
        on customers.customer_id = rfm_segmented.customer_id
    left join segments
        on rfm_segmented.segment_code = segments.segment_code
    left join cadence
        on customers.customer_id = cadence.customer_id
    left join satisfaction
        on customers.customer_id = satisfaction.customer_id
    left join behaviour
        on customers.customer_id = behaviour.customer_id
),

final as (
    select
        *,
        case
            when abc_class_revenue = 'A' then 'dedicated_account_manager'
            when abc_class_revenue = 'B' then 'standard'
            when value_tier in ('vip', 'active') then 'standard'
            else 'automated'
        end as service_level
    from joined
)

select * from final
