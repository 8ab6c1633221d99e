{#-
    Malformed CSV records into the quarantine (DECISIONLOG D80). DuckDB's CSV reader skips a
    record whose field count differs from the header's, whose quotes do not close, or whose
    bytes are not valid in the file's encoding, and keeps it in a temporary table
    (raw_relation: store_rejects). The checked model of the entity empties that table before it
    reads (pre-hook) and afterwards adds one quarantine row per skipped record (post-hook):
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
    columns). Every scan of the file in the model writes its own copy: grouped by line.
-#}
{% macro duckdb__collect_malformed_rows(entity) -%}
    {%- if execute and raw_data_path() and raw_file_format() == 'csv'
            and raw_file_header(entity) | length > 0 -%}
        {%- set rejects = 'temp.main.' ~ raw_rejects_table(entity) -%}
        insert into {{ this }} (raw_row_key, reject_reason, raw_line_number)
        select
            md5(min(csv_line)) || '-line-' || cast(line as varchar) as raw_row_key,
            case
                when bool_or(error_type = 'INVALID ENCODING') then 'invalid_encoding'
                else 'malformed_row'
            end as reject_reason,
            cast(line as bigint) as raw_line_number
        from {{ rejects }}
        group by line;
        drop table if exists {{ rejects }};
        drop table if exists {{ rejects }}_scans
    {%- endif -%}
{%- endmacro %}
