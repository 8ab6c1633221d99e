"""The report: results.json and results.md in the results folder, and the targets they are checked against."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from common import GIB, MIB, NIGHTLY_REFERENCE, size_label
from stats import RATIO_DEFS, ratios, summarise


def fmt_s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def fmt_ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def target_checks(sizes: list[dict], demo: dict | None) -> list[dict]:
    """The issue's targets, at 10^7 orders (or the largest size measured at or below it)."""
    candidates = [s for s in sizes if s["size"] <= 10 ** 7]
    at = max(candidates, key=lambda s: s["size"]) if candidates else None
    checks = []

    def add(name, value, target, met, note="", ratio=None):
        checks.append({"target": name, "value": value, "goal": target, "met": met, "note": note, "ratio": ratio})

    if at:
        label = at["label"]
        r, s = at["ratios"], at["summary"]
        get = lambda k: (r.get(k) or {}).get("of_medians")  # noqa: E731
        earlier = {k: v["earlier"] for k, v in r.items() if v.get("earlier")}
        v = get("dbt_models_tests / engine_floor")
        if v is not None:
            add(f"dbt build with data tests ≤ 1.5 × engine floor ({label})", f"{v:.2f} ×", "≤ 1.5 ×", v <= 1.5,
                "" if v <= 1.5 else f"{v / 1.5:.1f}× over the target", ratio="dbt_models_tests / engine_floor")
        v = get("pandas / dbt_models_tests (speed-up)")
        if v is not None:
            add(f"dbt build ≥ 3 × faster than pandas ({label})", f"{v:.2f} ×", "≥ 3 ×", v >= 3,
                "" if v >= 3 else f"needs {3 / v:.1f}× more speed", ratio="pandas / dbt_models_tests (speed-up)")
        v = get("dbt_models_tests RSS / pandas RSS")
        if v is not None:
            add(f"dbt peak RSS ≤ 1/3 of pandas' ({label})", f"{v:.2f}", "≤ 0.33", v <= 1 / 3,
                "" if v <= 1 / 3 else f"{v * 3:.1f}× over the target", ratio="dbt_models_tests RSS / pandas RSS")
        v = get("dbt_models_tests / scan_floor")
        if v is not None:
            add(f"dbt build ≤ 20 × scan floor ({label})", f"{v:.1f} ×", "≤ 20 ×", v <= 20,
                "" if v <= 20 else f"{v / 20:.1f}× over the target", ratio="dbt_models_tests / scan_floor")
        v = get("dbt_models_tests / dbt_models_tests_no_history (history cost)")
        if v is not None:
            add(f"dbt build with 24 periods of history ≤ 2 × the current marts only ({label})", f"{v:.2f} ×",
                "≤ 2 ×", v <= 2, "" if v <= 2 else f"{v / 2:.2f}× over the target",
                ratio="dbt_models_tests / dbt_models_tests_no_history (history cost)")
        dbt_summary = s.get("dbt_models_tests") or {}
        if dbt_summary.get("rss_max_bytes"):
            v = dbt_summary["rss_max_bytes"] / GIB
            add(f"dbt peak RSS ≤ 2 GiB ({label})", f"{v:.2f} GiB", "≤ 2 GiB", v <= 2,
                "" if v <= 2 else f"{v - 2:.2f} GiB over")
        for c in checks:
            if c.get("ratio") in earlier:
                c["note"] = (c["note"] + "; " if c["note"] else "") + f"ratio measured {earlier[c['ratio']]}"
        if at["size"] < 10 ** 7:
            for c in checks:
                c["note"] = (c["note"] + "; " if c["note"] else "") + f"measured at {label}, not yet at 10^7"
    for s in sizes:
        for nightly, reference in NIGHTLY_REFERENCE.items():
            v = ((s["ratios"].get(f"{nightly} / {reference}") or {}).get("of_medians"))
            what = "" if nightly == "nightly" else "; current marts only, `history_periods: 0`"
            target = f"nightly build (+1 % orders batch) ≤ 1/3 of from scratch ({s['label']}{what})"
            if v is not None:
                add(target, f"{v:.2f}", "≤ 0.33", v <= 1 / 3, "" if v <= 1 / 3 else f"{v * 3:.1f}× over the target")
            elif any(s["summary"].get(variant, {}).get("runs", 0) > s["summary"].get(variant, {}).get("runs_ok", 0)
                     for variant in (nightly, reference)):
                add(target, "failed", "≤ 0.33", False, "a run failed: see Failures")
    big = [s for s in sizes if s["size"] >= 10 ** 8 and "dbt_models_tests" in s["summary"]]
    for s in big:
        d = s["summary"]["dbt_models_tests"]
        ok = d.get("runs_ok", 0) > 0
        profile = (s.get("measured_by") or {}).get("profile") or {}
        settings = f"dbt threads {profile.get('threads (dbt)')}, memory_limit {profile.get('memory_limit')}"
        add(f"{s['label']} orders completes within memory", f"{fmt_s(d.get('wall_median_s'))} s" if ok else "failed",
            "completes", ok, f"{settings}: spilled {d.get('spill_peak_bytes', 0) / GIB:.1f} GiB, peak RSS "
            f"{d.get('rss_max_bytes', 0) / GIB:.2f} GiB" if ok else settings)
    for variant, how in (("make_build_again", "`make build` again (nothing to build, D164)"),
                         ("publication_build_again", "`make build FORCE=1` again (no unit tests)"),
                         ("build_again", "`dbt build` again (unit tests too)"),
                         ("state_modified", "`dbt build --select state:modified+`")):
        d = ((demo or {}).get("summary") or {}).get(variant) or {}
        if d.get("runs_ok"):
            v = d["wall_median_s"]
            add(f"demo rebuild with nothing changed < 10 s: {how}", f"{v:.1f} s", "< 10 s", v < 10,
                "" if v < 10 else f"{v - 10:.1f} s over")
    return checks


