{#-
    The green gate's record (DECISIONLOG D61): on-run-start writes a `started` row for this dbt
    invocation, on-run-end a `finished` row with how many nodes failed, errored or were skipped.
    `python -m publication publish` reads them from the work database: a run with a `started` row
    and no `finished` row was killed, and a finished run with a failure is not green.

    One table, tiering_meta.build_runs, one row per event, insert only (no update: a Spark table
    in parquet format cannot be updated). DuckDB only: publication copies a DuckDB file, and on
    Spark the table formats publish atomically themselves (README "Publication").
    It also records the raw input of the run (TIERING_RAW_PATH and format, or none for the demo
    seeds), so that the publication's fingerprint is taken of the files the build read.
    Commands that change nothing in the database (`dbt docs generate`, `compile`, `show`, ...,
    which also run the hooks) are not recorded: they may run on the read-only `published` target.
-#}
{% macro record_build_start() -%}
    {{ return(adapter.dispatch('record_build_start', 'customer_tiering')()) }}
{%- endmacro %}

{% macro record_build_finish(results) -%}
    {{ return(adapter.dispatch('record_build_finish', 'customer_tiering')(results)) }}
{%- endmacro %}

{% macro default__record_build_start() -%}
{%- endmacro %}

{% macro default__record_build_finish(results) -%}
{%- endmacro %}

{% macro build_runs_relation() -%}
    {{- return('tiering_meta.build_runs') -}}
{%- endmacro %}

{% macro is_recorded_command() -%}
    {{- return(flags.WHICH not in ['generate', 'compile', 'show', 'list', 'ls', 'parse', 'debug', 'freshness', 'serve']) -}}
{%- endmacro %}

{% macro duckdb__record_build_start() -%}
    {%- if execute and is_recorded_command() -%}
        {%- do run_query('create schema if not exists tiering_meta') -%}
        {%- do run_query(
            'create table if not exists ' ~ build_runs_relation() ~ ' ('
            ~ 'invocation_id varchar not null, event varchar not null, recorded_at timestamp not null, '
            ~ 'command varchar, raw_path varchar, raw_format varchar, '
            ~ 'executed_nodes integer, failed_nodes integer, errored_nodes integer, skipped_nodes integer)'
        ) -%}
        {%- do run_query(
            'insert into ' ~ build_runs_relation()
            ~ ' (invocation_id, event, recorded_at, command, raw_path, raw_format) values ('
            ~ "'" ~ invocation_id ~ "', 'started', cast(now() at time zone 'UTC' as timestamp), "
            ~ "'" ~ flags.WHICH ~ "', "
            ~ ("'" ~ (raw_data_path() | replace("'", "''")) ~ "'" if raw_data_path() else 'null') ~ ", "
            ~ "'" ~ (env_var('TIERING_RAW_FORMAT', 'csv') | trim | lower | replace("'", "''")) ~ "')"
        ) -%}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__record_build_finish(results) -%}
    {%- if execute and is_recorded_command() -%}
        {%- set failed = results | selectattr('status', 'equalto', 'fail') | list | length -%}
        {%- set errored = results | selectattr('status', 'equalto', 'error') | list | length -%}
        {%- set skipped = results | selectattr('status', 'equalto', 'skipped') | list | length -%}
        {%- do run_query(
            'insert into ' ~ build_runs_relation()
            ~ ' (invocation_id, event, recorded_at, command, executed_nodes, failed_nodes, errored_nodes, skipped_nodes)'
            ~ " values ('" ~ invocation_id ~ "', 'finished', cast(now() at time zone 'UTC' as timestamp), "
            ~ "'" ~ flags.WHICH ~ "', " ~ (results | length) ~ ", " ~ failed ~ ", " ~ errored ~ ", " ~ skipped ~ ")"
        ) -%}
    {%- endif -%}
{%- endmacro %}
