{#
    The comments persist_docs writes into DuckDB (BI tools show them beside each table and
    column): a short plain-text summary of the description, not the whole doc block, whose
    markdown (bold, code, tables, lists) BI tools print raw. The docs site keeps the full text:
    it reads the descriptions from the manifest. DECISIONLOG D128.

    These override dbt-duckdb's macros of the same name (dispatch search order: this project
    first). Spark keeps dbt-spark's, which persist the full description.
#}

{% macro duckdb__alter_relation_comment(relation, comment) %}
    comment on {{ relation.type }} {{ relation }} is {{ duckdb_escape_comment(plain_comment(comment)) }};
{% endmacro %}


{% macro duckdb__alter_column_comment(relation, column_dict) %}
    {% set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list %}
    {% for column_name in column_dict if (column_name in existing_columns) %}
        {% set column = column_dict[column_name] %}
        {% set quoted = adapter.quote(column_name) if column['quote'] else column_name %}
        comment on column {{ relation }}.{{ quoted }} is {{ duckdb_escape_comment(plain_comment(column['description'])) }};
    {% endfor %}
{% endmacro %}


{#
    plain_comment('**RFM segment (RFM客户细分).** Each of the 125 score cells maps to exactly one
    named segment in the seed `rfm_segment_map` (a test ...). The map ...')
    -> 'RFM segment (RFM客户细分). Each of the 125 score cells maps to exactly one named segment
       in the seed rfm_segment_map (a test ...).'

    Steps: the first paragraph, up to a list, table or heading in it (a colon that introduced
    it becomes a full stop); markdown removed (links keep their text; bold, italics and code
    marks dropped; list markers and headings dropped); whitespace collapsed; then the first
    sentence, or, when the description opens with a bold title ("**Name.**", the doc blocks'
    style), the title and the sentence after it; at most var persisted_comment_max_chars
    characters, cut at a word with "…".
#}
{% macro plain_comment(text) %}
    {%- set re = modules.re -%}
    {%- set source = (text or '') | string | trim -%}
    {%- set paragraph = re.split('\n\s*\n', source)[0] -%}
    {%- set paragraph = re.split('\n(?=\s*(?:[-*+]\s|\d+\.\s|\||#))', paragraph)[0] -%}
    {%- set plain = re.sub('!?\[([^\]]*)\]\([^)]*\)', '\\1', paragraph) -%}
    {%- set plain = re.sub('(?m)^\s*(#+|[-*+]|\d+\.)\s+', '', plain) -%}
    {%- set plain = re.sub('\*\*|__|`', '', plain) -%}
    {%- set plain = re.sub('(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])', '\\1', plain) -%}
    {%- set plain = re.sub('\s+', ' ', plain) | trim -%}
    {%- set sentences = re.split('(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)\s+|(?<=[。！？])', plain) | reject('equalto', '') | list -%}
    {%- set wanted = 2 if re.match('\*\*[^*]+[.!?。]\*\*', source) else 1 -%}
    {%- set summary = re.sub('[:;,]$', '.', sentences[:wanted] | join(' ') | trim) -%}
    {%- set limit = var('persisted_comment_max_chars') | int -%}
    {%- if summary | length > limit -%}
        {%- set cut = summary[:limit - 1] -%}
        {%- set summary = (cut.rsplit(' ', 1)[0] if ' ' in cut else cut) ~ '…' -%}
    {%- endif -%}
    {{- summary -}}
{% endmacro %}
