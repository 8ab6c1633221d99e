{#-
    A label of a small fixed set as a small integer, and back (DECISIONLOG D192): a large join
    or sort then carries two bytes where a text value takes sixteen, and spills less. NULL stays
    NULL. A label missing from `labels` is coded 0 and comes back as 'unlisted label', which the
    accepted-values tests of the model reject: a wrong list stops the build, it never loses a label.
-#}
{% macro label_code(column, labels) -%}
    cast(
        case
            when {{ column }} is null then null
            {%- for label in labels %}
            when {{ column }} = '{{ label }}' then {{ loop.index }}
            {%- endfor %}
            else 0
        end as smallint
    )
{%- endmacro %}

{% macro label_from_code(column, labels) -%}
    case {{ column }}
        {%- for label in labels %}
        when {{ loop.index }} then '{{ label }}'
        {%- endfor %}
        when 0 then 'unlisted label'
    end
{%- endmacro %}
