"""The MetricFlow semantic layer (models/marts/semantic/_semantic_models.yml) against the marts.

`mf validate-configs` checks the semantic models and metrics, including against the warehouse
(every dimension, entity, measure and metric is queried once). Then real `mf query` calls, as a
BI tool would make them, must give the numbers that plain SQL over the marts gives: customers,
paying customers, net revenue and net revenue per paying customer by RFM segment, value tier,
ABC class and life stage, and cohort retention by cohort month and month since acquisition
(which must equal the mart's own retention_rate) and pooled over cohorts.

`mf` runs in the linked project of the session's docs warehouse (tests_py/docs_warehouse.py),
because it reads target/semantic_manifest.json under its working directory, on the `published`
target: read-only on the published file, so it runs while a BI client is connected.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.semantic

CUSTOMER_METRICS = ["customers", "paying_customers", "net_revenue", "net_revenue_per_paying_customer"]

# By what the customer metrics are grouped: MetricFlow's group-by name -> the SQL expression over
# customer_segments (alias cs) joined one-to-one to lifecycle_stage (alias ls).
CUSTOMER_GROUPINGS = {
    "customer__segment_code": "cs.segment_code",
    "customer__value_tier": "cs.value_tier",
    "customer__abc_class_revenue": "cs.abc_class_revenue",
    "customer__stage": "ls.stage",
}


def _sql(docs_warehouse, query: str, database: Path | None = None) -> list[tuple]:
    """Plain SQL over the published marts (or, with `database`, another file such as the work one)."""
    with duckdb.connect(str(database or docs_warehouse.warehouse), read_only=True) as connection:
        return connection.execute(query).fetchall()


def _mf_query(docs_warehouse, tmp_path: Path, metrics: list[str], group_by: list[str],
              where: str | None = None) -> list[dict]:
    out = tmp_path / "mf_query.csv"
    filters = ["--where", where] if where else []
    proc = docs_warehouse.run(["mf", "query", "--metrics", ",".join(metrics),
                               "--group-by", ",".join(group_by), *filters, "--csv", str(out)], timeout=300)
    assert proc.returncode == 0 and out.is_file(), f"mf query failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def _same(actual: float | None, expected, what: str) -> None:
    expected = None if expected is None else float(expected)
    if expected is None or actual is None:
        assert actual == expected, what
    else:
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=0.005), f"{what}: {actual} != {expected}"


def test_validate_configs(docs_warehouse):
    proc = docs_warehouse.run(["mf", "validate-configs", "--show-all"], timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "Breaking issues" not in output, output[-4000:]
    # The semantic checks and the five data-warehouse checks all ran and found nothing.
    assert output.count("Successfully validated") >= 6, output[-4000:]
    assert "ERRORS: 0, FUTURE_ERRORS: 0" in output


# One query per BI question would cost about ten seconds each (`mf` starts dbt every time), so:
# the headline question (by segment) alone, and every cell of all four groupings at once, which
# also exercises the one-to-one join to lifecycle_stage.
@pytest.mark.parametrize("group_by", [["customer__segment_code"], list(CUSTOMER_GROUPINGS)],
                         ids=["by_segment", "by_segment_tier_abc_class_and_stage"])
def test_customer_metrics_agree_with_sql(docs_warehouse, tmp_path, group_by):
    keys = ", ".join(f"{CUSTOMER_GROUPINGS[name]} as g{i}" for i, name in enumerate(group_by))
    rows = _sql(docs_warehouse, f"""
        select
            {keys},
            count(distinct cs.customer_id) as customers,
            count(distinct case when cs.frequency > 0 then cs.customer_id end) as paying_customers,
            sum(cs.monetary) as net_revenue
        from marts.customer_segments as cs
        inner join marts.lifecycle_stage as ls on cs.customer_id = ls.customer_id
        group by all
    """)
    width = len(group_by)
    expected = {}
    for row in rows:
        customers, paying, revenue = row[width:]
        ratio = None if not paying or revenue is None else float(revenue) / paying
        expected[tuple(row[:width])] = (customers, paying, revenue, ratio)
    assert len(expected) >= 5, f"too few groups to mean anything: {expected}"
    (total,) = _sql(docs_warehouse, "select count(*) from marts.customer_segments")[0]
    assert sum(value[0] for value in expected.values()) == total

    result = _mf_query(docs_warehouse, tmp_path, CUSTOMER_METRICS, group_by)
    got = {tuple(row[name] or None for name in group_by): row for row in result}
    assert set(got) == set(expected)
    for key, values in expected.items():
        for metric, value in zip(CUSTOMER_METRICS, values):
            _same(_number(got[key][metric]), value, f"{metric} for {dict(zip(group_by, key))}")


def test_cohort_retention_per_cell_is_the_marts_retention_rate(docs_warehouse, tmp_path):
    rows = _sql(docs_warehouse, """
        select
            strftime(cohort_month, '%Y-%m-%d') as cohort_month,
            months_since_acquisition,
            retention_rate,
            cohort_size,
            active_customers,
            revenue,
            case when months_since_acquisition = 0 then cohort_size else 0 end as acquired
        from marts.churn_cohort
    """)
    expected = {(month, int(months)): rest for month, months, *rest in rows}
    assert len(expected) > 12

    metrics = ["cohort_retention", "cohort_size", "cohort_active_customers", "cohort_revenue", "acquired_customers"]
    result = _mf_query(docs_warehouse, tmp_path, metrics,
                       ["metric_time__month", "cohort_cell__months_since_acquisition"])
    got = {(row["metric_time__month"][:10], int(row["cohort_cell__months_since_acquisition"])): row
           for row in result}
    assert set(got) == set(expected)
    for cell, values in expected.items():
        for metric, value in zip(metrics, values):
            _same(_number(got[cell][metric]), value, f"{metric} of cohort cell {cell}")


def test_cohort_retention_pooled_over_cohorts(docs_warehouse, tmp_path):
    rows = _sql(docs_warehouse, """
        select
            months_since_acquisition,
            sum(active_customers) / sum(cohort_size) as retention,
            sum(case when months_since_acquisition = 0 then cohort_size else 0 end) as acquired
        from marts.churn_cohort
        group by 1
    """)
    expected = {int(months): (retention, acquired) for months, retention, acquired in rows}
    (customers_with_a_purchase,) = _sql(
        docs_warehouse, "select count(*) from marts.customer_segments where frequency > 0")[0]
    assert expected[0] == (1.0, customers_with_a_purchase)

    result = _mf_query(docs_warehouse, tmp_path, ["cohort_retention", "acquired_customers"],
                       ["cohort_cell__months_since_acquisition"])
    got = {int(row["cohort_cell__months_since_acquisition"]): row for row in result}
    assert set(got) == set(expected)
    for months, (retention, acquired) in expected.items():
        _same(_number(got[months]["cohort_retention"]), retention, f"retention {months} months after acquisition")
        _same(_number(got[months]["acquired_customers"]), acquired, f"acquired customers at month {months}")


def test_mf_query_runs_while_a_bi_client_is_connected(docs_warehouse, tmp_path):
    """A BI session (SQLAlchemy + duckdb-engine, read-only) holds the published file open while
    `mf` queries it: neither blocks the other, and both see the same numbers."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{docs_warehouse.warehouse}?access_mode=read_only")
    with engine.connect() as bi:
        customers = bi.execute(sa.text("select count(*) from marts.customer_segments")).scalar_one()
        rows = _mf_query(docs_warehouse, tmp_path, ["customers"], ["metric_time__day"])
        assert bi.execute(sa.text("select count(*) from marts.customer_segments")).scalar_one() == customers
    engine.dispose()
    assert sum(int(row["customers"]) for row in rows) == customers


