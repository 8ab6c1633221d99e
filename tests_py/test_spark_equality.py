"""The same project on Apache Spark gives the same marts as on DuckDB.

Both engines build the project from the same raw data with `dbt build` (seeds, models, every data
test and unit test): DuckDB into its own file, Spark through dbt-spark's `session` method (a local
SparkSession, profiles.yml target `spark`) into its own warehouse and Derby metastore. Both builds
must pass completely. Then every mart and the RFM audit (int_rfm_cut_points) are compared row by
row, matched on their keys:

- keys, classes, labels, counts, scores, dates and flags: exactly equal (NULL only equals NULL);
- money (DECIMAL columns: revenue, monetary, amounts, RFM cut values): within MONEY_TOLERANCE,
  one cent. Both engines round every amount to cents in staging and add decimals exactly, so the
  difference is 0 in practice; the cent is the same tolerance the reference test allows;
- floating-point columns (shares, rates, averages, medians): within RELATIVE_TOLERANCE, because
  the engines add doubles in a different order.

Any other difference is a bug in one of the two engines' SQL (or in dbt's adapter for it).

The raw data are the demo seeds (seeds/demo/raw_*.csv), as CI has them. If they are missing, the
project's generator writes the same demo set to a temporary folder and both engines read it through
TIERING_RAW_PATH instead (on Spark via macros/staging/register_raw_files.sql).
TIERING_SPARK_TEST_RAW_PATH=<folder of customers.csv, orders.csv, ... (or .parquet)> compares on
those files. Every test runs a second time on load batches (docs/incremental-loads.md): the
generator's demo-sized data set (2,000 customers) written as a folder of monthly files per
entity, which DuckDB reads batch by batch and Spark as one table per folder (DECISIONLOG D146);
the batch reconciliation is compared too.

Needs Java 17+ and the Spark extras (requirements-spark.txt): run it with `make spark-test`, which
installs both. Outside that target the module is skipped when the extras are missing; with
TIERING_REQUIRE_SPARK=1 (set by the target) a missing piece fails instead of skipping.
Both builds are kept in target/spark-test/ (or TIERING_SPARK_TEST_DIR) until the next run, for
inspection: dbt logs, compiled SQL, the DuckDB file and the Spark warehouse.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import generate_raw, run_dbt

pytestmark = pytest.mark.spark

PROJECT = Path(__file__).resolve().parents[1]
ENTITIES = ("customers", "orders", "renewals", "feedback")
DEMO_SEEDS = PROJECT / "seeds" / "demo"

MONEY_TOLERANCE = Decimal("0.01")
RELATIVE_TOLERANCE = 1e-9
SHOW_DIFFERENCES = 15  # per model and column, in the failure message

# model -> (schema, key columns). Marts first, then the RFM audit and the load reconciliation
# (raw = clean + rejected + duplicates per entity: a difference there points at how the raw rows
# were loaded or parsed, before any tier is computed).
MODELS: dict[str, tuple[str, list[str]]] = {
    "customer_segments": ("marts", ["customer_id"]),
    "lifecycle_stage": ("marts", ["customer_id"]),
    "churn_cohort": ("marts", ["cohort_month", "months_since_acquisition"]),
    "subscription_cohort": ("marts", ["cohort_month", "billing_cycle", "periods_since_start"]),
    "segment_summary": ("marts", ["segment_code"]),
    "renewal_reminders": ("marts", ["subscription_id"]),
    "customer_segment_history": ("marts", ["as_of_date", "customer_id"]),
    "segment_migration": ("marts", ["dimension", "period_to", "from_value", "to_value"]),
    "int_rfm_cut_points": ("intermediate", ["dimension", "score"]),
    "stg_raw__load_reconciliation": ("staging", ["entity"]),
    "stg_raw__batch_reconciliation": ("staging", ["entity", "raw_batch"]),
}
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT"}


def _spark_ready() -> str | None:
    """None when Spark can run here, else what is missing."""
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(name) is None]
    if missing:
        return f"Spark extras not installed ({', '.join(missing)}): run `make spark-test`"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        return "no Java runtime (java not on PATH, no JAVA_HOME): run `make spark-test`, or scripts/setup_spark.sh"
    return None


@pytest.fixture(scope="module", autouse=True)
def spark_available():
    problem = _spark_ready()
    if problem:
        if os.environ.get("TIERING_REQUIRE_SPARK") == "1":
            pytest.fail(problem)
        pytest.skip(problem)


def _demo_seeds_present() -> bool:
    return all((DEMO_SEEDS / f"raw_{entity}.csv").exists() for entity in ENTITIES)


def _raw_format(raw_path: Path | None) -> str:
    """csv or parquet: of the customers file, or of the files in the customers folder (batches)."""
    if raw_path is None:
        return "csv"
    return "parquet" if list(raw_path.glob("customers.parquet")) + list(raw_path.glob("customers/*.parquet")) else "csv"


def _dbt_build(target: str, work: Path, raw_path: Path | None, extra_env: dict[str, str],
               extra_args: list[str]) -> dict:
    """`dbt build --target <target>` with its own target/log folders; returns a summary."""
    raw_format = _raw_format(raw_path)
    started = time.monotonic()
    proc = run_dbt(["build", "--target", target, *extra_args], work, raw_path=raw_path, raw_format=raw_format,
                   check=False, timeout=3600, extra_env=extra_env)
    seconds = time.monotonic() - started
    (work / "dbt_build.out").write_text(proc.stdout + "\n" + proc.stderr)
    results_file = work / "target" / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    not_passed = {r["unique_id"]: (r["status"], (r.get("message") or "")[:800])
                  for r in results if r["status"] not in ("success", "pass")
                  and not (r["status"] == "no-op" and r["unique_id"].startswith(("exposure.", "saved_query.")))}
    return {"returncode": proc.returncode, "seconds": seconds, "nodes": len(results), "not_passed": not_passed,
            "tail": "\n".join(proc.stdout.splitlines()[-40:]) + "\n" + proc.stderr[-3000:], "work": work}


@pytest.fixture(scope="module", params=["files", "batches"])
def builds(request):
    """Both engines' builds of one raw data set: `files`, one file per entity (the demo seeds or
    TIERING_SPARK_TEST_RAW_PATH); `batches`, a folder of monthly load batches per entity, which
    Spark reads as one table per folder with each row's file as its batch."""
    # Not pytest's tmp_path: pytest keeps only its last three temporary folders, so a concurrent
    # pytest run could delete a Spark warehouse in use. This folder is wiped at the start instead
    # and left for inspection (dbt logs, compiled SQL, warehouse) after the run.
    root = Path(os.environ.get("TIERING_SPARK_TEST_DIR") or PROJECT / "target" / "spark-test")
    base = root if request.param == "files" else root / request.param
    for previous in ("duckdb", "spark", "raw"):
        shutil.rmtree(base / previous, ignore_errors=True)
    base.mkdir(parents=True, exist_ok=True)
    raw_path = Path(os.environ["TIERING_SPARK_TEST_RAW_PATH"]).resolve() if os.environ.get(
        "TIERING_SPARK_TEST_RAW_PATH") else None
    # unit tests run on fixed inputs, whatever the raw data: once, with the files
    extra_args = ["--exclude-resource-type", "unit_test"] if request.param == "batches" else []
    if request.param == "batches":
        raw_path = generate_raw(base / "raw", customers=2000, seed=42, batches="monthly")
    elif raw_path is None and not _demo_seeds_present():
        raw_path = base / "raw"
        generate_raw(raw_path, customers=2000, seed=42)
    duck_work, spark_work = base / "duckdb", base / "spark"
    duck_env = {"TIERING_DUCKDB_PATH": str(duck_work / "duck.duckdb"),
                "TIERING_DUCKDB_TEMP_DIR": str(duck_work / "spill")}
    spark_env = {"TIERING_SPARK_DIR": str(spark_work / "session"), "SPARK_LOCAL_IP": "127.0.0.1"}
    summaries: dict[str, dict] = {}
    # DuckDB's build (~25 s) runs alongside Spark's (~100 s), which waits mostly on Spark's
    # per-query overhead rather than on the two cores.
    duck_thread = threading.Thread(
        target=lambda: summaries.__setitem__("duckdb", _dbt_build("duckdb", duck_work, raw_path, duck_env, extra_args)))
    duck_thread.start()
    summaries["spark"] = _dbt_build("spark", spark_work, raw_path, spark_env, extra_args)
    duck_thread.join()
    timings = {name: round(summary["seconds"], 1) for name, summary in summaries.items()}
    (base / "timings.json").write_text(json.dumps(timings))
    print(f"\nbuild seconds: {timings}; raw data: {'TIERING_RAW_PATH ' + str(raw_path) if raw_path else 'demo seeds'};"
          f" work folder: {base}")
    return summaries


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_build_passes_completely(builds, engine):
    """Seeds, models, every data test (and unit test, with the files): all pass, none skipped or erroring."""
    summary = builds[engine]
    problems = "\n".join(f"  {node}: {status} {message}" for node, (status, message) in summary["not_passed"].items())
    assert summary["returncode"] == 0 and not summary["not_passed"] and summary["nodes"] > 0, (
        f"dbt build on {engine} did not pass completely (exit {summary['returncode']}, "
        f"{summary['nodes']} nodes); build folder {summary['work']}\n{problems}\n{summary['tail']}")


