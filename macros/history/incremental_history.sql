{#-
    The incremental history (DECISIONLOG D180, docs/incremental-loads.md): every model named
    `..._by_as_of_date` that holds rows per as-of date stores, with each row, the fingerprint of
    the inputs its as-of date was computed from (int_as_of_dates_fingerprinted). A run deletes
    the rows of the dates whose fingerprint changed or that left the history, and computes the
    dates it then lacks: past periods whose inputs did not change are kept, not recomputed.
-#}

{#- Incremental on DuckDB; on Spark a table rebuilt every run, like the parsed models (D146). -#}
{% macro history_materialization() -%}
    {{- return('incremental' if target.type == 'duckdb' else 'table') -}}
{%- endmacro %}

{#-
    The as-of dates this run computes, with their fingerprint: every date in a full build; in an
    incremental run those without rows in the model (forget_stale_history_dates ran first).
    `date_column`: the model's column that holds the as-of date of a row.
-#}
{% macro history_dates_to_compute(date_column='as_of_date') -%}
    select
        fingerprinted.as_of_date,
        fingerprinted.is_current,
        fingerprinted.previous_as_of_date,
        fingerprinted.inputs_fingerprint
    from {{ ref('int_as_of_dates_fingerprinted') }} as fingerprinted
    {%- if is_incremental() %}
    where fingerprinted.as_of_date not in (select distinct stored.{{ date_column }} from {{ this }} as stored)
    {%- endif %}
{%- endmacro %}

{#-
    pre-hook of a history model: delete the rows whose as-of date left the history or whose
    inputs changed since they were computed, and say how many dates the run recomputes.
-#}
{% macro forget_stale_history_dates(date_column='as_of_date') -%}
    {%- if execute and is_incremental() -%}
        {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if 'inputs_fingerprint' not in stored_columns -%}
            {#- stored by a version of the project without the incremental history: computed anew -#}
            {%- do log("History " ~ this.identifier ~ ": stored without fingerprints, every as-of date to compute",
                       info=true) -%}
            {{- return('delete from ' ~ this) -}}
        {%- endif -%}
        {%- set counts = run_query(
            "select count(distinct stored." ~ date_column ~ ") from " ~ this ~ " as stored "
            ~ "inner join " ~ ref('int_as_of_dates_fingerprinted') ~ " as fingerprinted "
            ~ "on stored." ~ date_column ~ " = fingerprinted.as_of_date "
            ~ "and stored.inputs_fingerprint = fingerprinted.inputs_fingerprint") -%}
        {%- set dates = run_query("select count(*) from " ~ ref('int_as_of_dates_fingerprinted')) -%}
        {%- set kept, total = counts.columns[0].values()[0], dates.columns[0].values()[0] -%}
        {%- do log("History " ~ this.identifier ~ ": " ~ (total - kept) ~ " of " ~ total
                   ~ " as-of dates to compute (inputs new or changed), " ~ kept ~ " kept", info=true) -%}
        delete from {{ this }}
        where not exists (
            select 1
            from {{ ref('int_as_of_dates_fingerprinted') }} as fingerprinted
            where
                fingerprinted.as_of_date = {{ this }}.{{ date_column }}
                and fingerprinted.inputs_fingerprint = {{ this }}.inputs_fingerprint
        )
    {%- endif -%}
{%- endmacro %}

{#-
    The fingerprint of the project's code and settings as a text literal: dbt's version, the
    engine, the checksum of every model and seed file, and the value of every var but
    `ignored_vars`. The macros' text joins it in SQL (project_macros_fingerprint), where the files
    can be read.
-#}
{% macro code_fingerprint(ignored_vars) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [dbt_version, target.type] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
            if node.resource_type in ('model', 'seed') and node.package_name == project_name -%}
        {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
    {%- endfor -%}
    {%- for name in known_var_names() | reject('in', ignored_vars) | sort -%}
        {%- set value = var(name, none) -%}
        {#- a date given unquoted in --vars is a date object, which JSON cannot write -#}
        {%- if value is not string and value is not none and value.isoformat is defined -%}
            {%- set value = value.isoformat() -%}
        {%- endif -%}
        {%- do parts.append(name ~ '=' ~ tojson(value)) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('|'))) -}}
{%- endmacro %}

{#- The text of the project's macros, fingerprinted: a SQL expression. -#}
{% macro project_macros_fingerprint() -%}
    {{- return(adapter.dispatch('project_macros_fingerprint', 'customer_tiering')()) -}}
{%- endmacro %}

{% macro default__project_macros_fingerprint() -%}
    {%- set root = invocation_args_dict.get('project_dir') or '.' -%}
    (
        select md5(string_agg(md5(macro_files.content), '|' order by macro_files.filename))
        from read_text('{{ root }}/macros/**/*.sql') as macro_files
    )
{%- endmacro %}

{#- Spark rebuilds the history in full every run (history_materialization): nothing to compare. -#}
{% macro spark__project_macros_fingerprint() -%}
    '-'
{%- endmacro %}

{#- A fingerprint of one whole row of `alias` (a relation or CTE name), as a large integer. -#}
{% macro row_fingerprint(alias) -%}
    {{- return(adapter.dispatch('row_fingerprint', 'customer_tiering')(alias)) -}}
{%- endmacro %}

{% macro default__row_fingerprint(alias) -%}
    cast(hash({{ alias }}) as hugeint)
{%- endmacro %}

{% macro spark__row_fingerprint(alias) -%}
    cast(xxhash64({{ alias }}.*) as decimal(38, 0))
{%- endmacro %}

{#-
    The where clause that keeps the rows of the as-of dates this run computes, for a model that
    reads an upstream history model (CTE dates_to_compute): nothing in a full build, which
    computes every date.
-#}
{% macro history_dates_filter() -%}
    {%- if is_incremental() -%}
        where as_of_date in (select dates_to_compute.as_of_date from dates_to_compute)
    {%- endif -%}
{%- endmacro %}

{#-
    The fingerprint a history model stores with the rows of an as-of date: the run's, when every
    upstream history model's rows of that date carry it too; NULL when one of them was computed
    from other inputs (a run that rebuilt this model but not an upstream one), so that the next
    run computes the date again instead of keeping rows made from stale inputs. A select over
    the CTE dates_to_compute; `upstream` lists the upstream history models. An upstream model
    without rows of the date (no purchaser yet) does not count.
-#}
{% macro history_fingerprints_checked(upstream) -%}
    select
        dates_to_compute.as_of_date,
        case
            when count(upstream_dates.inputs_fingerprint) = 0 then dates_to_compute.inputs_fingerprint
            when count(distinct upstream_dates.inputs_fingerprint) = 1
                and min(upstream_dates.inputs_fingerprint) = dates_to_compute.inputs_fingerprint
                then dates_to_compute.inputs_fingerprint
        end as inputs_fingerprint
    from dates_to_compute
    left join (
        {%- for model in upstream %}
        select distinct
            as_of_date,
            inputs_fingerprint
        from {{ ref(model) }}
        {{ history_dates_filter() }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as upstream_dates
        on dates_to_compute.as_of_date = upstream_dates.as_of_date
    group by dates_to_compute.as_of_date, dates_to_compute.inputs_fingerprint
{%- endmacro %}

{#-
    post-hook of a history model that repeats the run's as-of date on every row (`column`): the
    rows it kept from earlier runs get this run's as-of date.
-#}
{% macro date_kept_history_rows(column) -%}
    {%- if execute and is_incremental() -%}
        update {{ this }}
        set {{ column }} = (select as_of.as_of_date from {{ ref('int_as_of_date') }} as as_of)
        where {{ column }} <> (select as_of.as_of_date from {{ ref('int_as_of_date') }} as as_of)
    {%- endif -%}
{%- endmacro %}
