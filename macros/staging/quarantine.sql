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

{#- The raw columns as trimmed text (blank = NULL), one per line, for an import CTE. -#}
{% macro raw_text_columns(columns) -%}
    {%- for column in columns %}
        {{ clean_text(column) }} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The raw text columns passed through under a `raw_` prefix, for the quarantine. -#}
{% macro raw_text_passthrough(columns, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ "." if relation_alias else "" -%}
    {%- for column in columns %}
        {{ prefix }}{{ column }} as raw_{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    Two window columns over checked rows: `hash_occurrence` numbers identical raw rows apart,
    and `load_rank` orders the valid rows of one natural key, latest load first (ties by the
    row hash, so the winner is deterministic). Expects columns row_hash, invalid_reason and
    loaded_at_utc.
-#}
{% macro duplicate_ranking(natural_key) -%}
    row_number() over (partition by row_hash order by row_hash) as hash_occurrence,
        case
            when invalid_reason is null
                then row_number() over (
                    partition by {{ natural_key | join(', ') }}, invalid_reason is null
                    order by loaded_at_utc desc nulls last, row_hash desc
                )
        end as load_rank
{%- endmacro %}

{#- The stable key of a raw row, from the columns duplicate_ranking adds. -#}
{% macro raw_row_key(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ "." if relation_alias else "" -%}
    {{ prefix }}row_hash || '-' || cast({{ prefix }}hash_occurrence as {{ dbt.type_string() }})
{%- endmacro %}

{#- The final reject reason: the first failed check, else `duplicate` for a superseded valid row. -#}
{% macro final_reject_reason(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ "." if relation_alias else "" -%}
    coalesce({{ prefix }}invalid_reason, case when {{ prefix }}load_rank > 1 then 'duplicate' end)
{%- endmacro %}
