{#-
    Seed rows on Spark. dbt-spark 1.11 (method `session`) formats each value into the INSERT
    text without escaping: a blank cell arrives as the text 'None' instead of NULL (every
    optional raw column would be rejected as unparseable) and a quote in a value
    ("Can't Lose Them") breaks the statement. This writes each value as an escaped SQL literal
    instead: NULL for a blank cell, and a text column as a plain literal, which also keeps the
    statement small enough for Spark to analyse quickly. Other columns keep dbt's cast.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do column_types.append(column_override.get(column_name, inferred_type) | lower | trim) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                    {%- if value is none -%}
                        null
                    {%- elif column_types[loop.index0] == 'string' -%}
                        '{{ value.replace("\\", "\\\\").replace("'", "\\'") }}'
                    {%- else -%}
                        cast('{{ value }}' as {{ column_types[loop.index0] }})
                    {%- endif -%}
                    {{ ", " if not loop.last }}
                {%- endfor -%}
            ){{ "," if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