def test_subscription_metrics_per_cell_are_the_marts_rates(docs_warehouse, tmp_path):
    rows = _sql(docs_warehouse, """
        select
            strftime(cohort_month, '%Y-%m-%d') as cohort_month,
            billing_cycle,
            periods_since_start,
            retention_rate,
            renewal_rate,
            subscriptions_at_start,
            subscriptions_retained,
            revenue
        from marts.subscription_cohort
    """)
    expected = {(month, cycle, int(t)): rest for month, cycle, t, *rest in rows}
    assert len(expected) > 50 and {cycle for _, cycle, _ in expected} == {"month", "quarter", "year"}
    assert any(rate is not None and rate < 1 for _, rate, *_ in expected.values())

    metrics = ["subscription_retention", "subscription_renewal_rate", "subscriptions_at_start",
               "subscriptions_retained", "subscription_revenue"]
    result = _mf_query(docs_warehouse, tmp_path, metrics,
                       ["metric_time__month", "subscription_cell__billing_cycle",
                        "subscription_cell__periods_since_start"])
    got = {(row["metric_time__month"][:10], row["subscription_cell__billing_cycle"],
            int(row["subscription_cell__periods_since_start"])): row for row in result}
    assert set(got) == set(expected)
    for cell, values in expected.items():
        for metric, value in zip(metrics, values):
            _same(_number(got[cell][metric]), value, f"{metric} of subscription cohort cell {cell}")


