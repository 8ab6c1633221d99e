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
