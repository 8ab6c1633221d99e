{#-
    on-run-end: print where the raw rows went (clean, rejected, duplicates, reject rate, top
    reasons), so every build shows the data quality of its input, not only a failing test
    count. Printed whenever this run built the reconciliation or read the load gate (through
    int_as_of_date), also when the gate stopped the build; quiet otherwise. The label says
    which threshold a rate crosses: above reject_rate_error the gate stops the build.
-#}
{% macro log_load_reconciliation(results) %}
    {%- if execute -%}
        {%- set involved = results | selectattr('node.name', 'in', ['stg_raw__load_reconciliation', 'int_as_of_date'])
                                   | list -%}
        {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                                             | selectattr('name', 'equalto', 'stg_raw__load_reconciliation') | list -%}
        {%- if involved | length > 0 and nodes | length > 0 -%}
            {%- set relation = adapter.get_relation(database=nodes[0].database, schema=nodes[0].schema,
                                                    identifier=nodes[0].alias) -%}
            {%- if relation is not none -%}
                {%- set rows = run_query(
                    "select entity, raw_rows, clean_rows, rejected_rows, duplicate_rows, reject_rate,"
                    ~ " top_reject_reasons from " ~ relation ~ " order by entity") -%}
                {%- do log("Raw data reconciliation (raw = clean + rejected + duplicates):", info=true) -%}
                {%- for row in rows -%}
                    {%- set rate = row[5] or 0 -%}
                    {%- if rate > var('reject_rate_error') -%}
                        {%- set flag = "  <- above reject_rate_error (" ~ (var('reject_rate_error') * 100) ~ " %): the load gate stops the build" -%}
                    {%- elif rate > var('reject_rate_warn') -%}
                        {%- set flag = "  <- above reject_rate_warn (" ~ (var('reject_rate_warn') * 100) ~ " %)" -%}
                    {%- else -%}
                        {%- set flag = "" -%}
                    {%- endif -%}
                    {%- set reasons = "; " ~ row[6] if row[6] else "" -%}
                    {%- do log("  " ~ "%-9s" | format(row[0]) ~ " raw " ~ row[1] ~ " = clean " ~ row[2]
                               ~ " + rejected " ~ row[3] ~ " + duplicates " ~ row[4]
                               ~ " (reject rate " ~ "%.2f" | format(rate * 100) ~ " %" ~ reasons ~ ")" ~ flag,
                               info=true) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