def test_subscription_retention_and_renewal_rate_pooled_over_cohorts(docs_warehouse, tmp_path):
    rows = _sql(docs_warehouse, """
        select
            billing_cycle,
            periods_since_start,
            sum(subscriptions_retained) / sum(subscriptions_at_start) as retention,
            sum(case when periods_since_start > 0 then subscriptions_retained else 0 end)
                / nullif(sum(coalesce(subscriptions_retained_previous_period, 0)), 0) as renewal_rate,
            sum(case when periods_since_start = 0 then subscriptions_at_start else 0 end) as started
        from marts.subscription_cohort
        group by 1, 2
    """)
    expected = {(cycle, int(t)): rest for cycle, t, *rest in rows}
    # Intermediate models are not published: count them in the work database.
    (subscriptions,) = _sql(docs_warehouse, "select count(*) from intermediate.int_subscription_periods_as_of "
                                            "where period_number = 1", database=docs_warehouse.work_database)[0]
    assert sum(started for _, _, started in expected.values()) == subscriptions

    metrics = ["subscription_retention", "subscription_renewal_rate", "subscriptions_started"]
    result = _mf_query(docs_warehouse, tmp_path, metrics,
                       ["subscription_cell__billing_cycle", "subscription_cell__periods_since_start"])
    got = {(row["subscription_cell__billing_cycle"], int(row["subscription_cell__periods_since_start"])): row
           for row in result}
    assert set(got) == set(expected)
    for key, values in expected.items():
        for metric, value in zip(metrics, values):
            _same(_number(got[key][metric]), value, f"{metric} at {key}")


def test_customers_by_segment_over_time_and_moves(docs_warehouse, tmp_path):
    rows = _sql(docs_warehouse, """
        select
            strftime(as_of_date, '%Y-%m-%d') as as_of_date,
            segment_code,
            count(*) as customers,
            sum(case when value_tier_movement = 'up' then 1 else 0 end) as upgraded,
            sum(case when value_tier_movement = 'down' then 1 else 0 end) as downgraded
        from marts.customer_segment_history
        group by all
    """)
    expected = {(day, segment): rest for day, segment, *rest in rows}
    assert len({day for day, _ in expected}) > 12, "the history should span more than a year"
    assert sum(values[1] for values in expected.values()) > 0, "no upgrade in the demo history"
    assert sum(values[2] for values in expected.values()) > 0, "no downgrade in the demo history"

    metrics = ["customers_over_time", "upgraded_customers", "downgraded_customers"]
    result = _mf_query(docs_warehouse, tmp_path, metrics, ["metric_time__day", "customer_period__segment_code"])
    got = {(row["metric_time__day"][:10], row["customer_period__segment_code"]): row for row in result}
    assert set(got) == set(expected)
    for cell, values in expected.items():
        for metric, value in zip(metrics, values):
            _same(_number(got[cell][metric]), value, f"{metric} at {cell}")


