"""Subscribers are customers (DECISIONLOG D90-D98), checked on raw files built for the purpose.

- A known survival table: 1,000 yearly subscribers of January 2023 of whom 700, 560 and 504 are
  still paying in years 1, 2 and 3 (10 of the 300 who lapsed come back in 2025: a restart, which
  must not count as retention), a quarterly cohort of the same month beside them, and a monthly
  cohort of October 2025. `subscription_cohort` must hold exactly those numbers, rates and
  revenues, with the period that holds the as-of date flagged and nothing after it; every data
  test of the build must pass on these files; every subscriber is scored (none is a prospect).
- A pure subscription business: the generator's data with an orders file that has only its
  header builds, and its customers are scored, tiered and classified on what they pay.
- A data set with no purchase at all (cancelled orders, free trial periods) stops with a message.

The raw files are written by `_survival_raw` below; dbt runs through tests_py/dbt_project_runner.py.
The same survival files compare on Spark with
`python tests_py/test_subscription_cohort.py DIR && TIERING_SPARK_TEST_RAW_PATH=DIR make spark-test`.
"""
from __future__ import annotations

import csv
import math
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import generate_raw, run_dbt

pytestmark = pytest.mark.slow

AS_OF = date(2026, 2, 27)
LOADED_AT = "2026-03-31 00:00:00"

# cohort month, billing cycle, months per period, price per period, subscriptions still paying in
# period 0, 1, 2, ... (the survival table the fixture is built from)
COHORTS = [
    (date(2023, 1, 1), "year", 12, 1000, [1000, 700, 560, 504]),
    (date(2023, 1, 1), "quarter", 3, 300, [200, 180, 165, 150, 140, 130, 125, 120, 115, 110, 105, 100, 98]),
    (date(2025, 10, 1), "month", 1, 100, [300, 240, 200, 180, 170]),
]
YEARLY_RESTARTS = 10  # of the yearly subscribers who lapse after period 0, these come back in 2025

HEADERS = {
    "customers": ["customer_id", "signed_up_at", "region", "customer_type", "acquisition_channel", "email",
                  "loaded_at"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount", "discount_amount",
               "refunded_amount", "cost_amount", "sales_channel", "promo_code", "loaded_at"],
    "renewals": ["subscription_id", "customer_id", "plan", "billing_cycle", "period_start", "period_end",
                 "renewed_at", "amount", "currency", "status", "loaded_at"],
    "feedback": ["feedback_id", "customer_id", "submitted_at", "kind", "csat", "nps", "comment", "loaded_at"],
}


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, 28))


def _ts(day: date, hour: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour).strftime("%Y-%m-%d %H:%M:%S")


def _write(folder: Path, entity: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{entity}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS[entity])
        writer.writeheader()
        writer.writerows(rows)


def _subscription_rows(subscription_id: str, customer_id: str, cycle: str, months: int, price: int,
                       first_start: date, periods: int, restart_start: date | None = None) -> list[dict]:
    """`periods` consecutive periods from `first_start`, each renewed (paid two days before its end)
    except the last; then, optionally, one restarted period that is never renewed."""
    rows = []
    starts = [_add_months(first_start, months * n) for n in range(periods)]
    if restart_start is not None:
        starts.append(restart_start)
    for number, start in enumerate(starts):
        end = _add_months(start, months)
        renewed = number < periods - 1
        if renewed:
            status = "renewed"
        elif end + timedelta(days=7) < AS_OF:
            status = "lapsed"
        else:
            status = "active"
        rows.append({"subscription_id": subscription_id, "customer_id": customer_id, "plan": "pro",
                     "billing_cycle": cycle, "period_start": _ts(start), "period_end": _ts(end),
                     "renewed_at": _ts(end - timedelta(days=2), 10) if renewed else "",
                     "amount": f"{price}.00", "currency": "CNY", "status": status, "loaded_at": LOADED_AT})
    return rows


