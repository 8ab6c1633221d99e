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
    Deduplication, in two parts (DECISIONLOG D55). Almost every raw row has a natural key that
    occurs once in the load (all batches together): it cannot be a duplicate or an exact copy, so
    it needs no ranking. Only the rows whose key occurs more than once (or is missing) are
    ranked, with a window over those few rows instead of a sort of every row.

    A base_raw__<entity>_checked model calls the three macros below on its CTE `parsed` (every
    raw row of every batch, from base_raw__<entity>_parsed). For orders, compiled:

        key_counts as (               -- natural_key_counts('parsed', ['order_id'])
            select order_id, count(*) as key_rows
            from parsed
            group by order_id
            having count(*) > 1
        ),
        rows_once as (                -- rows_by_key_count('parsed', ['order_id'], false)
            select parsed.*
            from parsed
            left join key_counts on parsed.order_id = key_counts.order_id
            where key_counts.key_rows is null and parsed.order_id is not null
        ),
        rows_repeated as (            -- rows_by_key_count('parsed', ['order_id'], true)
            select parsed.*
            from parsed
            left join key_counts on parsed.order_id = key_counts.order_id
            where key_counts.key_rows is not null or parsed.order_id is null
        ),
        checked_once as (...),        -- each part checked by the model: invalid_reason
        checked_repeated as (...),
        ranked as (                   -- rank_duplicates('checked_once', 'checked_repeated', ['order_id'], ...)
            select checked_once.*,    -- alone on its key: kept when valid, never a duplicate
                1 as load_rank, invalid_reason as reject_reason,
                md5(<text values>) || '-1' as raw_row_key       -- on rejected rows only
            from checked_once
            union all
            select ranked.*,          -- shared key: the valid row loaded last is kept
                coalesce(invalid_reason, case when load_rank > 1 then 'duplicate' end) as reject_reason,
                row_hash || '-' || hash_occurrence as raw_row_key  -- on rejected rows only
            from (
                select hashed.*,
                    row_number() over (partition by order_id order by invalid_reason is null desc,
                        loaded_at_utc desc nulls last, row_hash desc, raw_batch desc) as load_rank, ...
                from (select checked_repeated.*, md5(<text values>) as row_hash from checked_repeated) as hashed
            ) as ranked
        )

    natural_key_counts: the natural keys that more than one row of `relation` shares, with how
    many (key_rows). `keys` are column names of `relation`. Only the shared keys are kept, so
    the two parts join a small table instead of one row per key.
-#}
{% macro natural_key_counts(relation, keys) -%}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        count(*) as key_rows
    from {{ relation }}
    group by {{ keys | join(', ') }}
    having count(*) > 1
{%- endmacro %}

{#-
    The rows of `relation` whose natural key occurs exactly once (`repeated=false`) or not
    (`repeated=true`: a key that other rows share, or a missing key part). `key_counts` names
    the CTE built with natural_key_counts.
-#}
{% macro rows_by_key_count(relation, keys, repeated, key_counts='key_counts') -%}
    select {{ relation }}.*
    from {{ relation }}
    left join {{ key_counts }}
        on
        {%- for key in keys %}
            {{ "and " if not loop.first }}{{ relation }}.{{ key }} = {{ key_counts }}.{{ key }}
        {%- endfor %}
    where
    {%- if repeated %}
        {{ key_counts }}.key_rows is not null
        {%- for key in keys %}
        or {{ relation }}.{{ key }} is null
        {%- endfor %}
    {%- else %}
        {{ key_counts }}.key_rows is null
        {%- for key in keys %}
        and {{ relation }}.{{ key }} is not null
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#-
    The checked rows of both parts, with the columns of the quarantine added:
    row_hash, hash_occurrence, load_rank, reject_reason (the check that failed, else
    `duplicate` for a superseded valid row, else NULL) and raw_row_key (rejected rows only).
    `once` and `repeated` are relations with the same columns, including invalid_reason,
    loaded_at_utc and reader_row_key (the key of a record the reader could not read, which it
    keeps); `columns` are the raw text columns hashed into the row key.

    Rows of `once` are alone on their key: occurrence 1, and kept when valid. Rows of
    `repeated` are ranked by one window: rows of one natural key, valid rows first, latest
    load first, ties by the row hash, then by the batch: of two identical rows sent in two
    batches, the one of the batch whose name sorts last is kept (D141), so which copy is the
    duplicate never depends on the order the engine reads them in. `load_rank` numbers the
    valid rows in that order (1 = the row kept). `hash_occurrence` numbers identical raw rows
    apart, across batches: identical rows share the natural key and tie on every sort column
    but the batch, so row_number (batch included) - rank (batch left out) + 1 counts 1, 2, ...
    within each run of copies (rows that differ never tie: the row hash is a sort column).
-#}
{% macro rank_duplicates(once, repeated, natural_key, columns) -%}
    {%- set over_copies -%}
        over (
            partition by {{ natural_key | join(', ') }}
            order by invalid_reason is null desc, loaded_at_utc desc nulls last, row_hash desc
        )
    {%- endset -%}
    {%- set over -%}
        over (
            partition by {{ natural_key | join(', ') }}
            order by invalid_reason is null desc, loaded_at_utc desc nulls last, row_hash desc, raw_batch desc
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
                then coalesce(reader_row_key, {{ raw_row_hash(columns) }} || '-1')
        end as raw_row_key
    from {{ once }}

    union all

    select
        ranked.*,
        {{ reason }} as reject_reason,
        case
            when {{ reason }} is not null
                then coalesce(ranked.reader_row_key, ranked.row_hash || '-' || cast(ranked.hash_occurrence as {{ string }}))
        end as raw_row_key
    from (
        select
            hashed.*,
            row_number() {{ over }} - rank() {{ over_copies }} + 1 as hash_occurrence,
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
