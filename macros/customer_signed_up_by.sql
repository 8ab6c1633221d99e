{#-
    The customers of an as-of date: those who had signed up by it (doc block `as_of_date`). One
    rule for the current date (int_customers_as_of) and every date of the history
    (int_customers_by_as_of_date), which cannot read each other: the history's fingerprint reads
    the purchase days, which are computed for the current customers.
-#}
{% macro customer_signed_up_by(signed_up_date, as_of_date) -%}
    {{ as_of_date }} >= {{ customer_counted_from(signed_up_date) }}
{%- endmacro %}

{#-
    The first as-of date at which a customer counts, the same rule as a lower bound: a model that
    joins rows to the as-of dates by range (int_customers_purchases_aggregated_by_as_of_date,
    D197) takes the later of this and its own start.
-#}
{% macro customer_counted_from(signed_up_date) -%}
    {{ signed_up_date }}
{%- endmacro %}