def merge_previous(result: dict, out: Path) -> dict:
    """Keep what an earlier invocation measured and this one did not (e.g. 10^8 added later).

    Sizes not measured now are kept whole. A size measured now with some of the variants keeps
    the earlier invocation's other variants (their runs, node times and invocation); the
    variants measured now replace theirs. Ratios pair only runs of one invocation (stats._ratio).
    """
    path = out / "results.json"
    if not path.exists():
        return result
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return result
    earlier = {s["size"]: s for s in previous.get("sizes", []) if "measured_by" in s}
    for size in result["sizes"]:
        old = earlier.pop(size["size"], None)
        kept = [v for v in (old or {}).get("variants", []) if v not in size["variants"]]
        if not kept:
            continue
        size["variants"] = kept + size["variants"]
        for variant in kept:
            for run in old["measurements"].get(variant, []):
                run.setdefault("invocation", old["measured_by"]["started"])
        for key in ("measurements", "summary", "node_medians", "time_by_resource_type"):
            size[key] = {**{v: x for v, x in (old.get(key) or {}).items() if v in kept}, **(size.get(key) or {})}
        size["ratios"] = keep_earlier_ratios(ratios(size["measurements"]), old)
        size["measured_by_earlier"] = [*old.get("measured_by_earlier", []), old["measured_by"]]
    result["sizes"] = sorted(result["sizes"] + list(earlier.values()), key=lambda s: s["size"])
    for key in ("equality", "demo"):
        if not result.get(key) and previous.get(key):
            result[key] = previous[key]
    return result


def keep_earlier_ratios(now: dict, earlier_size: dict) -> dict:
    """The ratios of now, plus those of the earlier invocation that today's runs cannot give (one
    of the two variants was measured again), marked with the start of the invocation they are from."""
    out = dict(now)
    for name, r in (earlier_size.get("ratios") or {}).items():
        if name not in out:
            out[name] = {**r, "earlier": r.get("earlier") or earlier_size["measured_by"]["started"]}
    return out


def invocations(result: dict) -> list[dict]:
    seen, out = set(), []
    items = [*result["sizes"], result.get("demo") or {}, result.get("equality") or {}]
    for inv in [i.get("measured_by") for i in items] + [e for i in items for e in i.get("measured_by_earlier", [])]:
        if inv and inv["started"] + inv["command"] not in seen:
            seen.add(inv["started"] + inv["command"])
            out.append(inv)
    return sorted(out, key=lambda inv: inv["started"])


