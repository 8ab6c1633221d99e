"""Nothing is lost: every raw row lands in its clean staging model or in the quarantine, with the
reason we expect.

A hand-made fixture holds one row of every kind of dirt (and messy-but-valid rows that must
pass). Each row carries a tag in a column staging never validates, so the test can find the row
again in base_raw__<entity>_checked and assert its reject reason. Then the whole build is run
with the default thresholds to show that a file this dirty stops the build before any tier.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import run_dbt, run_results

COLUMNS = {
    "customers": ["customer_id", "signed_up_at", "region", "customer_type", "acquisition_channel", "email",
                  "loaded_at"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount", "discount_amount",
               "refunded_amount", "cost_amount", "sales_channel", "promo_code", "loaded_at"],
    "renewals": ["subscription_id", "customer_id", "plan", "billing_cycle", "period_start", "period_end",
                 "renewed_at", "amount", "currency", "status", "loaded_at"],
    "feedback": ["feedback_id", "customer_id", "submitted_at", "kind", "csat", "nps", "comment", "loaded_at"],
}
# The column that identifies a fixture row (never validated by staging) and its name in the
# checked model.
TAG = {"customers": "acquisition_channel", "orders": "promo_code", "renewals": "plan", "feedback": "loaded_at"}

L = "2025-12-31 12:00:00"  # a load time after every valid event
OLD = "2025-06-01 12:00:00"  # an earlier load of the same key

# (expected landing, row values); None = clean.
CUSTOMERS = [
    (None, dict(customer_id="C1", signed_up_at="2024-01-02", region="east", customer_type=" B2C ",
                email="c1@x", loaded_at=L)),
    (None, dict(customer_id="C2", signed_up_at="2024-01-03 08:00:00", region="", customer_type="b2b",
                email="c2@x", loaded_at=L)),
    ("duplicate", dict(customer_id="C3", signed_up_at="2024-01-04", region="north", customer_type="b2c",
                       email="c3-old@x", loaded_at=OLD)),
    (None, dict(customer_id="C3", signed_up_at="2024-01-04", region="south", customer_type="b2c",
                email="c3-new@x", loaded_at=L)),
    ("missing_key", dict(customer_id="  ", signed_up_at="2024-01-05", customer_type="b2c", email="nokey@x",
                         loaded_at=L)),
    ("unparseable_date", dict(customer_id="C4", signed_up_at="2024-02-30", customer_type="b2c", email="c4@x",
                              loaded_at=L)),
    ("invalid_value", dict(customer_id="C5", signed_up_at="2024-01-05", customer_type="vip", email="c5@x",
                           loaded_at=L)),
    ("future_dated", dict(customer_id="C6", signed_up_at="2099-01-01", customer_type="b2c", email="c6@x",
                          loaded_at=L)),
    ("unparseable_date", dict(customer_id="C7", signed_up_at="2024-01-05", customer_type="b2c", email="c7@x",
                              loaded_at="31/12/2025")),
]
# Customers are found again by acquisition_channel (free text): the e-mail itself is stored
# nowhere, not even on rejected rows (DECISIONLOG D85).
for _, _values in CUSTOMERS:
    _values["acquisition_channel"] = "tag-" + _values["email"].split("@")[0]


def _order(tag, **values):
    row = dict(order_id="O-" + tag, customer_id="C1", ordered_at="2025-03-01 10:00:00", status="completed",
               currency="CNY", gross_amount="100.00", discount_amount="", refunded_amount="", cost_amount="60",
               sales_channel="web", promo_code=tag, loaded_at=L)
    row.update(values)
    return row


ORDERS = [
    (None, _order("clean")),
    (None, _order("messy", status=" Completed ", currency="usd", ordered_at="2025-03-02", sales_channel="Sales_Rep")),
    (None, _order("unknown-channel", sales_channel="kiosk")),
    ("duplicate", _order("dup-old", order_id="O-dup", loaded_at=OLD)),
    (None, _order("dup-new", order_id="O-dup")),
    ("missing_key", _order("nokey", order_id="")),
    ("missing_customer_id", _order("nocust", customer_id="")),
    ("unparseable_date", _order("baddate", ordered_at="yesterday")),
    ("unparseable_date", _order("badload", loaded_at="soon")),
    # text DuckDB's plain cast would read with its AM/PM or one-digit offset dropped (D193)
    ("unparseable_date", _order("pm", ordered_at="2025-03-01 08:00 PM")),
    ("unparseable_date", _order("pm-short", ordered_at="2025-03-01 8:00 PM")),
    ("unparseable_date", _order("pm-seconds", ordered_at="2025-03-01 08:00:00 PM")),
    ("unparseable_date", _order("one-digit-offset", ordered_at="2025-03-01 10:00 +8")),
    ("unparseable_date", _order("zone-abbreviation", ordered_at="2025-03-01 10:00:00 CST")),  # China or US Central?
    (None, _order("short-offset", ordered_at="2025-03-01T10:00+08")),
    ("unparseable_number", _order("badnum", gross_amount="12,50")),
    ("unparseable_number", _order("badcost", cost_amount="1.2.3")),
    # large amounts convert exactly (DECISIONLOG D58)
    (None, _order("large", gross_amount="999999999999.999999", cost_amount="0.0000004")),
    ("unknown_status", _order("badstatus", status="shipped")),
    ("unknown_currency", _order("badcur", currency="XYZ")),
    ("negative_amount", _order("neg", gross_amount="-5")),
    ("negative_amount", _order("negdisc", discount_amount="-1")),
    ("future_dated", _order("future", ordered_at="2099-01-01 00:00:00")),
    # no loaded_at to contradict it, but outside the plausible window (DECISIONLOG D70)
    ("implausible_date", _order("year-9999", ordered_at="9999-12-31", loaded_at="")),
    ("unknown_customer", _order("orphan", customer_id="C999")),
    ("unknown_customer", _order("rejected-customer", customer_id="C4")),
    # two defects: the first in the documented order wins
    ("missing_customer_id", _order("two-defects", customer_id="", gross_amount="abc")),
]


def _period(tag, **values):
    row = dict(subscription_id="S-" + tag, customer_id="C2", plan=tag, billing_cycle="month",
               period_start="2025-01-01", period_end="2025-02-01", renewed_at="", amount="99", currency="CNY",
               status="lapsed", loaded_at=L)
    row.update(values)
    return row


RENEWALS = [
    (None, _period("p1", subscription_id="S1", renewed_at="2025-01-30", status="renewed")),
    (None, _period("p2", subscription_id="S1", period_start="2025-02-01", period_end="2025-03-01",
                   billing_cycle=" Month ")),
    ("duplicate", _period("p1-old", subscription_id="S1", status="active", loaded_at=OLD)),
    ("missing_key", _period("nokey", subscription_id="")),
    ("missing_key", _period("nostart", period_start="")),
    ("missing_customer_id", _period("nocust", customer_id="")),
    ("unparseable_date", _period("badend", period_end="abc")),
    ("unparseable_date", _period("badrenew", renewed_at="2025-13-01")),
    ("unparseable_number", _period("badamount", amount="ten")),
    ("invalid_value", _period("badcycle", billing_cycle="fortnight")),
    ("invalid_value", _period("backwards", period_end="2024-12-01")),
    ("unknown_status", _period("badstatus", status="paused")),
    ("unknown_currency", _period("badcur", currency="RMB")),
    ("negative_amount", _period("neg", amount="-99")),
    ("future_dated", _period("future", period_start="2099-01-01", period_end="2099-02-01")),
    ("unknown_customer", _period("orphan", customer_id="C999")),
]


def _feedback(n, **values):
    row = dict(feedback_id=f"F{n}", customer_id="C1", submitted_at="2025-05-01 09:00:00", kind="survey",
               csat="4", nps="9", comment="很好用", loaded_at=f"2025-12-31 13:00:{n:02d}")
    row.update(values)
    return row


FEEDBACK = [
    (None, _feedback(1)),
    (None, _feedback(2, kind=" Complaint", csat="", nps="", comment="too slow")),
    ("duplicate", _feedback(3, feedback_id="F1", submitted_at="2025-04-01")),  # older load of F1? no: see below
    ("missing_key", _feedback(4, feedback_id="")),
    ("missing_customer_id", _feedback(5, customer_id="")),
    ("unparseable_date", _feedback(6, submitted_at="x")),
    ("unparseable_number", _feedback(7, csat="good")),
    ("invalid_value", _feedback(8, csat="9")),
    ("invalid_value", _feedback(9, kind="tweet")),
    ("invalid_value", _feedback(10, nps="11")),
    ("future_dated", _feedback(11, submitted_at="2099-01-01")),
    ("unknown_customer", _feedback(12, customer_id="C999")),
]
# F1's second row (n = 3) is loaded *later* than the first (n = 1), so the later one wins and
# the row tagged n = 1 is the duplicate. Swap the expectations accordingly.
FEEDBACK[0], FEEDBACK[2] = ("duplicate", FEEDBACK[0][1]), (None, FEEDBACK[2][1])

FIXTURE = {"customers": CUSTOMERS, "orders": ORDERS, "renewals": RENEWALS, "feedback": FEEDBACK}
ALL_REASONS = {"missing_key", "missing_customer_id", "unparseable_date", "unparseable_number", "invalid_value",
               "unknown_status", "unknown_currency", "negative_amount", "future_dated", "implausible_date",
               "unknown_customer", "duplicate"}


def _write_fixture(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for entity, rows in FIXTURE.items():
        with open(folder / f"{entity}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[entity])
            writer.writeheader()
            for _, values in rows:
                writer.writerow({column: values.get(column, "") for column in COLUMNS[entity]})


@pytest.fixture(scope="module")
def quarantine_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("quarantine")
    raw = work / "raw"
    _write_fixture(raw)
    # The fixture is far dirtier than the thresholds allow; lift them to look at where rows went.
    run_dbt(["build", "--select", "+path:models/staging", "--indirect-selection", "cautious"], work, raw_path=raw,
            dbt_vars={"reject_rate_error": 1, "reject_rate_warn": 1})
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    yield work, raw, con
    con.close()


def test_fixture_exercises_every_reject_reason():
    seen = {expected for rows in FIXTURE.values() for expected, _ in rows if expected}
    assert seen == ALL_REASONS


@pytest.mark.parametrize("entity", sorted(FIXTURE))
def test_every_raw_row_lands_where_expected(quarantine_build, entity):
    _, _, con = quarantine_build
    tag = TAG[entity]
    got = Counter(con.execute(
        f"select raw_{tag}, reject_reason from staging.base_raw__{entity}_checked").fetchall())
    # the raw text is kept on rejected rows only (D55): a clean row shows (NULL, NULL)
    expected = Counter((values.get(tag) or None if reason else None, reason) for reason, values in FIXTURE[entity])
    assert got == expected


@pytest.mark.parametrize("entity", sorted(FIXTURE))
def test_only_rejected_rows_keep_raw_text_and_a_key(quarantine_build, entity):
    _, _, con = quarantine_build
    raw_columns = [c for c in COLUMNS[entity] if c not in ("comment", "email")]
    kept = " or ".join(f"raw_{c} is not null" for c in raw_columns)
    clean_with_raw, rejected_without_key = con.execute(
        f"select count(*) filter (where reject_reason is null and (raw_row_key is not null or {kept})), "
        f"count(*) filter (where reject_reason is not null and raw_row_key is null) "
        f"from staging.base_raw__{entity}_checked").fetchone()
    assert (clean_with_raw, rejected_without_key) == (0, 0)


@pytest.mark.parametrize("entity", sorted(FIXTURE))
def test_clean_and_quarantine_partition_the_raw_rows(quarantine_build, entity):
    _, _, con = quarantine_build
    raw_rows = len(FIXTURE[entity])
    clean = con.execute(f"select count(*) from staging.stg_raw__{entity}").fetchone()[0]
    rejected = con.execute(
        f"select count(*), count(distinct raw_row_key) from staging.stg_raw__{entity}_rejected").fetchone()
    reconciliation = con.execute(
        "select raw_rows, clean_rows, rejected_rows, duplicate_rows from staging.stg_raw__load_reconciliation "
        "where entity = ?", [entity]).fetchone()
    expected_clean = sum(1 for reason, _ in FIXTURE[entity] if reason is None)
    expected_duplicates = sum(1 for reason, _ in FIXTURE[entity] if reason == "duplicate")
    assert clean == expected_clean
    assert rejected[0] == rejected[1] == raw_rows - expected_clean
    assert reconciliation == (raw_rows, expected_clean, raw_rows - expected_clean - expected_duplicates,
                              expected_duplicates)


def test_messy_but_valid_values_are_normalised(quarantine_build):
    _, _, con = quarantine_build
    order = con.execute("select status, currency, ordered_date, sales_channel, is_assisted "
                        "from staging.stg_raw__orders where order_id = 'O-messy'").fetchone()
    assert order == ("completed", "USD", __import__("datetime").date(2025, 3, 2), "sales_rep", True)
    unknown = con.execute("select sales_channel, is_assisted from staging.stg_raw__orders "
                          "where order_id = 'O-unknown-channel'").fetchone()
    assert unknown == ("kiosk", False)
    customer = con.execute("select customer_type, region, email_hash from staging.stg_raw__customers "
                           "where customer_id = 'C2'").fetchone()
    assert customer[0] == "b2b" and customer[1] == "unknown" and len(customer[2]) == 32


def test_large_amounts_convert_exactly(quarantine_build):
    """A trillion in the row's currency converts to exact cents and a cost below half a cent rounds
    to zero: a narrower decimal type failed the build on amounts of a million (D58)."""
    from decimal import Decimal  # noqa: PLC0415

    _, _, con = quarantine_build
    row = con.execute("select gross_amount, cost_amount from staging.stg_raw__orders "
                      "where order_id = 'O-large'").fetchone()
    assert row == (Decimal("1000000000000.00"), Decimal("0.00"))


def test_latest_load_wins(quarantine_build):
    _, _, con = quarantine_build
    assert con.execute("select region from staging.stg_raw__customers where customer_id = 'C3'").fetchone() == \
        ("south",)
    assert con.execute("select status from staging.stg_raw__renewals where subscription_id = 'S1' "
                       "and period_start = timestamp '2025-01-01'").fetchone() == ("renewed",)


def test_no_pii_in_staging_outputs(quarantine_build):
    _, _, con = quarantine_build
    columns = {row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_schema = 'staging' "
        "and table_name not like 'base_%'").fetchall()}
    assert not {"email", "raw_email", "comment", "raw_comment"} & columns


def test_the_reconciliation_is_printed(quarantine_build):
    work, _, _ = quarantine_build
    log = (work / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Raw data reconciliation" in log
    assert "orders    raw 27 = clean 6 + rejected 20 + duplicates 1" in log


def test_a_file_this_dirty_stops_the_build_before_any_tier(tmp_path):
    raw = tmp_path / "raw"
    _write_fixture(raw)
    proc = run_dbt(["build"], tmp_path, raw_path=raw, check=False)
    assert proc.returncode != 0
    statuses = run_results(tmp_path)
    stopped_by_the_gate = [node for node, status in statuses.items()
                           if "stg_raw__load_gate" in node and status == "error"]
    assert stopped_by_the_gate, "the load gate should stop the build on this fixture"
    assert "Load gate failed for " in proc.stdout
    marts = {node: status for node, status in statuses.items() if node.startswith("model.customer_tiering.")
             and node.split(".")[-1] in {"customer_segments", "lifecycle_stage", "churn_cohort"}}
    assert marts and set(marts.values()) == {"skipped"}
