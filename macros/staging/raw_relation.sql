{#-
    Where the raw rows of one entity come from, and how the user's files are read.

    With no raw path set, the bundled demo seeds (`raw_<entity>`) are read. With the
    environment variable TIERING_RAW_PATH (or the var `raw_data_path`) pointing at a folder
    of the user's own files, the dbt source `raw.<entity>` is read instead: its columns, and
    which of them are required, are the raw data contract (models/staging/raw/_raw__sources.yml).
    Models never change between the two. docs/raw-data-contract.md, DECISIONLOG D80-D84.
-#}
{% macro raw_data_path() -%}
    {{- return(var('raw_data_path', env_var('TIERING_RAW_PATH', '')) | trim) -}}
{%- endmacro %}

{#- csv (default) or parquet; anything else stops the run (D83). -#}
{% macro raw_file_format() -%}
    {%- set file_format = env_var('TIERING_RAW_FORMAT', 'csv') | trim | lower -%}
    {%- if file_format not in ('csv', 'parquet') -%}
        {{ exceptions.raise_compiler_error(
            "TIERING_RAW_FORMAT must be csv or parquet, got '" ~ file_format ~ "'") }}
    {%- endif -%}
    {{- return(file_format) -}}
{%- endmacro %}

{#-
    The text encoding of CSV files: TIERING_RAW_ENCODING, default utf-8. DuckDB reads utf-8,
    utf-16 and latin-1 itself; other encodings (GBK, GB18030, Shift-JIS ...) need its `encodings`
    extension, which is downloaded from the internet, so they are refused with the command that
    converts the file instead (D82).
-#}
{% macro raw_encoding() -%}
    {%- set encoding = env_var('TIERING_RAW_ENCODING', 'utf-8') | trim | lower | replace('_', '-') -%}
    {%- set aliases = {'utf8': 'utf-8', 'utf16': 'utf-16', 'latin1': 'latin-1', 'iso-8859-1': 'latin-1'} -%}
    {%- set encoding = aliases.get(encoding, encoding) -%}
    {%- if encoding not in ('utf-8', 'utf-16', 'latin-1') -%}
        {{ exceptions.raise_compiler_error(
            "TIERING_RAW_ENCODING='" ~ encoding ~ "' is not supported: raw CSV files must be utf-8, "
            ~ "utf-16 or latin-1. Convert each file to UTF-8 first, for example "
            ~ "`iconv -f " ~ encoding | upper ~ " -t UTF-8 customers.csv > utf8/customers.csv`, "
            ~ "and point TIERING_RAW_PATH at the converted folder.") }}
    {%- endif -%}
    {{- return(encoding) -}}
{%- endmacro %}

{#- A text literal, escaped for the engine (a folder named `it's` must not break the SQL). -#}
{% macro raw_string_literal(text) -%}
    '{{ dbt.escape_single_quotes(text) }}'
{%- endmacro %}

{#- The file of one entity, e.g. <raw path>/customers.csv. -#}
{% macro raw_file_path(entity) -%}
    {{- return(raw_data_path().rstrip('/') ~ '/' ~ entity ~ '.' ~ raw_file_format()) -}}
{%- endmacro %}

{#-
    The contract of one entity, from the source's columns: a list of (name, required).
    Empty before execution (the graph is not filled while dbt parses).
-#}
{% macro raw_contract_columns(entity) -%}
    {%- set columns = [] -%}
    {%- if not execute -%}
        {{- return(columns) -}}
    {%- endif -%}
    {%- for raw_source in graph.sources.values()
            if raw_source.source_name == 'raw' and raw_source.name == entity -%}
        {%- for column in raw_source.columns.values() -%}
            {%- do columns.append((column.name, column.meta.get('required', false))) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}

{#-
    The raw relation of one entity for lineage and for Spark: the demo seed, or the source
    `raw.<entity>` (on Spark the table register_raw_files made over the file or the folder).
    DuckDB reads each batch file itself (raw_batch_relation).
-#}
{% macro raw_relation(entity) -%}
    {%- if not raw_data_path() -%}
        {{- return(ref('raw_' ~ entity)) -}}
    {%- endif -%}
    {#- the source, for lineage; read through the engine's reader below -#}
    {%- set raw_source = source('raw', entity) -%}
    {%- if not execute -%}
        {{- return(raw_source) -}}
    {%- endif -%}
    {{- return(adapter.dispatch('raw_relation', 'customer_tiering')(entity, raw_source)) -}}
{%- endmacro %}

{#-
    Spark: the table registered over the file or folder at the start of the run
    (register_raw_files), with every contract column the files lack added as NULL text.
-#}
{% macro default__raw_relation(entity, raw_source) -%}
    {%- set present = adapter.get_columns_in_relation(raw_source) | map(attribute='name') | map('lower') | list -%}
    {%- set select_list = [] -%}
    {%- for name, required in raw_contract_columns(entity) -%}
        {%- if name in present -%}
            {%- do select_list.append('cast(`' ~ name ~ '` as string) as ' ~ name) -%}
        {%- else -%}
            {%- do select_list.append('cast(null as string) as ' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return('(select ' ~ select_list | join(', ') ~ ' from ' ~ raw_source ~ ')') -}}
{%- endmacro %}

{#- DuckDB: the single file's reader (raw_file_reader), for callers outside the batch models. -#}
{% macro duckdb__raw_relation(entity, raw_source) -%}
    {{- return(raw_file_reader(entity, raw_file_path(entity))) -}}
{%- endmacro %}

{#- One batch of one entity: the demo seed, or (DuckDB) the batch's file read where it lies. -#}
{% macro raw_batch_relation(entity, batch) -%}
    {%- if batch.path is none -%}
        {{- return(ref('raw_' ~ entity)) -}}
    {%- endif -%}
    {{- return(raw_file_reader(entity, batch.path)) -}}
{%- endmacro %}

{#-
    DuckDB: one raw file read where it lies, every column as text, each contract column the file
    lacks (an optional column absent from the header, or every column of an absent optional
    file) as NULL text. Each file of a folder is read with its own header.

    CSV is read with an explicit dialect (D80): delimiter `,`, quote `"`, a quote inside a quoted
    value doubled (`""`), a header row, the columns named from the file's own header line. No
    sniffing, so one odd line can never make the reader guess another dialect. A record whose
    field count differs from the header's, or whose quotes do not close, is skipped by the
    reader and kept in a temporary table (`store_rejects`) from which the parsed model's
    post-hook adds it to the quarantine as `malformed_row` (or `invalid_encoding`), without its
    text (collect_malformed_rows). The reader never prints a raw line: no e-mail reaches a log.
-#}
{% macro raw_file_reader(entity, path) -%}
    {%- set header = raw_file_header(path) -%}
    {%- set select_list = [] -%}
    {%- for name, required in raw_contract_columns(entity) -%}
        {%- if name in header -%}
            {%- do select_list.append(adapter.quote(header[name]) ~ ' as ' ~ name) -%}
        {%- else -%}
            {%- do select_list.append('cast(null as varchar) as ' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if header | length == 0 -%}
        {%- set reader = '(select 1 where false)' -%}
    {%- elif raw_file_format() == 'parquet' -%}
        {%- set reader = 'read_parquet(' ~ raw_string_literal(path) ~ ')' -%}
    {%- else -%}
        {%- set column_types = [] -%}
        {%- for original in header['__order__'] -%}
            {%- do column_types.append(raw_string_literal(original) ~ ": 'varchar'") -%}
        {%- endfor -%}
        {%- set reader -%}
            read_csv({{ raw_string_literal(path) }}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"', encoding = '{{ raw_encoding() }}',
                columns = { {{- column_types | join(', ') -}} },
                store_rejects = true, rejects_table = '{{ raw_rejects_table(entity) }}',
                rejects_scan = '{{ raw_rejects_table(entity) }}_scans')
        {%- endset -%}
    {%- endif -%}
    {{- return('(select ' ~ select_list | join(', ') ~ ' from ' ~ reader ~ ')') -}}
{%- endmacro %}

{#- The temporary table where DuckDB's CSV reader keeps the records it could not read. -#}
{% macro raw_rejects_table(entity) -%}
    {{- return('raw_' ~ entity ~ '_reader_rejects') -}}
{%- endmacro %}

{#-
    DuckDB: the columns of the raw file at `path`, as a dict from the lower-cased, trimmed name to the
    name as written, plus '__order__': the names as written, in file order. Empty when the
    file is absent (or has no header line). For CSV only the first line is read.
-#}
{% macro raw_file_header(file_path) -%}
    {%- set path = raw_string_literal(file_path) -%}
    {%- set found = run_query('select count(*) from glob(' ~ path ~ ')').columns[0].values()[0] -%}
    {%- set header = {} -%}
    {%- if found == 0 -%}
        {{- return(header) -}}
    {%- endif -%}
    {%- if raw_file_format() == 'parquet' -%}
        {%- set names = run_query('select name from parquet_schema(' ~ path ~ ') where num_children is null')
                        .columns[0].values() | list -%}
    {%- else -%}
        {#-
            The first physical line, read as one column (a delimiter and quote that never occur).
            `parallel = false`: with the profile's preserve_insertion_order off, a parallel scan
            may return any line first (seen: a data line taken for the header).
            `ignore_errors`: a badly encoded line further on must never fail this read, since
            DuckDB's error would print it. (A header line that is itself unreadable is skipped,
            so the next line is taken for the header, lacks the required columns and stops the
            run in the preflight.)
            `strict_mode = false`: a file with CRLF line ends and a bare LF inside a quoted value
            (how Excel writes a cell of two lines) otherwise stops this read with a parser error;
            the reader of the records reads such a file (D195).
        -#}
        {%- set first_line = run_query(
            "select line from read_csv(" ~ path ~ ", header = false, auto_detect = false, "
            ~ "columns = {'line': 'varchar'}, delim = chr(1), quote = '', escape = '', "
            ~ "encoding = '" ~ raw_encoding() ~ "', ignore_errors = true, parallel = false, "
            ~ "strict_mode = false) limit 1").columns[0].values() | list -%}
        {%- set names = [] -%}
        {%- if first_line and first_line[0] -%}
            {%- for name in first_line[0].replace('\ufeff', '').split(',') -%}
                {#- a column without a name (a trailing comma) is named by its position: the reader
                    needs a name for every column, and the contract reads none of these (D195) -#}
                {%- set cleaned = name.strip().strip('"') -%}
                {%- do names.append(cleaned if cleaned | trim else 'unnamed_column_' ~ loop.index) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- for name in names -%}
        {%- do header.update({name | trim | lower: name}) -%}
    {%- endfor -%}
    {%- if names -%}
        {%- do header.update({'__order__': names}) -%}
    {%- endif -%}
    {{- return(header) -}}
{%- endmacro %}
