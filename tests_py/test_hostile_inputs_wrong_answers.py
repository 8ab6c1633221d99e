"""Hostile but realistic inputs that used to give wrong tiers silently (issue 13, items 1-4, 9, 11):
each one now either lands correctly or stops the build, before any tier, with a message that
names the problem.

The raw files are small and hand-made (a clean base of 30 customers and their orders,
subscriptions and feedback, plus the hostile rows of each test), read through TIERING_RAW_PATH.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from dbt_project_runner import PROJECT, run_dbt

COLUMNS = {
    "customers": ["customer_id", "signed_up_at", "region", "customer_type", "acquisition_channel", "email",
                  "loaded_at"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount", "discount_amount",
               "refunded_amount", "cost_amount", "sales_channel", "promo_code", "loaded_at"],
    "renewals": ["subscription_id", "customer_id", "plan", "billing_cycle", "period_start", "period_end",
                 "renewed_at", "amount", "currency", "status", "loaded_at"],
    "feedback": ["feedback_id", "customer_id", "submitted_at", "kind", "csat", "nps", "comment", "loaded_at"],
}
MARTS = ["customer_segments", "lifecycle_stage", "churn_cohort", "segment_summary", "renewal_reminders",
         "subscription_cohort"]
LAST_REAL_ORDER = "2025-06-20"  # the latest completed order of the clean base (business date)
SECRET_EMAIL = "wang.fang@example.com"  # a personal value that must never reach a log


def clean_base() -> dict[str, list[dict]]:
    """30 customers with two or three completed orders each, one subscription, some feedback."""
    customers, orders, renewals, feedback = [], [], [], []
    for n in range(1, 31):
        cid = f"C{n:02d}"
        customers.append(dict(customer_id=cid, signed_up_at=f"2024-01-{n:02d} 08:00:00", region="east",
                              customer_type="b2c" if n % 3 else "b2b", acquisition_channel="web",
                              email=SECRET_EMAIL if n == 1 else f"c{n}@example.com", loaded_at=""))
        for k in range(1 + n % 3):
            month = 2 + (n + 5 * k) % 16  # months 2..17 since 2024-01
            year, month = 2024 + (month - 1) // 12, (month - 1) % 12 + 1
            orders.append(dict(order_id=f"O{n:02d}{k}", customer_id=cid,
                               ordered_at=f"{year}-{month:02d}-{(n % 27) + 1:02d} 10:00:00", status="completed",
                               currency="CNY", gross_amount=f"{100 + 37 * n + 11 * k}.50", discount_amount="",
                               refunded_amount="", cost_amount="", sales_channel="web", promo_code="",
                               loaded_at=""))
    orders.append(dict(orders[0], order_id="O-last", ordered_at=f"{LAST_REAL_ORDER} 10:00:00"))
    for p, (start, end) in enumerate([("2025-01-01", "2025-02-01"), ("2025-02-01", "2025-03-01"),
                                      ("2025-03-01", "2025-04-01")]):
        renewals.append(dict(subscription_id="S1", customer_id="C02", plan="pro", billing_cycle="month",
                             period_start=start, period_end=end,
                             renewed_at=f"{start[:8]}28" if p < 2 else "", amount="99",
                             currency="CNY", status="renewed" if p < 2 else "lapsed", loaded_at=""))
    # an active monthly subscription due 11 days after the latest order: a renewal reminder
    renewals.append(dict(subscription_id="S2", customer_id="C03", plan="basic", billing_cycle="month",
                         period_start="2025-06-01", period_end="2025-07-01", renewed_at="", amount="49",
                         currency="CNY", status="active", loaded_at=""))
    for n in range(1, 6):
        feedback.append(dict(feedback_id=f"F{n}", customer_id=f"C{n:02d}", submitted_at=f"2025-03-0{n} 09:00:00",
                             kind="survey", csat=str(1 + n % 5), nps=str(n), comment="ok", loaded_at=""))
    return {"customers": customers, "orders": orders, "renewals": renewals, "feedback": feedback}


def write_csv(folder: Path, data: dict[str, list[dict]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for entity, columns in COLUMNS.items():
        with (folder / f"{entity}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in data.get(entity, []):
                writer.writerow({c: row.get(c, "") for c in columns})
    return folder


def seed_and_run(args: list[str], work: Path, **options):
    """`dbt seed` (the reference seeds), then `dbt <args>`: a `dbt run` alone loads no seed."""
    run_dbt(["seed"], work, raw_path=options.get("raw_path"), raw_format=options.get("raw_format", "csv"))
    return run_dbt(args, work, **options)


def query(work: Path, sql: str, params=None):
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def output(proc) -> str:
    return proc.stdout + proc.stderr


def marts_differ(first: Path, second: Path) -> dict[str, int]:
    """Rows of each mart that are not in the other warehouse (both ways), compared exactly."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{first / 'warehouse.duckdb'}' as a (read_only)")
        con.execute(f"attach '{second / 'warehouse.duckdb'}' as b (read_only)")
        differences = {}
        for mart in MARTS:
            rows = con.execute(f"select count(*) from a.marts.{mart}").fetchone()[0]
            assert rows > 0, mart
            differences[mart] = con.execute(
                f"select count(*) from ((select * from a.marts.{mart} except all select * from b.marts.{mart}) "
                f"union all (select * from b.marts.{mart} except all select * from a.marts.{mart}))").fetchone()[0]
        return differences
    finally:
        con.close()


