{#-
    score_in_range: every non-null score in `column_name` lies in [min_value, max_value]
    (default 1 to 5, the RFM scale). NULL scores are not this test's concern (use not_null).

    A failing row is a row of the model whose score is below min_value or above max_value.
-#}
{% test score_in_range(model, column_name, min_value=1, max_value=5) %}

with

final as (
    select * from {{ model }}
    where {{ column_name }} < {{ min_value }}
        or {{ column_name }} > {{ max_value }}
)

select * from final

{% endtest %}
