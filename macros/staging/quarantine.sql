{#-
    Building blocks of the quarantine ("nothing is lost"): every raw row gets a stable key
    and either no reject reason (it is clean) or the first reason that applies.
-#}

{#-
    A stable identifier for a raw row: a hash of all its text values plus the row's
    occurrence number among rows with the very same values, so exact copies stay apart.
    concat_ws over non-NULL parts gives the same text as chaining `||` (hence the same md5)
    at half the cost on DuckDB; both DuckDB and Spark have it.
-#}
{% macro raw_row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ column ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash("concat_ws('|', " ~ parts | join(', ') ~ ")") }}
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

{#-
    The raw text columns passed through under a `raw_` prefix, for the quarantine: kept on
    rejected rows only: a clean row is the parsed row itself, and writing every clean row's
    text a second time was one of the largest costs at 10^7 orders (DECISIONLOG D55).
    Expects a column reject_reason.
-#}
{% macro raw_text_passthrough(columns, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ "." if relation_alias else "" -%}
    {%- for column in columns %}
        case when {{ prefix }}reject_reason is not null then {{ prefix }}{{ column }} end
            as raw_{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    Deduplication, in two parts (DECISIONLOG D55). Almost every raw row has a natural key
    that occurs once in the file: it cannot be a duplicate or an exact copy, so it needs no
    ranking. Only the rows whose key occurs more than once (or is missing) are ranked, with a
    window over those few rows instead of a sort of every row.

    natural_key_counts: the natural keys that more than one raw row shares, with how many, from
    one narrow pass over the raw relation. `keys` lists the key expressions over the raw text
    (the same expressions the model's natural key is parsed with), written over the alias
    `raw_rows`; they are named key_1, key_2, ... Only the shared keys are kept, so the two
    parts below join a small table instead of one row per key.
-#}
{% macro natural_key_counts(entity, keys) -%}
    select
        {%- for expression in keys %}
        {{ expression }} as key_{{ loop.index }},
        {%- endfor %}
        count(*) as key_rows
    from {{ raw_relation(entity) }} as raw_rows
    group by
        {%- for expression in keys %}
        {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    having count(*) > 1
{%- endmacro %}

{#-
    The trimmed raw text of the raw rows whose natural key occurs exactly once in the file
    (`repeated=false`) or not (`repeated=true`: a key that other rows share, or a missing key
    part), read with their own pass over the raw relation. `keys` are the expressions given to
    natural_key_counts; `key_counts` names the CTE built with it.
-#}
{% macro raw_rows_by_key_count(entity, columns, keys, repeated, key_counts='key_counts') -%}
    select
        {%- for column in columns %}
        {{ clean_text('raw_rows.' ~ column) }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ raw_relation(entity) }} as raw_rows
    left join {{ key_counts }}
        on
        {%- for expression in keys %}
            {{ "and " if not loop.first }}{{ expression }} = {{ key_counts }}.key_{{ loop.index }}
        {%- endfor %}
    where
    {%- if repeated %}
        {{ key_counts }}.key_rows is not null
        {%- for expression in keys %}
        or {{ expression }} is null
        {%- endfor %}
    {%- else %}
        {{ key_counts }}.key_rows is null
        {%- for expression in keys %}
        and {{ expression }} is not null
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#-
    The checked rows of both parts, with the columns of the quarantine added:
    row_hash, hash_occurrence, load_rank, reject_reason (the check that failed, else
    `duplicate` for a superseded valid row, else NULL) and raw_row_key (rejected rows only).
    `once` and `repeated` are relations with the same columns, including invalid_reason and
    loaded_at_utc; `columns` are the raw text columns hashed into the row key.

    Rows of `once` are alone on their key: occurrence 1, and kept when valid. Rows of
    `repeated` are ranked by one window: rows of one natural key, valid rows first, latest
    load first, ties by the row hash. `load_rank` numbers the valid rows in that order
    (1 = the row kept). `hash_occurrence` numbers identical raw rows apart: identical rows
    share the natural key and tie on every sort column, so row_number - rank + 1 counts
    1, 2, ... within each run of copies (rows that differ never tie: the row hash is a sort
    column).
-#}
{% macro rank_duplicates(once, repeated, natural_key, columns) -%}
    {%- set over -%}
        over (
            partition by {{ natural_key | join(', ') }}
            order by invalid_reason is null desc, loaded_at_utc desc nulls last, row_hash desc
        )
    {%- endset -%}
    {%- set string = dbt.type_string() -%}
    {%- set reason -%}
        coalesce(ranked.invalid_reason, case when ranked.load_rank > 1 then 'duplicate' end)
    {%- endset -%}
    select
        {{ once }}.*,
        case when invalid_reason is not null then {{ raw_row_hash(columns) }} end as row_hash,
        1 as hash_occurrence,
        case when invalid_reason is null then 1 end as load_rank,
        invalid_reason as reject_reason,
        case
            when invalid_reason is not null
                then {{ raw_row_hash(columns) }} || '-1'
        end as raw_row_key
    from {{ once }}

    union all

    select
        ranked.*,
        {{ reason }} as reject_reason,
        case
            when {{ reason }} is not null
                then ranked.row_hash || '-' || cast(ranked.hash_occurrence as {{ string }})
        end as raw_row_key
    from (
        select
            hashed.*,
            row_number() {{ over }} - rank() {{ over }} + 1 as hash_occurrence,
            case
                when hashed.invalid_reason is null
                    then row_number() {{ over }}
            end as load_rank
        from (
            select
                {{ repeated }}.*,
                {{ raw_row_hash(columns) }} as row_hash
            from {{ repeated }}
        ) as hashed
    ) as ranked
{%- endmacro %}

{#-
    How many rows the raw relation of `entity` holds, as a scalar subquery. Each
    base_raw__<entity>_checked table keeps it (column raw_rows_in_load), so the load
    reconciliation compares the table with the raw rows it was built from, not with whatever
    the raw path holds later (DECISIONLOG D73).
-#}
{% macro raw_row_count(entity) -%}
    {#- Every contract column is read: DuckDB checks the encoding only of the columns a query
        reads, so a bare count(*) would count a record the model itself finds unreadable
        (and quarantines as invalid_encoding, D80). -#}
    {%- set columns = raw_contract_columns(entity) | map(attribute=0) | list -%}
    (
        select count(*)
        from {{ raw_relation(entity) }} as raw_records
        {%- if columns %}
        where length(concat_ws('|'
            {%- for column in columns %}, coalesce(raw_records.{{ column }}, ''){% endfor -%}
        )) >= 0
        {%- endif %}
    )
{%- endmacro %}
