{#-
    Building blocks of the quarantine ("nothing is lost"): every raw row gets a stable key
    and either no reject reason (it is clean) or the first reason that applies.
-#}

{#-
    A stable identifier for a raw row: a hash of all its text values plus the row's
    occurrence number among rows with the very same values, so exact copies stay apart.
-#}
{% macro raw_row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(" ~ column ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#-
    The first reason that applies, in the order given: `checks` is a list of
    (condition, reason code) pairs. NULL when none applies.
-#}
{% macro first_reject_reason(checks) -%}
    case
        {%- for condition, reason in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}