def test_both_builds_ran_the_same_nodes(builds):
    duck = json.loads((builds["duckdb"]["work"] / "target" / "run_results.json").read_text())["results"]
    spark = json.loads((builds["spark"]["work"] / "target" / "run_results.json").read_text())["results"]
    assert sorted(r["unique_id"] for r in duck) == sorted(r["unique_id"] for r in spark)


# Columns that differ between the two builds by design, not compared: the history's fingerprint
# of its inputs hashes rows with each engine's own hash function (DECISIONLOG D180), and
# computed_at is the start of the run that computed a row (D182).
ENGINE_SPECIFIC_COLUMNS = {"inputs_fingerprint", "computed_at"}


def _compared(con, source: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    columns = [(row[0], row[1]) for row in con.execute(f"describe select * from {source}").fetchall()
               if row[0] not in ENGINE_SPECIFIC_COLUMNS]
    listed = ", ".join(f'"{name}"' for name, _ in columns)
    return columns, con.execute(f"select {listed} from {source}").fetchall()


def _read_duckdb(database: Path, schema: str, model: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return _compared(con, f"{schema}.{model}")
    finally:
        con.close()


def _read_spark(session_dir: Path, schema: str, model: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    """A table as Spark wrote it: the parquet files of the managed table in the local warehouse."""
    table_dir = session_dir / "warehouse" / f"{schema}.db" / model
    if not list(table_dir.glob("*.parquet")):
        raise AssertionError(f"Spark table {schema}.{model} has no parquet files in {table_dir}")
    con = duckdb.connect()
    try:
        return _compared(con, f"read_parquet('{table_dir}/*.parquet')")
    finally:
        con.close()


def _type_family(sql_type: str) -> str:
    base = sql_type.split("(")[0].strip().upper()
    if base in INTEGER_TYPES:
        return "integer"
    return {"DECIMAL": "decimal", "DOUBLE": "double", "FLOAT": "double", "VARCHAR": "text"}.get(base, base.lower())


def _same(duck_value, spark_value) -> bool:
    if duck_value is None or spark_value is None:
        return duck_value is None and spark_value is None
    if isinstance(duck_value, Decimal) or isinstance(spark_value, Decimal):
        return abs(Decimal(str(duck_value)) - Decimal(str(spark_value))) <= MONEY_TOLERANCE
    if isinstance(duck_value, float) or isinstance(spark_value, float):
        return math.isclose(duck_value, spark_value, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)
    return duck_value == spark_value


def _show(value) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return repr(value)


def diff_model(columns_duck, rows_duck, columns_spark, rows_spark, keys: list[str]) -> list[str]:
    """Every difference between the two tables, as readable lines; [] when they are equal."""
    problems = []
    names_duck, names_spark = [c for c, _ in columns_duck], [c for c, _ in columns_spark]
    if names_duck != names_spark:
        problems.append(f"columns differ:\n    duckdb {names_duck}\n    spark  {names_spark}")
        return problems
    for (name, type_duck), (_, type_spark) in zip(columns_duck, columns_spark):
        if _type_family(type_duck) != _type_family(type_spark):
            problems.append(f"column {name}: type {type_duck} on DuckDB, {type_spark} on Spark")
    key_positions = [names_duck.index(key) for key in keys]

    def by_key(rows):
        keyed = {}
        for row in rows:
            keyed.setdefault(tuple(row[i] for i in key_positions), []).append(row)
        return keyed

    duck, spark = by_key(rows_duck), by_key(rows_spark)
    for engine, keyed in (("DuckDB", duck), ("Spark", spark)):
        repeated = [key for key, rows in keyed.items() if len(rows) > 1]
        if repeated:
            problems.append(f"{len(repeated)} keys repeated on {engine}, e.g. {repeated[:5]}")
    only_duck = sorted(set(duck) - set(spark), key=repr)
    only_spark = sorted(set(spark) - set(duck), key=repr)
    if only_duck:
        problems.append(f"{len(only_duck)} rows only on DuckDB, keys {keys}: {only_duck[:SHOW_DIFFERENCES]}")
    if only_spark:
        problems.append(f"{len(only_spark)} rows only on Spark, keys {keys}: {only_spark[:SHOW_DIFFERENCES]}")
    for position, name in enumerate(names_duck):
        differing = [(key, duck[key][0][position], spark[key][0][position])
                     for key in sorted(set(duck) & set(spark), key=repr)
                     if not _same(duck[key][0][position], spark[key][0][position])]
        if differing:
            lines = "\n".join(f"      {dict(zip(keys, key))}: duckdb {_show(d)}  spark {_show(s)}"
                              for key, d, s in differing[:SHOW_DIFFERENCES])
            problems.append(f"column {name}: {len(differing)} of {len(set(duck) & set(spark))} rows differ\n{lines}")
    return problems


@pytest.mark.parametrize("model", list(MODELS))
def test_model_equal_on_duckdb_and_spark(builds, model):
    schema, keys = MODELS[model]
    for engine in ("duckdb", "spark"):
        failed = {node: status for node, (status, _) in builds[engine]["not_passed"].items()
                  if node.startswith("model.") and node.split(".")[-1] == model}
        if failed:
            pytest.fail(f"{model} was not built on {engine}: {failed}")
    columns_duck, rows_duck = _read_duckdb(builds["duckdb"]["work"] / "duck.duckdb", schema, model)
    columns_spark, rows_spark = _read_spark(builds["spark"]["work"] / "session", schema, model)
    assert rows_duck, f"{model} is empty on DuckDB: nothing would be compared"
    problems = diff_model(columns_duck, rows_duck, columns_spark, rows_spark, keys)
    assert not problems, (
        f"{model}: DuckDB ({len(rows_duck)} rows) and Spark ({len(rows_spark)} rows) differ "
        f"(money within {MONEY_TOLERANCE}, doubles within {RELATIVE_TOLERANCE} relative, all else exact):\n  "
        + "\n  ".join(problems))


def test_differ_reports_what_it_should():
    """The comparison itself: it must see a changed class, a missing row and money beyond a cent."""
    columns = [("customer_id", "VARCHAR"), ("tier", "VARCHAR"), ("revenue", "DECIMAL(38,2)"), ("share", "DOUBLE")]
    duck = [("a", "vip", Decimal("10.00"), 0.5), ("b", "low", Decimal("1.00"), 0.25), ("c", "low", None, None)]
    assert diff_model(columns, duck, columns, list(duck), ["customer_id"]) == []
    close = [("a", "vip", Decimal("10.01"), 0.5 * (1 + 1e-12)), ("b", "low", Decimal("1.00"), 0.25),
             ("c", "low", None, None)]
    assert diff_model(columns, duck, columns, close, ["customer_id"]) == []
    spark = [("a", "active", Decimal("10.02"), 0.5), ("c", "low", Decimal("0.00"), None)]
    problems = "\n".join(diff_model(columns, duck, columns, spark, ["customer_id"]))
    assert "1 rows only on DuckDB" in problems and "('b',)" in problems
    assert "column tier: 1 of 2 rows differ" in problems and "'vip'" in problems
    assert "column revenue: 2 of 2 rows differ" in problems
    assert "column share" not in problems
