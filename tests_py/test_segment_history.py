"""The segment history is one definition: its rows for a past period end are what a full build
with that as_of_date publishes (doc block `segment_history`, DECISIONLOG D115-D116).

The demo warehouse is built once with its own as-of date and a history of 24 month ends, then
once per chosen month end with `--vars '{as_of_date: ...}'`. For two month ends, every column of
customer_segment_history at that date must equal customer_segments of the build as of that
date, row for row (the previous period's segment and the tier movement included), and the
migration rows into that date must be the same in both builds.

The current rows equal customer_segments of the same build by a dbt test
(tests/singular/customer_segment_history_current_rows_equal_customer_segments.sql).
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import run_dbt

pytestmark = pytest.mark.slow

COLUMNS = [
    "customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell",
    "rfm_status", "segment_code", "value_tier", "value_level", "abc_class_revenue", "abc_class_margin",
    "has_non_positive_revenue", "previous_as_of_date", "previous_segment_code", "previous_value_tier",
    "value_tier_movement",
]
MIGRATION = ["dimension", "period_from", "from_value", "to_value", "movement", "customers", "revenue"]
# Months back from the current as-of date: a year ago and two months ago.
PERIODS_BACK = (12, 2)
SELECT = ["run", "--select", "+customer_segments", "+customer_segment_history", "+segment_migration"]


def _rows(database: Path, query: str, *params) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return sorted(connection.execute(query, list(params)).fetchall(), key=repr)


@pytest.fixture(scope="module")
def current_build(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("history_current")
    run_dbt(["seed"], work)
    run_dbt(SELECT, work)
    return work / "warehouse.duckdb"


def _period_end(database: Path, periods_back: int):
    ends = [row[0] for row in _rows(database, "select as_of_date from intermediate.int_as_of_dates "
                                              "where not is_current order by as_of_date desc")]
    ends.sort(reverse=True)
    return ends[periods_back - 1]


@pytest.mark.parametrize("periods_back", PERIODS_BACK)
def test_history_row_equals_a_build_as_of_that_period_end(current_build, tmp_path, periods_back):
    period_end = _period_end(current_build, periods_back)
    columns = ", ".join(COLUMNS)
    history = _rows(current_build, f"select {columns} from marts.customer_segment_history where as_of_date = ?",
                    period_end)
    assert len(history) > 100, f"too few customers at {period_end} to mean anything"
    assert any(row[-1] in ("up", "down") for row in history), "no customer moved: the comparison proves little"

    run_dbt(["seed"], tmp_path)
    run_dbt(SELECT, tmp_path, dbt_vars={"as_of_date": period_end.isoformat()})
    past = tmp_path / "warehouse.duckdb"
    published = _rows(past, f"select {columns} from marts.customer_segments")
    assert _rows(past, "select distinct as_of_date from marts.customer_segments") == [(period_end,)]
    missing = set(published) - set(history)
    extra = set(history) - set(published)
    assert not missing and not extra, (
        f"history at {period_end} differs from a build as of that date: "
        f"{len(missing)} rows only in the build, e.g. {sorted(missing, key=repr)[:3]}; "
        f"{len(extra)} only in the history, e.g. {sorted(extra, key=repr)[:3]}")

    migration = ", ".join(MIGRATION)
    assert _rows(current_build, f"select {migration} from marts.segment_migration where period_to = ?",
                 period_end) == _rows(past, f"select {migration} from marts.segment_migration "
                                            "where period_to = ?", period_end)


PURCHASE_COLUMNS = [
    "as_of_date", "customer_id", "first_purchase_date", "last_purchase_date", "recency_days", "frequency",
    "monetary", "margin", "has_non_positive_revenue", "median_purchase_gap_days", "max_purchase_gap_days",
]


def test_a_run_of_few_dates_aggregates_the_purchases_as_a_run_of_many(current_build, tmp_path):
    """DECISIONLOG D191: a run that computes three as-of dates or fewer aggregates each date's
    visible purchase days; the 25 dates of the full history come from running totals over every
    purchase day. A build with a history of two periods must give the same rows for its dates."""
    run_dbt(["seed"], tmp_path)
    run_dbt(["run", "--select", "+int_customers_purchases_aggregated_by_as_of_date"], tmp_path,
            dbt_vars={"history_periods": 2})
    few = tmp_path / "warehouse.duckdb"
    dates = [d for (d,) in _rows(few, "select as_of_date from intermediate.int_as_of_dates")]
    many = _rows(current_build, "select count(*) from intermediate.int_as_of_dates")[0][0]
    assert 1 < len(dates) <= 3 < many, (dates, many)
    columns = ", ".join(PURCHASE_COLUMNS)
    query = (f"select {columns} from intermediate.int_customers_purchases_aggregated_by_as_of_date "
             f"where as_of_date in ({', '.join('?' * len(dates))})")
    direct, running = _rows(few, query, *dates), _rows(current_build, query, *dates)
    assert len(direct) > 300 and {row[0] for row in direct} == set(dates)
    median = PURCHASE_COLUMNS.index("median_purchase_gap_days")
    assert any(row[median] is not None and row[median] != int(row[median]) for row in direct), \
        "no median between two gaps: the comparison of the medians proves little"
    assert direct == running
