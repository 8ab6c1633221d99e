{#-
    The purchase sources of this run (var `purchase_sources`, doc block `purchase`), checked at
    compile time: a non-empty list of `orders` and/or `renewals`, each at most once. Returns the
    list, so a model asks `'renewals' in purchase_sources()`.
-#}
{% macro purchase_sources() -%}
    {%- set allowed = ['orders', 'renewals'] -%}
    {%- set given = var('purchase_sources') -%}
    {%- if given is string -%}
        {%- set given = [given] -%}
    {%- endif -%}
    {%- set chosen = [] -%}
    {%- for source_name in given -%}
        {%- set source_name = source_name | string | trim | lower -%}
        {%- if source_name not in allowed or source_name in chosen -%}
            {{ exceptions.raise_compiler_error(
                "var purchase_sources must list orders, renewals or both (each once), got "
                ~ var('purchase_sources')
            ) }}
        {%- endif -%}
        {%- do chosen.append(source_name) -%}
    {%- endfor -%}
    {%- if chosen | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var purchase_sources must list orders, renewals or both, got an empty list"
        ) }}
    {%- endif -%}
    {{ return(chosen) }}
{%- endmacro %}
