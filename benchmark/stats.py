"""Statistics of the measured runs: medians and spreads per variant, ratios between variants, and
where the time goes per node (used by benchmark/run.py and benchmark/results_page.py)."""
from __future__ import annotations

import statistics

from common import DBT_VARIANTS


def summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["returncode"] == 0]
    if not ok:
        return {"runs_ok": 0, "runs": len(runs)}
    wall = [r["wall_s"] for r in ok]
    rss = [r["max_rss_bytes"] for r in ok]
    median_wall = statistics.median(wall)
    return {
        "runs": len(runs),
        "runs_ok": len(ok),
        "wall_median_s": median_wall,
        "wall_min_s": min(wall),
        "wall_max_s": max(wall),
        "wall_spread_pct": 100 * (max(wall) - min(wall)) / median_wall if median_wall else 0,
        "wall_stdev_s": statistics.stdev(wall) if len(wall) > 1 else 0.0,
        "cpu_median_s": statistics.median(r["cpu_s"] for r in ok),
        "rss_median_bytes": statistics.median(rss),
        "rss_max_bytes": max(rss),
        "spill_peak_bytes": max(r["spill_peak_bytes"] for r in ok),
        "load_median": statistics.median(r["load_1min_before"] for r in ok),
        "dbt_elapsed_median_s": (statistics.median(r["dbt_elapsed_s"] for r in ok)
                                 if all(r.get("dbt_elapsed_s") is not None for r in ok) and "dbt_elapsed_s" in ok[0]
                                 else None),
    }


RATIO_DEFS = {
    # name: (numerator variant, denominator variant, field)
    "dbt_models_tests / engine_floor": ("dbt_models_tests", "engine_floor", "wall_s"),
    "dbt_models_tests / engine_floor_tests": ("dbt_models_tests", "engine_floor_tests", "wall_s"),
    "dbt_models / engine_floor": ("dbt_models", "engine_floor", "wall_s"),
    "dbt_models_tests / scan_floor": ("dbt_models_tests", "scan_floor", "wall_s"),
    "dbt_models_tests_published / dbt_models_tests (publication cost)": ("dbt_models_tests_published",
                                                                         "dbt_models_tests", "wall_s"),
    "dbt_models_tests_published RSS / dbt_models_tests RSS": ("dbt_models_tests_published", "dbt_models_tests",
                                                              "max_rss_bytes"),
    "dbt_models_tests / dbt_models_tests_no_history (history cost)": ("dbt_models_tests",
                                                                      "dbt_models_tests_no_history", "wall_s"),
    "dbt_models_tests RSS / dbt_models_tests_no_history RSS": ("dbt_models_tests", "dbt_models_tests_no_history",
                                                               "max_rss_bytes"),
    "pandas / dbt_models_tests (speed-up)": ("pandas", "dbt_models_tests", "wall_s"),
    "nightly / dbt_models_tests_batches": ("nightly", "dbt_models_tests_batches", "wall_s"),
    "nightly_no_history / dbt_models_tests_batches_no_history": ("nightly_no_history",
                                                                 "dbt_models_tests_batches_no_history", "wall_s"),
    "pandas / dbt_models (speed-up)": ("pandas", "dbt_models", "wall_s"),
    "dbt_models_tests RSS / pandas RSS": ("dbt_models_tests", "pandas", "max_rss_bytes"),
    "what-if: engine_floor_tests_as_table / engine_floor_tests": ("engine_floor_tests_as_table", "engine_floor_tests",
                                                                   "wall_s"),
    "what-if: engine_floor_as_table / engine_floor": ("engine_floor_as_table", "engine_floor", "wall_s"),
}
def _ratio(a: list[dict] | None, b: list[dict] | None, field: str) -> dict | None:
    """The ratio of two variants over the runs of the latest invocation that measured both (runs
    carry the start of their invocation; a results file merges several, results_page.merge_previous)."""
    if not a or not b:
        return None
    shared = {r.get("invocation") for r in a} & {r.get("invocation") for r in b}
    if not shared:
        return None
    latest = max(shared, key=lambda started: started or "")
    a_ok = {r["run"]: r[field] for r in a if r["returncode"] == 0 and r.get("invocation") == latest}
    b_ok = {r["run"]: r[field] for r in b if r["returncode"] == 0 and r.get("invocation") == latest}
    if not a_ok or not b_ok or not statistics.median(b_ok.values()):
        return None
    paired = [a_ok[k] / b_ok[k] for k in a_ok if k in b_ok and b_ok[k]]
    return {
        "of_medians": statistics.median(a_ok.values()) / statistics.median(b_ok.values()),
        "median_of_rounds": statistics.median(paired) if paired else None,
        "rounds_min": min(paired) if paired else None,
        "rounds_max": max(paired) if paired else None,
    }


