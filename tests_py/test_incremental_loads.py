"""Incremental loads give the same warehouse as a build from scratch (docs/incremental-loads.md).

The generator writes a demo-sized data set as load batches (`--batches monthly`: a folder per
entity, one file per month of loaded_at plus `today`). One warehouse loads them the way a nightly
schedule does, a few batches per run into the same DuckDB file: 2022-2023, then 2024, then 2025
and `today`; then a late batch that corrects orders of the first batch (a later loaded_at, another
amount: the latest load wins across batches) and re-sends one order unchanged, in the same run as
a changed file (an order batch rewritten with one row fewer and one amount changed: it is read
again and its old rows are gone). That last run is what `make build` runs, `python -m publication
build`: the whole build with every data test and the load gate, then the publication. Two
batches hold the same malformed line at the same line number.
A second warehouse builds the same final files from scratch with `--full-refresh`.

Every staging table (the parsed batches, the checked rows, the clean and quarantine models, the
batch and load reconciliations), every intermediate table and every mart must be identical, row
for row (as multisets, every column but computed_at, the run time of a history row). A batch
removed after it was loaded stops the next run.

Runs in `make test` (marker `incremental`, about two minutes on two cores).
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import PROJECT, dbt_env, generate_raw, publication_command, run_dbt

pytestmark = pytest.mark.incremental

ENTITIES = ("customers", "orders", "renewals", "feedback")
# a fixed latest plausible date: the two warehouses are built minutes apart
VARS = {"plausible_date_max": "2026-06-30"}
STAGING_ONLY = ["build", "--select", "+path:models/staging", "--exclude-resource-type", "test",
                "--exclude-resource-type", "unit_test"]
# the last incremental run is what `make build` runs: the build, then the publication
EVERYTHING = ["--exclude-resource-type", "unit_test"]
EVERYTHING_BUT_TESTS = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
SCHEMAS = ("staging", "intermediate", "marts")


def _copy_batches(source: Path, target: Path, keep) -> None:
    """Copy the batch files whose name `keep` accepts and that `target` does not have yet."""
    for entity in ENTITIES:
        (target / entity).mkdir(parents=True, exist_ok=True)
        for path in sorted((source / entity).glob("*.csv")):
            if keep(path.stem) and not (target / entity / path.name).exists():
                shutil.copy2(path, target / entity / path.name)


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def _late_correction(raw: Path) -> list[str]:
    """A batch loaded after all others that corrects three orders of the first month (a new
    amount, loaded later) and re-sends a fourth one unchanged; returns the corrected ids."""
    header, rows = _rows(raw / "orders" / "2022-01.csv")
    col = {name: i for i, name in enumerate(header)}
    clean = [r for r in rows if r[col["order_id"]] and r[col["gross_amount"]].replace(".", "", 1).isdigit()
             and r[col["loaded_at"]].startswith("2022-")]
    corrected = []
    for row in clean[:3]:
        row = list(row)
        row[col["gross_amount"]] = f"{float(row[col['gross_amount']]) + 11.5:.2f}"
        row[col["loaded_at"]] = "2025-12-31 12:00:00"
        corrected.append(row)
    _write(raw / "orders" / "zz-late-correction.csv", header, corrected + [clean[3]])
    return [r[col["order_id"]] for r in corrected]


def _change_file(path: Path) -> list[str]:
    """Rewrite a loaded batch (a re-export of the month): one completed order fewer, another
    one's amount changed; returns their order dates. Orders placed mid-month, so that the
    business time zone cannot move them into another period."""
    header, rows = _rows(path)
    col = {name: i for i, name in enumerate(header)}

    def plain(row):
        return (row[col["status"]] == "completed" and re.fullmatch(r"\d{4}-\d{2}-(0[5-9]|1\d|2[0-5])[ T].*",
                                                                   row[col["ordered_at"]])
                and row[col["gross_amount"]].replace(".", "", 1).isdigit())

    dropped, changed = [i for i, row in enumerate(rows) if plain(row)][:2]
    rows[changed][col["gross_amount"]] = f"{float(rows[changed][col['gross_amount']]) + 1:.2f}"
    touched = [rows[dropped][col["ordered_at"]][:10], rows[changed][col["ordered_at"]][:10]]
    _write(path, header, rows[:dropped] + rows[dropped + 1:])
    return touched


MALFORMED = "too,many,fields,for,an,order,row,a,b,c,d,e,f,g,h"


def _insert_malformed_line(path: Path) -> None:
    """The same malformed record (too many fields) as line 3 of a batch file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, MALFORMED)
    path.write_text("\n".join(lines), encoding="utf-8")


