{#-
    Which rows of a history model its data tests check (DECISIONLOG D182, docs/incremental-loads.md).

    Every row of an incremental history model carries `computed_at`, the start of the run that
    computed it. When every data test on the model passes in a run, on-run-end records the
    latest `computed_at` the tests saw, with a fingerprint of the tests' definitions
    (tiering_meta.history_rows_tested). The model's generic tests then check only the rows
    computed after that record: those a later run wrote, and those of a run whose tests failed,
    errored, were skipped or did not finish (it recorded nothing). Rows already checked by
    passing tests are not checked again while the tests stay the same; a changed or added test
    (or test macro) has another fingerprint and checks every row once. A full build, and Spark
    (whose history models are tables rebuilt every run), check every row.
-#}

{#- The start of this run, as the timestamp each history row it computes stores. -#}
{% macro history_computed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro history_rows_tested_relation() -%}
    {{- return('tiering_meta.history_rows_tested') -}}
{%- endmacro %}

{#- A history model: incremental and storing computed_at with each row. -#}
{% macro is_history_model(node) -%}
    {{- return(node is not none and node.resource_type == 'model'
               and node.config.materialized == 'incremental' and 'computed_at' in node.columns) -}}
{%- endmacro %}

{#- The enabled data tests that read the model `node_id`, sorted. -#}
{% macro data_tests_of(node_id) -%}
    {%- set tests = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
            if node.resource_type == 'test' and node_id in node.depends_on.nodes -%}
        {%- do tests.append(node) -%}
    {%- endfor -%}
    {{- return(tests) -}}
{%- endmacro %}

{#-
    The fingerprint of the tests of the model `node_id` as a SQL expression: each test's name,
    arguments, settings and file checksum, and the text of every project macro (the generic
    tests are macros).
-#}
{% macro history_tests_fingerprint(node_id) -%}
    {%- set parts = [] -%}
    {%- for test in data_tests_of(node_id) -%}
        {%- set settings = {} -%}
        {%- for key in ['where', 'severity', 'fail_calc', 'warn_if', 'error_if', 'limit', 'enabled'] -%}
            {%- do settings.update({key: test.config.get(key)}) -%}
        {%- endfor -%}
        {%- do parts.append(test.unique_id ~ '=' ~ tojson(test.get('test_metadata') or {}) ~ tojson(settings)
                            ~ test.checksum.checksum) -%}
    {%- endfor -%}
    md5('{{ local_md5(parts | join("|")) }}' || {{ project_macros_fingerprint() }})
{%- endmacro %}

{#-
    The latest computed_at of the model `node_id` that its current tests passed on, as a
    timestamp literal; none when there is no such record.
-#}
{% macro history_rows_tested_through(node_id) -%}
    {%- if adapter.get_relation(database=target.database, schema='tiering_meta',
                                identifier='history_rows_tested') is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set tested = run_query(
        "select strftime(max(tested_through), '%Y-%m-%d %H:%M:%S.%f') from " ~ history_rows_tested_relation()
        ~ " where model_unique_id = '" ~ node_id ~ "' and tests_fingerprint = "
        ~ history_tests_fingerprint(node_id)) -%}
    {{- return(tested.columns[0].values()[0]) -}}
{%- endmacro %}

{#-
    dbt calls this to give a generic test the relation it checks (dispatch order in
    dbt_project.yml): the test's `where` setting as dbt does it, and on a history model only the
    rows computed after its last all-green tests. The rows of this run are always checked.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set attached = model.get('attached_node') if execute else none -%}
    {%- set tested_through = history_rows_tested_through(attached)
            if attached and is_history_model(graph.nodes.get(attached)) else none -%}
    {%- if tested_through is not none -%}
        {%- set where = "(computed_at > cast('" ~ tested_through ~ "' as timestamp) or computed_at = "
                        ~ history_computed_at() ~ ")" ~ (" and (" ~ where ~ ")" if where else "") -%}
    {%- endif -%}
    {#- Spark reads `where (` as a table alias named where with column names: the test's own
        condition stays as written, as dbt passes it; the history's, which opens with a
        parenthesis, applies on DuckDB only (history_materialization) -#}
    {%- if where -%}
        {{- return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -}}
    {%- else -%}
        {{- return(relation) -}}
    {%- endif -%}
{%- endmacro %}

{#-
    on-run-end: for each history model whose every data test passed in this run, record the
    latest computed_at its rows hold. A run that ran no test, or not all of a model's tests,
    records nothing for it. DuckDB only, like the build record (macros/publication/).
-#}
{% macro record_history_rows_tested(results) -%}
    {{ return(adapter.dispatch('record_history_rows_tested', 'customer_tiering')(results)) }}
{%- endmacro %}

{% macro default__record_history_rows_tested(results) -%}
{%- endmacro %}

{% macro duckdb__record_history_rows_tested(results) -%}
    {%- if execute and is_recorded_command() -%}
        {%- set passed = results | selectattr('status', 'equalto', 'pass')
                                 | map(attribute='node') | map(attribute='unique_id') | list -%}
        {%- set statements = [] -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') if is_history_model(node) -%}
            {%- set test_ids = data_tests_of(node.unique_id) | map(attribute='unique_id') | list -%}
            {%- set relation = adapter.get_relation(database=node.database, schema=node.schema,
                                                    identifier=node.alias) -%}
            {%- if test_ids and relation is not none and test_ids | reject('in', passed) | list | length == 0 -%}
                {%- do statements.append(
                    "insert into " ~ history_rows_tested_relation()
                    ~ " select '" ~ node.unique_id ~ "', " ~ history_tests_fingerprint(node.unique_id)
                    ~ ", max(computed_at), '" ~ invocation_id ~ "', cast(now() at time zone 'UTC' as timestamp)"
                    ~ " from " ~ relation ~ " having max(computed_at) is not null") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if statements -%}
            {%- do run_query('create schema if not exists tiering_meta') -%}
            {%- do run_query(
                'create table if not exists ' ~ history_rows_tested_relation() ~ ' ('
                ~ 'model_unique_id varchar not null, tests_fingerprint varchar not null, '
                ~ 'tested_through timestamp not null, invocation_id varchar not null, recorded_at timestamp not null)') -%}
            {%- for statement in statements -%}
                {%- do run_query(statement) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
