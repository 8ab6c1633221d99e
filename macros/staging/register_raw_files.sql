{#-
    on-run-start: check the user's own raw files (TIERING_RAW_PATH, see raw_relation) and make
    them readable as the source `raw`, on every engine, before any model runs.

    The preflight (D81) validates the settings (TIERING_RAW_FORMAT, TIERING_RAW_ENCODING), then
    looks for every file of the contract (models/staging/raw/_raw__sources.yml) and reads each
    present file's header. A missing required file (customers), a required column missing from
    a header, or a missing or empty folder are collected and reported together, in one error,
    before any model runs. An absent optional file (orders, renewals, feedback) is read as an
    empty file and said so in the log.

    DuckDB reads the files where they lie (raw_relation): nothing to register. Spark has no
    FROM-clause reader that takes a header row, so each file is registered as an external table
    over the file, in the source's schema (`raw.customers` ...): every column text, like DuckDB,
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
        {%- set present = adapter.dispatch('raw_files_present', 'customer_tiering')() -%}
        {%- set problems = [] -%}
        {%- if present | length == 0 -%}
            {%- do problems.append("the folder " ~ raw_data_path() ~ " does not exist or holds no file") -%}
        {%- endif -%}
        {%- for raw_source in graph.sources.values() | sort(attribute='name')
                if raw_source.source_name == 'raw' -%}
            {%- set entity = raw_source.name -%}
            {%- set file_name = entity ~ '.' ~ file_format -%}
            {%- set exists = file_name in present -%}
            {%- do adapter.dispatch('register_raw_file', 'customer_tiering')(raw_source, exists) -%}
            {%- if not exists -%}
                {%- if raw_source.meta.get('required', false) -%}
                    {%- do problems.append("missing required file " ~ file_name) -%}
                {%- else -%}
                    {%- do log("Raw file " ~ file_name ~ " is absent: read as an empty " ~ entity
                               ~ " file (allowed: see docs/raw-data-contract.md)", info=true) -%}
                {%- endif -%}
            {%- else -%}
                {%- set header = adapter.dispatch('raw_file_columns', 'customer_tiering')(raw_source) -%}
                {%- set missing = [] -%}
                {%- for name, required in raw_contract_columns(entity) if required and name not in header -%}
                    {%- do missing.append(name) -%}
                {%- endfor -%}
                {%- if header | length == 0 and raw_source.meta.get('required', false) -%}
                    {%- do problems.append(file_name ~ " is empty (no header line)") -%}
                {%- elif missing and header | length > 0 -%}
                    {#- the header's own names are not printed: a file without a header line
                        would print its first data row, e-mail included -#}
                    {%- do problems.append(file_name ~ " lacks required column(s) " ~ missing | join(', ')
                                           ~ " in its header line") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "Raw files in TIERING_RAW_PATH=" ~ raw_data_path() ~ " cannot be loaded; nothing was built:\n  - "
                ~ problems | join("\n  - ")
                ~ "\nSee docs/raw-data-contract.md for the files and columns required.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The file names (no folder) in the raw folder. -#}
{% macro default__raw_files_present() -%}
    {%- set pattern = raw_string_literal(raw_data_path().rstrip('/') ~ '/*') -%}
    {%- set rows = run_query('select parse_filename(file) from glob(' ~ pattern ~ ')') -%}
    {{- return(rows.columns[0].values() | list) -}}
{%- endmacro %}

{#- Spark lists a folder through the binaryFile source, which reads no file content here. -#}
{% macro spark__raw_files_present() -%}
    {%- set rows = run_query('select path from binaryFile.`' ~ raw_data_path().rstrip('/') ~ '`') -%}
    {%- set names = [] -%}
    {%- for path in rows.columns[0].values() -%}
        {%- do names.append(path.rstrip('/').split('/')[-1]) -%}
    {%- endfor -%}
    {{- return(names) -}}
{%- endmacro %}

{#- The lower-cased column names of a present raw file's header. -#}
{% macro default__raw_file_columns(raw_source) -%}
    {%- set header = raw_file_header(raw_source.name) -%}
    {{- return(header.keys() | reject('equalto', '__order__') | list) -}}
{%- endmacro %}

{% macro spark__raw_file_columns(raw_source) -%}
    {%- set relation = api.Relation.create(schema=raw_source.schema, identifier=raw_source.identifier, type='table') -%}
    {{- return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -}}
{%- endmacro %}

{% macro default__register_raw_file(raw_source, exists) -%}
{%- endmacro %}

{% macro spark__register_raw_file(raw_source, exists) -%}
    {%- set file_format = raw_file_format() -%}
    {%- set relation = api.Relation.create(
        schema=raw_source.schema, identifier=raw_source.identifier, type='table') -%}
    {%- set file_path = raw_file_path(raw_source.name) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- if exists -%}
        {%- set options -%}
            path {{ raw_string_literal(file_path) }}
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
