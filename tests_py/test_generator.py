"""The raw data generator (``python -m generator``): deterministic, sized as asked, and its
dirty rows are exactly what the manifest says.

The exact-count check re-classifies every written row with an independent implementation of
the README's reject rules (priority order, trimmed / lower-cased enums, strict
``YYYY-MM-DD[ HH:MM:SS]`` timestamps, dot decimals) and requires that it finds the manifest's
count for every reason code, that no row carries two defects, and that duplicates collapse to
the clean (latest) row.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from generator import Options, generate  # noqa: E402
from generator.cli import main as cli_main  # noqa: E402
from generator.dirty import APPLICABLE, COLUMNS, REASONS  # noqa: E402

ENTITIES = ("customers", "orders", "renewals", "feedback")
END_DATE = "2025-12-31"
SMALL = 1500  # customers in the small runs


def run(out: Path, *args: str) -> dict:
    assert cli_main(["--out", str(out), "--quiet", *args]) == 0
    return json.loads((out / "_manifest.json").read_text(encoding="utf-8"))


def data_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.suffix in (".csv", ".parquet"))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small")
    return out, run(out, "--customers", str(SMALL), "--seed", "7")


def open_raw(out: Path, manifest: dict) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for entity in ENTITIES:
        path = out / manifest["files"][entity]["file"]
        if path.suffix == ".csv":
            columns = ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS[entity])
            src = (f"read_csv('{path}', header = true, delim = ',', quote = '\"', escape = '\"', "
                   f"auto_detect = false, columns = {{{columns}}})")
        else:
            src = f"read_parquet('{path}')"
        con.execute(f"CREATE TABLE {entity} AS SELECT * FROM {src}")
    return con


# ---------------------------------------------------------------- determinism and sizes
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_arguments_give_byte_identical_files(tmp_path, fmt):
    a = run(tmp_path / "a", "--customers", "800", "--format", fmt, "--seed", "3")
    b = run(tmp_path / "b", "--customers", "800", "--format", fmt, "--seed", "3")
    files_a, files_b = data_files(tmp_path / "a"), data_files(tmp_path / "b")
    assert [p.name for p in files_a] == [f"{e}.{fmt}" for e in sorted(ENTITIES)]
    for fa, fb in zip(files_a, files_b):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
    assert a == b


def test_a_memory_limit_spills_and_changes_no_byte(tmp_path):
    """--memory-limit (how 10^8 orders fit on a small machine) spills to a folder beside the
    output, removes it at the end, and writes the very same files as an unlimited run."""
    run(tmp_path / "a", "--orders", "200000", "--format", "parquet")
    run(tmp_path / "b", "--orders", "200000", "--format", "parquet", "--memory-limit", "60MB", "--threads", "1")
    assert not (tmp_path / "b" / ".generator_spill").exists()
    for fa, fb in zip(data_files(tmp_path / "a"), data_files(tmp_path / "b")):
        assert fa.read_bytes() == fb.read_bytes(), fa.name


def test_a_different_seed_gives_different_data(tmp_path):
    run(tmp_path / "a", "--customers", "800", "--seed", "1")
    run(tmp_path / "b", "--customers", "800", "--seed", "2")
    for entity in ENTITIES:
        assert (tmp_path / "a" / f"{entity}.csv").read_bytes() != \
               (tmp_path / "b" / f"{entity}.csv").read_bytes(), entity


def test_orders_target_is_met_within_five_percent(tmp_path):
    manifest = run(tmp_path, "--orders", "100000", "--format", "parquet")
    rows = manifest["files"]["orders"]["rows"]
    assert abs(rows - 100_000) <= 5_000, rows
    # about 8 orders per buying customer
    con = open_raw(tmp_path, manifest)
    per_buyer = con.execute("SELECT count(*) / count(DISTINCT customer_id) FROM orders").fetchone()[0]
    assert 6.5 <= per_buyer <= 9.5, per_buyer


def test_csv_and_parquet_hold_the_same_rows(tmp_path):
    m_csv = run(tmp_path / "c", "--customers", "600", "--prefix", "raw_")
    m_pq = run(tmp_path / "p", "--customers", "600", "--prefix", "raw_", "--format", "parquet")
    c1, c2 = open_raw(tmp_path / "c", m_csv), open_raw(tmp_path / "p", m_pq)
    for entity in ENTITIES:
        rows_csv = c1.execute(f"SELECT * FROM {entity}").fetchall()
        rows_pq = c2.execute(f"SELECT * FROM {entity}").fetchall()
        assert rows_csv == rows_pq, entity
        types = {t for (t,) in c2.execute(
            f"SELECT DISTINCT data_type FROM information_schema.columns WHERE table_name = '{entity}'"
        ).fetchall()}
        assert types == {"VARCHAR"}


# --------------------------------------------------------------------- manifest and files
def test_manifest_row_counts_equal_the_files(small):
    out, manifest = small
    con = open_raw(out, manifest)
    for entity in ENTITIES:
        f = manifest["files"][entity]
        assert con.execute(f"SELECT count(*) FROM {entity}").fetchone()[0] == f["rows"]
        assert f["rows"] == f["clean_rows"] + f["dirty_rows"]
        assert f["dirty_rows"] == sum(f["dirty"].values())
        assert [c[0] for c in con.execute(f"DESCRIBE {entity}").fetchall()] == COLUMNS[entity]
    assert manifest["clean_customers"] == SMALL
    assert manifest["files"]["customers"]["clean_rows"] == SMALL


def test_every_reason_code_appears_for_every_entity_it_applies_to(small):
    _, manifest = small
    for entity, kinds in APPLICABLE.items():
        dirty = manifest["files"][entity]["dirty"]
        assert set(dirty) == set(kinds)
        assert all(dirty[k] >= 1 for k in kinds), (entity, dirty)
        share = manifest["files"][entity]["dirty_rows"] / manifest["files"][entity]["clean_rows"]
        assert share <= 0.01 + len(kinds) / manifest["files"][entity]["clean_rows"] + 1e-9


def test_clean_flag_writes_no_dirty_rows(tmp_path):
    manifest = run(tmp_path, "--customers", "300", "--clean")
    for entity in ENTITIES:
        f = manifest["files"][entity]
        assert f["dirty_rows"] == 0 and set(f["dirty"].values()) == {0}
    found = classify(open_raw(tmp_path, manifest))
    assert all(sum(c.values()) == 0 for c in found.values()), found


# ------------------------------------------------------------ independent reject checker
CHECKER_MACROS = [
    "CREATE MACRO t(x) AS nullif(trim(x), '')",
    # strict timestamp: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, and a real calendar date/time
    "CREATE MACRO ts(x) AS CASE WHEN regexp_full_match(t(x), '\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}:\\d{2})?') "
    "THEN try_cast(t(x) AS TIMESTAMP) END",
    "CREATE MACRO bad_ts(x) AS t(x) IS NOT NULL AND ts(x) IS NULL",
    "CREATE MACRO num(x) AS CASE WHEN regexp_full_match(t(x), '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)') "
    "THEN try_cast(t(x) AS DECIMAL(38, 6)) END",
    "CREATE MACRO bad_num(x) AS t(x) IS NOT NULL AND num(x) IS NULL",
    "CREATE MACRO int_(x) AS CASE WHEN regexp_full_match(t(x), '[+-]?\\d+') THEN try_cast(t(x) AS BIGINT) END",
    "CREATE MACRO bad_int(x) AS t(x) IS NOT NULL AND int_(x) IS NULL",
    "CREATE MACRO e(x) AS lower(t(x))",
    "CREATE MACRO ccy_ok(x) AS upper(t(x)) IN ('CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP')",
]

# reason -> condition, per entity (NULL-safe: coalesce to false)
CHECKS = {
    "customers": {
        "missing_key": "t(customer_id) IS NULL",
        "unparseable_date": "bad_ts(signed_up_at) OR bad_ts(loaded_at) OR t(signed_up_at) IS NULL "
                            "OR t(loaded_at) IS NULL",
        "invalid_value": "e(customer_type) IS NULL OR e(customer_type) NOT IN ('b2b', 'b2c')",
        "future_dated": "ts(signed_up_at) > ts(loaded_at)",
    },
    "orders": {
        "missing_key": "t(order_id) IS NULL",
        "missing_customer_id": "t(customer_id) IS NULL",
        "unparseable_date": "bad_ts(ordered_at) OR bad_ts(loaded_at) OR t(ordered_at) IS NULL "
                            "OR t(loaded_at) IS NULL",
        "unparseable_number": "bad_num(gross_amount) OR bad_num(discount_amount) OR "
                              "bad_num(refunded_amount) OR bad_num(cost_amount) OR t(gross_amount) IS NULL",
        "unknown_status": "e(status) IS NULL OR e(status) NOT IN ('completed', 'pending', 'cancelled', 'refunded')",
        "unknown_currency": "NOT ccy_ok(currency)",
        "negative_amount": "num(gross_amount) < 0 OR num(discount_amount) < 0 OR num(refunded_amount) < 0 "
                           "OR num(cost_amount) < 0",
        "future_dated": "ts(ordered_at) > ts(loaded_at)",
        "unknown_customer": "t(customer_id) NOT IN (SELECT customer_id FROM valid_customers)",
    },
    "renewals": {
        "missing_key": "t(subscription_id) IS NULL OR t(period_start) IS NULL",
        "missing_customer_id": "t(customer_id) IS NULL",
        "unparseable_date": "bad_ts(period_start) OR bad_ts(period_end) OR bad_ts(renewed_at) "
                            "OR bad_ts(loaded_at) OR t(period_end) IS NULL OR t(loaded_at) IS NULL",
        "unparseable_number": "bad_num(amount) OR t(amount) IS NULL",
        "invalid_value": "e(billing_cycle) IS NULL OR e(billing_cycle) NOT IN ('month', 'quarter', 'year') "
                         "OR ts(period_end) <= ts(period_start)",
        "unknown_status": "e(status) IS NULL OR e(status) NOT IN ('active', 'renewed', 'lapsed', 'cancelled')",
        "unknown_currency": "NOT ccy_ok(currency)",
        "negative_amount": "num(amount) < 0",
        "future_dated": "ts(period_start) > ts(loaded_at) OR ts(renewed_at) > ts(loaded_at)",
        "unknown_customer": "t(customer_id) NOT IN (SELECT customer_id FROM valid_customers)",
    },
    "feedback": {
        "missing_key": "t(feedback_id) IS NULL",
        "missing_customer_id": "t(customer_id) IS NULL",
        "unparseable_date": "bad_ts(submitted_at) OR bad_ts(loaded_at) OR t(submitted_at) IS NULL "
                            "OR t(loaded_at) IS NULL",
        "unparseable_number": "bad_int(csat) OR bad_int(nps)",
        "invalid_value": "e(kind) IS NULL OR e(kind) NOT IN ('survey', 'complaint', 'review') "
                         "OR int_(csat) NOT BETWEEN 1 AND 5 OR int_(nps) NOT BETWEEN 0 AND 10",
        "future_dated": "ts(submitted_at) > ts(loaded_at)",
        "unknown_customer": "t(customer_id) NOT IN (SELECT customer_id FROM valid_customers)",
    },
}
KEYS = {"customers": "t(customer_id)", "orders": "t(order_id)",
        "renewals": "t(subscription_id), ts(period_start)", "feedback": "t(feedback_id)"}


def classify(con) -> dict[str, dict[str, int]]:
    """Reject reason counts per entity; asserts one defect per row and clean duplicate winners."""
    for m in CHECKER_MACROS:
        con.execute(m)
    found = {}
    for entity in ENTITIES:
        checks = CHECKS[entity]
        flags = ", ".join(f"coalesce({cond}, false) AS \"{r}\"" for r, cond in checks.items())
        first = "CASE " + " ".join(f"WHEN \"{r}\" THEN '{r}'" for r in checks) + " END"
        n_flags = " + ".join(f"\"{r}\"::INT" for r in checks)
        con.execute(f"""
            CREATE TABLE {entity}_checked AS
            SELECT *, {first} AS reason, {n_flags} AS n_flags
            FROM (SELECT *, {flags} FROM {entity})
        """)
        multi = con.execute(f"SELECT count(*) FROM {entity}_checked WHERE n_flags > 1").fetchone()[0]
        assert multi == 0, f"{entity}: {multi} rows carry more than one defect"
        counts = dict(con.execute(
            f"SELECT reason, count(*) FROM {entity}_checked WHERE reason IS NOT NULL GROUP BY 1"
        ).fetchall())
        # duplicates among the valid rows: the latest loaded_at wins, and that latest version
        # must be unique unless the competing rows are exact copies
        key = KEYS[entity]
        content = "concat_ws('|', " + ", ".join(f"coalesce({c}, '<null>')" for c in COLUMNS[entity]) + ")"
        collapsed, ambiguous = con.execute(f"""
            WITH v AS (SELECT * FROM {entity}_checked WHERE reason IS NULL),
            ranked AS (
                SELECT *, max(ts(loaded_at)) OVER (PARTITION BY {key}) AS _latest,
                       count(*) OVER (PARTITION BY {key}) AS _n
                FROM v
            ),
            winners AS (
                SELECT {key}, count(DISTINCT {content}) AS versions
                FROM ranked WHERE _n > 1 AND ts(loaded_at) = _latest GROUP BY ALL
            )
            SELECT (SELECT count(*) FROM v) - (SELECT count(*) FROM (SELECT DISTINCT {key} FROM v)),
                   (SELECT count(*) FROM winners WHERE versions > 1)
        """).fetchone()
        assert ambiguous == 0, f"{entity}: {ambiguous} keys without a single latest version"
        if collapsed:
            counts["duplicate"] = collapsed
        found[entity] = counts
        if entity == "customers":
            con.execute("""CREATE TABLE valid_customers AS
                SELECT DISTINCT t(customer_id) AS customer_id FROM customers_checked WHERE reason IS NULL""")
    return found


def test_independent_checker_finds_exactly_the_manifest_counts(small):
    out, manifest = small
    found = classify(open_raw(out, manifest))
    for entity in ENTITIES:
        expected = {k: v for k, v in manifest["files"][entity]["dirty"].items() if v}
        assert found[entity] == expected, entity


def test_clean_rows_respect_the_end_date_and_load_times(small):
    out, manifest = small
    con = open_raw(out, manifest)
    classify(con)
    end = f"TIMESTAMP '{END_DATE}'"
    # no clean event after the end date, no loaded_at after end date + 1 day
    late = con.execute(f"""
        SELECT (SELECT count(*) FROM orders_checked WHERE reason IS NULL
                    AND ts(ordered_at) >= {end} + INTERVAL 1 DAY),
               (SELECT count(*) FROM customers_checked WHERE reason IS NULL
                    AND ts(signed_up_at) >= {end} + INTERVAL 1 DAY),
               (SELECT count(*) FROM renewals_checked WHERE reason IS NULL
                    AND (ts(period_start) >= {end} + INTERVAL 1 DAY OR ts(renewed_at) >= {end} + INTERVAL 1 DAY)),
               (SELECT count(*) FROM feedback_checked WHERE reason IS NULL
                    AND ts(submitted_at) >= {end} + INTERVAL 1 DAY)
    """).fetchone()
    assert late == (0, 0, 0, 0)
    # ... nor on the business calendar (Asia/Shanghai, UTC+8, the default --timezone)
    late_local = con.execute(f"""
        SELECT count(*) FROM orders_checked WHERE reason IS NULL
        AND ts(ordered_at) + INTERVAL 8 HOUR >= {end} + INTERVAL 1 DAY""").fetchone()[0]
    assert late_local == 0
    for entity in ENTITIES:
        n = con.execute(f"SELECT count(*) FROM {entity} WHERE ts(loaded_at) > {end} + INTERVAL 1 DAY").fetchone()[0]
        assert n == 0, entity
    # orders come after their customer's sign-up
    before = con.execute("""
        SELECT count(*) FROM orders_checked o JOIN customers_checked c
          ON t(o.customer_id) = t(c.customer_id) AND c.reason IS NULL
        WHERE o.reason IS NULL AND ts(o.ordered_at) < date_trunc('day', ts(c.signed_up_at))
    """).fetchone()[0]
    assert before == 0
    # messy-but-valid spellings are present and accepted
    assert manifest["files"]["orders"]["messy_valid_rows"] > 0
    assert con.execute("SELECT count(*) FROM orders_checked WHERE reason IS NULL "
                       "AND status <> trim(lower(status))").fetchone()[0] > 0


def test_renewal_periods_follow_each_other(small):
    out, manifest = small
    con = open_raw(out, manifest)
    classify(con)
    bad = con.execute("""
        WITH latest AS (   -- valid rows after collapsing duplicates
            SELECT * FROM renewals_checked WHERE reason IS NULL
            QUALIFY row_number() OVER (PARTITION BY t(subscription_id), ts(period_start)
                                       ORDER BY ts(loaded_at) DESC) = 1
        ), r AS (
            SELECT t(subscription_id) AS s, e(billing_cycle) AS cycle, e(status) AS status,
                   ts(period_start) AS ps, ts(period_end) AS pe, ts(renewed_at) AS rn,
                   lag(ts(period_end)) OVER w AS prev_pe, lag(ts(renewed_at)) OVER w AS prev_rn,
                   lag(e(status)) OVER w AS prev_status,
                   lead(ts(period_start)) OVER w AS next_ps
            FROM latest
            WINDOW w AS (PARTITION BY t(subscription_id) ORDER BY ts(period_start))
        )
        SELECT
            count(*) FILTER (WHERE pe <> ps + CASE cycle WHEN 'month' THEN INTERVAL 1 MONTH
                                                         WHEN 'quarter' THEN INTERVAL 3 MONTH
                                                         ELSE INTERVAL 1 YEAR END),
            count(*) FILTER (WHERE prev_pe IS NOT NULL AND ps <> prev_pe),
            count(*) FILTER (WHERE prev_status IS NOT NULL AND prev_status <> 'renewed'),
            count(*) FILTER (WHERE rn <= prev_rn),
            count(*) FILTER (WHERE status = 'renewed' AND rn IS NULL),
            count(*) FILTER (WHERE status <> 'renewed' AND rn IS NOT NULL),
            count(*) FILTER (WHERE next_ps IS NULL AND status = 'renewed' AND pe < TIMESTAMP '2025-12-31')
        FROM r
    """).fetchone()
    # period_end = start + cycle; periods are contiguous; only a renewed period has a successor;
    # renewals move forward; renewed_at is set exactly on renewed periods; a renewed period that
    # ended before the end date has its next period
    assert bad == (0, 0, 0, 0, 0, 0, 0), bad
    statuses = dict(con.execute("SELECT e(status), count(*) FROM renewals_checked "
                                "WHERE reason IS NULL GROUP BY 1").fetchall())
    assert set(statuses) == {"active", "renewed", "lapsed", "cancelled"}


def test_help_text():
    res = subprocess.run([sys.executable, "-m", "generator", "--help"], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    for flag in ("--customers", "--orders", "--out", "--format", "--prefix", "--seed",
                 "--end-date", "--start-date", "--dirty-share", "--clean", "--timezone"):
        assert flag in res.stdout


def test_reason_codes_match_the_readme_priority():
    assert REASONS == ["missing_key", "missing_customer_id", "unparseable_date", "unparseable_number",
                       "invalid_value", "unknown_status", "unknown_currency", "negative_amount",
                       "future_dated", "unknown_customer", "duplicate"]


def test_demo_seeds_are_what_the_generator_writes(tmp_path):
    """seeds/demo is reproducible: `make demo-data` rewrites it byte for byte."""
    subprocess.run([sys.executable, "-m", "generator", "--customers", "2000", "--seed", "42", "--prefix", "raw_",
                    "--format", "csv", "--out", str(tmp_path), "--quiet"], cwd=PROJECT_ROOT, check=True)
    demo = PROJECT_ROOT / "seeds" / "demo"
    for entity in ("customers", "orders", "renewals", "feedback"):
        name = f"raw_{entity}.csv"
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name


def test_batches_hold_exactly_the_rows_of_the_single_files(tmp_path):
    """--batches monthly writes a folder per entity, one file per load month plus `today`, with
    the very rows of the single files (docs/incremental-loads.md)."""
    single, batched = tmp_path / "single", tmp_path / "batched"
    run(single, "--customers", "300")
    run(batched, "--customers", "300", "--batches", "monthly")
    con = duckdb.connect()
    for entity in ("customers", "orders", "renewals", "feedback"):
        files = sorted(p.name for p in (batched / entity).glob("*.csv"))
        assert len(files) > 12 and all(len(name) == 11 and name[4] == "-" or name == "today.csv"
                                       for name in files), files
        columns = ", ".join(f"'{c}': 'varchar'" for c in COLUMNS[entity])
        read = "read_csv('{path}', header = true, auto_detect = false, columns = {{" + columns + "}})"
        one = read.format(path=single / f"{entity}.csv")
        many = read.format(path=batched / entity / "*.csv")
        only_one, only_many = (con.execute(f"select count(*) from (select * from {a} except all select * from {b})")
                               .fetchall()[0][0] for a, b in ((one, many), (many, one)))
        assert (only_one, only_many) == (0, 0), entity
        months = con.execute(f"select count(*) from read_csv({repr(str(batched / entity / '*.csv'))}, "
                             "filename = true, all_varchar = true) where parse_filename(filename) not in "
                             "('today.csv') and substr(trim(loaded_at), 1, 7) || '.csv' <> parse_filename(filename)"
                             ).fetchall()[0][0]
        assert months == 0, f"{entity}: rows in the wrong month's batch"
