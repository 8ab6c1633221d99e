"""The history's data tests check every row until a run in which they all passed, and then only
the rows computed after it (DECISIONLOG D182, docs/incremental-loads.md).

One demo warehouse: a green build records, for each incremental history model, the latest
`computed_at` its tests passed on. A later run that computes history rows without running the
tests (`dbt run`), followed by a corrupted row among them, must make the next build's test fail,
however unchanged the inputs, and a failed build records nothing, so the run after it checks
them again. A changed test definition checks every row once more.

Runs in `make test` (marker `incremental`, about two minutes on two cores).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import PROJECT, run_dbt

pytestmark = pytest.mark.incremental

BUILD = ["build", "--exclude-resource-type", "unit_test"]
HISTORY_MODELS = ("int_customers_by_as_of_date", "int_customers_purchases_aggregated_by_as_of_date",
                  "int_customers_subscription_states_by_as_of_date",
                  "int_customers_rfm_scored_by_as_of_date", "int_customers_abc_classified_by_as_of_date",
                  "customer_segment_history", "segment_migration")
UNIQUE_TEST = "test.customer_tiering.unique_combination_customer_segment_history_as_of_date__customer_id"


def _query(work: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _records(work: Path) -> dict[str, list[str]]:
    """Model name -> the tested_through of its records, oldest first."""
    found: dict[str, list[str]] = {}
    for model, tested_through in _query(work, "select model_unique_id, cast(tested_through as varchar) "
                                              "from tiering_meta.history_rows_tested order by recorded_at"):
        found.setdefault(model.rsplit(".", 1)[-1], []).append(tested_through)
    return found


def _latest_computed_at(work: Path) -> dict[str, str]:
    schema = {"customer_segment_history": "marts", "segment_migration": "marts"}
    return {model: _query(work, f"select cast(max(computed_at) as varchar) "
                                f"from {schema.get(model, 'intermediate')}.{model}")[0][0]
            for model in HISTORY_MODELS}


def _unique_test(work: Path) -> tuple[str, str]:
    """Status and compiled SQL of the mart's uniqueness test in the last dbt invocation."""
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    (result,) = [r for r in results if r["unique_id"].startswith(UNIQUE_TEST)]
    return result["status"], result["compiled_code"]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    work = tmp_path_factory.mktemp("history_rows_tested")
    facts = {}
    run_dbt(BUILD, work)
    facts["green"] = (_records(work), _latest_computed_at(work))
    # the history mart computed again by a run that runs no test, then one row of it duplicated
    run_dbt(["run", "--full-refresh", "--select", "customer_segment_history"], work)
    facts["untested_computed_at"] = _latest_computed_at(work)["customer_segment_history"]
    con = duckdb.connect(str(work / "warehouse.duckdb"))
    con.execute("insert into marts.customer_segment_history "
                "select * from marts.customer_segment_history where not is_current limit 1")
    con.close()
    for name in ("failed", "failed_again"):
        proc = run_dbt(BUILD, work, check=False)
        facts[name] = (proc.returncode, *_unique_test(work), _records(work))
    con = duckdb.connect(str(work / "warehouse.duckdb"))
    con.execute("create or replace table marts.customer_segment_history as "
                "select distinct * from marts.customer_segment_history")
    con.close()
    run_dbt(BUILD, work)
    facts["repaired"] = (_records(work), _unique_test(work)[1], _latest_computed_at(work))
    # the same project with one test of the mart changed: its rows are all checked again
    project = work / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", "target", "logs", "benchmark", "*.duckdb", "*.duckdb.wal"))
    yml = project / "models" / "marts" / "customer_segment_history.yml"
    text = yml.read_text()
    required = "columns: [as_of_date, customer_id, is_current, segment_code, stage]"
    assert required in text
    yml.write_text(text.replace(required, required.replace("stage]", "stage, value_tier]")))
    run_dbt(["test", "--select", "customer_segment_history"], work, project=project)
    fingerprints = _query(work, "select count(distinct tests_fingerprint) from tiering_meta.history_rows_tested "
                                "where model_unique_id like '%.customer_segment_history'")[0][0]
    facts["test_changed"] = (*_unique_test(work), fingerprints)
    facts["work"] = work
    return facts


def test_a_green_build_records_what_its_tests_checked(story):
    records, computed_at = story["green"]
    assert sorted(records) == sorted(HISTORY_MODELS)
    assert {model: dates[-1] for model, dates in records.items()} == computed_at


def test_rows_computed_without_their_tests_are_checked_by_the_next_build(story):
    """The duplicated row's as-of date is not recomputed (its inputs did not change); the test
    checks it because no green run checked the rows of the test-less run."""
    returncode, status, compiled, records = story["failed"]
    green_through = story["green"][0]["customer_segment_history"][-1]
    assert returncode != 0 and status == "fail"
    assert records["customer_segment_history"] == [green_through], "a failed build must record nothing"
    assert f"computed_at > cast('{green_through}" in compiled
    assert story["untested_computed_at"] > green_through


def test_a_failed_build_leaves_its_rows_to_the_next_one(story):
    returncode, status, _, records = story["failed_again"]
    assert returncode != 0 and status == "fail"
    assert records["customer_segment_history"] == story["failed"][3]["customer_segment_history"]


def test_a_green_build_checks_only_the_rows_computed_after_the_last_green_one(story):
    records, compiled, computed_at = story["repaired"]
    through = records["customer_segment_history"]
    assert through[-1] == story["untested_computed_at"] == computed_at["customer_segment_history"]
    assert len(through) == 2
    # the repaired build read the rows the earlier green build had not checked
    assert f"computed_at > cast('{through[0]}" in compiled
    rows = _query(story["work"], f"select count(*) from marts.customer_segment_history "
                                 f"where computed_at > cast('{through[-1]}' as timestamp)")
    assert rows == [(0,)], "after a green build nothing is left unchecked"


def test_a_changed_test_checks_every_row_again(story):
    status, compiled, fingerprints = story["test_changed"]
    assert status == "pass"
    assert "computed_at >" not in compiled
    assert fingerprints == 2
