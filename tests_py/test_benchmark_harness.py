"""The benchmark harness measures what it says: per-process peak memory, dependency order, the
profile's settings, and a comparison that can fail. Fast: no dbt build here (`benchmark/run.py
--smoke` runs the whole harness)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmark"
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import compare  # noqa: E402
import run  # noqa: E402


def _allocate(mib: int) -> list[str]:
    return [sys.executable, "-c", f"b = bytearray({mib} * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"]


def test_peak_rss_is_per_child_not_the_largest_so_far(tmp_path):
    env = dict(os.environ)
    big = run.measure(_allocate(2048), env, tmp_path / "big")
    small = run.measure(_allocate(10), env, tmp_path / "small")
    assert big["returncode"] == 0 and small["returncode"] == 0
    assert big["max_rss_bytes"] >= 2048 * 2**20
    # A forked child's peak includes the resident size it shared with this process before exec
    # (Linux keeps the high-water mark across exec), which depends on what ran in this process
    # before (a pytest worker that ran other modules holds several hundred MiB). So the small
    # child is compared with the big one, not with a fixed size: getrusage(RUSAGE_CHILDREN)
    # would still report the 2 GiB child here; wait4 does not.
    assert small["max_rss_bytes"] < big["max_rss_bytes"] - 1024 * 2**20
    assert small["wall_s"] > 0 and small["cpu_s"] >= 0


def test_failed_child_is_reported(tmp_path):
    result = run.measure([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), tmp_path / "fail")
    assert result["returncode"] == 3


def test_topological_order_puts_parents_first_and_finds_cycles():
    nodes = {
        "model.p.c": {"depends_on": {"nodes": ["model.p.a", "model.p.b", "source.p.raw.x"]}},
        "model.p.b": {"depends_on": {"nodes": ["model.p.a"]}},
        "model.p.a": {"depends_on": {"nodes": []}},
    }
    assert common.topological_order(nodes) == ["model.p.a", "model.p.b", "model.p.c"]
    nodes["model.p.a"]["depends_on"]["nodes"] = ["model.p.c"]
    with pytest.raises(ValueError, match="cycle"):
        common.topological_order(nodes)


def test_profile_settings_follow_the_environment():
    output = common.profile_output({"TIERING_DUCKDB_MEMORY_LIMIT": "1GB", "TIERING_DUCKDB_TEMP_DIR": "/x/spill"})
    settings = common.duckdb_config(output)
    assert output["type"] == "duckdb"
    assert settings["memory_limit"] == "1GB"
    assert settings["temp_directory"] == "/x/spill"


def test_floors_open_the_database_as_dbt_does(tmp_path):
    """The floors connect with the profile's config_options and then SET its per-cursor settings,
    as dbt-duckdb does: TimeZone is accepted only after the file is open (a connect-time TimeZone
    fails when the ICU extension cannot autoload), and the session must be UTC like dbt's."""
    output = common.profile_output({"TIERING_EMAIL_HASH_KEY": "k'ey"})
    assert "TimeZone" not in common.duckdb_config(output)
    con = common.connect(tmp_path / "floor.duckdb", output)
    try:
        assert con.execute("select current_setting('TimeZone')").fetchone()[0] == "UTC"
        assert con.execute("select getvariable('tiering_email_hash_key')").fetchone()[0] == "k'ey"
        assert con.execute("select current_setting('memory_limit')").fetchone()[0].startswith("1.4")
    finally:
        con.close()


def test_database_wide_settings_are_given_once_at_connect():
    """dbt-duckdb runs `settings` as SET statements on every new cursor; DuckDB refuses to
    switch temp_directory once a query spilled there, so with temp_directory in `settings`
    every node after the first spill failed (seen at 10^7 orders). It must be a connect-time
    `config_options` entry, with memory_limit beside it."""
    output = common.profile_output({})
    assert {"memory_limit", "temp_directory"} <= set(output["config_options"])
    assert not {"memory_limit", "temp_directory"} & set(output.get("settings") or {})
    assert output["config_options"]["memory_limit"] == "1536MB"


def test_comparison_finds_a_changed_cell_and_a_missing_row():
    dbt = pd.DataFrame({"customer_id": ["a", "b", "c"], "monetary": [1.0, 2.0, None],
                        "signed_up_date": pd.to_datetime(["2024-01-01"] * 3)})
    same = compare.compare_mart("customer_segments", dbt, dbt.copy())
    assert same["equal"]
    other = dbt.copy()
    other.loc[1, "monetary"] = 2.01
    other = other.drop(index=2)
    result = compare.compare_mart("customer_segments", dbt, other)
    assert not result["equal"]
    assert result["mismatches"]["monetary"]["cells"] == 1
    assert result["keys_only_in_dbt"] == 1


def test_sizes_parse_and_label():
    assert run.parse_sizes("1e5,1e6, 10000") == [100000, 1000000, 10000]
    assert run.size_label(10**7) == "10^7"
    assert run.size_label(25000) == "25,000"


