{#-
    Malformed CSV records into the quarantine (DECISIONLOG D80). DuckDB's CSV reader skips a
    record whose field count differs from the header's, whose quotes do not close, or whose
    bytes are not valid in the file's encoding, and keeps it in a temporary table
    (raw_relation: store_rejects). The parsed model of the entity empties that table before it
    reads (pre-hook) and afterwards adds one quarantine row per skipped record (post-hook) to the
    parsed model base_raw__<entity>_parsed, with the batch it came from:
    reason `invalid_encoding` or `malformed_row`, the record's line number in the file, and a key
    hashed from its text. The text itself is never stored: it may hold an e-mail. Other engines
    and Parquet files have no such records: both hooks are then empty.
-#}
{% macro reset_malformed_rows(entity) -%}
    {{ return(adapter.dispatch('reset_malformed_rows', 'customer_tiering')(entity)) }}
{%- endmacro %}

{% macro default__reset_malformed_rows(entity) -%}
{%- endmacro %}

{% macro duckdb__reset_malformed_rows(entity) -%}
    {%- if raw_data_path() and raw_file_format() == 'csv' -%}
        drop table if exists temp.main.{{ raw_rejects_table(entity) }};
        drop table if exists temp.main.{{ raw_rejects_table(entity) }}_scans
    {%- endif -%}
{%- endmacro %}

{% macro collect_malformed_rows(entity) -%}
    {{ return(adapter.dispatch('collect_malformed_rows', 'customer_tiering')(entity)) }}
{%- endmacro %}

{% macro default__collect_malformed_rows(entity) -%}
{%- endmacro %}

{#-
    One reader reject row per error: a record can have several (an open quote, then too many
    columns). Every scan of a file in the model writes its own copy: grouped by file and line.
    The file names the batch (raw_batches); the key of a record in a folder's file also names
    the file, since two files can hold the same text on the same line.
    A quote that never closes makes the rest of the file one record: its lines are records the
    reader never saw. So a skipped record counts once per line it spans (D194), each line its own
    quarantine row with its own line number, and the load gate weighs every line it lost.
-#}
{% macro duckdb__collect_malformed_rows(entity) -%}
    {%- if execute and raw_data_path() and raw_file_format() == 'csv' -%}
        {%- set rejects = 'temp.main.' ~ raw_rejects_table(entity) -%}
        {%- set found = run_query("select count(*) from duckdb_tables() where temporary and table_name = '"
                                  ~ raw_rejects_table(entity) ~ "'").columns[0].values()[0] -%}
        {%- set batches = raw_batches(entity) -%}
        {%- if found > 0 and batches -%}
        insert into {{ this }} (raw_batch, raw_batch_fingerprint, raw_row_key, reject_reason, raw_line_number)
        with

        batches (raw_batch, raw_batch_fingerprint, file_path) as (
            values
            {%- for batch in batches %}
            ({{ raw_string_literal(batch.name) }}, {{ raw_string_literal(batch.fingerprint) }},
             {{ raw_string_literal(batch.path) }}){{ "," if not loop.last }}
            {%- endfor %}
        ),

        reader_rejects as (
            select
                scans.file_path,
                rejects.line,
                min(rejects.csv_line) as csv_line,
                max(len(string_split(rtrim(rejects.csv_line, chr(13) || chr(10)), chr(10)))) as record_lines,
                bool_or(rejects.error_type = 'INVALID ENCODING') as is_encoding_error
            from {{ rejects }} as rejects
            inner join {{ rejects }}_scans as scans
                on rejects.scan_id = scans.scan_id and rejects.file_id = scans.file_id
            group by scans.file_path, rejects.line
        )

        select
            batches.raw_batch,
            batches.raw_batch_fingerprint,
            md5(reader_rejects.csv_line) || '-line-' || cast(reader_rejects.line + spans.line_offset as varchar)
            || case when batches.raw_batch like '%/%' then '@' || batches.raw_batch else '' end as raw_row_key,
            case when reader_rejects.is_encoding_error then 'invalid_encoding' else 'malformed_row' end
                as reject_reason,
            cast(reader_rejects.line + spans.line_offset as bigint) as raw_line_number
        from reader_rejects
        inner join batches
            on reader_rejects.file_path = batches.file_path
        cross join range(greatest(reader_rejects.record_lines, 1)) as spans (line_offset);
        {%- endif %}
        drop table if exists {{ rejects }};
        drop table if exists {{ rejects }}_scans
    {%- endif -%}
{%- endmacro %}
