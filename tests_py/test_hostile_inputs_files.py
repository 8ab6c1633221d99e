"""Hostile but realistic raw files (issue 13, items 5-10): every one either loads correctly or stops
before any model with a message that names the problem, and no raw e-mail reaches a log or a table.

Each test starts from the same clean generated data set (the project's generator, 200 customers,
no injected dirt, so every expected count is exact), changes one thing the way a real export
would, and builds with TIERING_RAW_PATH pointing at it.
"""
from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dbt_project_runner import PROJECT, run_dbt

pytestmark = pytest.mark.slow

STAGING = ["build", "--select", "+path:models/staging", "--indirect-selection", "cautious"]
ENTITIES = ["customers", "orders", "renewals", "feedback"]


@pytest.fixture(scope="module")
def clean_files(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "raw"
    subprocess.run([sys.executable, "-m", "generator", "--customers", "200", "--clean", "--format", "csv",
                    "--quiet", "--out", str(out)], cwd=PROJECT, check=True, capture_output=True)
    return out


def _copy(clean_files: Path, folder: Path) -> Path:
    shutil.copytree(clean_files, folder)
    return folder


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _connect(work: Path):
    return duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)


def _reconciliation(con) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in con.execute(
        "select entity, raw_rows, clean_rows, rejected_rows, duplicate_rows "
        "from staging.stg_raw__load_reconciliation").fetchall()}


# ---------------------------------------------------------------- 6. malformed lines