# ------------------------------------------------------------------ 1. implausible dates

IMPLAUSIBLE_ORDERS = {
    # the example: a blank loaded_at, so future_dated cannot catch it
    "O-9999": dict(ordered_at="9999-12-31"),
    "O-inf": dict(ordered_at="infinity"),
    "O-minus-inf": dict(ordered_at="-infinity"),
    "O-year-1": dict(ordered_at="0001-01-01 00:00:00"),
    "O-1900": dict(ordered_at="1900-01-01"),
    "O-2090": dict(ordered_at="2090-03-01 10:00:00"),
    # a plausible event whose load time is absurd: it would win every deduplication
    "O-load-9999": dict(ordered_at="2025-05-01 10:00:00", loaded_at="9999-12-31 00:00:00"),
}


@pytest.fixture(scope="module")
def implausible_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("implausible")
    data = clean_base()
    for order in data["orders"]:
        order["loaded_at"] = f"{LAST_REAL_ORDER} 12:00:00"
    template = {**data["orders"][0], "loaded_at": ""}
    for order_id, values in IMPLAUSIBLE_ORDERS.items():
        data["orders"].append({**template, **values, "order_id": order_id})
    # plausible, but later than every order load although it has no loaded_at of its own: it
    # stays a clean order and must not move the default as-of date past the latest load
    data["orders"].append({**template, "order_id": "O-stray", "ordered_at": "2026-11-15 10:00:00"})
    data["customers"].append(dict(data["customers"][0], customer_id="C-epoch", signed_up_at="1970-01-01"))
    data["feedback"].append(dict(data["feedback"][0], feedback_id="F-9999", submitted_at="9999-12-31"))
    run_dbt(["build"], work, raw_path=write_csv(work / "raw", data))
    return work


def test_implausible_dates_are_quarantined_with_their_own_reason(implausible_build):
    got = dict(query(implausible_build, "select raw_order_id, reject_reason from staging.stg_raw__orders_rejected"))
    assert query(implausible_build, "select count(*) from staging.stg_raw__orders where order_id = 'O-stray'") == [(1,)]
    assert got == {order_id: "implausible_date" for order_id in IMPLAUSIBLE_ORDERS}
    assert query(implausible_build, "select reject_reason from staging.stg_raw__customers_rejected") == [
        ("implausible_date",)]
    assert query(implausible_build, "select reject_reason from staging.stg_raw__feedback_rejected") == [
        ("implausible_date",)]


