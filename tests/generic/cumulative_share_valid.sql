{#-
    cumulative_share_valid: the non-null cumulative shares in `column_name`, read in the order
    of `order_by` (a SQL expression list such as "revenue_rank"; the share itself breaks any
    remaining tie), never decrease, stay within [0, 1 + tolerance] and end at 1 within tolerance.

    A failing row is one share with the problem found: 'share below 0', 'share above 1',
    'share decreases' (lower than the previous share by more than the tolerance) or
    'last share is not 1'. Its position in the order and the previous share are shown.
-#}
{% test cumulative_share_valid(model, column_name, order_by, tolerance=0.000001) %}

with

shares as (
    select
        {{ column_name }} as share,
        row_number() over (order by {{ order_by }}, {{ column_name }}) as share_position,
        count(*) over () as share_count
    from {{ model }}
    where {{ column_name }} is not null
),

shares_with_previous as (
    select
        share_position,
        share_count,
        share,
        lag(share) over (order by share_position) as previous_share
    from shares
),

checked as (
    select
        share_position,
        share,
        previous_share,
        case
            when share < 0 then 'share below 0'
            when share > 1 + {{ tolerance }} then 'share above 1'
            when share < previous_share - {{ tolerance }} then 'share decreases'
            when share_position = share_count and abs(share - 1) > {{ tolerance }}
                then 'last share is not 1'
        end as problem
    from shares_with_previous
),

final as (
    select
        problem,
        share_position,
        share,
        previous_share
    from checked
    where problem is not null
)

select * from final

{% endtest %}
