{#-
    Incremental checks (DECISIONLOG D187, docs/incremental-loads.md): a base_raw__<entity>_checked
    model that is incremental keeps the checked rows of every natural key whose verdict cannot
    have changed since they were checked, and re-checks the rest from every parsed batch, so that
    each stored row is exactly what a build from scratch would give it.

    A stored row's verdict and rank depend on the rows sharing its natural key, on the customers
    (unknown_customer), on the latest plausible moment (implausible_date), and on the code, seeds
    and vars. So a key is re-checked when one of its rows is in a batch that is new, changed or
    gone; when one of its rows was rejected as unknown_customer and the customer now exists, or
    was not and the customer is now missing; when one of its timestamps lies above the smaller of
    the latest plausible moments of then and now; and every key when the code or settings changed
    (the row's `checked_context`).
-#}

{#- Incremental on DuckDB; on Spark a table rebuilt every run, like the parsed models (D146). -#}
{% macro checked_materialization() -%}
    {{- return('incremental' if target.type == 'duckdb' else 'table') -}}
{%- endmacro %}

{#-
    The code and settings the checks depend on, as a SQL expression: every model, seed and macro
    and every var but as_of_date (no check reads it; a scheduler passing today's date must not
    make every row be checked again) and the two that set the latest plausible moment, whose
    change the stored `checked_plausible_until` covers row by row.
-#}
{% macro checked_context() -%}
    md5({{ dbt.concat([
        "'" ~ code_fingerprint(['as_of_date', 'plausible_date_max', 'plausible_date_max_lead_days']) ~ "'",
        "'|'", project_macros_fingerprint(),
    ]) }})
{%- endmacro %}

{#- The table a run's keys to re-check are kept in, beside the model; dropped by the post-hook. -#}
{% macro recheck_relation() -%}
    {{- return(this.incorporate(path={'identifier': this.identifier ~ '__recheck'})) -}}
{%- endmacro %}

{#-
    pre-hook of an incremental checked model: store the natural keys to re-check (above) in
    recheck_relation() and delete their stored rows. `keys`: the natural key columns of the
    checked model; `parsed_keys`: the same columns in the parsed model, when named otherwise;
    `parsed`: the parsed model; `customers`: the clean customers when the model has the
    unknown_customer check, else none.
-#}
{% macro forget_rechecked_keys(keys, parsed, customers=none, parsed_keys=none) -%}
    {%- if execute and is_incremental() -%}
        {%- set recheck = recheck_relation() -%}
        {%- set stored_columns = adapter.get_columns_in_relation(this) -%}
        {%- set stored_names = stored_columns | map(attribute='name') | list -%}
        {%- set key_list = keys | join(', ') -%}
        {%- set parsed_key_list = [] -%}
        {%- for key in keys -%}
            {%- set parsed_key = parsed_keys[loop.index0] if parsed_keys else key -%}
            {%- do parsed_key_list.append(parsed_key ~ (' as ' ~ key if parsed_key != key else '')) -%}
        {%- endfor -%}
        {%- set parsed_key_list = parsed_key_list | join(', ') -%}
        {%- if 'checked_context' not in stored_names -%}
            {#- stored by a version of the project without incremental checks: every key anew -#}
            {%- do log("Checks " ~ this.identifier ~ ": stored without a context, every key to check", info=true) -%}
            {%- do run_query("create or replace table " ~ recheck ~ " as select distinct " ~ parsed_key_list
                             ~ " from " ~ parsed) -%}
            {{- return('delete from ' ~ this) -}}
        {%- endif -%}
        {%- set timestamps = [] -%}
        {%- for column in stored_columns
                if column.dtype | lower in ('timestamp', 'timestamp with time zone', 'timestamptz')
                and column.name != 'checked_plausible_until' -%}
            {%- do timestamps.append(column.name) -%}
        {%- endfor -%}
        {%- set build_recheck -%}
            create or replace table {{ recheck }} as
            with

            {#- read in place: DuckDB would otherwise store both, each read more than once (D186) #}
            stored as {{ not_materialized() }} (
                select * from {{ this }}
            ),

            stored_batches as (
                select distinct
                    raw_batch,
                    raw_batch_fingerprint
                from stored
            ),

            parsed_rows as {{ not_materialized() }} (
                select
                    {{ parsed_key_list }},
                    raw_batch,
                    raw_batch_fingerprint
                from {{ parsed }}
            ),

            parsed_batches as (
                select distinct
                    raw_batch,
                    raw_batch_fingerprint
                from parsed_rows
            ),

            context_changed as (
                select count(*) > 0 as is_changed
                from (
                    select 1
                    from stored
                    where checked_context is distinct from {{ checked_context() }}
                    limit 1
                ) as changed_rows
            )

            {#- rows of batches not checked before (new or changed), or every row when the code changed #}
            select {{ key_list }}
            from parsed_rows
            where
                (select context_changed.is_changed from context_changed)
                or not exists (
                    select 1
                    from stored_batches
                    where
                        stored_batches.raw_batch = parsed_rows.raw_batch
                        and stored_batches.raw_batch_fingerprint is not distinct from parsed_rows.raw_batch_fingerprint
                )

            union

            select {{ key_list }}
            from stored
            where
                {#- the row's batch is gone or changed #}
                not exists (
                    select 1
                    from parsed_batches
                    where
                        parsed_batches.raw_batch = stored.raw_batch
                        and parsed_batches.raw_batch_fingerprint is not distinct from stored.raw_batch_fingerprint
                )
                {%- for column in timestamps %}
                or stored.{{ column }} > least(stored.checked_plausible_until, {{ plausible_timestamp_max() }})
                {%- endfor %}
                {%- if customers %}
                {#- unknown_customer is decided by the customers alone: re-check when the answer moved #}
                or (stored.reject_reason is not distinct from 'unknown_customer') = exists (
                    select 1 from {{ customers }} as customers where customers.customer_id = stored.customer_id
                )
                {%- endif %}
        {%- endset -%}
        {%- do run_query(build_recheck) -%}
        {%- set counted = run_query("select (select count(*) from " ~ recheck ~ "), (select count(*) from " ~ this ~ ")") -%}
        {%- do log("Checks " ~ this.identifier ~ ": " ~ counted.columns[0].values()[0] ~ " natural key(s) to check again, "
                   ~ counted.columns[1].values()[0] ~ " row(s) stored", info=true) -%}
        delete from {{ this }}
        where exists (
            select 1
            from {{ recheck }} as recheck
            where
                {%- for key in keys %}
                {{ "and " if not loop.first }}recheck.{{ key }} is not distinct from {{ this }}.{{ key }}
                {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    Appended to the parsed model in the from clause of a checked model: nothing in a full build;
    in an incremental run an alias and the where clause that keeps the rows of the keys to
    re-check. `keys` and `parsed_keys` as for forget_rechecked_keys.
-#}
{% macro rechecked_keys_filter(keys, parsed_keys=none) -%}
    {%- if is_incremental() %} as parsed_rows
    where exists (
        select 1
        from {{ recheck_relation() }} as recheck
        where
            {%- for key in keys %}
            {{ "and " if not loop.first }}recheck.{{ key }} is not distinct from parsed_rows.{{ parsed_keys[loop.index0] if parsed_keys else key }}
            {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{#- post-hook: the keys to re-check are not kept. -#}
{% macro drop_recheck_relation() -%}
    {%- if execute and is_incremental() -%}
        drop table if exists {{ recheck_relation() }}
    {%- endif -%}
{%- endmacro %}