def test_no_implausible_row_moves_the_default_as_of_date(implausible_build):
    assert [str(d) for (d,) in query(implausible_build, "select as_of_date from intermediate.int_as_of_date")] == [
        LAST_REAL_ORDER]
    churned = query(implausible_build, "select count(*) from marts.lifecycle_stage where stage = 'churned'")[0][0]
    customers = query(implausible_build, "select count(*) from marts.lifecycle_stage")[0][0]
    assert churned < customers


# ------------------------------------------------------------------ 2. as-of dates outside the data

@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("clean")
    run_dbt(["build", "--exclude-resource-type", "unit_test"], work, raw_path=write_csv(work / "raw", clean_base()))
    return work


def test_as_of_date_before_any_customer_stops_the_run(clean_build):
    proc = run_dbt(["run", "--select", "int_as_of_date+"], clean_build, raw_path=clean_build / "raw",
                   dbt_vars={"as_of_date": "2000-01-01"}, check=False)
    assert proc.returncode != 0
    assert "as_of_date 2000-01-01 is before the first customer signed up (2024-01-01)" in output(proc)


def test_as_of_date_far_beyond_the_data_stops_the_run(clean_build):
    proc = run_dbt(["run", "--select", "int_as_of_date+"], clean_build, raw_path=clean_build / "raw",
                   dbt_vars={"as_of_date": "2031-01-01"}, check=False)
    assert proc.returncode != 0
    assert "as_of_date 2031-01-01 is more than 366 days (var as_of_date_max_days_after_data)" in output(proc)
    assert "latest loaded event (2025-06-20)" in output(proc)


def test_as_of_date_within_reach_of_the_data_builds(clean_build):
    run_dbt(["run", "--select", "int_as_of_date"], clean_build, raw_path=clean_build / "raw",
            dbt_vars={"as_of_date": "2026-06-01"})
    assert [str(d) for (d,) in query(clean_build, "select as_of_date from intermediate.int_as_of_date")] == [
        "2026-06-01"]


# ------------------------------------------------------------------ 3. the reject gate in the models

def _mostly_rejected_orders(work: Path) -> Path:
    data = clean_base()
    for number, order in enumerate(data["orders"]):
        if number % 10:  # 90 %: a currency written as people say it, or a decimal comma
            order.update(currency="RMB") if number % 3 else order.update(gross_amount="12,50")
    return write_csv(work / "raw", data)


@pytest.mark.parametrize("command", [["run"], ["build"], ["run", "--select", "+customer_segments"]])
def test_a_mostly_rejected_file_stops_every_command_before_any_tier(tmp_path, command):
    proc = seed_and_run(command, tmp_path, raw_path=_mostly_rejected_orders(tmp_path), check=False)
    text = output(proc)
    assert proc.returncode != 0
    message = re.search(r"Load gate failed for orders: (\d+) of (\d+) raw rows were quarantined \(([\d.]+) %\), "
                        r"above reject_rate_error \(20.0 %\); top reject reasons: unknown_currency (\d+), "
                        r"unparseable_number (\d+)", text)
    assert message, text[-3000:]
    rejected, raw, _, currency, comma = map(float, message.groups())
    assert rejected == currency + comma and rejected / raw > 0.85
    # no tier was built, and the reconciliation was printed with the right label
    assert not query(tmp_path, "select table_name from information_schema.tables "
                               "where table_schema in ('intermediate', 'marts') and table_name <> 'time_spine_daily'")
    assert re.search(r"orders +raw \d+ = clean \d+ \+ rejected \d+ .*above reject_rate_error", text)
    logs = text + (tmp_path / "logs" / "dbt.log").read_text() + (tmp_path / "target" / "run_results.json").read_text()
    assert SECRET_EMAIL not in logs and "RMB" not in logs and "12,50" not in logs


def test_a_selection_after_a_staging_only_run_still_meets_the_gate(tmp_path):
    raw = _mostly_rejected_orders(tmp_path)
    seed_and_run(["run", "--select", "staging"], tmp_path, raw_path=raw)  # nothing reads the gate yet
    proc = run_dbt(["run", "--select", "intermediate", "marts"], tmp_path, raw_path=raw, check=False)
    assert proc.returncode != 0 and "Load gate failed for orders" in output(proc)


