{#-
    The calendar date in the business timezone (var `business_timezone`) of a UTC timestamp.
    Engines spell timezone conversion differently, so this dispatches per adapter.
-#}
{% macro to_business_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_business_date', 'customer_tiering')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_business_date(utc_timestamp) -%}
    cast(timezone('{{ var("business_timezone") }}', {{ utc_timestamp }} at time zone 'UTC') as date)
{%- endmacro %}

{% macro spark__to_business_date(utc_timestamp) -%}
    to_date(from_utc_timestamp({{ utc_timestamp }}, '{{ var("business_timezone") }}'))
{%- endmacro %}

{#-
    The business date of a raw timestamp text and its parsed UTC value. A value written as a
    date alone (no time of day, so no `:`) already is a calendar date and keeps it, whatever
    var business_timezone is: `2024-05-01` is 1 May in New York too, not the evening of 30 April
    (DECISIONLOG D71). A value with a time of day is an instant, converted with to_business_date.
-#}
{% macro business_date(text_expression, utc_timestamp) -%}
    case
        when {{ text_expression }} not like '%:%'
            then cast({{ utc_timestamp }} as date)
        else {{ to_business_date(utc_timestamp) }}
    end
{%- endmacro %}
