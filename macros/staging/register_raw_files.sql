{#-
    on-run-start: make the user's own raw files (TIERING_RAW_PATH, see raw_relation) readable as
    the source `raw`, on every engine.

    DuckDB reads the files where they lie, through the source's external_location
    (models/staging/raw/_raw__sources.yml): nothing to do. Spark has no FROM-clause reader that
    takes a header row, so each file is registered as an external table over the file, in the
    source's schema (`raw.customers` ...): every column text, like DuckDB's all_varchar, and
    dropping the table never deletes the file. CSV options match the files the contract
    describes: a header row, `"` quotes doubled inside a value, line breaks inside quotes.
    Without a raw path the demo seeds are read and nothing is registered.
-#}
{% macro register_raw_files() -%}
    {{ return(adapter.dispatch('register_raw_files', 'customer_tiering')()) }}
{%- endmacro %}

{% macro default__register_raw_files() -%}
{%- endmacro %}

{% macro spark__register_raw_files() -%}
    {%- if execute and raw_data_path() -%}
        {%- set file_format = env_var('TIERING_RAW_FORMAT', 'csv') | trim | lower -%}
        {%- if file_format not in ('csv', 'parquet') -%}
            {{ exceptions.raise_compiler_error("TIERING_RAW_FORMAT must be csv or parquet, got '" ~ file_format ~ "'") }}
        {%- endif -%}
        {%- for raw_source in graph.sources.values() if raw_source.source_name == 'raw' -%}
            {%- set relation = api.Relation.create(
                schema=raw_source.schema, identifier=raw_source.identifier, type='table') -%}
            {%- set file_path = raw_data_path() ~ '/' ~ raw_source.name ~ '.' ~ file_format -%}
            {%- do adapter.create_schema(relation) -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- set options -%}
                path '{{ file_path }}'
                {%- if file_format == 'csv' -%}
                    , header 'true', escape '"', multiLine 'true', encoding 'UTF-8'
                {%- endif -%}
            {%- endset -%}
            {%- do run_query('create table ' ~ relation ~ ' using ' ~ file_format ~ ' options (' ~ options ~ ')') -%}
            {%- do log('Raw file ' ~ file_path ~ ' registered as ' ~ relation, info=true) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
