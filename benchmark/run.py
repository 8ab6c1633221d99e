"""Benchmark harness: dbt build against the engine floor, the scan floor and pandas.

For each size (number of raw order rows) it generates the raw Parquet files once with the
project's generator, then measures, several runs each and interleaved round by round:

  dbt_models          dbt build of seeds and models (no tests)
  dbt_models_tests    dbt build of seeds, models and every data test (unit tests excluded:
                      they run on fixed inputs, so their cost does not depend on the data)
  dbt_models_tests_published
                      the same build through `python -m publication build` (what `make build`
                      runs): the build, then the publication of the marts (DECISIONLOG D69)
  dbt_models_tests_no_history
                      the same build with `--vars '{history_periods: 0}'`: the current marts
                      only, so dbt_models_tests / this is what the history costs (DECISIONLOG D120)
  engine_floor        the same compiled model SQL run directly in DuckDB (benchmark/engine_floor.py)
  engine_floor_tests  the same, then every data test's compiled SQL
  scan_floor          one pass over the raw orders (benchmark/scan_floor.py)
  pandas              the pandas baseline (benchmark/pandas_marts.py)
  dbt_models_tests_batches
                      dbt_models_tests on the same data as load batches plus a batch of 1 % more
                      orders (docs/incremental-loads.md), from scratch
  nightly             the same build over a warehouse that has built every batch but the 1 % one:
                      what a nightly run costs (DECISIONLOG D147)
  dbt_models_tests_batches_no_history, nightly_no_history
                      the same two with `history_periods: 0` (the current marts only)

Each measured thing runs as its own child process, from a fresh DuckDB file, and reports wall
time, CPU time and peak RSS. At the smallest size the pandas marts are checked equal to the dbt
marts (`make bench`; the smoke run leaves the frozen pandas baseline out). It also times
rebuilding the demo warehouse with nothing changed. Results go to results.md and results.json in
--out. Method: benchmark/README.md.

This file runs the benchmark (command line, variants, rounds); measure.py measures one child
process, snapshot.py freezes the project and generates the raw data, stats.py summarises the runs
and results_page.py writes results.json and results.md.

    .venv/bin/python benchmark/run.py                           # 10^5, 10^6, 10^7, 3 runs each
    .venv/bin/python benchmark/run.py --sizes 1e8 --variants dbt_models_tests,scan_floor
    .venv/bin/python benchmark/run.py --smoke                   # 10^4, one run: does the harness work?
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DBT_VARIANTS, MIB, NIGHTLY_REFERENCE, PROJECT, duckdb_config, duckdb_settings, profile_output, size_label  # noqa: E402
from measure import measure, tail  # noqa: E402
from results_page import merge_previous, report_only, target_checks, write_report  # noqa: E402
from snapshot import ensure_batches, ensure_data, snapshot_project  # noqa: E402
from stats import median_nodes, ratios, remember_test_parents, slowest_nodes, summarise, time_by_type  # noqa: E402

BENCH = PROJECT / "benchmark"
SRC = PROJECT  # where the measured commands run: a snapshot of the project (see snapshot_project)
BIN = Path(sys.executable).parent
PYTHON = sys.executable
DBT = str(BIN / "dbt")
DB_NAME = "warehouse.duckdb"  # the compiled SQL names its database after this file's stem

VARIANTS = ["scan_floor", "engine_floor", "engine_floor_tests", "dbt_models", "dbt_models_tests",
            "dbt_models_tests_published", "dbt_models_tests_no_history", "pandas"]
BATCH_VARIANTS = {*NIGHTLY_REFERENCE, *NIGHTLY_REFERENCE.values()}  # read the data as load batches (ensure_batches)
PUBLISHING_VARIANTS = {"dbt_models_tests_published"}  # run as `python -m publication build ...`
SMOKE_SKIPS = {"dbt_models", "dbt_models_tests_no_history", "pandas"}  # variants --smoke leaves out unless --variants names them


# --------------------------------------------------------------------------- set-up

def parse_sizes(text: str) -> list[int]:
    """'1e5,1e6' -> [100000, 1000000]; 'none' -> [] (only the demo rebuild)."""
    if text.strip().lower() == "none":
        return []
    return [int(float(part)) for part in text.split(",") if part.strip()]


def base_env() -> dict:
    env = dict(os.environ)
    for name in ("TIERING_RAW_PATH", "TIERING_RAW_FORMAT", "TIERING_DUCKDB_PATH", "TIERING_DUCKDB_TEMP_DIR",
                 "TIERING_PUBLISH_PATH"):
        env.pop(name, None)
    env.update({"DBT_PROFILES_DIR": str(SRC), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "TIERING_TARGET": "duckdb", "PYTHONUNBUFFERED": "1"})
    return env


def run_env(run_dir: Path, raw: Path | None) -> dict:
    env = base_env()
    env["TIERING_DUCKDB_PATH"] = str(run_dir / DB_NAME)
    env["TIERING_DUCKDB_TEMP_DIR"] = str(run_dir / "spill")
    # Kept between runs: each measured publication replaces the previous one, as on a real machine.
    env["TIERING_PUBLISH_PATH"] = str(run_dir / "published" / "tiering.duckdb")
    if raw is not None:
        env["TIERING_RAW_PATH"] = str(raw)
        env["TIERING_RAW_FORMAT"] = "parquet"
    return env


def fresh_database(run_dir: Path) -> None:
    for name in (DB_NAME, DB_NAME + ".wal"):
        (run_dir / name).unlink(missing_ok=True)
    shutil.rmtree(run_dir / "spill", ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)


def dbt_cmd(args: list[str], run_dir: Path, publish: bool = False) -> list[str]:
    head = [PYTHON, "-m", "publication"] if publish else [DBT]
    return [*head, *args, "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs")]


def checked(cmd: list[str], env: dict, what: str) -> None:
    proc = subprocess.run(cmd, cwd=SRC, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")


# --------------------------------------------------------------------------- one size

WHAT_IF = {"engine_floor_as_table": "engine_floor", "engine_floor_tests_as_table": "engine_floor_tests"}


def variant_cmd(variant: str, run_dir: Path, raw: Path, prepare_dir: Path, run_no: int,
                as_table: str = "") -> list[str]:
    if variant in WHAT_IF:
        return variant_cmd(WHAT_IF[variant], run_dir, raw, prepare_dir, run_no) + ["--as-table", as_table]
    if variant in DBT_VARIANTS:
        return dbt_cmd(DBT_VARIANTS[variant], run_dir, publish=variant in PUBLISHING_VARIANTS)
    if variant in ("engine_floor", "engine_floor_tests"):
        cmd = [PYTHON, str(SRC / "benchmark" / "engine_floor.py"), "--manifest", str(prepare_dir / "target" / "manifest.json"),
               "--db", str(run_dir / DB_NAME), "--seeds-db", str(prepare_dir / DB_NAME),
               "--timings", str(run_dir / f"timings_{run_no}.json")]
        return cmd + (["--tests"] if variant == "engine_floor_tests" else [])
    if variant == "scan_floor":
        return [PYTHON, str(SRC / "benchmark" / "scan_floor.py"), "--raw", str(raw), "--db", str(run_dir / DB_NAME)]
    if variant == "pandas":
        return [PYTHON, str(SRC / "benchmark" / "pandas_marts.py"), "--raw", str(raw), "--out", str(run_dir / "marts")]
    raise ValueError(variant)


def node_seconds(run_dir: Path, variant: str, run_no: int) -> dict[str, float]:
    """Per-node seconds of one measured run: dbt's run_results.json, or the engine floor's timings."""
    if variant in DBT_VARIANTS:
        path = run_dir / f"run_results_{run_no}.json"
        if not path.exists():
            return {}
        return {r["unique_id"]: r["execution_time"] for r in json.loads(path.read_text())["results"]}
    path = run_dir / f"timings_{run_no}.json"
    if variant.startswith("engine_floor") and path.exists():
        return {t["unique_id"]: t["seconds"] for t in json.loads(path.read_text())["nodes"]}
    return {}


def bench_size(size: int, args, log) -> dict:
    raw, data_info = ensure_data(size, args.work, args.seed, log, SRC)
    size_dir = args.runs_root / f"orders_{size}"
    variants = [v for v in args.variants if not (v == "pandas" and size > args.pandas_max)]
    runs = args.runs if size <= 10 ** 7 else args.large_runs

    # Untimed preparation: the seeds (copied by the engine floor) and the compiled SQL (its input).
    prepare_dir = size_dir / "prepare"
    fresh_database(prepare_dir)
    env = run_env(prepare_dir, raw)
    log(f"{size_label(size)}: dbt seed + compile (untimed)")
    checked(dbt_cmd(["seed"], prepare_dir), env, "dbt seed")
    checked(dbt_cmd(["compile"], prepare_dir), env, "dbt compile")
    manifest = json.loads((prepare_dir / "target" / "manifest.json").read_text())
    remember_test_parents(manifest)
    node_meta = {uid: {"resource_type": n["resource_type"], "materialized": n["config"].get("materialized"),
                       "name": n["name"]} for uid, n in manifest["nodes"].items()}

    # The load batches, and the warehouse each nightly variant starts from: every batch built but
    # the newest (untimed; copied into the nightly run's folder before each run, moved there when
    # there is one run only: a warehouse of 10^8 orders is tens of gigabytes).
    raw_of = {v: raw for v in variants}
    nightly_bases = {v: size_dir / f"{v}_base" for v in NIGHTLY_REFERENCE if v in variants}
    if BATCH_VARIANTS & set(variants):
        history, nightly = ensure_batches(raw, log)
        raw_of.update({v: nightly for v in BATCH_VARIANTS & set(variants)})
        for variant, base in nightly_bases.items():
            fresh_database(base)
            log(f"{size_label(size)}: building the history batches for the {variant} variant (untimed)")
            checked(dbt_cmd(DBT_VARIANTS[variant], base), run_env(base, history),
                    "dbt build of the history batches")

    # Warm dbt's partial parsing, as on any machine that has run dbt before (untimed).
    for variant in variants:
        if variant in DBT_VARIANTS and args.warm_parse:
            run_dir = size_dir / variant
            checked(dbt_cmd(["parse"], run_dir), run_env(run_dir, raw_of[variant]), "dbt parse")

    measurements: dict[str, list[dict]] = {v: [] for v in variants}
    nodes: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for run_no in range(1, runs + 1):
        shift = (run_no - 1) % len(variants)
        for variant in variants[shift:] + variants[:shift]:  # rotate the order: no variant always goes first
            run_dir = size_dir / variant
            fresh_database(run_dir)
            if variant in nightly_bases:
                if runs == 1:
                    shutil.move(nightly_bases[variant] / DB_NAME, run_dir / DB_NAME)
                else:
                    shutil.copy2(nightly_bases[variant] / DB_NAME, run_dir / DB_NAME)
            # Write the copied warehouse (and the pages of the removed one) to disk before the clock
            # starts: otherwise the kernel writes gigabytes back during the timed run, which a
            # nightly run on a warehouse already on disk does not pay.
            os.sync()
            (run_dir / "target" / "run_results.json").unlink(missing_ok=True)
            env = run_env(run_dir, raw_of[variant])
            cmd = variant_cmd(variant, run_dir, raw_of[variant], prepare_dir, run_no, args.as_table)
            result = measure(cmd, env, run_dir / f"run_{run_no}", spill_dir=run_dir / "spill", timeout=args.timeout,
                             cwd=SRC)
            if variant in DBT_VARIANTS and (run_dir / "target" / "run_results.json").exists():
                shutil.copy(run_dir / "target" / "run_results.json", run_dir / f"run_results_{run_no}.json")
                rr = json.loads((run_dir / "target" / "run_results.json").read_text())
                result["dbt_elapsed_s"] = rr.get("elapsed_time")
                result["dbt_statuses"] = {}
                for r in rr["results"]:
                    result["dbt_statuses"][r["status"]] = result["dbt_statuses"].get(r["status"], 0) + 1
            if result["returncode"] != 0:
                result["error_tail"] = tail(f"{run_dir / f'run_{run_no}'}.stdout.txt") + "\n" + \
                    tail(f"{run_dir / f'run_{run_no}'}.stderr.txt")
            if size > 10 ** 7:
                # free the disk for the next variant: a warehouse of 10^8 orders is tens of gigabytes
                fresh_database(run_dir)
            result["run"] = run_no
            measurements[variant].append(result)
            nodes[variant].append(node_seconds(run_dir, variant, run_no))
            log(f"{size_label(size)} run {run_no}/{runs} {variant:27} {result['wall_s']:8.2f} s  "
                f"cpu {result['cpu_s']:8.2f} s  rss {result['max_rss_bytes'] / MIB:7.0f} MiB"
                f"{'  FAILED rc=' + str(result['returncode']) if result['returncode'] else ''}")

    out = {"size": size, "label": size_label(size), "raw": data_info, "runs": runs, "variants": variants,
           "measurements": measurements, "summary": {v: summarise(m) for v, m in measurements.items()},
           "node_medians": {v: median_nodes(n) for v, n in nodes.items() if any(n)}}
    out["ratios"] = ratios(measurements)
    out["slowest_nodes"] = slowest_nodes(out["node_medians"], node_meta, args.top_nodes)
    out["time_by_resource_type"] = time_by_type(out["node_medians"], node_meta)
    return out


# --------------------------------------------------------------------------- demo rebuild and equality

DEMO_VARIANTS = {
    # what `make build` runs, again on the built warehouse: the inputs are compared with those of
    # the publication served (D164) and, being the same, nothing is built
    "make_build_again": ["build", "--if-changed", "--exclude-resource-type", "unit_test"],
    # `make build FORCE=1` again: seeds, models, data tests, then the publication
    "publication_build_again": ["build", "--exclude-resource-type", "unit_test"],
    # plain `dbt build` again: unit tests too
    "build_again": ["build"],
    # dbt's own way to skip what did not change: compare with the artifacts of the last build
    "state_modified": ["build", "--select", "state:modified+", "--state", "{state}"],
}
DEMO_PUBLISHING = {"make_build_again", "publication_build_again"}  # run as `python -m publication build ...`


def bench_demo(args, log) -> dict:
    """Rebuild the demo warehouse (bundled seeds) with nothing changed, two ways."""
    run_dir = args.runs_root / "demo"
    fresh_database(run_dir)
    env = run_env(run_dir, None)
    log("demo: first build and publication (untimed)")
    checked(dbt_cmd(DEMO_VARIANTS["publication_build_again"], run_dir, publish=True), env, "demo publication build")
    state = run_dir / "state"
    shutil.rmtree(state, ignore_errors=True)
    shutil.copytree(run_dir / "target", state, ignore=shutil.ignore_patterns("compiled", "run"))
    out = {}
    for run_no in range(1, args.demo_runs + 1):
        for variant, template in DEMO_VARIANTS.items():
            cmd = dbt_cmd([part.replace("{state}", str(state)) for part in template], run_dir,
                          publish=variant in DEMO_PUBLISHING)
            (run_dir / "target" / "run_results.json").unlink(missing_ok=True)  # a run that builds nothing leaves none
            result = measure(cmd, env, run_dir / f"{variant}_{run_no}", timeout=args.timeout, cwd=SRC)
            result["run"] = run_no
            rr = run_dir / "target" / "run_results.json"
            if rr.exists():
                data = json.loads(rr.read_text())
                result["dbt_elapsed_s"] = data.get("elapsed_time")
                result["nodes"] = len(data["results"])
            out.setdefault(variant, []).append(result)
            log(f"demo {variant:15} run {run_no}/{args.demo_runs} {result['wall_s']:8.2f} s")
    return {"measurements": out, "summary": {v: summarise(m) for v, m in out.items()},
            "nodes": {v: m[-1].get("nodes") for v, m in out.items()}}


def check_equality(size_result: dict, args, log) -> dict | None:
    size_dir = args.runs_root / f"orders_{size_result['size']}"
    for variant in ("dbt_models_tests", "dbt_models"):
        db = size_dir / variant / DB_NAME
        if variant in size_result["variants"] and db.exists():
            break
    else:
        return None
    marts = size_dir / "pandas" / "marts"
    if "pandas" not in size_result["variants"] or not marts.exists():
        return None
    from compare import compare  # noqa: PLC0415 - needs pandas, only when the pandas variant ran

    log(f"{size_result['label']}: comparing pandas marts with dbt marts ({variant})")
    results = compare(db, marts)
    return {"size": size_result["size"], "dbt_variant": variant, "marts": results,
            "equal": all(r["equal"] for r in results)}


def machine_facts() -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor())
    versions = {}
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "pyarrow", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    git = lambda *a: subprocess.run(["git", *a], cwd=PROJECT, capture_output=True, text=True).stdout.strip()  # noqa: E731
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": model,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--", "models", "macros", "dbt_project.yml",
                              "profiles.yml", "benchmark", "generator")),
    }


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, with the defaults --smoke implies filled in."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", default=None,
                        help="order rows per size, comma separated (default 1e5,1e6,1e7; 1e4 with --smoke)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per variant up to 10^7 orders (default 3)")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per variant above 10^7 orders (default 1)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma separated subset of {','.join(VARIANTS)}, "
                        f"or {','.join(sorted(BATCH_VARIANTS))} (the nightly case, not run by default)")
    parser.add_argument("--pandas-max", type=lambda t: int(float(t)), default=10 ** 7,
                        help="skip pandas above this many orders (default 1e7: 10^8 rows of text do not fit in RAM)")
    parser.add_argument("--demo-runs", type=int, default=None, help="timed demo rebuilds (default --runs; 0 = skip)")
    parser.add_argument("--smoke", action="store_true",
                        help="quick check that the harness works: 10^4 orders, one run, no demo rebuild, no pandas "
                             "baseline and no equality check, results in benchmark/work/smoke; exits non-zero "
                             "on any failure")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default benchmark/results)")
    parser.add_argument("--work", type=Path, default=BENCH / "work", help="scratch folder (gitignored)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds before one measured run is killed")
    parser.add_argument("--top-nodes", type=int, default=15, help="slowest nodes listed per size")
    parser.add_argument("--no-warm-parse", dest="warm_parse", action="store_false",
                        help="do not warm dbt's partial parsing before the measured runs")
    parser.add_argument("--as-table", default="",
                        help="what-if: also run the engine floors with these models (comma separated) built as "
                             "tables, to measure a materialization change before making it")
    parser.add_argument("--fresh", action="store_true",
                        help="do not carry over sizes measured by earlier invocations from --out/results.json")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: rewrite results.md from --out/results.json (after changing the report)")
    parser.add_argument("--no-equality", dest="equality", action="store_false",
                        help="skip the pandas-equals-dbt check at the smallest size")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = args.sizes or "1e4"
        args.runs = 1
        # dbt_models is a subset of dbt_models_tests: skip it. The pandas baseline is a frozen
        # comparator that only the full benchmark runs and checks (benchmark/README.md).
        if args.variants == ",".join(VARIANTS):
            args.variants = ",".join(v for v in VARIANTS if v not in SMOKE_SKIPS)
        args.equality = False
        args.demo_runs = 0 if args.demo_runs is None else args.demo_runs
        args.warm_parse = False
        args.out = args.out or args.work / "smoke"
        args.fresh = True
    args.out = args.out or BENCH / "results"
    args.sizes = args.sizes or "1e5,1e6,1e7"
    args.demo_runs = args.runs if args.demo_runs is None else args.demo_runs
    if args.report_only:
        return args
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if args.as_table:
        args.variants += [w for w, base in WHAT_IF.items() if base in args.variants and w not in args.variants]
    unknown = set(args.variants) - set(VARIANTS) - set(WHAT_IF) - BATCH_VARIANTS
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}")
    args.work = args.work.resolve()
    args.runs_root = args.work / ("runs-smoke" if args.smoke else "runs")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        return report_only(args.out)
    sizes = sorted(parse_sizes(args.sizes))

    def log(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    started = dt.datetime.now(dt.timezone.utc)
    command = " ".join(shlex.quote(a) for a in [os.path.relpath(sys.executable, PROJECT), "benchmark/run.py",
                                                 *(argv if argv is not None else sys.argv[1:])])
    global SRC
    SRC = args.runs_root / "project"
    fingerprint = snapshot_project(SRC)
    log(f"measuring a snapshot of the project in {SRC} (fingerprint {fingerprint})")
    settings_env = run_env(args.runs_root / "SIZE" / "VARIANT", None)
    output = profile_output(settings_env, project=SRC)
    inv = {
        "command": command,
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "machine": machine_facts(),
        "project_fingerprint": fingerprint,
        "profile": {"threads (dbt)": output.get("threads"),
                    **{k: v for k, v in {**duckdb_config(output), **duckdb_settings(output)}.items()
                       if k != "temp_directory" and not k.startswith("variable ")},
                    "temp_directory": "<run folder>/spill"},
        "runs": args.runs,
        "large_runs": args.large_runs,
        "as_table": args.as_table,
        "load_start": os.getloadavg()[0],
        "measured": [],
        "notes": [],
    }
    cpus = inv["machine"]["cpus_usable"] or 1
    if inv["load_start"] > 0.5 * cpus:
        inv["notes"].append(f"The machine was busy when this started (load {inv['load_start']:.1f} on "
                            f"{cpus} cores): timings are noisy; ratios within a round are the steadier figures.")
    result: dict = {"sizes": []}
    for size in sizes:
        log(f"size {size_label(size)}")
        size_result = bench_size(size, args, log)
        size_result["measured_by"] = inv
        for runs in size_result["measurements"].values():
            for run in runs:
                run["invocation"] = inv["started"]
        inv["measured"].append(f"{size_label(size)} orders")
        result["sizes"].append(size_result)
        if args.equality and size == sizes[0]:
            try:
                result["equality"] = check_equality(size_result, args, log)
            except Exception as error:  # noqa: BLE001 - a failed dbt build leaves marts missing
                result["equality"] = {"size": size, "dbt_variant": None, "marts": [], "equal": False,
                                      "error": f"{type(error).__name__}: {error}"}
            if result["equality"]:
                result["equality"]["measured_by"] = inv
    if args.demo_runs:
        result["demo"] = bench_demo(args, log)
        result["demo"]["measured_by"] = inv
        inv["measured"].append("the demo rebuild")
    inv["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    inv["load_end"] = os.getloadavg()[0]
    this_run = dict(result)
    if not args.fresh:
        result = merge_previous(result, args.out)
    result["targets"] = target_checks(result["sizes"], result.get("demo"))
    write_report(result, args.out)
    log(f"wrote {args.out / 'results.md'} and results.json")

    failed = [f"{s['label']} {v}" for s in this_run["sizes"] for v, x in s["summary"].items()
              if x.get("runs_ok") != x["runs"]]
    for variant, x in ((this_run.get("demo") or {}).get("summary") or {}).items():
        if x.get("runs_ok") != x["runs"]:
            failed.append(f"demo {variant}")
    if this_run.get("equality") and not this_run["equality"]["equal"]:
        failed.append("pandas marts differ from dbt marts")
    if failed:
        log("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