def test_migrated_customers_by_movement(docs_warehouse, tmp_path):
    rows = _sql(docs_warehouse, """
        select strftime(period_to, '%Y-%m-%d') as period_to, movement, sum(customers) as customers
        from marts.segment_migration
        where dimension = 'value_tier'
        group by all
    """)
    expected = {(day, movement): customers for day, movement, customers in rows}
    assert {"up", "down", "stayed"} <= {movement for _, movement in expected}

    result = _mf_query(docs_warehouse, tmp_path, ["migrated_customers"],
                       ["metric_time__day", "migration_cell__movement"],
                       where="{{ Dimension('migration_cell__dimension') }} = 'value_tier'")
    got = {(row["metric_time__day"][:10], row["migration_cell__movement"]): row for row in result}
    assert set(got) == set(expected)
    for cell, customers in expected.items():
        _same(_number(got[cell]["migrated_customers"]), customers, f"migrated customers {cell}")

# The saved queries (models/marts/semantic/_saved_queries.yml), one per analysis: each runs with
# `mf query --saved-query`, comes back sorted by its group-by columns and gives plain SQL's numbers.
# name -> (group-by columns as mf names them, metrics, SQL: those columns then those metrics).
_CUSTOMERS_BY = """
    select {keys}, count(*) as customers{more}
    from marts.customer_segments as cs
    inner join marts.lifecycle_stage as ls on cs.customer_id = ls.customer_id
    group by all
"""
SAVED_QUERIES = {
    "churn_by_cohort": (
        ["metric_time__month", "cohort_cell__months_since_acquisition"], ["cohort_size", "cohort_retention"],
        "select strftime(cohort_month, '%Y-%m-%d'), months_since_acquisition, cohort_size, retention_rate "
        "from marts.churn_cohort"),
    "resources_per_value_tier": (
        ["customer__value_tier", "customer__service_level"],
        ["customers", "net_revenue", "net_revenue_per_paying_customer"],
        _CUSTOMERS_BY.format(keys="cs.value_tier, cs.service_level",
                             more=", sum(cs.monetary), sum(cs.monetary) / nullif(count(*) filter "
                                  "(where cs.frequency > 0), 0)")),
    "segment_by_satisfaction": (
        ["customer__segment_code", "customer__satisfaction_tier"], ["customers"],
        _CUSTOMERS_BY.format(keys="cs.segment_code, cs.satisfaction_tier", more="")),
    "stage_by_segment": (
        ["customer__stage", "customer__segment_code"], ["customers"],
        _CUSTOMERS_BY.format(keys="ls.stage, cs.segment_code", more="")),
    "subscription_retention_curve": (
        ["subscription_cell__billing_cycle", "subscription_cell__periods_since_start"],
        ["subscription_retention", "subscription_renewal_rate"],
        """select billing_cycle, periods_since_start,
                  sum(subscriptions_retained) / sum(subscriptions_at_start),
                  sum(case when periods_since_start > 0 then subscriptions_retained else 0 end)
                      / nullif(sum(coalesce(subscriptions_retained_previous_period, 0)), 0)
           from marts.subscription_cohort
           where not is_partial_period
           group by all"""),
}


def _group_value(name: str, text: str | None):
    if text in (None, ""):
        return None
    if name.endswith(("months_since_acquisition", "periods_since_start")):
        return int(text)
    return text[:10] if name.startswith("metric_time") else text


@pytest.mark.parametrize("name", list(SAVED_QUERIES))
def test_saved_query_answers_its_analysis_sorted(docs_warehouse, tmp_path, name):
    group_by, metrics, sql = SAVED_QUERIES[name]
    rows = _sql(docs_warehouse, sql)
    expected = {tuple(row[:len(group_by)]): row[len(group_by):] for row in rows}
    assert len(expected) >= 3, f"too few rows to mean anything: {expected}"

    out = tmp_path / "saved_query.csv"
    proc = docs_warehouse.run(["mf", "query", "--saved-query", name, "--csv", str(out)], timeout=300)
    assert proc.returncode == 0 and out.is_file(), f"mf query failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    with out.open(newline="") as handle:
        result = list(csv.DictReader(handle))
    keys = [tuple(_group_value(column, row[column]) for column in group_by) for row in result]
    assert keys == sorted(keys, key=lambda key: tuple((value is None, value) for value in key)), "not sorted"
    got = dict(zip(keys, result))
    assert set(got) == set(expected)
    for key, values in expected.items():
        for metric, value in zip(metrics, values):
            _same(_number(got[key][metric]), value, f"{name}: {metric} for {key}")