def test_malformed_lines_are_quarantined_and_never_printed(clean_files, tmp_path):
    raw = _copy(clean_files, tmp_path / "raw")
    customers = (raw / "customers.csv").read_text(encoding="utf-8").split("\n")
    # physical line numbers (1 = header) of the damaged records
    customers[10 - 1] = customers[10 - 1] + ",surplus"                      # one field too many
    customers[20 - 1] = customers[20 - 1].rsplit(",", 2)[0]                 # two fields missing
    leaked = [customers[10 - 1].split(",")[5], customers[20 - 1].split(",")[0]]
    (raw / "customers.csv").write_text("\n".join(customers), encoding="utf-8")
    feedback = (raw / "feedback.csv").read_text(encoding="utf-8").split("\n")
    fields = feedback[5 - 1].split(",")
    fields[6] = '"he said "great" and left'                                # a quote that never closes
    feedback[5 - 1] = ",".join(fields)
    (raw / "feedback.csv").write_text("\n".join(feedback), encoding="utf-8")
    data_lines = {entity: len(_rows(clean_files / f"{entity}.csv")) - 1 for entity in ENTITIES}

    proc = run_dbt(STAGING, tmp_path, raw_path=raw)

    con = _connect(tmp_path)
    try:
        malformed = con.execute("select raw_line_number from staging.stg_raw__customers_rejected "
                                "where reject_reason = 'malformed_row' order by 1").fetchall()
        assert malformed == [(10,), (20,)]
        assert con.execute("select count(*) from staging.stg_raw__feedback_rejected "
                           "where reject_reason = 'malformed_row' and raw_line_number = 5").fetchone()[0] == 1
        reconciliation = _reconciliation(con)
        for entity in ENTITIES:
            raw_rows, clean, rejected, duplicates = reconciliation[entity]
            assert raw_rows == data_lines[entity] == clean + rejected + duplicates, entity
        assert reconciliation["customers"][1:3] == (data_lines["customers"] - 2, 2)
    finally:
        con.close()
    # the damaged lines' e-mail (and every other value) reaches no output
    outputs = {"stdout": proc.stdout + proc.stderr,
               "dbt.log": (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8"),
               "run_results.json": (tmp_path / "target" / "run_results.json").read_text(encoding="utf-8")}
    for name, text in outputs.items():
        assert "@" in leaked[0]
        assert leaked[0] not in text, name
        assert "he said" not in text, name


def test_a_quote_that_never_closes_quarantines_every_line_it_swallows(clean_files, tmp_path):
    """The reader takes the rest of the file for one record when a quote does not close: each of
    those lines is a record lost, counted in the reconciliation the load gate reads (D194)."""
    raw = _copy(clean_files, tmp_path / "raw")
    lines = (raw / "orders.csv").read_text(encoding="utf-8").rstrip("\n").split("\n")
    promo = lines[0].split(",").index("promo_code")
    opened = len(lines) - 6  # physical line number (1 = header) of the record that opens the quote
    fields = lines[opened - 1].split(",")
    fields[promo] = '"SPRING'
    lines[opened - 1] = ",".join(fields)
    (raw / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    run_dbt(STAGING, tmp_path, raw_path=raw, check=False)  # the gate may fail: the counts are what is checked

    con = _connect(tmp_path)
    try:
        malformed = [row[0] for row in con.execute(
            "select raw_line_number from staging.stg_raw__orders_rejected "
            "where reject_reason = 'malformed_row' order by 1").fetchall()]
        assert malformed == list(range(opened, len(lines) + 1))
        raw_rows, clean, rejected, duplicates = _reconciliation(con)["orders"]
        assert raw_rows == len(lines) - 1 == clean + rejected + duplicates
        assert rejected >= len(malformed)
    finally:
        con.close()


# ---------------------------------------------------------------- 5. businesses without an entity


@pytest.mark.parametrize("change", ["renewals_and_feedback_header_only", "renewals_and_feedback_absent",
                                    "orders_absent"])
def test_optional_entities_may_be_empty_or_absent(clean_files, tmp_path, change):
    raw = _copy(clean_files, tmp_path / "raw")
    emptied = ["orders"] if change == "orders_absent" else ["renewals", "feedback"]
    for entity in emptied:
        if change.endswith("header_only"):
            _write(raw / f"{entity}.csv", _rows(raw / f"{entity}.csv")[:1])
        else:
            (raw / f"{entity}.csv").unlink()

    proc = run_dbt(["build"], tmp_path, raw_path=raw)

    con = _connect(tmp_path)
    try:
        for entity in emptied:
            assert _reconciliation(con)[entity] == (0, 0, 0, 0)
        # every customer of the file signed up by the as-of date is tiered
        customers = con.execute("select count(*) from marts.customer_segments").fetchone()[0]
        signed_up = con.execute("select count(*) from staging.stg_raw__customers where signed_up_date <= "
                                "(select as_of_date from intermediate.int_as_of_date)").fetchone()[0]
        assert customers == signed_up > 0.9 * (len(_rows(raw / "customers.csv")) - 1)
        if "renewals" in emptied:
            assert con.execute("select distinct cadence_class, subscription_state, satisfaction_tier "
                               "from marts.customer_segments").fetchall() == [("no_subscription", "none", "unknown")]
            assert con.execute("select count(*) from marts.renewal_reminders").fetchone()[0] == 0
            assert con.execute("select count(*) from marts.subscription_cohort").fetchone()[0] == 0
            assert con.execute("select count(*) from marts.lifecycle_stage "
                               "where stage_rule = 'all_subscriptions_lapsed'").fetchone()[0] == 0
        else:
            # the purchases are the paid subscription periods: only subscribers can leave `prospect`
            subscribers = {row[1] for row in _rows(raw / "renewals.csv")[1:]}
            scored = {row[0] for row in con.execute("select customer_id from marts.customer_segments "
                                                    "where segment_code <> 'prospect'").fetchall()}
            assert scored and scored <= subscribers
            assert con.execute("select distinct behaviour_class from marts.customer_segments "
                               "where behaviour_class not in ('no_orders', 'insufficient_history')").fetchall() == []
            assert con.execute("select as_of_date from intermediate.int_as_of_date").fetchone()[0] is not None
    finally:
        con.close()
    if change.endswith("absent"):
        assert "is absent: read as an empty" in proc.stdout


# ---------------------------------------------------------------- 7. encodings and optional columns


def test_optional_columns_may_be_absent_and_columns_in_any_order(clean_files, tmp_path):
    raw = _copy(clean_files, tmp_path / "raw")
    for entity, dropped in {"customers": {"email", "region", "loaded_at"},
                            "orders": {"promo_code", "cost_amount", "sales_channel"},
                            "feedback": {"comment", "nps"}}.items():
        rows = _rows(raw / f"{entity}.csv")
        keep = [i for i, name in enumerate(rows[0]) if name not in dropped][::-1]  # reversed order
        _write(raw / f"{entity}.csv", [[row[i] for i in keep] for row in rows])

    run_dbt(STAGING, tmp_path, raw_path=raw)

    con = _connect(tmp_path)
    try:
        for entity in ENTITIES:
            raw_rows, clean, rejected, duplicates = _reconciliation(con)[entity]
            assert (raw_rows, clean) == (len(_rows(clean_files / f"{entity}.csv")) - 1,) * 2, entity
        assert con.execute("select distinct region, email_hash from staging.stg_raw__customers").fetchall() == \
            [("unknown", None)]
        assert con.execute("select count(*) from staging.stg_raw__orders "
                           "where cost_amount is not null or sales_channel <> 'unknown'").fetchone()[0] == 0
    finally:
        con.close()


def test_gbk_file_is_refused_with_the_conversion_command(clean_files, tmp_path, monkeypatch):
    raw = _copy(clean_files, tmp_path / "raw")
    rows = _rows(raw / "customers.csv")
    for row in rows[1:6]:
        row[2] = "华东"
    _write(raw / "customers.csv", rows, encoding="gbk")

    monkeypatch.setenv("TIERING_RAW_ENCODING", "GBK")
    proc = run_dbt(STAGING, tmp_path / "declared", raw_path=raw, check=False)
    assert proc.returncode != 0
    assert "iconv -f GBK -t UTF-8" in proc.stdout
    assert not (tmp_path / "declared" / "warehouse.duckdb").exists() or _tables(tmp_path / "declared") == set()

    # Read as UTF-8 (the default), the five GBK rows are quarantined, never loaded garbled.
    monkeypatch.delenv("TIERING_RAW_ENCODING")
    run_dbt(STAGING, tmp_path / "default", raw_path=raw)
    con = _connect(tmp_path / "default")
    try:
        assert con.execute("select reject_reason, count(*) from staging.stg_raw__customers_rejected "
                           "group by 1").fetchall() == [("invalid_encoding", 5)]
        assert con.execute("select count(*) from staging.stg_raw__customers").fetchone()[0] == len(rows) - 1 - 5
    finally:
        con.close()


def _tables(work: Path) -> set[str]:
    con = _connect(work)
    try:
        return {row[0] for row in con.execute("select table_schema || '.' || table_name from information_schema.tables "
                                              "where table_schema in ('staging', 'intermediate', 'marts')").fetchall()}
    finally:
        con.close()


def test_a_trailing_comma_on_every_line_loads_every_row(clean_files, tmp_path):
    """A spreadsheet export often ends each line with a comma: an extra column without a name (D195)."""
    raw = _copy(clean_files, tmp_path / "raw")
    for entity in ENTITIES:
        _write(raw / f"{entity}.csv", [row + [""] for row in _rows(raw / f"{entity}.csv")])

    run_dbt(STAGING, tmp_path, raw_path=raw)

    con = _connect(tmp_path)
    try:
        for entity in ENTITIES:
            raw_rows, clean, rejected, duplicates = _reconciliation(con)[entity]
            assert (raw_rows, clean) == (len(_rows(clean_files / f"{entity}.csv")) - 1,) * 2, entity
    finally:
        con.close()


def test_crlf_lines_with_a_bare_lf_inside_a_quoted_value_load(clean_files, tmp_path):
    """Excel and Python's csv module end lines with CRLF and keep a cell's own line break as LF (D195)."""
    raw = _copy(clean_files, tmp_path / "raw")
    rows = _rows(raw / "feedback.csv")
    comment = rows[0].index("comment")
    rows[1][comment] = "first line\nsecond line"
    with open(raw / "feedback.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)

    run_dbt(STAGING, tmp_path, raw_path=raw)

    con = _connect(tmp_path)
    try:
        raw_rows, clean, rejected, duplicates = _reconciliation(con)["feedback"]
        assert (raw_rows, clean) == (len(rows) - 1,) * 2
    finally:
        con.close()


def test_a_column_named_twice_stops_the_build_and_names_the_columns(clean_files, tmp_path):
    raw = _copy(clean_files, tmp_path / "raw")
    rows = _rows(raw / "orders.csv")
    position = rows[0].index("gross_amount")
    rows = [row + [row[position]] for row in rows]
    rows[0][-1] = "Gross_Amount "  # the same name but for case and a space
    _write(raw / "orders.csv", rows)

    proc = run_dbt(["build"], tmp_path, raw_path=raw, check=False)

    assert proc.returncode != 0
    assert (f"orders.csv names one column more than once in its header line (columns {position + 1}, "
            f"{len(rows[0])}, counted from 1") in proc.stdout
    assert _tables(tmp_path) == set()


# ---------------------------------------------------------------- 8. paths and the preflight


def test_preflight_names_every_missing_file_and_column_before_any_model(clean_files, tmp_path):
    raw = _copy(clean_files, tmp_path / "it's raw")
    (raw / "customers.csv").unlink()
    for entity, column in {"orders": "currency", "renewals": "amount"}.items():
        rows = _rows(raw / f"{entity}.csv")
        drop = rows[0].index(column)
        _write(raw / f"{entity}.csv", [row[:drop] + row[drop + 1:] for row in rows])

    proc = run_dbt(["build"], tmp_path, raw_path=raw, check=False)

    assert proc.returncode != 0
    message = proc.stdout
    assert "missing required file customers.csv" in message
    assert "orders.csv lacks required column(s) currency" in message
    assert "renewals.csv lacks required column(s) amount" in message
    assert message.count("cannot be loaded") == 1  # one message for all of them
    assert _tables(tmp_path) == set()


def test_missing_folder_is_named(tmp_path):
    proc = run_dbt(["build"], tmp_path, raw_path=tmp_path / "no such folder", check=False)
    assert proc.returncode != 0
    assert "no such folder does not exist or holds no file" in proc.stdout
    assert "missing required file customers.csv" in proc.stdout


def test_folder_with_a_quote_builds_and_demo_seeds_stay_out(clean_files, tmp_path):
    raw = _copy(clean_files, tmp_path / "l'entreprise")
    run_dbt(STAGING, tmp_path, raw_path=raw)
    con = _connect(tmp_path)
    try:
        assert con.execute("select count(*) from staging.stg_raw__customers").fetchone()[0] == \
            len(_rows(raw / "customers.csv")) - 1
        demo = con.execute("select count(*) from information_schema.tables "
                           "where table_name like 'raw\\_%' escape '\\'").fetchone()[0]
        assert demo == 0, "the demo seeds must not be loaded next to the user's own data"
    finally:
        con.close()


# ---------------------------------------------------------------- 9. unknown raw format


def test_unknown_raw_format_is_rejected(clean_files, tmp_path):
    proc = run_dbt(STAGING, tmp_path, raw_path=clean_files, raw_format="xlsx", check=False)
    assert proc.returncode != 0
    assert "TIERING_RAW_FORMAT must be csv or parquet, got 'xlsx'" in proc.stdout


# ---------------------------------------------------------------- 10. PII at rest


def _every_text_value(con) -> set[str]:
    values = set()
    for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'").fetchall():
        values |= {row[0] for row in con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()}
    return values


def test_no_table_holds_a_raw_email_and_the_hash_is_keyed(tmp_path, monkeypatch):
    # The generator's default dirt: rejected and superseded customer rows, whose e-mails were kept.
    raw = tmp_path / "raw"
    subprocess.run([sys.executable, "-m", "generator", "--customers", "300", "--format", "csv", "--quiet",
                    "--out", str(raw)], cwd=PROJECT, check=True, capture_output=True)
    emails = {row[5].strip() for row in _rows(raw / "customers.csv")[1:] if "@" in row[5]}
    key = "k3y-only-in-the-environment"
    monkeypatch.setenv("TIERING_EMAIL_HASH_KEY", key)

    run_dbt(["build"], tmp_path, raw_path=raw, dbt_vars={"reject_rate_error": 1})

    con = _connect(tmp_path)
    try:
        stored = _every_text_value(con)
        assert {value.strip().lower() for value in stored if value} & {e.lower() for e in emails} == set()
        assert not any(value and "@" in value for value in stored)
        first = con.execute("select customer_id, email_hash from staging.stg_raw__customers "
                            "where email_hash is not null order by customer_id limit 1").fetchone()
    finally:
        con.close()
    address = next(row[5] for row in _rows(raw / "customers.csv")[1:] if row[0] == first[0] and row[5])
    assert first[1] == hashlib.sha256(f"{key}|{address.strip().lower()}".encode()).hexdigest()
    # the key itself is in no compiled file and no log
    for path in [*(tmp_path / "target").rglob("*.sql"), *(tmp_path / "target").rglob("*.json"),
                 tmp_path / "logs" / "dbt.log"]:
        assert key not in path.read_text(encoding="utf-8", errors="replace"), path
