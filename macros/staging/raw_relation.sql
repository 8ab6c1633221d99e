{#-
    Where the raw rows of one entity come from.

    With no raw path set, the bundled demo seeds (`raw_<entity>`) are read. With the
    environment variable TIERING_RAW_PATH (or the var `raw_data_path`) pointing at a folder
    of the user's own files, the dbt source `raw.<entity>` is read instead; its location is
    set in models/staging/raw/_raw__sources.yml. Models never change between the two.
-#}
{% macro raw_data_path() -%}
    {{- return(var('raw_data_path', env_var('TIERING_RAW_PATH', '')) | trim) -}}
{%- endmacro %}

{% macro raw_relation(entity) -%}
    {%- if raw_data_path() -%}
        {{- return(source('raw', entity)) -}}
    {%- else -%}
        {{- return(ref('raw_' ~ entity)) -}}
    {%- endif -%}
{%- endmacro %}
