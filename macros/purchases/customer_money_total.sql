{#-
    A customer's money total (monetary, margin) in the type the per-date tables carry:
    DECIMAL(var money_total_precision, 2), DECISIONLOG D200. At the default 18 digits a value
    takes eight bytes, and the sorts by money of every as-of date (the ABC ranks, the RFM
    monetary cuts) run faster on them than on DECIMAL(38, 2)'s sixteen. A total that does not fit
    stops the run with a message that names the var, instead of DuckDB's cast error or the NULL
    that Spark gives for a value out of range when it does not run in ANSI mode.
-#}
{% macro customer_money_total(expression, measure) -%}
    {%- set precision = var('money_total_precision') -%}
    {%- if precision is not number or precision != precision | int or precision < 18 or precision > 38 -%}
        {{ exceptions.raise_compiler_error(
            "var money_total_precision must be a whole number of digits from 18 to 38, got " ~ precision) }}
    {%- endif -%}
    {%- if precision == 38 -%}
        {#- the type the sums already have: nothing can be out of range after them #}
        cast({{ expression }} as decimal(38, 2))
    {%- else -%}
        case
            when abs({{ expression }}) >= 1{{ '0' * (precision - 2) }}
                then {{ raise_error(
                    "A customer's " ~ measure ~ " reaches 10^" ~ (precision - 2) ~ " or more in the reporting "
                    ~ "currency, more than var money_total_precision (" ~ precision ~ " digits, 2 of them after "
                    ~ "the point) holds. No tier was built. Look for an amount or an fx rate that is off by "
                    ~ "orders of magnitude; if such totals are real, set money_total_precision to 38 and "
                    ~ "build with --full-refresh, since the tables already built keep their type (DECISIONLOG D200)."
                ) }}
            else cast({{ expression }} as decimal({{ precision }}, 2))
        end
    {%- endif -%}
{%- endmacro %}
