{#-
    on-run-start: check the user's own raw files (TIERING_RAW_PATH, see raw_relation) and make
    them readable as the source `raw`, on every engine, before any model runs.

    The preflight (D81) validates the settings (TIERING_RAW_FORMAT, TIERING_RAW_ENCODING), then
    looks for every entity of the contract (models/staging/raw/_raw__sources.yml), as one file or
    a folder of batch files (raw_batches, D140), and reads each present file's header. A missing required file (customers), a required column missing from
    a header, or a missing or empty folder are collected and reported together, in one error,
    before any model runs. An absent optional file (orders, renewals, feedback) is read as an
    empty file and said so in the log.

    DuckDB reads the files where they lie (raw_relation): nothing to register. Spark has no
    FROM-clause reader that takes a header row, so each file (or folder) is registered as an
    external table over it, in the source's schema (`raw.customers` ...): every column text, like DuckDB,
    and dropping the table never deletes the file; an absent optional file becomes an empty
    table with the contract's columns. CSV options match the files the contract describes: a
    header row, `"` quotes doubled inside a value, line breaks inside quotes.
    Without a raw path the demo seeds are read and nothing is checked or registered.
-#}
{% macro register_raw_files() -%}
    {%- if execute and raw_data_path() -%}
        {%- set file_format = raw_file_format() -%}
        {%- if file_format == 'csv' -%}
            {%- do raw_encoding() -%}
        {%- endif -%}
        {%- set problems = [] -%}
        {%- set found = [] -%}
        {%- for raw_source in graph.sources.values() | sort(attribute='name')
                if raw_source.source_name == 'raw' -%}
            {%- set entity = raw_source.name -%}
            {%- set file_name = entity ~ '.' ~ file_format -%}
            {%- set batches = raw_batches(entity) -%}
            {%- set exists = batches | length > 0 -%}
            {%- do found.extend(batches) -%}
            {%- do adapter.dispatch('register_raw_file', 'customer_tiering')(raw_source, batches) -%}
            {%- if not exists -%}
                {%- if raw_source.meta.get('required', false) -%}
                    {%- do problems.append("missing required file " ~ file_name ~ " (or folder " ~ entity ~ "/ of "
                                           ~ file_format ~ " files)") -%}
                {%- else -%}
                    {%- do log("Raw file " ~ file_name ~ " is absent: read as an empty " ~ entity
                               ~ " file (allowed: see docs/raw-data-contract.md)", info=true) -%}
                {%- endif -%}
            {%- else -%}
                {%- for batch in adapter.dispatch('raw_batches_to_check', 'customer_tiering')(raw_source, batches) -%}
                    {%- set header = adapter.dispatch('raw_file_columns', 'customer_tiering')(raw_source, batch) -%}
                    {%- set missing = [] -%}
                    {%- for name, required in raw_contract_columns(entity) if required and name not in header -%}
                        {%- do missing.append(name) -%}
                    {%- endfor -%}
                    {%- set repeated = adapter.dispatch('raw_header_repeated_columns', 'customer_tiering')(batch) -%}
                    {%- if repeated -%}
                        {%- do problems.append(batch.name ~ " names one column more than once in its header line "
                                               ~ "(columns " ~ repeated | join(', ') ~ ", counted from 1, names "
                                               ~ "compared without case): which copy to read is unknown") -%}
                    {%- endif -%}
                    {%- if header | length == 0 and raw_source.meta.get('required', false) -%}
                        {%- do problems.append(batch.name ~ " is empty (no header line)") -%}
                    {%- elif missing and header | length > 0 -%}
                        {#- the header's own names are not printed: a file without a header line
                            would print its first data row, e-mail included -#}
                        {%- do problems.append(batch.name ~ " lacks required column(s) " ~ missing | join(', ')
                                               ~ " in its header line") -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {%- do problems.insert(0, "the folder " ~ raw_data_path() ~ " does not exist or holds no file") -%}
        {%- endif -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "Raw files in TIERING_RAW_PATH=" ~ raw_data_path() ~ " cannot be loaded; nothing was built:\n  - "
                ~ problems | join("\n  - ")
                ~ "\nSee docs/raw-data-contract.md for the files and columns required.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Spark: the names in the raw folder, a file's or a batch folder's, through the binaryFile
    source, which reads no file content here. The listing is recursive: a plain listing of a
    folder that holds only batch folders finds nothing (Spark would take them for partitions). -#}
{% macro spark__raw_files_present() -%}
    {%- set root = raw_data_path().rstrip('/') -%}
    {%- do run_query('create or replace temporary view tiering_raw_listing using binaryFile options (path '
                     ~ raw_string_literal(root) ~ ", recursiveFileLookup 'true')") -%}
    {%- set rows = run_query('select path from tiering_raw_listing') -%}
    {%- set names = [] -%}
    {%- for path in rows.columns[0].values() -%}
        {%- set position = path.find(root ~ '/') -%}
        {%- set relative = path[position + (root | length) + 1:] if position >= 0 else path.split('/')[-1] -%}
        {%- set name = relative.split('/')[0] -%}
        {%- if name not in names -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(names) -}}
{%- endmacro %}

{#- DuckDB reads each batch file with its own header: each is checked. -#}
{% macro default__raw_batches_to_check(raw_source, batches) -%}
    {{- return(batches) -}}
{%- endmacro %}

{#- Spark reads a folder as one table with one schema: it is checked once. -#}
{% macro spark__raw_batches_to_check(raw_source, batches) -%}
    {{- return(batches[:1]) -}}
{%- endmacro %}

{#- The lower-cased column names of a present raw file's header. -#}
{% macro default__raw_file_columns(raw_source, batch) -%}
    {%- set header = raw_file_header(batch.path) -%}
    {{- return(header.keys() | reject('equalto', '__order__') | list) -}}
{%- endmacro %}

{#-
    The positions (from 1) of the header's columns whose name, trimmed and without case, another
    column has too; empty when every name is unique. DuckDB's reader would stop on them with its
    own error; the preflight names them instead. Positions, not names: a file without a header
    line would print its first data row. Spark's reader renames the copies: nothing to check.
-#}
{% macro default__raw_header_repeated_columns(batch) -%}
    {%- set names = raw_file_header(batch.path).get('__order__', []) | map('trim') | map('lower') | list -%}
    {%- set repeated = [] -%}
    {%- for name in names -%}
        {%- if names.count(name) > 1 -%}
            {%- do repeated.append(loop.index) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(repeated) -}}
{%- endmacro %}

{% macro spark__raw_header_repeated_columns(batch) -%}
    {{- return([]) -}}
{%- endmacro %}

{% macro spark__raw_file_columns(raw_source, batch) -%}
    {%- set relation = api.Relation.create(schema=raw_source.schema, identifier=raw_source.identifier, type='table') -%}
    {{- return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -}}
{%- endmacro %}

{% macro default__register_raw_file(raw_source, batches) -%}
{%- endmacro %}

{#- Spark: one table over the entity's file, or over its folder (every file of it). -#}
{% macro spark__register_raw_file(raw_source, batches) -%}
    {%- set file_format = raw_file_format() -%}
    {%- set relation = api.Relation.create(
        schema=raw_source.schema, identifier=raw_source.identifier, type='table') -%}
    {%- set single = batches | length == 1 and batches[0].name == raw_source.name ~ '.' ~ file_format -%}
    {%- set file_path = raw_file_path(raw_source.name) if single else raw_batch_folder(raw_source.name) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- if batches | length > 0 -%}
        {%- set options -%}
            path {{ raw_string_literal(file_path) }}
            {%- if not single -%}
                , pathGlobFilter '*.{{ file_format }}'
            {%- endif -%}
            {%- if file_format == 'csv' -%}
                , header 'true', escape '"', multiLine 'true', encoding '{{ raw_encoding() }}'
            {%- endif -%}
        {%- endset -%}
        {%- do run_query('create table ' ~ relation ~ ' using ' ~ file_format ~ ' options (' ~ options ~ ')') -%}
        {%- do log('Raw file ' ~ file_path ~ ' registered as ' ~ relation, info=true) -%}
    {%- else -%}
        {%- set columns = [] -%}
        {%- for name, required in raw_contract_columns(raw_source.name) -%}
            {%- do columns.append(name ~ ' string') -%}
        {%- endfor -%}
        {%- do run_query('create table ' ~ relation ~ ' (' ~ columns | join(', ') ~ ') using parquet') -%}
    {%- endif -%}
{%- endmacro %}