def _survival_raw(folder: Path, orders: bool = True) -> None:
    customers, renewals = [], []
    for cohort_month, cycle, months, price, survival in COHORTS:
        restarts = YEARLY_RESTARTS if cycle == "year" else 0
        for n in range(survival[0]):
            customer_id = f"{cycle[0].upper()}{n:05d}"
            start = cohort_month + timedelta(days=n % 28)
            # subscription n pays for as many periods as the survival table says it survives
            periods = sum(1 for still_paying in survival if n < still_paying)
            comes_back = restarts and survival[1] <= n < survival[1] + restarts
            restart = _add_months(cohort_month, 24) + timedelta(days=n % 28) if comes_back else None
            customers.append({"customer_id": customer_id, "signed_up_at": _ts(start - timedelta(days=1)),
                              "region": "east", "customer_type": "b2c", "acquisition_channel": "web",
                              "email": "", "loaded_at": LOADED_AT})
            renewals += _subscription_rows(f"S{customer_id}", customer_id, cycle, months, price, start, periods,
                                           restart)
    _write(folder, "customers", customers)
    _write(folder, "renewals", renewals)
    # five orders, the last on the as-of date, so that the default as-of date is AS_OF too (the
    # same files can be compared on Spark: TIERING_SPARK_TEST_RAW_PATH)
    order_days = [date(2024, 5, 1 + n) for n in range(4)] + [AS_OF]
    order_rows = [{"order_id": f"O{n}", "customer_id": f"Y{n:05d}", "ordered_at": _ts(day, 1),
                   "status": "completed", "currency": "CNY", "gross_amount": "50.00", "discount_amount": "",
                   "refunded_amount": "", "cost_amount": "", "sales_channel": "web", "promo_code": "",
                   "loaded_at": LOADED_AT} for n, day in enumerate(order_days)] if orders else []
    _write(folder, "orders", order_rows)
    _write(folder, "feedback", [{"feedback_id": "F1", "customer_id": "Y00000", "submitted_at": _ts(date(2024, 6, 1)),
                                 "kind": "survey", "csat": "5", "nps": "9", "comment": "", "loaded_at": LOADED_AT}])


def _expected_cells() -> dict[tuple, dict]:
    expected = {}
    for cohort_month, cycle, months, price, survival in COHORTS:
        for t, retained in enumerate(survival):
            period_start = _add_months(cohort_month, months * t)
            expected[(cohort_month, cycle, t)] = {
                "period_start_month": period_start,
                "subscriptions_at_start": survival[0],
                "subscriptions_retained": retained,
                "subscriptions_retained_previous_period": survival[t - 1] if t else None,
                "retention_rate": retained / survival[0],
                "renewal_rate": retained / survival[t - 1] if t else None,
                "revenue": retained * price,
                "revenue_retention": retained / survival[0],
                "is_partial_period": AS_OF < _add_months(cohort_month, months * (t + 1)),
            }
    return expected


@pytest.fixture(scope="module")
def survival_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("survival")
    _survival_raw(work / "raw")
    run_dbt(["build", "--exclude-resource-type", "unit_test"], work, raw_path=work / "raw")
    return work