def test_smoke_run_leaves_the_frozen_pandas_baseline_to_the_full_benchmark():
    """The pandas baseline is a frozen comparator (benchmark/README.md): `make test`'s smoke run
    neither runs it nor checks it equal to dbt; `make bench` does both."""
    smoke = run.parse_args(["--smoke"])
    assert "pandas" not in smoke.variants and not smoke.equality
    assert "dbt_models_tests" in smoke.variants
    full = run.parse_args([])
    assert "pandas" in full.variants and full.equality
    assert "pandas" in run.parse_args(["--smoke", "--variants", "pandas,dbt_models_tests"]).variants


def _size_measured(started: str, variants: dict[str, float]) -> dict:
    """One size as run.main records it: runs tagged with their invocation, ratios of this run."""
    import stats  # noqa: PLC0415

    measurements = {v: [{"run": 1, "returncode": 0, "wall_s": wall, "cpu_s": wall, "max_rss_bytes": 1,
                         "spill_peak_bytes": 0, "load_1min_before": 0.0, "invocation": started}]
                    for v, wall in variants.items()}
    return {"size": 10**6, "label": "10^6", "variants": list(variants), "measurements": measurements,
            "summary": {v: stats.summarise(m) for v, m in measurements.items()},
            "ratios": stats.ratios(measurements), "node_medians": {}, "time_by_resource_type": {},
            "measured_by": {"started": started, "command": f"run at {started}"}}


def test_a_size_measured_again_with_some_variants_keeps_the_others_and_pairs_runs_of_one_invocation(tmp_path):
    """Measuring 10^6 again with two variants (the history's cost) keeps the variants measured
    earlier at 10^6, and no ratio pairs a run of today with a run of another invocation."""
    import json  # noqa: PLC0415

    import results_page  # noqa: PLC0415

    earlier = _size_measured("2026-11-23 16:12", {"engine_floor": 10.0, "dbt_models_tests": 20.0})
    (tmp_path / "results.json").write_text(json.dumps({"sizes": [earlier]}))
    now = _size_measured("2026-12-01 18:00", {"dbt_models_tests": 40.0, "dbt_models_tests_no_history": 25.0})
    merged = results_page.merge_previous({"sizes": [now]}, tmp_path)["sizes"][0]
    assert merged["variants"] == ["engine_floor", "dbt_models_tests", "dbt_models_tests_no_history"]
    assert merged["measurements"]["dbt_models_tests"][0]["wall_s"] == 40.0  # today's replaces the earlier
    assert merged["ratios"]["dbt_models_tests / dbt_models_tests_no_history (history cost)"]["of_medians"] == 1.6
    # today's build against the earlier engine floor would be a ratio of two different projects:
    # the earlier invocation's ratio stays, marked as such
    assert merged["ratios"]["dbt_models_tests / engine_floor"]["of_medians"] == 2.0
    assert merged["ratios"]["dbt_models_tests / engine_floor"]["earlier"] == "2026-11-23 16:12"
    assert "earlier" not in merged["ratios"]["dbt_models_tests / dbt_models_tests_no_history (history cost)"]
    assert [inv["started"] for inv in results_page.invocations({"sizes": [merged]})] == [
        "2026-11-23 16:12", "2026-12-01 18:00"]


def test_the_snapshot_holds_what_the_pandas_baseline_imports(tmp_path):
    """The benchmark measures a frozen copy of the project; the pandas baseline run from that copy
    must find everything it imports (it takes the billing-cycle constants from the reference)."""
    import subprocess  # noqa: PLC0415

    import snapshot  # noqa: PLC0415

    snapshot.snapshot_project(tmp_path / "project")
    proc = subprocess.run([sys.executable, str(tmp_path / "project" / "benchmark" / "pandas_marts.py"), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_failed_nightly_run_is_a_missed_target_and_no_build_is_claimed_within_memory():
    import results_page  # noqa: PLC0415

    failed = {"runs": 1, "runs_ok": 0}
    passed = {"runs": 1, "runs_ok": 1, "wall_median_s": 1596.0}
    size = {"size": 10 ** 8, "label": "10^8", "ratios": {},
            "summary": {"nightly_no_history": failed, "dbt_models_tests_batches_no_history": passed}}
    checks = {c["target"]: c for c in results_page.target_checks([size], None)}
    nightly = "nightly build (+1 % orders batch) ≤ 1/3 of from scratch (10^8; current marts only, `history_periods: 0`)"
    assert checks[nightly]["value"] == "failed" and checks[nightly]["met"] is False
    # the 10^8 "completes" row is about dbt_models_tests, which this invocation did not run
    assert not [t for t in checks if "completes" in t]
    size["summary"]["nightly_no_history"] = dict(passed, wall_median_s=400.0)
    size["ratios"] = {"nightly_no_history / dbt_models_tests_batches_no_history": {"of_medians": 400 / 1596}}
    checks = {c["target"]: c for c in results_page.target_checks([size], None)}
    assert checks[nightly]["value"] == "0.25" and checks[nightly]["met"] is True