def write_report(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=1, default=str))
    lines = [
        "# Benchmark results",
        "",
        "Written by `benchmark/run.py` (method: [benchmark/README.md](../README.md)); every measurement in "
        "[results.json](results.json).",
        "",
    ]
    for inv in invocations(result):
        m = inv["machine"]
        what = ", ".join(inv["measured"])
        lines += [
            f"**`{inv['command']}`** — measured {what}",
            "",
            f"- Started {inv['started']}, finished {inv['finished']} (UTC); load average (1 min) at start "
            f"{inv['load_start']:.1f}, at end {inv['load_end']:.1f}",
            f"- Machine: {m['cpus_usable']} usable cores of {m['cpu_count']} ({m['cpu_model']}), {m['ram_gib']} GiB "
            f"RAM, {m['os']}",
            f"- Versions: Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
            f"- Project: commit {m['git_commit']}"
            f"{' with uncommitted changes to models/macros/profile/benchmark' if m['git_dirty'] else ''}; "
            f"measured on a snapshot copied at the start, fingerprint {inv['project_fingerprint']}",
            f"- DuckDB settings (profile, rendered): {inv['profile']}",
            f"- Runs per size: {inv['runs']} up to 10^7 orders, {inv['large_runs']} above (interleaved: one run of "
            f"every variant per round, order rotated)",
            "",
        ]
        if inv.get("as_table"):
            lines += [f"- What-if variants (`*_as_table`): the engine floors again with these models built as tables: "
                      f"{inv['as_table']}", ""]
        lines += [f"> {note}" for note in inv.get("notes", [])] + ([""] if inv.get("notes") else [])

    checks = result.get("targets") or []
    if checks:
        lines += ["## Targets", "", "| target | measured | goal | met | by how much |", "|---|---|---|---|---|"]
        lines += [f"| {c['target']} | {c['value']} | {c['goal']} | {'yes' if c['met'] else '**no**'} | {c['note']} |"
                  for c in checks]
        if not all(c["met"] for c in checks):
            lines += ["", "Why each missed target is missed and what would close it: "
                      "[benchmark/README.md, Findings](../README.md#findings)."]
        lines += [""]

    lines += ["## Timings", "",
              "Wall time in seconds: median of the runs, min–max and spread ((max − min) / median). CPU = user + "
              "system seconds of the process. RSS = peak resident set of the process.", "",
              "| orders | variant | runs ok | median s | min–max s | spread | CPU s | peak RSS MiB | spilled MiB | load "
              "| started (UTC) |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in result["sizes"]:
        rows = s["raw"]["rows"]["orders"]
        for v in s["variants"]:
            x = s["summary"][v]
            started = (s["measurements"][v] or [{}])[0].get("invocation") or s["measured_by"]["started"]
            if not x.get("runs_ok"):
                lines.append(f"| {s['label']} ({rows:,}) | {v} | 0/{x['runs']} | failed | | | | | | | {started} |")
                continue
            lines.append(
                f"| {s['label']} ({rows:,}) | {v} | {x['runs_ok']}/{x['runs']} | {fmt_s(x['wall_median_s'])} | "
                f"{fmt_s(x['wall_min_s'])}–{fmt_s(x['wall_max_s'])} | {x['wall_spread_pct']:.0f} % | "
                f"{fmt_s(x['cpu_median_s'])} | {x['rss_median_bytes'] / MIB:.0f} | "
                f"{x['spill_peak_bytes'] / MIB:.0f} | {x['load_median']:.1f} | {started} |")
    lines += [""]

    lines += ["## Ratios", "",
              "Ratio of the medians; in brackets the median and the range of the same ratio taken round by round "
              "(the two measured minutes apart). Wall time is what the targets are about; CPU time (user + system "
              "of the process) is the steadier figure when other work shares the machine.", "",
              "| ratio | " + " | ".join(s["label"] for s in result["sizes"]) + " |",
              "|---" * (len(result["sizes"]) + 1) + "|"]
    for name in [n for base in RATIO_DEFS for n in (base, base + " [CPU]")]:
        cells = []
        for s in result["sizes"]:
            r = s["ratios"].get(name)
            cells.append("–" if not r else f"{r['of_medians']:.2f} ({fmt_ratio(r['median_of_rounds'])}; "
                                           f"{fmt_ratio(r['rounds_min'])}–{fmt_ratio(r['rounds_max'])})"
                         + (f", measured {r['earlier']}" if r.get("earlier") else ""))
        if any(c != "–" for c in cells):
            label = name.replace(" [CPU]", ", CPU time") if "[CPU]" in name else name
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [""]

    for s in result["sizes"]:
        slow = s["slowest_nodes"].get("dbt_models_tests") or s["slowest_nodes"].get("dbt_models")
        if not slow:
            continue
        lines += [f"## Slowest dbt nodes at {s['label']} orders", "",
                  "Median seconds per node from dbt's run_results.json (`dbt_models_tests`), and the same node's SQL "
                  "run by the engine floor.", "",
                  "| node | type | dbt s | share of node time | engine floor s |", "|---|---|---|---|---|"]
        for row in slow:
            name = row["unique_id"].split(".")[2]
            kind = row["resource_type"] + (f" ({row['materialized']})" if row["resource_type"] == "model" else "")
            lines.append(f"| {name} | {kind} | {fmt_s(row['dbt_s'])} | {100 * (row['share_of_node_time'] or 0):.1f} % | "
                         f"{fmt_s(row['engine_floor_s'])} |")
        by_type = s["time_by_resource_type"]
        threads = str((s.get("measured_by") or {}).get("profile", {}).get("threads (dbt)", "?"))
        overlap = ("dbt ran one node at a time, so the rest of the wall time is dbt's start-up and "
                   "its work between nodes" if threads == "1" else
                   f"dbt ran {threads} nodes at a time, so the sum can exceed the wall time")
        lines += ["", f"Node seconds summed by kind (median per node, summed; {overlap}):", ""]
        for variant in ("dbt_models_tests", "engine_floor_tests"):
            if variant in by_type:
                parts = ", ".join(f"{k} {fmt_s(v)}" for k, v in by_type[variant].items())
                lines.append(f"- {variant}: {parts}")
        lines += [""]

    eq = result.get("equality")
    if eq and eq.get("error"):
        lines += ["## pandas equals dbt", "", f"Not compared: {eq['error']}", ""]
    elif eq:
        lines += [f"## pandas equals dbt ({size_label(eq['size'])} orders)", "",
                  f"Each mart of the pandas baseline against the dbt build (`{eq['dbt_variant']}`), matched on its "
                  "key, every shared column compared (numbers within 1e-9 relative).", "",
                  "| mart | key | rows dbt | rows pandas | columns compared | result |", "|---|---|---|---|---|---|"]
        for r in eq["marts"]:
            verdict = "equal" if r["equal"] else "**different**: " + "; ".join(
                f"{c} ({i['cells']} cells)" for c, i in r["mismatches"].items()) + (
                f" missing columns {r['columns_only_in_dbt']}" if r["columns_only_in_dbt"] else "")
            lines.append(f"| {r['mart']} | {', '.join(r['key'])} | {r['rows_dbt']} | {r['rows_pandas']} | "
                         f"{len(r['columns_compared'])} | {verdict} |")
        lines += [""]

    demo = result.get("demo")
    if demo and isinstance(demo.get("summary"), dict) and "build_again" in demo["summary"]:
        lines += ["## Demo rebuild", "",
                  "The demo warehouse (bundled seeds) built once, then rebuilt with nothing changed. "
                  "`make_build_again` runs what `make build` runs, `python -m publication build --if-changed "
                  "--exclude-resource-type unit_test`, which finds the inputs of the publication served and "
                  "builds nothing (D164); `publication_build_again` runs it without `--if-changed` (`make build "
                  "FORCE=1`: seeds, models, data tests, then the publication); "
                  "`build_again` runs `dbt build` (unit tests too) again; "
                  "`state_modified` runs "
                  "`dbt build --select state:modified+ --state <artifacts of the first build>`, which selects "
                  "only what changed. Start-up = wall time − dbt's own elapsed time (interpreter, imports, "
                  "parsing; for the publication variants also the publication).", "",
                  "| how | runs ok | nodes run | median s | min–max s | dbt elapsed s | start-up s | peak RSS MiB |",
                  "|---|---|---|---|---|---|---|---|"]
        for variant, d in demo["summary"].items():
            if not d.get("runs_ok"):
                lines.append(f"| {variant} | 0/{d['runs']} | | failed | | | | |")
                continue
            elapsed = d.get("dbt_elapsed_median_s")
            startup = d["wall_median_s"] - elapsed if elapsed is not None else None
            nodes = demo["nodes"].get(variant)
            nodes = "0 (dbt not run)" if nodes is None else nodes
            lines.append(f"| {variant} | {d['runs_ok']}/{d['runs']} | {nodes} | "
                         f"{fmt_s(d['wall_median_s'])} | {fmt_s(d['wall_min_s'])}–{fmt_s(d['wall_max_s'])} | "
                         f"{fmt_s(elapsed)} | {fmt_s(startup)} | {d['rss_max_bytes'] / MIB:.0f} |")
        lines += [""]

    failures = [(s["label"], v, r) for s in result["sizes"] for v, rs in s["measurements"].items() for r in rs
                if r["returncode"] != 0]
    if failures:
        lines += ["## Failures", ""]
        for label, v, r in failures:
            lines += [f"- {label} {v} run {r['run']}: return code {r['returncode']}", "", "```",
                      (r.get("error_tail") or "")[-1500:], "```", ""]
    (out / "results.md").write_text("\n".join(lines))


def report_only(out: Path) -> int:
    result = json.loads((out / "results.json").read_text())
    for size in result["sizes"]:
        size["summary"] = {v: summarise(m) for v, m in size["measurements"].items()}
        size["ratios"] = {**{k: r for k, r in (size.get("ratios") or {}).items() if r.get("earlier")},
                          **ratios(size["measurements"])}
    demo = result.get("demo")
    if demo and isinstance(demo.get("measurements"), dict):
        demo["summary"] = {v: summarise(m) for v, m in demo["measurements"].items()}
    result["targets"] = target_checks(result["sizes"], demo)
    write_report(result, out)
    print(f"rewrote {out / 'results.md'}", file=sys.stderr)
    return 0