def _tables(db: Path) -> dict[tuple[str, str], list[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            f"where schema_name in {SCHEMAS} order by schema_name, table_name, column_index").fetchall()
    finally:
        con.close()
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        tables.setdefault((schema, table), []).append(column)
    return tables


# The start of the run that computed a history row (DECISIONLOG D182), and the latest plausible
# moment of the run that checked a raw row (D187): the two warehouses were built by other runs.
RUN_COLUMNS = {"computed_at", "checked_plausible_until"}


def _differences(incremental: Path, scratch: Path, same_order: bool = True) -> dict[str, tuple[int, int]]:
    """Per table, rows only in the incremental build and rows only in the scratch build.
    `same_order=False` accepts the columns of a table in another order (a column added to a
    stored table comes last)."""
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as inc (read_only)")
    con.execute(f"attach '{scratch}' as scr (read_only)")
    inc_tables, scr_tables = _tables(incremental), _tables(scratch)
    assert inc_tables.keys() == scr_tables.keys()
    found = {}
    for (schema, table), columns in inc_tables.items():
        wanted = scr_tables[(schema, table)]
        assert columns == wanted if same_order else sorted(columns) == sorted(wanted), f"{schema}.{table}: other columns"
        listed = ", ".join(f'"{c}"' for c in columns if c not in RUN_COLUMNS)
        only_inc, only_scr = (
            con.execute(f"select count(*) from (select {listed} from {a}.{schema}.{table} "
                        f"except all select {listed} from {b}.{schema}.{table})").fetchall()[0][0]
            for a, b in (("inc", "scr"), ("scr", "inc")))
        if only_inc or only_scr:
            found[f"{schema}.{table}"] = (only_inc, only_scr)
    con.close()
    return found


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    batches = generate_raw(base / "generated", customers=2000, seed=42, batches="monthly")
    for month in ("2022-01", "2022-02"):
        _insert_malformed_line(batches / "orders" / f"{month}.csv")
    raw = base / "raw"
    inc_work, scr_work = base / "incremental_build", base / "scratch_build"
    logs = []

    def load(args):
        proc = run_dbt(args, inc_work, raw_path=raw, dbt_vars=VARS)
        logs.append(proc.stdout)

    def load_and_publish():
        proc = subprocess.run(publication_command("build", inc_work, EVERYTHING, dbt_vars=VARS),
                              env=dbt_env(inc_work, raw), cwd=PROJECT, capture_output=True, text=True,
                              timeout=1200)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        logs.append(proc.stdout)

    for keep in (lambda name: name < "2024", lambda name: name < "2025"):
        _copy_batches(batches, raw, keep)
        load(STAGING_ONLY)
    # every batch, and every model: the history is built once in full
    _copy_batches(batches, raw, lambda name: True)
    load(EVERYTHING_BUT_TESTS)
    # a correction of the first month changes what every as-of date sees
    corrected = _late_correction(raw)
    load(EVERYTHING_BUT_TESTS)
    # a re-exported March 2024 changes only the as-of dates from then on
    changed = _change_file(raw / "orders" / "2024-03.csv")
    load_and_publish()
    run_dbt(["build", "--full-refresh", "--exclude-resource-type", "test", "--exclude-resource-type",
             "unit_test"], scr_work, raw_path=raw, dbt_vars=VARS)
    return {"raw": raw, "inc": inc_work / "warehouse.duckdb", "scr": scr_work / "warehouse.duckdb",
            "corrected": corrected, "changed": changed, "logs": logs, "inc_work": inc_work}


def test_incremental_loads_equal_a_build_from_scratch(loads):
    assert _differences(loads["inc"], loads["scr"]) == {}


def test_each_run_read_only_its_new_or_changed_batches(loads):
    logs = loads["logs"]
    assert "Raw orders: 12 new or changed batch(es) of 36 to read" in logs[1]
    # the late correction, then the changed file
    assert "Raw orders: 1 new or changed batch(es) of 50 to read" in logs[3]
    assert "Raw orders: 1 new or changed batch(es) of 50 to read" in logs[4]
    assert "Published file:" in logs[4]
    con = duckdb.connect(str(loads["inc"]), read_only=True)
    batches = con.execute("select count(distinct raw_batch) from staging.base_raw__orders_parsed").fetchall()
    con.close()
    assert batches == [(50,)]


def test_late_batch_wins_and_supersedes_the_earlier_rows(loads):
    con = duckdb.connect(str(loads["inc"]), read_only=True)
    ids = loads["corrected"]
    placeholders = ", ".join("?" for _ in ids)
    kept = con.execute(f"select order_id, raw_batch from staging.base_raw__orders_checked "
                       f"where reject_reason is null and order_id in ({placeholders})", ids).fetchall()
    superseded = con.execute(f"select count(*) from staging.base_raw__orders_checked "
                             f"where reject_reason = 'duplicate' and raw_batch = 'orders/2022-01.csv' "
                             f"and order_id in ({placeholders})", ids).fetchall()
    batch = con.execute("select raw_rows, clean_rows, rejected_rows, duplicate_rows "
                        "from staging.stg_raw__batch_reconciliation "
                        "where raw_batch = 'orders/zz-late-correction.csv'").fetchall()
    con.close()
    assert sorted(kept) == sorted((i, "orders/zz-late-correction.csv") for i in ids)
    assert superseded == [(3,)]
    # three corrections kept, and the re-sent copy: it ties with its original on every column
    # but the batch, and the batch whose name sorts last keeps the row
    assert batch == [(4, 4, 0, 0)]


def test_a_removed_batch_stops_the_next_run(loads, tmp_path):
    raw = loads["raw"]
    moved = tmp_path / "2022-01.csv"
    shutil.move(raw / "orders" / "2022-01.csv", moved)
    try:
        proc = run_dbt(["build", "--select", "base_raw__orders_parsed"], loads["inc_work"], raw_path=raw,
                       dbt_vars=VARS, check=False)
    finally:
        shutil.move(moved, raw / "orders" / "2022-01.csv")
    assert proc.returncode != 0
    assert "batch(es) loaded before are gone: orders/2022-01.csv" in proc.stdout


def test_malformed_lines_are_quarantined_per_batch(loads):
    """The same broken line at the same line number of two batches: two quarantine rows, each
    with its batch's line number and a key of its own."""
    con = duckdb.connect(str(loads["inc"]), read_only=True)
    rows = con.execute("select raw_batch, raw_line_number, raw_row_key from staging.base_raw__orders_checked "
                       "where reject_reason = 'malformed_row' order by raw_batch").fetchall()
    batches = con.execute("select raw_batch, raw_rows - clean_rows - rejected_rows - duplicate_rows "
                          "from staging.stg_raw__batch_reconciliation where raw_batch in "
                          "('orders/2022-01.csv', 'orders/2022-02.csv') order by raw_batch").fetchall()
    con.close()
    assert [(batch, line) for batch, line, _ in rows] == [("orders/2022-01.csv", 3), ("orders/2022-02.csv", 3)]
    assert rows[0][2] != rows[1][2]
    assert batches == [("orders/2022-01.csv", 0), ("orders/2022-02.csv", 0)]


HISTORY_MODELS = ("int_customers_by_as_of_date", "int_customers_purchases_aggregated_by_as_of_date",
                  "int_customers_subscription_states_by_as_of_date",
                  "int_customers_rfm_scored_by_as_of_date", "int_customers_abc_classified_by_as_of_date",
                  "customer_segment_history")


def _history_counts(log: str) -> dict[str, tuple[int, int]]:
    """Per history model, the as-of dates the run computed and the number it has."""
    found = {}
    for model in HISTORY_MODELS:
        match = re.search(rf"History {model}: (\d+) of (\d+) as-of dates to compute", log)
        assert match, f"no history line for {model} in the run's log"
        found[model] = (int(match.group(1)), int(match.group(2)))
    return found


def test_history_recomputes_only_the_as_of_dates_whose_inputs_changed(loads):
    """The history is computed once; a correction of the first month recomputes every as-of
    date; a re-exported March 2024 recomputes the dates from its first changed order on and keeps
    the earlier ones, and the result equals the build from scratch (the test above)."""
    logs = loads["logs"]
    assert "History " not in logs[2], "the first build of the history has nothing to keep"
    con = duckdb.connect(str(loads["inc"]), read_only=True)
    dates = [d for (d,) in con.execute("select as_of_date from intermediate.int_as_of_dates order by 1").fetchall()]
    con.close()
    everything = _history_counts(logs[3])
    assert set(everything.values()) == {(len(dates), len(dates))}
    first_changed = min(loads["changed"])[:10]
    later = _history_counts(logs[4])
    expected = sum(1 for d in dates if d.isoformat() >= first_changed)
    assert 0 < expected < len(dates), "the changed month must fall inside the history"
    assert set(later.values()) == {(expected, len(dates))}
