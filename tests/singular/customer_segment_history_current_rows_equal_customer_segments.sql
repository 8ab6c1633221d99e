{#-
    The rows of the run's as-of date in customer_segment_history are customer_segments (and the
    stage of lifecycle_stage), column for column: one definition, published twice. A failing
    row is a row of one side that the other side does not have, with the side it comes from.
-#}
{%- set columns = [
    'as_of_date', 'customer_id', 'recency_days', 'frequency', 'monetary', 'r_score', 'f_score',
    'm_score', 'rfm_cell', 'rfm_status', 'segment_code', 'value_tier', 'value_level',
    'abc_class_revenue', 'abc_class_margin', 'has_non_positive_revenue', 'previous_as_of_date',
    'previous_segment_code', 'previous_value_tier', 'previous_stage', 'value_tier_movement',
] -%}

with

history_current as (
    select
        {{ columns | join(', ') }},
        stage
    from {{ ref('customer_segment_history') }}
    where is_current
),

published as (
    select
        {%- for column in columns %}
        customer_segments.{{ column }},
        {%- endfor %}
        lifecycle_stage.stage
    from {{ ref('customer_segments') }} as customer_segments
    inner join {{ ref('lifecycle_stage') }} as lifecycle_stage
        on customer_segments.customer_id = lifecycle_stage.customer_id
),

only_in_history as (
    select * from history_current
    except
    select * from published
),

only_in_customer_segments as (
    select * from published
    except
    select * from history_current
),

final as (
    select
        'customer_segment_history' as found_only_in,
        {{ columns | join(', ') }},
        stage
    from only_in_history
    union all
    select
        'customer_segments' as found_only_in,
        {{ columns | join(', ') }},
        stage
    from only_in_customer_segments
)

select * from final
