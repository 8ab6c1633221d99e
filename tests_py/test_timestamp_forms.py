"""Every form of timestamp text is read as the instant it names or not at all, alike on DuckDB and
Spark (DECISIONLOG D193): the project's own `parse_timestamp` macro, run by `dbt show` on each
engine over a table of texts, against the instant each text means.

A text of a form the contract does not list (a 12-hour clock, a one-digit offset, a zone
abbreviation) must give NULL, which staging quarantines as `unparseable_date`; a silent wrong
instant moves recency, the as-of date and every tier.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

from dbt_project_runner import run_dbt

# (text, the instant it names in UTC, or None: not a form the warehouse reads)
FORMS = [
    ("2025-06-20 20:00:00", "2025-06-20 20:00:00"),
    ("2025-06-20T20:00:00", "2025-06-20 20:00:00"),
    ("2025-06-20 20:00", "2025-06-20 20:00:00"),
    ("2025-06-20", "2025-06-20 00:00:00"),
    ("2025-06-20T20:00:00Z", "2025-06-20 20:00:00"),
    ("2025-06-20T20:00Z", "2025-06-20 20:00:00"),
    ("2025-06-20 20:00:00+08:00", "2025-06-20 12:00:00"),
    ("2025-06-20T20:00+08", "2025-06-20 12:00:00"),       # 19 characters, like the plain form
    ("2025-06-20 20:00-05", "2025-06-21 01:00:00"),       # 19 characters too
    ("2025-06-20T20:00:00+0800", "2025-06-20 12:00:00"),
    ("2025-06-20 20:00 UTC", "2025-06-20 20:00:00"),
    ("2025-06-20 20:00:00 GMT", "2025-06-20 20:00:00"),
    ("2025-06-20 20:00 Asia/Shanghai", "2025-06-20 12:00:00"),
    ("2025-06-20 08:00 PM", None),                        # DuckDB's plain cast reads 08:00
    ("2025-06-20 8:00 PM", None),
    ("2025-06-20 08:00:00 AM", None),
    ("2025-06-20 20:00 +8", None),
    ("2025-06-20 20:00:00 UTC+8", None),                  # UTC-8 under POSIX rules
    ("2025-06-20 20:00:00 CST", None),                    # China, US Central or Cuba?
    ("2025-06-20 20:00:00 EST", None),
    ("2025/06/20 20:00", None),
    ("2025-02-30", None),
    ("yesterday", None),
]


def _parsed(target: str, work: Path, extra_env: dict | None = None) -> dict[str, str | None]:
    rows = " union all ".join(f"select '{text}' as x" for text, _ in FORMS)
    sql = f"select x, cast({{{{ parse_timestamp('x') }}}} as string) as parsed from ({rows}) as forms"
    proc = run_dbt(["show", "--target", target, "--inline", sql, "--limit", str(len(FORMS) + 1),
                    "--output", "json", "--quiet"], work, extra_env=extra_env)
    shown = json.loads(proc.stdout[proc.stdout.index("{"):])["show"]
    return {row["x"]: row["parsed"] for row in shown}


def _expected() -> dict[str, str | None]:
    return dict(FORMS)


def test_every_timestamp_form_reads_as_the_instant_it_names_on_duckdb(tmp_path):
    assert _parsed("duckdb", tmp_path) == _expected()


@pytest.mark.spark
def test_every_timestamp_form_reads_the_same_on_spark(tmp_path):
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(name) is None]
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        missing.append("a Java runtime")
    if missing:
        if os.environ.get("TIERING_REQUIRE_SPARK") == "1":
            pytest.fail(f"missing {', '.join(missing)}: run `make spark-test`")
        pytest.skip(f"missing {', '.join(missing)}: run `make spark-test`")
    spark_env = {"TIERING_SPARK_DIR": str(tmp_path / "session"), "SPARK_LOCAL_IP": "127.0.0.1"}
    assert _parsed("spark", tmp_path, extra_env=spark_env) == _expected()
