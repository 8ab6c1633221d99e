"""The engine floor: dbt's compiled model SQL run directly in DuckDB, without dbt.

Reads a manifest written by `dbt compile`, orders the model nodes by their dependencies and runs
each node's compiled SQL as `create or replace table|view <relation> as (...)` (the node's own
materialization; incremental models are built as tables, as on a first run; ephemeral models are
already inlined by dbt into the SQL of the nodes that use them), one after another in one DuckDB
connection opened with the settings of the dbt profile. The seeds the models read are copied
from a database where `dbt seed` loaded them, so their types are dbt's. With --tests, every data
test is then run as dbt runs it (`select count(*) ... from (<test sql>)`).

What dbt does and this does not: parse the project, render Jinja, introspect the catalog, run
several nodes at once when the profile's `threads` is above 1, build each table under a
temporary name and rename it, enforce contracts (create the table with typed columns, then
insert), write column comments (`persist_docs`), run hooks and write its artifacts. The difference between the two timings is
what dbt costs on top of the SQL.

Usage: python benchmark/engine_floor.py --manifest target/manifest.json --db DIR/warehouse.duckdb
       --seeds-db PREPARED.duckdb [--tests] [--timings OUT.json] [--as-table model,model]

--as-table is a what-if: it builds the named models as tables, to measure a materialization
change on the same SQL before anyone edits dbt_project.yml.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import connect, duckdb_config, duckdb_settings, profile_output, topological_order  # noqa: E402


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build(manifest: dict, con: duckdb.DuckDBPyConnection, seeds_alias: str, with_tests: bool,
          as_table: frozenset[str] = frozenset()) -> list[dict]:
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    # Only the seeds some model reads: the floor is the SQL of the models.
    read_by_models = {d for n in nodes.values() if n["resource_type"] == "model" for d in n["depends_on"]["nodes"]}
    nodes = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model" or uid in read_by_models}
    timings = []
    schemas_made = set()
    for uid in topological_order(nodes):
        node = nodes[uid]
        materialized = "table" if node["name"] in as_table else node["config"]["materialized"]
        if node["resource_type"] == "model" and materialized == "ephemeral":
            continue
        schema = (node["database"], node["schema"])
        if schema not in schemas_made:
            con.execute(f"create schema if not exists {quote(schema[0])}.{quote(schema[1])}")
            schemas_made.add(schema)
        relation = node["relation_name"]
        if node["resource_type"] == "seed":
            sql = f"create or replace table {relation} as select * from {quote(seeds_alias)}.{quote(node['schema'])}.{quote(node['alias'])}"
        elif materialized == "view":
            sql = f"create or replace view {relation} as (\n{node['compiled_code']}\n)"
        elif materialized in ("table", "incremental"):
            sql = f"create or replace table {relation} as (\n{node['compiled_code']}\n)"
        else:
            raise SystemExit(f"{uid}: materialization {materialized} is not handled by the engine floor")
        started = time.perf_counter()
        con.execute(sql)
        timings.append({"unique_id": uid, "seconds": time.perf_counter() - started})
    if with_tests:
        tests = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "test"}
        for uid in sorted(tests):
            sql = f"select count(*) as failures from (\n{tests[uid]['compiled_code']}\n) as dbt_internal_test"
            started = time.perf_counter()
            failures = con.execute(sql).fetchone()[0]
            timings.append({"unique_id": uid, "seconds": time.perf_counter() - started, "failures": failures})
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, required=True, help="manifest.json written by dbt compile")
    parser.add_argument("--db", type=Path, required=True,
                        help="DuckDB file to build; its name must match the database name in the compiled SQL")
    parser.add_argument("--seeds-db", type=Path, required=True, help="a DuckDB file where dbt seed loaded the seeds")
    parser.add_argument("--tests", action="store_true", help="also run every data test")
    parser.add_argument("--timings", type=Path, help="write per-node seconds here (JSON)")
    parser.add_argument("--as-table", default="",
                        help="what-if: build these models (comma separated names) as tables whatever their "
                             "materialization, to measure a materialization change before making it")
    args = parser.parse_args(argv)

    manifest = json.loads(args.manifest.read_text())
    output = profile_output()
    config = {**duckdb_config(output), **duckdb_settings(output)}
    con = connect(args.db, output)
    seeds_alias = "dbt_seeds_source"
    con.execute(f"attach '{args.seeds_db}' as {seeds_alias} (read_only)")
    started = time.perf_counter()
    as_table = frozenset(name.strip() for name in args.as_table.split(",") if name.strip())
    timings = build(manifest, con, seeds_alias, args.tests, as_table)
    con.execute(f"detach {seeds_alias}")
    con.close()
    total = time.perf_counter() - started
    failing = [t["unique_id"] for t in timings if t.get("failures")]
    if args.timings:
        args.timings.write_text(json.dumps({"seconds": total, "settings": config, "nodes": timings}, indent=1))
    print(json.dumps({"seconds": round(total, 3), "nodes": len(timings), "failing_tests": failing}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