def _query(work: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_subscription_cohort_is_exactly_the_known_survival_table(survival_build):
    assert _query(survival_build, "select as_of_date from intermediate.int_as_of_date") == [(AS_OF,)]
    columns = ["period_start_month", "subscriptions_at_start", "subscriptions_retained",
               "subscriptions_retained_previous_period", "retention_rate", "renewal_rate", "revenue",
               "revenue_retention", "is_partial_period"]
    rows = _query(survival_build, f"select cohort_month, billing_cycle, periods_since_start, as_of_date, "
                                  f"{', '.join(columns)} from marts.subscription_cohort")
    got = {(month, cycle, t): dict(zip(["as_of_date", *columns], rest)) for month, cycle, t, *rest in rows}
    expected = _expected_cells()
    assert set(got) == set(expected), (sorted(set(got) - set(expected))[:5], sorted(set(expected) - set(got))[:5])
    for cell, values in expected.items():
        assert got[cell]["as_of_date"] == AS_OF
        for column, value in values.items():
            actual = got[cell][column]
            if isinstance(value, float) and actual is not None:
                assert math.isclose(actual, value, rel_tol=1e-12), (cell, column, actual, value)
            else:
                assert actual == value, (cell, column, actual, value)
    # exactly one partial period per cohort and cycle, and it is the last one
    for cohort_month, cycle, _, _, survival in COHORTS:
        flags = [got[(cohort_month, cycle, t)]["is_partial_period"] for t in range(len(survival))]
        assert flags == [False] * (len(survival) - 1) + [True], (cycle, flags)


def test_subscribers_are_scored_never_prospects(survival_build):
    rows = _query(survival_build, "select rfm_status, segment_code = 'prospect', count(*) "
                                  "from marts.customer_segments group by all")
    assert rows == [("scored", False, sum(c[4][0] for c in COHORTS))], rows
    # the restarted yearly subscribers paid in 2025: two purchases, the last in 2025
    returners = _query(survival_build, "select count(*) from intermediate.int_customers_purchases_aggregated "
                                       "where frequency = 2 and year(last_purchase_date) = 2025 "
                                       "and customer_id like 'Y%'")[0][0]
    assert returners == YEARLY_RESTARTS
    # order-only figures stay answerable: the five orders are the only `order` purchases
    assert _query(survival_build, "select purchase_source, count(*) from intermediate.int_purchases_as_of "
                                  "group by all order by 1")[0] == ("order", 5)


def test_subscription_only_business_builds_and_tiers(tmp_path):
    """The generator's data with a header-only orders file: customers are tiered on subscriptions.

    Needs header-only raw files to load (the staging hardening work); see the README."""
    raw = tmp_path / "raw"
    generate_raw(raw, customers=300, seed=5)
    (raw / "orders.csv").write_text(",".join(HEADERS["orders"]) + "\n")
    run_dbt(["build", "--exclude-resource-type", "unit_test"], tmp_path, raw_path=raw)
    (as_of, latest_payment) = _query(tmp_path, """
        select
            (select as_of_date from intermediate.int_as_of_date),
            (select max(paid_date) from intermediate.int_subscription_payments where is_paid)
    """)[0]
    assert as_of == latest_payment
    rows = _query(tmp_path, """
        select
            count(*) filter (where rfm_status = 'scored'),
            count(*) filter (where value_tier <> 'unscored'),
            count(*) filter (where abc_class_revenue is not null),
            count(*) filter (where segment_code = 'prospect' and subscription_state <> 'none'),
            count(*) filter (where subscription_state <> 'none')
        from marts.customer_segments
    """)[0]
    scored, tiered, classified, subscriber_prospects, subscribers = rows
    assert subscribers > 20 and scored >= 20 and tiered == scored and classified == scored
    assert subscriber_prospects == 0
    assert _query(tmp_path, "select count(*) from marts.subscription_cohort")[0][0] > 0


def test_a_data_set_without_any_purchase_stops_with_a_message(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, "customers", [{"customer_id": "C1", "signed_up_at": "2025-01-01 00:00:00", "region": "",
                               "customer_type": "b2b", "acquisition_channel": "", "email": "",
                               "loaded_at": LOADED_AT}])
    _write(raw, "orders", [{"order_id": "O1", "customer_id": "C1", "ordered_at": "2025-02-01 00:00:00",
                            "status": "cancelled", "currency": "CNY", "gross_amount": "10", "discount_amount": "",
                            "refunded_amount": "", "cost_amount": "", "sales_channel": "", "promo_code": "",
                            "loaded_at": LOADED_AT}])
    _write(raw, "renewals", _subscription_rows("S1", "C1", "month", 1, 0, date(2025, 3, 1), 2))
    _write(raw, "feedback", [{"feedback_id": "F1", "customer_id": "C1", "submitted_at": "2025-02-01 00:00:00",
                              "kind": "survey", "csat": "3", "nps": "", "comment": "", "loaded_at": LOADED_AT}])
    proc = run_dbt(["build", "--exclude-resource-type", "unit_test"], tmp_path, raw_path=raw, check=False)
    assert proc.returncode != 0
    assert "No purchase in the data" in proc.stdout, proc.stdout[-3000:]
    assert "purchase sources orders, renewals" in proc.stdout


def test_purchase_sources_orders_gives_the_order_only_figures(tmp_path):
    """var purchase_sources: [orders] scores customers on their orders alone, which are exactly the
    `order` purchases of the default build; a value outside orders/renewals stops at compile time."""
    both, orders_only = tmp_path / "both", tmp_path / "orders_only"
    for work, dbt_vars in ((both, None), (orders_only, {"purchase_sources": ["orders"]})):
        run_dbt(["seed"], work)
        run_dbt(["run"], work, dbt_vars=dbt_vars)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{both / 'warehouse.duckdb'}' as both_sources (read_only)")
        con.execute(f"attach '{orders_only / 'warehouse.duckdb'}' as orders_only (read_only)")
        assert con.execute("select distinct purchase_source from orders_only.intermediate.int_purchases_as_of"
                           ).fetchall() == [("order",)]
        differences = con.execute("""
            with order_purchases as (
                select customer_id, count(*) as frequency, sum(net_amount) as monetary
                from both_sources.intermediate.int_purchases_as_of
                where purchase_source = 'order'
                group by customer_id
            )
            select count(*)
            from orders_only.marts.customer_segments as segments
            left join order_purchases on segments.customer_id = order_purchases.customer_id
            where segments.frequency is distinct from order_purchases.frequency
                or segments.monetary is distinct from order_purchases.monetary
        """).fetchone()[0]
        assert differences == 0
        # subscription payments are what lifts the paying subscribers out of `prospect`
        prospects = {name: con.execute(f"select count(*) from {name}.marts.customer_segments "
                                       "where segment_code = 'prospect' and subscription_state <> 'none'").fetchone()[0]
                     for name in ("both_sources", "orders_only")}
        assert prospects["both_sources"] == 0 and prospects["orders_only"] > 0, prospects
    finally:
        con.close()

    proc = run_dbt(["compile", "--select", "int_purchases_as_of"], tmp_path / "invalid",
                   dbt_vars={"purchase_sources": ["orders", "invoices"]}, check=False)
    assert proc.returncode != 0
    assert "var purchase_sources must list orders, renewals or both" in proc.stdout, proc.stdout[-2000:]


if __name__ == "__main__":
    _survival_raw(Path(sys.argv[1]))
