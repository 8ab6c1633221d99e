{#-
    Layers land in schemas named after the layer (staging, intermediate, marts, raw,
    reference), not dbt's default "<target schema>_<layer>": BI users look for `marts`.
    A target whose schema is not the adapter default (for example a per-developer schema)
    keeps the prefix, so two developers never overwrite each other's marts.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set default_schema = target.schema -%}
    {%- if custom_schema_name is none -%}
        {{ default_schema }}
    {%- elif default_schema in ('main', 'tiering') -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ default_schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
