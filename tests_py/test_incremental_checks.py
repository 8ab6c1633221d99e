"""An incremental run checks again exactly the orders whose verdict may have changed (DECISIONLOG
D187) and gives the checked rows a build from scratch gives.

One warehouse loads a small generated data set with the customers in a folder of batches and
`plausible_date_max` 2026-06-30: one customer (X) is held back, so X's orders are
unknown_customer, and an added order placed in August 2026 is implausible_date. The next run
adds a batch with X, re-exports the first customers batch without another customer (Y), whose
orders become unknown_customer, and moves `plausible_date_max` to 2026-09-30, so the August order
becomes plausible; no order batch changes. Its staging tables must equal those of a build from
scratch of the same files, while it checked only a few order_ids again. Two more runs on copies
of that warehouse take the other paths: a row checked under other code or settings makes every
order_id be checked again, and so does a table stored before the checks were incremental.

Runs in `make test` (marker `incremental`, about a minute on two cores).
"""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import generate_raw, run_dbt
from test_incremental_loads import _differences

pytestmark = pytest.mark.incremental

STAGING = ["build", "--select", "+path:models/staging", "--exclude-resource-type", "test",
           "--exclude-resource-type", "unit_test"]
BEFORE, AFTER = {"plausible_date_max": "2026-06-30"}, {"plausible_date_max": "2026-09-30"}
FUTURE_ORDER = "future-order-1"
RECHECKED = re.compile(r"Checks base_raw__orders_checked: (\d+) natural key\(s\) to check again")


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def _rechecked(log: str) -> int:
    match = RECHECKED.search(log)
    assert match, "the run did not check base_raw__orders_checked incrementally"
    return int(match.group(1))


