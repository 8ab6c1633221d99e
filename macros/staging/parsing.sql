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

{#-
    A UTC timestamp, or NULL when the text is not a valid date or timestamp. A value with a UTC
    offset or a zone name (`2024-05-01T20:00:00+08:00`, `... Z`, `... Asia/Shanghai`) is read as
    the instant it names; a value without one is UTC (docs/raw-data-contract.md, DECISIONLOG D71).
    Spark's try_cast already does both (its session zone is pinned to UTC in profiles.yml).
-#}
{% macro parse_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'customer_tiering')(text_expression)) }}
{%- endmacro %}

{% macro default__parse_timestamp(text_expression) -%}
    {{ dbt.safe_cast(text_expression, api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{#-
    DuckDB's cast to timestamp accepts text it then misreads: it drops an offset (20:00+08 becomes
    20:00) and ignores a trailing AM or PM (08:00 PM becomes 08:00). So the text picks its cast by
    its form (DECISIONLOG D193), and text of no known form is NULL (quarantined as unparseable):
    - `YYYY-MM-DD HH:MM:SS` (recognised by a LIKE pattern, not a regular expression: the common
      form costs about what a plain cast costs) or a date with an optional time of day without
      anything after it, or `infinity` (which the plausibility check then rejects, D70): the plain
      cast;
    - a time of day followed by an offset (`+08`, `+0800`, `-05:00`), `Z`, `UTC`, `GMT` or a zone
      named Area/Location (`Asia/Shanghai`): cast to timestamptz and converted to UTC. A zone
      abbreviation is not such a form: `CST` is China, US Central or Cuba time, and DuckDB reads
      it as US Central; nor is a time followed by `AM`, `PM` or `BC`: such text is NULL too.
-#}
{% macro duckdb__parse_timestamp(text_expression) -%}
    case
        when {{ text_expression }} like '____-__-__ __:__:__'
            then try_cast({{ text_expression }} as timestamp)
        when lower(trim({{ text_expression }})) in ('infinity', '-infinity')
            then try_cast({{ text_expression }} as timestamp)
        when regexp_full_match(
                {{ text_expression }}, '\s*\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d\d(:\d\d(\.\d+)?)?)?\s*'
            )
            then try_cast({{ text_expression }} as timestamp)
        when regexp_matches(
                {{ text_expression }}, '\d:\d\d(\.\d+)?\s*([+-]\d\d(:?\d\d)?|Z|UTC|GMT|[A-Za-z]+/[A-Za-z0-9_/+-]+)\s*$'
            )
            then try_cast({{ text_expression }} as timestamptz) at time zone 'UTC'
    end
{%- endmacro %}

{#-
    Spark's cast reads a zone abbreviation as Java's short zone id (`CST` as US Central, 14 hours
    off for a Chinese export) and cannot read a zone after a time without seconds (`20:00+08`) or
    an offset written `+0800`: the same forms as on DuckDB are admitted (D193), a time without
    seconds before a zone gets `:00` and `+0800` becomes `+08:00`, and text of no known form is
    NULL. Character classes, no backslash: Spark's string literals unescape it.
-#}
{% macro spark__parse_timestamp(text_expression) -%}
    case
        when {{ text_expression }} like '____-__-__ __:__:__'
            then try_cast({{ text_expression }} as timestamp)
        when {{ text_expression }} rlike
            '^[ ]*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9][0-9](:[0-9][0-9]([.][0-9]+)?)?)?[ ]*$'
            then try_cast({{ text_expression }} as timestamp)
        when {{ text_expression }} rlike
            '[0-9]:[0-9][0-9]([.][0-9]+)?[ ]*([+-][0-9][0-9](:?[0-9][0-9])?|Z|UTC|GMT|[A-Za-z]+/[A-Za-z0-9_/+-]+)[ ]*$'
            then try_cast(
                regexp_replace(
                    regexp_replace(
                        trim({{ text_expression }}),
                        '([ T][0-9]{1,2}:[0-9][0-9])([ ]*([+-]|Z|UTC|GMT|[A-Za-z]+/))', '$1:00$2'
                    ),
                    '([+-][0-9][0-9])([0-9][0-9])$', '$1:$2'
                ) as timestamp
            )
    end
{%- endmacro %}

{#-
    True when a parsed timestamp lies outside the plausible window (reason `implausible_date`,
    DECISIONLOG D70): before var `plausible_date_min`, or, with `upper_bound` true, after the
    latest plausible moment (plausible_timestamp_max). NULL-safe: a NULL timestamp is never
    implausible (missing and unparseable values have their own reasons).
-#}
{% macro implausible_timestamp(parsed_expression, upper_bound=true) -%}
    ({{ parsed_expression }} < {{ plausible_timestamp_min() }}
    {%- if upper_bound %} or {{ parsed_expression }} > {{ plausible_timestamp_max() }}{% endif -%})
{%- endmacro %}

{#- The earliest plausible moment, as a SQL timestamp literal: midnight UTC of var plausible_date_min. -#}
{% macro plausible_timestamp_min() -%}
    {%- set given = var('plausible_date_min') | string | trim -%}
    {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', given) -%}
        {{ exceptions.raise_compiler_error("var plausible_date_min must be a date written YYYY-MM-DD, got '" ~ given ~ "'") }}
    {%- endif -%}
    cast('{{ given }} 00:00:00' as {{ api.Column.translate_type('timestamp') }})
{%- endmacro %}

{#-
    The latest plausible moment, as a SQL timestamp literal: midnight UTC of var
    plausible_date_max when it is set, else the moment this dbt invocation started (UTC) plus
    var plausible_date_max_lead_days. Nothing can have happened after the build that loads it.
-#}
{% macro plausible_timestamp_max() -%}
    {%- set given = var('plausible_date_max') -%}
    {%- if given -%}
        {%- set given = given | string | trim -%}
        {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', given) -%}
            {{ exceptions.raise_compiler_error("var plausible_date_max must be a date written YYYY-MM-DD or null, got '" ~ given ~ "'") }}
        {%- endif -%}
        {%- set latest = given ~ ' 00:00:00' -%}
    {%- else -%}
        {%- set lead = modules.datetime.timedelta(days=var('plausible_date_max_lead_days') | int) -%}
        {%- set latest = (run_started_at + lead).strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- endif -%}
    cast('{{ latest }}' as {{ api.Column.translate_type('timestamp') }})
{%- endmacro %}

{#- A decimal amount, or NULL when the text is not a number. -#}
{% macro parse_decimal(text_expression) -%}
    {{ dbt.safe_cast(text_expression, dbt.type_numeric()) }}
{%- endmacro %}

{#- True when a value was given but did not parse. -#}
{% macro given_but_unparsed(text_expression, parsed_expression) -%}
    ({{ text_expression }} is not null and {{ parsed_expression }} is null)
{%- endmacro %}
