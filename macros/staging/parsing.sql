{#-
    Parsing helpers for raw text columns. Raw values arrive as text; a value that does not
    parse becomes NULL here and the row is quarantined by the caller with a reason code.
-#}

{#- Trimmed text, with the empty string read as missing. -#}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Trimmed, lower-cased enumeration value. -#}
{% macro clean_enum(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{#- A UTC timestamp, or NULL when the text is not a valid date or timestamp. -#}
{% macro parse_timestamp(text_expression) -%}
    {{ dbt.safe_cast(text_expression, api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{#-
    The decimal type of parsed raw numbers and exchange rates: six decimals, up to
    999,999,999,999.999999. 18 digits fit a 64-bit integer, so DuckDB parses, compares and
    multiplies them without 128-bit arithmetic (DECISIONLOG D58). A larger value does not parse.
-#}
{% macro type_raw_decimal() -%}
    decimal(18, 6)
{%- endmacro %}

{#- A decimal amount, or NULL when the text is not a number (or is beyond type_raw_decimal). -#}
{% macro parse_decimal(text_expression) -%}
    {{ dbt.safe_cast(text_expression, type_raw_decimal()) }}
{%- endmacro %}

{#-
    An amount in a local currency converted at a rate to the reporting currency, rounded to
    cents, as decimal(18, 2) (up to 9,999,999,999,999,999.99). A product beyond that fails the
    cast instead of being stored wrong (DECISIONLOG D58).
-#}
{% macro to_reporting_amount(local_amount, rate) -%}
    cast(round({{ local_amount }} * {{ rate }}, 2) as decimal(18, 2))
{%- endmacro %}

{#- True when a value was given but did not parse. -#}
{% macro given_but_unparsed(text_expression, parsed_expression) -%}
    ({{ text_expression }} is not null and {{ parsed_expression }} is null)
{%- endmacro %}