def _scalar(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental_checks")
    generated = generate_raw(base / "generated", customers=300, seed=7)
    raw = base / "raw"
    raw.mkdir()
    for entity in ("renewals", "feedback"):
        shutil.copy2(generated / f"{entity}.csv", raw / f"{entity}.csv")

    customer_header, customers = _read(generated / "customers.csv")
    order_header, orders = _read(generated / "orders.csv")
    cid, oid = customer_header.index("customer_id"), order_header.index("customer_id")
    col = {name: i for i, name in enumerate(order_header)}
    clean_customers = [r[cid] for r in customers if r[cid]]
    with_orders = [c for c in dict.fromkeys(r[oid] for r in orders if r[col["status"]] == "completed")
                   if c in clean_customers]
    held_back, dropped_later, buyer = with_orders[:3]
    # an order placed and loaded in August 2026, by a customer present all along
    future = list(next(r for r in orders if r[oid] == buyer and r[col["status"]] == "completed"))
    future[col["order_id"]] = FUTURE_ORDER
    future[col["ordered_at"]], future[col["loaded_at"]] = "2026-08-15 10:00:00", "2026-08-15 11:00:00"
    _write(raw / "orders" / "all.csv", order_header, orders + [future])
    _write(raw / "customers" / "a.csv", customer_header, [r for r in customers if r[cid] != held_back])

    inc_work, scr_work = base / "incremental_build", base / "scratch_build"
    run_dbt(STAGING, inc_work, raw_path=raw, dbt_vars=BEFORE)
    inc = inc_work / "warehouse.duckdb"
    held_back_unknown = _scalar(inc, "select count(*) from staging.base_raw__orders_checked "
                                     "where customer_id = ? and reject_reason = 'unknown_customer'", [held_back])
    future_before = _scalar(inc, "select reject_reason from staging.base_raw__orders_checked where order_id = ?",
                            [FUTURE_ORDER])

    _write(raw / "customers" / "b.csv", customer_header, [r for r in customers if r[cid] == held_back])
    _write(raw / "customers" / "a.csv", customer_header,
           [r for r in customers if r[cid] not in (held_back, dropped_later)])
    log = run_dbt(STAGING, inc_work, raw_path=raw, dbt_vars=AFTER).stdout
    run_dbt([*STAGING, "--full-refresh"], scr_work, raw_path=raw, dbt_vars=AFTER)
    return {"raw": raw, "inc": inc, "scr": scr_work / "warehouse.duckdb", "log": log, "base": base,
            "held_back": held_back, "dropped_later": dropped_later,
            "held_back_unknown": held_back_unknown, "future_before": future_before}


def test_the_scenario_moves_verdicts(checks):
    """Before the second run the held-back customer's orders were unknown_customer and the
    August order implausible_date; after it, they are not, and the dropped customer's are."""
    assert checks["held_back_unknown"] > 0
    assert checks["future_before"] == "implausible_date"
    reasons = lambda customer: _scalar(  # noqa: E731
        checks["inc"], "select list(distinct coalesce(reject_reason, 'clean') order by 1) "
                       "from staging.base_raw__orders_checked where customer_id = ?", [customer])
    assert "unknown_customer" not in reasons(checks["held_back"])
    assert reasons(checks["dropped_later"]) == ["unknown_customer"]
    assert _scalar(checks["inc"], "select reject_reason from staging.base_raw__orders_checked where order_id = ?",
                   [FUTURE_ORDER]) is None


def test_incremental_checks_equal_a_build_from_scratch(checks):
    assert _differences(checks["inc"], checks["scr"]) == {}


def test_only_the_order_ids_whose_verdict_may_have_changed_are_checked_again(checks):
    """The customers moved the verdict of their orders and the new bound that of the August
    order; every other order_id was kept as stored, the recheck table is gone."""
    moved = _scalar(checks["inc"], "select count(distinct order_id) from staging.base_raw__orders_checked "
                                   "where customer_id in (?, ?) or order_id = ?",
                    [checks["held_back"], checks["dropped_later"], FUTURE_ORDER])
    total = _scalar(checks["inc"], "select count(distinct order_id) from staging.base_raw__orders_checked")
    rechecked = _rechecked(checks["log"])
    assert moved <= rechecked < total / 10
    assert _scalar(checks["inc"], "select count(*) from duckdb_tables() where table_name like '%recheck%'") == 0


@pytest.mark.parametrize("stored_state", ["other_context", "no_context"])
def test_a_change_of_code_or_layout_checks_every_order_again(checks, tmp_path, stored_state):
    """A row checked under other code or settings (its checked_context differs), or a table
    stored before the checks were incremental (no such column): every order_id is checked again,
    and the result still equals the build from scratch (in the second case with the added
    columns last)."""
    work = tmp_path / "work"
    work.mkdir()
    db = work / "warehouse.duckdb"
    shutil.copy2(checks["inc"], db)
    con = duckdb.connect(str(db))
    if stored_state == "other_context":
        con.execute("update staging.base_raw__orders_checked set checked_context = 'another build' "
                    "where order_id = (select min(order_id) from staging.base_raw__orders_checked)")
    else:
        for column in ("checked_context", "checked_plausible_until", "raw_batch_fingerprint"):
            con.execute(f"alter table staging.base_raw__orders_checked drop column {column}")
    keys = con.execute("select count(*) from (select distinct order_id from staging.base_raw__orders_parsed)"
                       ).fetchall()[0][0]
    con.close()
    log = run_dbt(STAGING, work, raw_path=checks["raw"], dbt_vars=AFTER).stdout
    if stored_state == "no_context":
        assert "Checks base_raw__orders_checked: stored without a context, every key to check" in log
    else:
        assert _rechecked(log) == keys
    # the columns added to the stored table come last
    assert _differences(db, checks["scr"], same_order=stored_state != "no_context") == {}


def test_dates_given_unquoted_in_vars_neither_fail_nor_check_everything_again(checks, tmp_path):
    """`--vars '{as_of_date: 2025-06-30}'` hands dbt a date object, not a string (the reference
    test's replay build found that the context could not be fingerprinted). A scheduler passing
    the day's as_of_date, and a var written unquoted with its current value, must not make every
    order_id be checked again: no check reads as_of_date, and a date is fingerprinted as its text."""
    work = tmp_path / "work"
    work.mkdir()
    db = work / "warehouse.duckdb"
    shutil.copy2(checks["inc"], db)
    total = _scalar(db, "select count(distinct order_id) from staging.base_raw__orders_checked")
    log = run_dbt([*STAGING, "--vars", "{as_of_date: 2025-06-30, plausible_date_min: 1980-01-01, "
                                       "plausible_date_max: 2026-09-30}"], work, raw_path=checks["raw"]).stdout
    assert _rechecked(log) < total / 10
    assert _differences(db, checks["scr"]) == {}