def ratios(measurements: dict[str, list[dict]]) -> dict:
    """Ratio of medians, and the median of the per-round ratios (both variants measured in the
    same round, minutes apart: this one is less sensitive to a machine that got busier). Time
    ratios also on CPU seconds (user + system), which other work on the machine disturbs less."""
    out = {}
    for name, (num, den, field) in RATIO_DEFS.items():
        r = _ratio(measurements.get(num), measurements.get(den), field)
        if r:
            out[name] = r
        if field == "wall_s":
            r = _ratio(measurements.get(num), measurements.get(den), "cpu_s")
            if r:
                out[name + " [CPU]"] = r
    return out


def median_nodes(per_run: list[dict[str, float]]) -> dict[str, float]:
    ids = {uid for run in per_run for uid in run}
    return {uid: statistics.median(run[uid] for run in per_run if uid in run) for uid in ids}


def slowest_nodes(node_medians: dict, meta: dict, top: int) -> dict:
    out = {}
    floor_models = node_medians.get("engine_floor", {})
    floor_tests = node_medians.get("engine_floor_tests", {})
    for variant in DBT_VARIANTS:
        medians = node_medians.get(variant)
        if not medians:
            continue
        total = sum(medians.values())
        rows = []
        for uid, seconds in sorted(medians.items(), key=lambda kv: -kv[1])[:top]:
            info = meta.get(uid, {})
            floor = floor_tests.get(uid, floor_models.get(uid))
            rows.append({"unique_id": uid, "resource_type": info.get("resource_type", uid.split(".")[0]),
                         "materialized": info.get("materialized"), "dbt_s": seconds,
                         "share_of_node_time": seconds / total if total else None, "engine_floor_s": floor})
        out[variant] = rows
    return out


def time_by_type(node_medians: dict, meta: dict) -> dict:
    out = {}
    for variant, medians in node_medians.items():
        groups: dict[str, float] = {}
        for uid, seconds in medians.items():
            kind = uid.split(".")[0]
            if kind == "model":
                kind = f"model ({meta.get(uid, {}).get('materialized')})"
            elif kind == "test":
                parents = [p for p in _test_parents(uid, meta)]
                kind = "test" if not parents else f"test on a {parents[0]}"
            groups[kind] = groups.get(kind, 0.0) + seconds
        out[variant] = dict(sorted(groups.items(), key=lambda kv: -kv[1]))
    return out


_TEST_PARENTS: dict[str, list[str]] = {}


def _test_parents(uid: str, meta: dict) -> list[str]:
    return _TEST_PARENTS.get(uid, [])


def remember_test_parents(manifest: dict) -> None:
    """For the time breakdown: is a test reading a view (recomputed per test) or a table?"""
    nodes = manifest["nodes"]
    for uid, node in nodes.items():
        if node["resource_type"] == "test":
            kinds = sorted({nodes[p]["config"].get("materialized") for p in node["depends_on"]["nodes"]
                            if p in nodes and nodes[p]["resource_type"] in ("model", "seed")} - {None})
            _TEST_PARENTS[uid] = ["view" if "view" in kinds else (kinds[0] if kinds else "table")]
