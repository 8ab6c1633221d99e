{#-
    Load batches (docs/incremental-loads.md, DECISIONLOG D140-D146).

    The raw rows of an entity arrive as one or more batches: the single file
    `<raw path>/orders.csv`, or every file of the folder `<raw path>/orders/` (`*.csv`, or
    `*.parquet` with TIERING_RAW_FORMAT=parquet), each file one batch; without a raw path, the
    demo seed `raw_orders` is the one batch. A batch is named by its path below the raw path
    (`orders.csv`, `orders/2024-05.csv`) and fingerprinted by its size and modification time
    (the seed: by dbt's checksum of its file). The base_raw__<entity>_parsed models keep the
    name and fingerprint on every row, so an incremental run reads only the batches whose
    (name, fingerprint) it has not stored yet.
-#}

{#-
    Every batch of `entity`, as dicts {name, fingerprint, path}, sorted by name. Empty before
    execution. A file and a folder for the same entity at once stop the run: which one holds
    the history is not ours to guess.
-#}
{% macro raw_batches(entity) -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- if not raw_data_path() -%}
        {%- set seed = graph.nodes.get('seed.' ~ project_name ~ '.raw_' ~ entity) -%}
        {{- return([{'name': 'raw_' ~ entity, 'fingerprint': seed.checksum.checksum[:16], 'path': none}]) -}}
    {%- endif -%}
    {%- set batches = adapter.dispatch('raw_batch_files', 'customer_tiering')(entity) -%}
    {%- set single = entity ~ '.' ~ raw_file_format() -%}
    {%- set names = batches | map(attribute='name') | list -%}
    {%- if single in names and names | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Raw " ~ entity ~ " arrive both as the file " ~ single ~ " and as the folder " ~ entity
            ~ "/ in TIERING_RAW_PATH=" ~ raw_data_path() ~ ": keep one of them (docs/incremental-loads.md).") }}
    {%- endif -%}
    {{- return(batches | sort(attribute='name')) -}}
{%- endmacro %}

{#- The folder pattern of an entity's batches. -#}
{% macro raw_batch_folder(entity) -%}
    {{- return(raw_data_path().rstrip('/') ~ '/' ~ entity) -}}
{%- endmacro %}

{#- DuckDB: the file and the folder's files, with size and modification time (no content read). -#}
{% macro default__raw_batch_files(entity) -%}
    {%- set file_format = raw_file_format() -%}
    {%- set root = raw_data_path().rstrip('/') ~ '/' -%}
    {%- set listed = run_query(
        "select file from glob([" ~ raw_string_literal(raw_file_path(entity)) ~ ", "
        ~ raw_string_literal(raw_batch_folder(entity) ~ '/*.' ~ file_format) ~ "]) order by file") -%}
    {%- set paths = listed.columns[0].values() | list -%}
    {%- set batches = [] -%}
    {%- if paths -%}
        {%- set quoted = [] -%}
        {%- for path in paths -%}
            {%- do quoted.append(raw_string_literal(path)) -%}
        {%- endfor -%}
        {%- set rows = run_query(
            "select filename, cast(size as varchar) || '-' || cast(epoch_us(last_modified) as varchar)"
            ~ " from read_blob([" ~ quoted | join(', ') ~ "]) order by filename") -%}
        {%- for row in rows -%}
            {%- set path = row[0] -%}
            {%- do batches.append({'name': path[root | length:] if path.startswith(root) else path.split('/')[-1],
                                   'fingerprint': row[1], 'path': path}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(batches) -}}
{%- endmacro %}

{#- Spark lists both places through the binaryFile source (no file content is read). -#}
{% macro spark__raw_batch_files(entity) -%}
    {%- set batches = [] -%}
    {%- set present = spark__raw_files_present() -%}
    {%- if (entity ~ '.' ~ raw_file_format()) in present -%}
        {%- do batches.append({'name': entity ~ '.' ~ raw_file_format(), 'fingerprint': none,
                               'path': raw_file_path(entity)}) -%}
    {%- endif -%}
    {%- if entity in present -%}
        {%- set rows = run_query("select path from binaryFile.`" ~ raw_batch_folder(entity)
                                 ~ "` where path like '%." ~ raw_file_format() ~ "'") -%}
        {%- for path in rows.columns[0].values() -%}
            {%- do batches.append({'name': entity ~ '/' ~ path.split('/')[-1], 'fingerprint': none, 'path': path}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(batches) -}}
{%- endmacro %}

{#-
    The batches the incremental model `relation` already holds: a dict name -> fingerprint.
    Empty on a first or full-refresh build.
-#}
{% macro stored_raw_batches(relation) -%}
    {%- set stored = {} -%}
    {%- if execute and is_incremental() -%}
        {%- for row in run_query('select distinct raw_batch, raw_batch_fingerprint from ' ~ relation) -%}
            {%- do stored.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(stored) -}}
{%- endmacro %}

{#-
    The batches to read in this run: those not stored, or stored with another fingerprint (the
    file changed: it is read again and its stored rows are deleted first, forget_changed_batches).
    A stored batch whose file is gone stops the run (D142): dropping its rows silently would
    take its orders out of every tier; restore the file, or accept the loss with --full-refresh.
-#}
{% macro unread_raw_batches(entity, relation) -%}
    {%- set stored = stored_raw_batches(relation) -%}
    {%- set batches = raw_batches(entity) -%}
    {%- set present = batches | map(attribute='name') | list -%}
    {%- set removed = stored.keys() | reject('in', present) | list | sort -%}
    {#- the demo seed and the user's files are two data sources, not batches of one: a switch
        between them drops the other source's rows (D142) -#}
    {%- set seed_name = 'raw_' ~ entity -%}
    {%- set switched = removed | select('equalto', seed_name) | list if raw_data_path()
                       else removed | reject('equalto', seed_name) | list -%}
    {%- if switched and execute -%}
        {%- do log("Raw " ~ entity ~ ": the data source changed (demo seed / TIERING_RAW_PATH): the rows of "
                   ~ switched | join(', ') ~ " are dropped", info=true) -%}
    {%- endif -%}
    {%- set removed = removed | reject('in', switched) | list -%}
    {%- if removed -%}
        {{ exceptions.raise_compiler_error(
            "Raw " ~ entity ~ " batch(es) loaded before are gone: " ~ removed | join(', ')
            ~ ". Restore the file(s), or rebuild from the files present with `dbt build --full-refresh`"
            ~ " (docs/incremental-loads.md).") }}
    {%- endif -%}
    {%- set unread = [] -%}
    {%- for batch in batches if batch.name not in stored or stored[batch.name] != batch.fingerprint -%}
        {%- do unread.append(batch) -%}
    {%- endfor -%}
    {%- if stored and execute -%}
        {%- do log("Raw " ~ entity ~ ": " ~ unread | length ~ " new or changed batch(es) of " ~ batches | length
                   ~ " to read", info=true) -%}
    {%- endif -%}
    {{- return(unread) -}}
{%- endmacro %}

{#-
    pre-hook of an incremental parsed model: delete the stored rows of batches whose file
    changed, so that the re-read rows replace them.
-#}
{% macro forget_changed_batches(entity) -%}
    {%- if execute and is_incremental() -%}
        {%- set pairs = [] -%}
        {%- for batch in raw_batches(entity) -%}
            {%- do pairs.append(raw_string_literal(batch.name ~ '|' ~ (batch.fingerprint or ''))) -%}
        {%- endfor -%}
        delete from {{ this }}
        where raw_batch || '|' || coalesce(raw_batch_fingerprint, '') not in ({{ pairs | join(', ') if pairs else "''" }})
    {%- endif -%}
{%- endmacro %}

{#-
    The rows of the given batches: raw_batch, raw_batch_fingerprint, raw_rows_in_batch (the
    records the reader returns from the batch, counted by a pass of its own, D73) and every
    `columns` value as trimmed text (NULL when blank). No batch: no rows, same columns.
-#}
{% macro raw_batch_rows(entity, batches, columns) -%}
    {%- set string = dbt.type_string() -%}
    {%- if not execute -%}
        {#- the seed or the source, for lineage: dbt records it while it parses -#}
        {%- do raw_relation(entity) -%}
    {%- endif -%}
    {%- if batches | length == 0 %}
    select
        cast(null as {{ string }}) as raw_batch,
        cast(null as {{ string }}) as raw_batch_fingerprint,
        cast(null as {{ dbt.type_bigint() }}) as raw_rows_in_batch,
        {%- for column in columns %}
        cast(null as {{ string }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else -%}
    {{- adapter.dispatch('raw_batch_rows', 'customer_tiering')(entity, batches, columns) -}}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: each batch read where it lies with its own header, one union branch per batch. -#}
{% macro default__raw_batch_rows(entity, batches, columns) -%}
    {%- for batch in batches %}
    select
        {{ raw_string_literal(batch.name) }} as raw_batch,
        {{ raw_string_literal(batch.fingerprint) if batch.fingerprint else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as raw_batch_fingerprint,
        {{ raw_record_count(entity, raw_batch_relation(entity, batch)) }} as raw_rows_in_batch,
        {%- for column in columns %}
        {{ clean_text('raw_records.' ~ column) }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ raw_batch_relation(entity, batch) }} as raw_records
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    Spark: the table registered over the file or the folder (register_raw_files) at once; the
    batch is the file each row came from, counted with a window.
-#}
{% macro spark__raw_batch_rows(entity, batches, columns) -%}
    {%- set single = batches | length == 1 and batches[0].name == entity ~ '.' ~ raw_file_format() -%}
    select
        raw_batch,
        cast(null as string) as raw_batch_fingerprint,
        count(*) over (partition by raw_batch) as raw_rows_in_batch,
        {%- for column in columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {%- if not raw_data_path() or single %}
            {{ raw_string_literal(batches[0].name) }} as raw_batch,
            {%- else %}
            concat('{{ entity }}/', regexp_extract(input_file_name(), '[^/]+$', 0)) as raw_batch,
            {%- endif %}
            {%- for column in columns %}
            {{ clean_text('raw_records.' ~ column) }} as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ raw_relation(entity) }} as raw_records
    ) as batch_rows
{%- endmacro %}

{#-
    How many records a reader returns, as a scalar subquery. Every contract column is read:
    DuckDB checks the encoding only of the columns a query reads, so a bare count(*) would count
    a record the model itself finds unreadable (and quarantines as invalid_encoding, D80).
-#}
{% macro raw_record_count(entity, reader) -%}
    {%- set columns = raw_contract_columns(entity) | map(attribute=0) | list -%}
    (
        select count(*)
        from {{ reader }} as counted_records
        {%- if columns %}
        where length(concat_ws('|'
            {%- for column in columns %}, coalesce(counted_records.{{ column }}, ''){% endfor -%}
        )) >= 0
        {%- endif %}
    )
{%- endmacro %}

{#-
    The materialization of the parsed models: incremental where the engine can delete a
    batch's rows (DuckDB; append, with forget_changed_batches as pre-hook), a table rebuilt
    every run elsewhere (Spark with parquet tables, D146).
-#}
{% macro raw_batch_materialization() -%}
    {{- return('incremental' if target.type == 'duckdb' else 'table') -}}
{%- endmacro %}
