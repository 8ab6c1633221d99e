{#-
    class_holds_share: the rows whose `column_name` equals `class_value` hold at least
    `min_share` of the total of `amount_column`, both sums taken over rows with a positive
    amount (ABC class A holds at least the A cut-off of revenue). `min_share` is a number, for
    example a rendered var: "{{ var('abc_cutoff_a') }}". When no row has a positive amount there
    is nothing to hold and the test passes.

    A failing row is the single summary of a class that holds too little: its amount, the
    total, its share and the required minimum share.
-#}
{% test class_holds_share(model, column_name, class_value, amount_column, min_share) %}
{%- set class_literal = dbt.string_literal(class_value) if class_value is string else class_value -%}

with

positive_amounts as (
    select
        {{ column_name }} as amount_class,
        {{ amount_column }} as amount
    from {{ model }}
    where {{ amount_column }} > 0
),

totals as (
    select
        sum(case when amount_class = {{ class_literal }} then amount else 0 end) as class_amount,
        sum(amount) as total_amount
    from positive_amounts
),

final as (
    select
        class_amount,
        total_amount,
        class_amount / total_amount as class_share,
        {{ min_share }} as min_share
    from totals
    where total_amount > 0
        and class_amount < {{ min_share }} * total_amount
)

select * from final

{% endtest %}
