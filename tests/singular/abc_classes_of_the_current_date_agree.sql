{#-
    The ABC classes of int_customers_abc_classified (the current date, with the ranks and shares
    behind them) are those the history publishes for the current date
    (int_customers_abc_classified_by_as_of_date): both come from the macro abc_classified, one
    over the current purchasers, one over every as-of date's (D207). A failing row is a customer
    of one side that the other side does not have with the same classes, with the side it comes
    from.
-#}
with

current_model as (
    select
        customer_id,
        abc_class_revenue,
        abc_class_margin
    from {{ ref('int_customers_abc_classified') }}
),

history_current as (
    select
        classified.customer_id,
        classified.abc_class_revenue,
        classified.abc_class_margin
    from {{ ref('int_customers_abc_classified_by_as_of_date') }} as classified
    inner join {{ ref('int_as_of_date') }} as as_of
        on classified.as_of_date = as_of.as_of_date
),

only_in_current_model as (
    select * from current_model
    except
    select * from history_current
),

only_in_history as (
    select * from history_current
    except
    select * from current_model
),

final as (
    select
        'int_customers_abc_classified' as found_only_in,
        customer_id,
        abc_class_revenue,
        abc_class_margin
    from only_in_current_model
    union all
    select
        'int_customers_abc_classified_by_as_of_date' as found_only_in,
        customer_id,
        abc_class_revenue,
        abc_class_margin
    from only_in_history
)

select * from final
