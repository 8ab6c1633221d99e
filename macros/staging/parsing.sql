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

{#- A decimal amount, or NULL when the text is not a number. -#}
{% macro parse_decimal(text_expression) -%}
    {{ dbt.safe_cast(text_expression, dbt.type_numeric()) }}
{%- endmacro %}

{#- True when a value was given but did not parse. -#}
{% macro given_but_unparsed(text_expression, parsed_expression) -%}
    ({{ text_expression }} is not null and {{ parsed_expression }} is null)
{%- endmacro %}
