{#-
    The ABC class of a ranked row from its running total (including itself), its own value and
    the total over positive values. The share *before* the row decides, so the row that crosses
    a cut-off is in the higher class and class A always holds at least var abc_cutoff_a.
    Compared as amounts (running total − own value < cut-off × total), not as rounded shares.
    NULL value (no margin known): NULL class. Non-positive value: C.
-#}
{% macro abc_class(running_total, value, positive_total) -%}
    case
        when {{ value }} is null then null
        when {{ value }} <= 0 then 'C'
        when {{ running_total }} - {{ value }} < {{ var('abc_cutoff_a') }} * {{ positive_total }} then 'A'
        when {{ running_total }} - {{ value }} < {{ var('abc_cutoff_b') }} * {{ positive_total }} then 'B'
        else 'C'
    end
{%- endmacro %}