def test_customers_without_a_clean_row_stop_the_build(tmp_path):
    data = clean_base()
    data["customers"] = []  # a header-only customers file
    proc = seed_and_run(["run"], tmp_path, raw_path=write_csv(tmp_path / "raw", data), check=False)
    assert proc.returncode != 0
    assert "Load gate failed for customers: the file has no customer row" in output(proc)


def test_an_entity_that_lost_every_row_to_the_quarantine_stops_the_build(tmp_path):
    data = clean_base()
    for period in data["renewals"]:
        period["billing_cycle"] = "fortnight"
    proc = seed_and_run(["run"], tmp_path, raw_path=write_csv(tmp_path / "raw", data), check=False)
    assert proc.returncode != 0
    assert "Load gate failed for renewals: all 4 raw rows were quarantined; top reject reasons: invalid_value 4" \
        in output(proc)


def test_empty_renewals_feedback_and_orders_pass_the_gate(tmp_path):
    data = clean_base()
    data["renewals"], data["feedback"] = [], []  # header-only files: a business without them
    seed_and_run(["run", "--select", "+int_as_of_date"], tmp_path, raw_path=write_csv(tmp_path / "raw", data))
    passed = query(tmp_path, "select entity, raw_rows, passed from staging.stg_raw__load_gate order by entity")
    assert passed == [("customers", 30, True), ("feedback", 0, True), ("orders", len(data["orders"]), True),
                      ("renewals", 0, True)]


# ------------------------------------------------------------------ 4. time zones

TZ_ORDERS = [  # (order_id, text with an offset, the instant in UTC)
    ("O-tz-1", "2024-05-01T20:00:00+08:00", "2024-05-01 12:00:00"),
    ("O-tz-2", "2024-05-31T20:00:00Z", "2024-05-31 20:00:00"),  # 1 June in Shanghai
    ("O-tz-3", "2024-06-30 23:30:00-05:00", "2024-07-01 04:30:00"),
    # no seconds and a two-digit offset: 19 characters, like the plain form (D193)
    ("O-tz-4", "2024-05-02T20:00+08", "2024-05-02 12:00:00"),
    ("O-tz-5", "2024-06-29 23:30-05", "2024-06-30 04:30:00"),
]


def _tz_data() -> dict[str, list[dict]]:
    data = clean_base()
    template = data["orders"][0]
    for order_id, text, _ in TZ_ORDERS:
        data["orders"].append(dict(template, order_id=order_id, ordered_at=text))
    # timestamps of the clean base written with an explicit offset too
    for order in data["orders"][:20]:
        order["ordered_at"] = order["ordered_at"].replace(" ", "T") + "+08:00"
    return data


