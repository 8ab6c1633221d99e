{#-
    assert_true: a boolean SQL `expression` over a row of the model is true for every row
    (for every row matching `where`, when given). NULL counts as not true.

    A failing row is a row of the model for which the expression is false or NULL.

    Note: dbt reads a test argument named `where` as the test's `where` config and filters the
    model itself before this SQL runs, so from YAML the filter works either way; the argument
    is applied here too for direct calls, which filters the same rows again.
-#}
{% test assert_true(model, expression, where=none) %}

with

final as (
    select * from {{ model }}
    where not coalesce({{ expression }}, false)
    {%- if where %}
        and ({{ where }})
    {%- endif %}
)

select * from final

{% endtest %}
