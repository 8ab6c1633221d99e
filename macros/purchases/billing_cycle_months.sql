{#-
    The length of one period of a billing cycle in calendar months (month 1, quarter 3, year 12):
    the next due date, the nominal cycle length and the period windows of subscription_cohort
    are all counted in it. NULL for any other cycle (staging admits only these three).
-#}
{% macro billing_cycle_months(billing_cycle) -%}
    case {{ billing_cycle }}
        when 'month' then 1
        when 'quarter' then 3
        when 'year' then 12
    end
{%- endmacro %}