def _write_typed_parquet(csv_folder: Path, out: Path) -> Path:
    """The CSV files as Parquet with typed TIMESTAMP WITH TIME ZONE columns (as an export writes them)."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")  # text without an offset is UTC, as the contract says
        typed = {"customers": ["signed_up_at"], "orders": ["ordered_at"], "feedback": ["submitted_at"],
                 "renewals": ["period_start", "period_end"]}
        for entity, columns in COLUMNS.items():
            select = ", ".join(f"cast(nullif({c}, '') as timestamptz) as {c}" if c in typed[entity] else c
                               for c in columns)
            con.execute(f"copy (select {select} from read_csv('{csv_folder / (entity + '.csv')}', header = true, "
                        f"all_varchar = true)) to '{out / (entity + '.parquet')}' (format parquet)")
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def tz_builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("tz")
    csv_folder = write_csv(root / "csv", _tz_data())
    parquet_folder = _write_typed_parquet(csv_folder, root / "parquet")
    builds = {}
    with pytest.MonkeyPatch.context() as patch:
        for zone in ("UTC", "Asia/Shanghai"):
            patch.setenv("TZ", zone)
            for file_format, folder in (("csv", csv_folder), ("parquet", parquet_folder)):
                work = root / f"{file_format}-{zone.replace('/', '-')}"
                seed_and_run(["run"], work, raw_path=folder, raw_format=file_format)
                builds[(file_format, zone)] = work
    return builds


def test_utc_offsets_are_read_as_the_instant_they_name(tz_builds):
    for work in tz_builds.values():
        got = {order_id: (str(at), str(day)) for order_id, at, day in query(
            work, "select order_id, ordered_at, ordered_date from staging.stg_raw__orders where order_id like 'O-tz-%'")}
        assert got == {"O-tz-1": ("2024-05-01 12:00:00", "2024-05-01"),
                       "O-tz-2": ("2024-05-31 20:00:00", "2024-06-01"),
                       "O-tz-3": ("2024-07-01 04:30:00", "2024-07-01"),
                       "O-tz-4": ("2024-05-02 12:00:00", "2024-05-02"),
                       "O-tz-5": ("2024-06-30 04:30:00", "2024-06-30")}, work.name


def test_the_same_files_give_identical_marts_whatever_the_machine_zone(tz_builds):
    reference = tz_builds[("csv", "UTC")]
    for key, work in tz_builds.items():
        assert marts_differ(reference, work) == {mart: 0 for mart in MARTS}, key


def test_date_only_values_keep_their_calendar_date_in_any_business_timezone(clean_build):
    work = clean_build.parent / "new-york"
    data = clean_base()
    data["orders"].append(dict(data["orders"][0], order_id="O-date-only", ordered_at="2024-05-01"))
    data["orders"].append(dict(data["orders"][0], order_id="O-midnight-utc", ordered_at="2024-05-01 00:00:00"))
    seed_and_run(["run", "--select", "+stg_raw__orders"], work, raw_path=write_csv(work / "raw", data),
            dbt_vars={"business_timezone": "America/New_York"})
    got = dict(query(work, "select order_id, cast(ordered_date as varchar) from staging.stg_raw__orders "
                           "where order_id in ('O-date-only', 'O-midnight-utc')"))
    assert got == {"O-date-only": "2024-05-01", "O-midnight-utc": "2024-04-30"}


# ------------------------------------------------------------------ money totals beyond their type (D200)

# every table that holds a tier: the per-date scores, classes and stages, and the marts built on them
TIER_TABLES = ["int_customers_rfm_scored_by_as_of_date", "int_customers_abc_classified_by_as_of_date",
               "int_customers_staged_by_as_of_date", "customer_segments", "lifecycle_stage", "segment_summary",
               "customer_segment_history", "segment_migration"]


def test_a_customer_total_beyond_the_money_type_stops_the_build_and_a_wider_type_builds_it(tmp_path):
    """Two orders of one customer that fit one by one but sum past 10^16: the default 18 digits
    stop the build before any tier, with a message naming the var; 38 digits build the exact sum."""
    from decimal import Decimal  # noqa: PLC0415

    data = clean_base()
    for number, amount in enumerate(["6000000000000000.25", "4000000000000000.50"]):
        data["orders"].append({**data["orders"][0], "order_id": f"O-large{number}", "gross_amount": amount})
    raw = write_csv(tmp_path / "raw", data)
    proc = seed_and_run(["build"], tmp_path, raw_path=raw, check=False)
    text = output(proc)
    assert proc.returncode != 0
    assert ("A customer's net revenue (monetary) reaches 10^16 or more in the reporting currency, more than var "
            "money_total_precision (18 digits, 2 of them after the point) holds. No tier was built.") in text, \
        text[-3000:]
    assert "6000000000000000" not in text  # the message names the problem, not a raw value
    built = {row[0] for row in query(tmp_path, "select table_name from information_schema.tables "
                                               "where table_schema in ('intermediate', 'marts')")}
    assert "int_purchase_days" in built  # the build got as far as the purchases
    assert not built & set(TIER_TABLES), built & set(TIER_TABLES)

    run_dbt(["build"], tmp_path, raw_path=raw, dbt_vars={"money_total_precision": 38})
    expected = sum(Decimal(order["gross_amount"]) for order in data["orders"] if order["customer_id"] == "C01")
    assert expected >= Decimal(10) ** 16
    assert query(tmp_path, "select monetary from marts.customer_segments where customer_id = 'C01'") == [(expected,)]
    assert query(tmp_path, "select abc_class_revenue from marts.customer_segments where customer_id = 'C01'") == [
        ("A",)]


def test_money_total_precision_outside_18_to_38_is_refused(clean_build):
    proc = run_dbt(["compile", "--select", "int_customers_purchases_aggregated_by_as_of_date"],
                   clean_build.parent / "precision", dbt_vars={"money_total_precision": 12}, check=False)
    assert proc.returncode != 0
    assert "var money_total_precision must be a whole number of digits from 18 to 38, got 12" in output(proc)


# ------------------------------------------------------------------ 9. vars

def test_an_unknown_var_stops_the_run_and_lists_the_known_ones(clean_build):
    proc = run_dbt(["run", "--select", "int_as_of_date"], clean_build, raw_path=clean_build / "raw",
                   dbt_vars={"as_of_dat": "2025-01-01"}, check=False)
    assert proc.returncode != 0
    text = output(proc)
    assert "Unknown var as_of_dat given with --vars. Known vars: " in text
    assert "as_of_date" in text and "reject_rate_error" in text


def test_the_list_of_known_vars_is_the_project_vars():
    declared = set(yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"])
    macro = (PROJECT / "macros" / "validate_vars.sql").read_text()
    listed = set(re.findall(r"'([a-z_0-9]+)'", macro.split("macro known_var_names")[1].split("endmacro")[0]))
    assert listed == declared | {"raw_data_path"}


def test_reporting_currency_in_lower_case_is_normalised(clean_build):
    work = clean_build.parent / "usd"
    run_dbt(["build", "--select", "fx_rates", "stg_reference__fx_rates", "--indirect-selection", "cautious"], work,
            dbt_vars={"reporting_currency": "usd"})
    assert query(work, "select rate_to_reporting from staging.stg_reference__fx_rates where currency = 'USD'") == [
        (1,)]


def test_a_reporting_currency_missing_from_the_seed_stops_with_a_clear_message(clean_build):
    work = clean_build.parent / "xyz"
    proc = run_dbt(["build", "--select", "fx_rates", "stg_reference__fx_rates", "--indirect-selection", "cautious"], work,
                   dbt_vars={"reporting_currency": "xyz"}, check=False)
    assert proc.returncode != 0
    assert "var reporting_currency XYZ is not in seeds/reference/fx_rates.csv" in output(proc)


# ------------------------------------------------------------------ 11. determinism

def test_segment_summary_does_not_depend_on_the_order_of_the_rows_it_reads(tmp_path):
    """The same customers stored in another physical order (as a parallel insert may leave them)
    give the same bits: a float average added them in storage order and differed in the last bits."""
    import shutil  # noqa: PLC0415

    first, second = tmp_path / "first", tmp_path / "second"
    seed_and_run(["run"], first)
    second.mkdir()
    shutil.copy(first / "warehouse.duckdb", second / "warehouse.duckdb")
    con = duckdb.connect(str(second / "warehouse.duckdb"))
    try:
        con.execute("create or replace table marts.customer_segments as "
                    "select * from marts.customer_segments order by monetary desc nulls first, customer_id desc")
    finally:
        con.close()
    for work in (first, second):
        run_dbt(["run", "--select", "segment_summary"], work)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{first / 'warehouse.duckdb'}' as a (read_only)")
        con.execute(f"attach '{second / 'warehouse.duckdb'}' as b (read_only)")
        assert con.execute("select count(*) from a.marts.segment_summary where avg_monetary is not null").fetchone()[0]
        differing = con.execute(
            "select count(*) from ((select * from a.marts.segment_summary except all select * from b.marts.segment_summary)"
            " union all (select * from b.marts.segment_summary except all select * from a.marts.segment_summary))"
        ).fetchone()[0]
        assert differing == 0
    finally:
        con.close()


@pytest.mark.slow
def test_every_mart_is_bit_identical_across_rebuilds(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for work in (first, second):
        seed_and_run(["run"], work)
    assert marts_differ(first, second) == {mart: 0 for mart in MARTS}
