{#-
    Each as-of date of int_customers_rfm_scored_by_as_of_date has as many rows as the date has
    customers (int_customers_by_as_of_date): with its key test (one row per date and customer),
    every customer of the date is there once, as a purchaser or as a prospect. The prospects are
    the customers before their first purchaser date (D204); a customer missing from both, or in
    both, shows here or in the key test. The history mart takes its rows from this model. A failing
    row is one as-of date with both counts.
-#}
with

scored_rows as (
    select
        as_of_date,
        count(*) as scored_rows
    from {{ ref('int_customers_rfm_scored_by_as_of_date') }}
    group by as_of_date
),

customer_rows as (
    select
        as_of_date,
        count(*) as customer_rows
    from {{ ref('int_customers_by_as_of_date') }}
    group by as_of_date
),

final as (
    select
        coalesce(scored_rows.as_of_date, customer_rows.as_of_date) as as_of_date,
        coalesce(scored_rows.scored_rows, 0) as scored_rows,
        coalesce(customer_rows.customer_rows, 0) as customer_rows
    from scored_rows
    full outer join customer_rows
        on scored_rows.as_of_date = customer_rows.as_of_date
    where coalesce(scored_rows.scored_rows, 0) <> coalesce(customer_rows.customer_rows, 0)
)

select * from final
