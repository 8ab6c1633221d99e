{#-
    on-run-end: print where the raw rows went (clean, rejected, duplicates, reject rate), so
    every build shows the data quality of its input, not only a failing test count.
    Quiet when the reconciliation model was not part of this run.
-#}
{% macro log_load_reconciliation(results) %}
    {%- if execute -%}
        {%- set built = results | selectattr('node.name', 'equalto', 'stg_raw__load_reconciliation')
                                | selectattr('status', 'in', ['success', 'pass']) | list -%}
        {%- if built | length > 0 -%}
            {%- set relation = built[0].node.relation_name -%}
            {%- set rows = run_query(
                "select entity, raw_rows, clean_rows, rejected_rows, duplicate_rows, reject_rate from "
                ~ relation ~ " order by entity") -%}
            {%- do log("Raw data reconciliation (raw = clean + rejected + duplicates):", info=true) -%}
            {%- for row in rows -%}
                {%- set rate = (row[5] or 0) * 100 -%}
                {%- set flag = "  <- above reject_rate_warn" if (row[5] or 0) > var('reject_rate_warn') else "" -%}
                {%- do log("  " ~ "%-9s" | format(row[0]) ~ " raw " ~ row[1] ~ " = clean " ~ row[2]
                           ~ " + rejected " ~ row[3] ~ " + duplicates " ~ row[4]
                           ~ " (reject rate " ~ "%.2f" | format(rate) ~ " %)" ~ flag, info=true) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
