"""Bring your own data: the same build runs unchanged on CSV and on Parquet files pointed to by
TIERING_RAW_PATH, with every data test, and both give the same marts.

The files come from the project's generator (100,000 orders), whose manifest says how many rows
of each kind of dirt it injected; the quarantine must hold exactly those.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import generate_raw, run_dbt

pytestmark = pytest.mark.slow

ORDERS = 100_000
SEED = 11
MARTS = ["customer_segments", "lifecycle_stage", "churn_cohort", "subscription_cohort", "segment_summary",
         "renewal_reminders"]


def _generate(out: Path, file_format: str) -> dict:
    generate_raw(out, orders=ORDERS, seed=SEED, file_format=file_format)
    return json.loads((out / "_manifest.json").read_text())


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    result = {}
    for file_format in ("csv", "parquet"):
        work = tmp_path_factory.mktemp(file_format)
        manifest = _generate(work / "raw", file_format)
        run_dbt(["build"], work, raw_path=work / "raw", raw_format=file_format)
        result[file_format] = (work, manifest)
    return result


def test_generated_files_have_the_requested_size(builds):
    for _, manifest in builds.values():
        assert abs(manifest["files"]["orders"]["rows"] - ORDERS) <= ORDERS * 0.05


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_quarantine_holds_exactly_the_injected_dirt(builds, file_format):
    work, manifest = builds[file_format]
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    try:
        for entity, facts in manifest["files"].items():
            got = dict(con.execute(f"select reject_reason, count(*) from staging.stg_raw__{entity}_rejected "
                                   "group by reject_reason").fetchall())
            expected = {reason: count for reason, count in facts["dirty"].items() if count}
            assert got == expected, entity
            clean = con.execute(f"select count(*) from staging.stg_raw__{entity}").fetchone()[0]
            assert clean == facts["expected_rows_after_staging"], entity
    finally:
        con.close()


@pytest.mark.parametrize("mart", MARTS)
def test_csv_and_parquet_give_identical_marts(builds, mart):
    csv_db = builds["csv"][0] / "warehouse.duckdb"
    parquet_db = builds["parquet"][0] / "warehouse.duckdb"
    con = duckdb.connect()
    try:
        con.execute(f"attach '{csv_db}' as from_csv (read_only)")
        con.execute(f"attach '{parquet_db}' as from_parquet (read_only)")
        rows = con.execute(f"select count(*) from from_csv.marts.{mart}").fetchone()[0]
        assert rows > 0
        # Doubles (shares, averages) are sums in whatever order the threads finished: equal to
        # 1e-9, not to the last bit. Everything else must be identical.
        columns = con.execute("select column_name, data_type from duckdb_columns() where database_name = 'from_csv' "
                              "and schema_name = 'marts' and table_name = ? order by column_index", [mart]).fetchall()
        select = ", ".join(f"round({name}, 9) as {name}" if kind == "DOUBLE" else name for name, kind in columns)
        only_csv = con.execute(f"select count(*) from (select {select} from from_csv.marts.{mart} "
                               f"except all select {select} from from_parquet.marts.{mart})").fetchone()[0]
        only_parquet = con.execute(f"select count(*) from (select {select} from from_parquet.marts.{mart} "
                                   f"except all select {select} from from_csv.marts.{mart})").fetchone()[0]
        assert (only_csv, only_parquet) == (0, 0)
    finally:
        con.close()
