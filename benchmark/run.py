"""Benchmark harness: dbt build against the engine floor, the scan floor and pandas.

For each size (number of raw order rows) it generates the raw Parquet files once with the
project's generator, then measures, several runs each and interleaved round by round:

  dbt_models          dbt build of seeds and models (no tests)
  dbt_models_tests    dbt build of seeds, models and every data test (unit tests excluded:
                      they run on fixed inputs, so their cost does not depend on the data)
  dbt_models_tests_published
                      the same build through `python -m publication build` (what `make build`
                      runs): the build, then the publication of the marts (DECISIONLOG D69)
  engine_floor        the same compiled model SQL run directly in DuckDB (benchmark/engine_floor.py)
  engine_floor_tests  the same, then every data test's compiled SQL
  scan_floor          one pass over the raw orders (benchmark/scan_floor.py)
  pandas              the pandas baseline (benchmark/pandas_marts.py)

Each measured thing runs as its own child process, from a fresh DuckDB file, and reports wall
time, CPU time and peak RSS. At the smallest size the pandas marts are checked equal to the dbt
marts. It also times rebuilding the demo warehouse with nothing changed. Results go to
results.md and results.json in --out. Method: benchmark/README.md.

    .venv/bin/python benchmark/run.py                           # 10^5, 10^6, 10^7, 3 runs each
    .venv/bin/python benchmark/run.py --sizes 1e8 --variants dbt_models_tests,scan_floor
    .venv/bin/python benchmark/run.py --smoke                   # 10^4, one run: does the harness work?
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT, duckdb_config, profile_output  # noqa: E402

BENCH = PROJECT / "benchmark"
SRC = PROJECT  # where the measured commands run: a snapshot of the project (see snapshot_project)
SNAPSHOT_ITEMS = ["dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "package-lock.yml",
                  "models", "macros", "seeds", "tests", "analyses", "snapshots", "dbt_packages", "generator",
                  "publication"]
BIN = Path(sys.executable).parent
PYTHON = sys.executable
DBT = str(BIN / "dbt")
DB_NAME = "warehouse.duckdb"  # the compiled SQL names its database after this file's stem

VARIANTS = ["scan_floor", "engine_floor", "engine_floor_tests", "dbt_models", "dbt_models_tests",
            "dbt_models_tests_published", "pandas"]
DBT_VARIANTS = {
    "dbt_models": ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
    "dbt_models_tests": ["build", "--exclude-resource-type", "unit_test"],
    "dbt_models_tests_published": ["build", "--exclude-resource-type", "unit_test"],
}
PUBLISHING_VARIANTS = {"dbt_models_tests_published"}  # run as `python -m publication build ...`
GIB = 1024 ** 3
MIB = 1024 ** 2


# --------------------------------------------------------------------------- measuring

def _dir_bytes(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def measure(cmd: list[str], env: dict, log_prefix: Path, spill_dir: Path | None = None,
            timeout: float = 7200) -> dict:
    """Run `cmd` as a child process; wall time, CPU time and peak RSS of that child.

    Peak RSS comes from the kernel: os.wait4() returns the child's rusage, whose ru_maxrss is
    the largest resident set the child reached (Linux: in KiB; it also covers any descendants
    the child waited for, as the maximum of any one process, not their sum: dbt, DuckDB and
    pandas all run in one process here). Nothing is sampled, so no short peak is missed. While
    waiting, the DuckDB spill directory is polled to record how much was spilled to disk.
    """
    log_prefix.parent.mkdir(parents=True, exist_ok=True)
    out = open(f"{log_prefix}.stdout.txt", "w")
    err = open(f"{log_prefix}.stderr.txt", "w")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=SRC, env=env, stdout=out, stderr=err, start_new_session=True)
    spill_peak = 0
    timed_out = False
    waited: dict = {}

    def wait() -> None:  # blocks until the child ends: the end time is exact, not a polling tick
        waited["pid"], waited["status"], waited["usage"] = os.wait4(proc.pid, 0)
        waited["ended"] = time.perf_counter()

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    while waiter.is_alive():
        waiter.join(0.25)
        if waiter.is_alive() and time.perf_counter() - started > timeout and not timed_out:
            os.killpg(proc.pid, signal.SIGKILL)
            timed_out = True
        if spill_dir is not None and spill_dir.exists():
            spill_peak = max(spill_peak, _dir_bytes(spill_dir))
    wall = waited["ended"] - started
    status, usage = waited["status"], waited["usage"]
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    err.close()
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_bytes": usage.ru_maxrss * 1024,
        "returncode": -9 if timed_out else proc.returncode,
        "timed_out": timed_out,
        "spill_peak_bytes": spill_peak,
        "load_1min_before": load_before,
    }


def tail(path: str, lines: int = 25) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --------------------------------------------------------------------------- set-up

def size_label(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10 ** exponent else f"{n:,}"


def parse_sizes(text: str) -> list[int]:
    """'1e5,1e6' -> [100000, 1000000]; 'none' -> [] (only the demo rebuild)."""
    if text.strip().lower() == "none":
        return []
    return [int(float(part)) for part in text.split(",") if part.strip()]


def generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((SRC / "generator").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def snapshot_project(folder: Path) -> str:
    """Copy the dbt project and the benchmark scripts into `folder`; return a fingerprint of the copy.

    Other people edit the models while a long benchmark runs: measuring a frozen copy keeps every
    run of every size on the same code (and the fingerprint says which code that was).
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.duckdb", "*.duckdb.wal")
    for item in SNAPSHOT_ITEMS:
        source = PROJECT / item
        if source.is_dir():
            shutil.copytree(source, folder / item, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, folder / item)
    (folder / "benchmark").mkdir()
    for script in BENCH.glob("*.py"):
        shutil.copy2(script, folder / "benchmark" / script.name)
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure_data(size: int, work: Path, seed: int, log) -> tuple[Path, dict]:
    """Generate the raw Parquet files for `size` orders once; reuse them while the generator is unchanged."""
    folder = work / "data" / f"orders_{size}_seed{seed}"
    stamp = folder / "_bench_stamp.json"
    wanted = {"orders": size, "seed": seed, "generator": generator_fingerprint()}
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == wanted:
        return folder, json.loads(stamp.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"generating {size_label(size)} orders -> {folder}")
    started = time.perf_counter()
    proc = subprocess.run([PYTHON, "-m", "generator", "--orders", str(size), "--seed", str(seed),
                           "--format", "parquet", "--out", str(folder), "--quiet",
                           # 10^8 orders outgrow RAM while generated: spill beyond 12 GB
                           "--memory-limit", "12GB"],
                          cwd=SRC, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"generator failed for {size}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    manifest = json.loads((folder / "_manifest.json").read_text())
    info = {
        "key": wanted,
        "generate_s": round(time.perf_counter() - started, 1),
        "rows": {entity: f["rows"] for entity, f in manifest["files"].items()},
        "bytes": {p.name: p.stat().st_size for p in folder.glob("*.parquet")},
    }
    stamp.write_text(json.dumps(info, indent=1))
    return folder, info


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
    raw, data_info = ensure_data(size, args.work, args.seed, log)
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

    # Warm dbt's partial parsing, as on any machine that has run dbt before (untimed).
    for variant in variants:
        if variant in DBT_VARIANTS and args.warm_parse:
            run_dir = size_dir / variant
            checked(dbt_cmd(["parse"], run_dir), run_env(run_dir, raw), "dbt parse")

    measurements: dict[str, list[dict]] = {v: [] for v in variants}
    nodes: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for run_no in range(1, runs + 1):
        shift = (run_no - 1) % len(variants)
        for variant in variants[shift:] + variants[:shift]:  # rotate the order: no variant always goes first
            run_dir = size_dir / variant
            fresh_database(run_dir)
            (run_dir / "target" / "run_results.json").unlink(missing_ok=True)
            env = run_env(run_dir, raw)
            cmd = variant_cmd(variant, run_dir, raw, prepare_dir, run_no, args.as_table)
            result = measure(cmd, env, run_dir / f"run_{run_no}", spill_dir=run_dir / "spill", timeout=args.timeout)
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


# --------------------------------------------------------------------------- statistics

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
    "pandas / dbt_models_tests (speed-up)": ("pandas", "dbt_models_tests", "wall_s"),
    "pandas / dbt_models (speed-up)": ("pandas", "dbt_models", "wall_s"),
    "dbt_models_tests RSS / pandas RSS": ("dbt_models_tests", "pandas", "max_rss_bytes"),
    "what-if: engine_floor_tests_as_table / engine_floor_tests": ("engine_floor_tests_as_table", "engine_floor_tests",
                                                                   "wall_s"),
    "what-if: engine_floor_as_table / engine_floor": ("engine_floor_as_table", "engine_floor", "wall_s"),
}
CPU_RATIOS = [name for name, (_n, _d, field) in RATIO_DEFS.items() if field == "wall_s"]


def _ratio(a: list[dict] | None, b: list[dict] | None, field: str) -> dict | None:
    if not a or not b:
        return None
    a_ok = {r["run"]: r[field] for r in a if r["returncode"] == 0}
    b_ok = {r["run"]: r[field] for r in b if r["returncode"] == 0}
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


# --------------------------------------------------------------------------- demo rebuild and equality

DEMO_VARIANTS = {
    # what `make build` runs, again on the built warehouse: seeds, models, data tests
    "make_build_again": ["build", "--exclude-resource-type", "unit_test"],
    # plain `dbt build` again: unit tests too
    "build_again": ["build"],
    # dbt's own way to skip what did not change: compare with the artifacts of the last build
    "state_modified": ["build", "--select", "state:modified+", "--state", "{state}"],
}


def bench_demo(args, log) -> dict:
    """Rebuild the demo warehouse (bundled seeds) with nothing changed, two ways."""
    run_dir = args.runs_root / "demo"
    fresh_database(run_dir)
    env = run_env(run_dir, None)
    log("demo: first build (untimed)")
    checked(dbt_cmd(["build"], run_dir), env, "demo dbt build")
    state = run_dir / "state"
    shutil.rmtree(state, ignore_errors=True)
    shutil.copytree(run_dir / "target", state, ignore=shutil.ignore_patterns("compiled", "run"))
    out = {}
    for run_no in range(1, args.demo_runs + 1):
        for variant, template in DEMO_VARIANTS.items():
            cmd = dbt_cmd([part.replace("{state}", str(state)) for part in template], run_dir)
            result = measure(cmd, env, run_dir / f"{variant}_{run_no}", timeout=args.timeout)
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


# --------------------------------------------------------------------------- machine and report

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

    def add(name, value, target, met, note=""):
        checks.append({"target": name, "value": value, "goal": target, "met": met, "note": note})

    if at:
        label = at["label"]
        r, s = at["ratios"], at["summary"]
        get = lambda k: (r.get(k) or {}).get("of_medians")  # noqa: E731
        v = get("dbt_models_tests / engine_floor")
        if v is not None:
            add(f"dbt build with data tests ≤ 1.5 × engine floor ({label})", f"{v:.2f} ×", "≤ 1.5 ×", v <= 1.5,
                "" if v <= 1.5 else f"{v / 1.5:.1f}× over the target")
        v = get("pandas / dbt_models_tests (speed-up)")
        if v is not None:
            add(f"dbt build ≥ 3 × faster than pandas ({label})", f"{v:.2f} ×", "≥ 3 ×", v >= 3,
                "" if v >= 3 else f"needs {3 / v:.1f}× more speed")
        v = get("dbt_models_tests RSS / pandas RSS")
        if v is not None:
            add(f"dbt peak RSS ≤ 1/3 of pandas' ({label})", f"{v:.2f}", "≤ 0.33", v <= 1 / 3,
                "" if v <= 1 / 3 else f"{v * 3:.1f}× over the target")
        v = get("dbt_models_tests / scan_floor")
        if v is not None:
            add(f"dbt build ≤ 20 × scan floor ({label})", f"{v:.1f} ×", "≤ 20 ×", v <= 20,
                "" if v <= 20 else f"{v / 20:.1f}× over the target")
        dbt_summary = s.get("dbt_models_tests") or {}
        if dbt_summary.get("rss_max_bytes"):
            v = dbt_summary["rss_max_bytes"] / GIB
            add(f"dbt peak RSS ≤ 2 GiB ({label})", f"{v:.2f} GiB", "≤ 2 GiB", v <= 2,
                "" if v <= 2 else f"{v - 2:.2f} GiB over")
        if at["size"] < 10 ** 7:
            for c in checks:
                c["note"] = (c["note"] + "; " if c["note"] else "") + f"measured at {label}, not yet at 10^7"
    big = [s for s in sizes if s["size"] >= 10 ** 8]
    for s in big:
        d = s["summary"].get("dbt_models_tests") or {}
        ok = d.get("runs_ok", 0) > 0
        profile = (s.get("measured_by") or {}).get("profile") or {}
        settings = f"dbt threads {profile.get('threads (dbt)')}, memory_limit {profile.get('memory_limit')}"
        add(f"{s['label']} orders completes within memory", f"{fmt_s(d.get('wall_median_s'))} s" if ok else "failed",
            "completes", ok, f"{settings}: spilled {d.get('spill_peak_bytes', 0) / GIB:.1f} GiB, peak RSS "
            f"{d.get('rss_max_bytes', 0) / GIB:.2f} GiB" if ok else settings)
    for variant, how in (("make_build_again", "`make build` again (no unit tests)"),
                         ("build_again", "`dbt build` again (unit tests too)"),
                         ("state_modified", "`dbt build --select state:modified+`")):
        d = ((demo or {}).get("summary") or {}).get(variant) or {}
        if d.get("runs_ok"):
            v = d["wall_median_s"]
            add(f"demo rebuild with nothing changed < 10 s: {how}", f"{v:.1f} s", "< 10 s", v < 10,
                "" if v < 10 else f"{v - 10:.1f} s over")
    return checks


def merge_previous(result: dict, out: Path) -> dict:
    """Keep what an earlier invocation measured and this one did not (e.g. 10^8 added later)."""
    path = out / "results.json"
    if not path.exists():
        return result
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return result
    measured = {s["size"] for s in result["sizes"]}
    kept = [s for s in previous.get("sizes", []) if s["size"] not in measured and "measured_by" in s]
    result["sizes"] = sorted(result["sizes"] + kept, key=lambda s: s["size"])
    for key in ("equality", "demo"):
        if not result.get(key) and previous.get(key):
            result[key] = previous[key]
    return result


def invocations(result: dict) -> list[dict]:
    seen, out = set(), []
    for item in [*result["sizes"], result.get("demo") or {}, result.get("equality") or {}]:
        inv = item.get("measured_by")
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
              "| orders | variant | runs ok | median s | min–max s | spread | CPU s | peak RSS MiB | spilled MiB | load |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for s in result["sizes"]:
        rows = s["raw"]["rows"]["orders"]
        for v in s["variants"]:
            x = s["summary"][v]
            if not x.get("runs_ok"):
                lines.append(f"| {s['label']} ({rows:,}) | {v} | 0/{x['runs']} | failed | | | | | | |")
                continue
            lines.append(
                f"| {s['label']} ({rows:,}) | {v} | {x['runs_ok']}/{x['runs']} | {fmt_s(x['wall_median_s'])} | "
                f"{fmt_s(x['wall_min_s'])}–{fmt_s(x['wall_max_s'])} | {x['wall_spread_pct']:.0f} % | "
                f"{fmt_s(x['cpu_median_s'])} | {x['rss_median_bytes'] / MIB:.0f} | "
                f"{x['spill_peak_bytes'] / MIB:.0f} | {x['load_median']:.1f} |")
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
                                           f"{fmt_ratio(r['rounds_min'])}–{fmt_ratio(r['rounds_max'])})")
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
                  "`make_build_again` runs what `make build` runs, `dbt build --exclude-resource-type unit_test` "
                  "(seeds, models, data tests), again; `build_again` runs `dbt build` (unit tests too) again; "
                  "`state_modified` runs "
                  "`dbt build --select state:modified+ --state <artifacts of the first build>`, which selects "
                  "only what changed. Start-up = wall time − dbt's own elapsed time (interpreter, imports, "
                  "parsing).", "",
                  "| how | runs ok | nodes run | median s | min–max s | dbt elapsed s | start-up s | peak RSS MiB |",
                  "|---|---|---|---|---|---|---|---|"]
        for variant, d in demo["summary"].items():
            if not d.get("runs_ok"):
                lines.append(f"| {variant} | 0/{d['runs']} | | failed | | | | |")
                continue
            elapsed = d.get("dbt_elapsed_median_s")
            startup = d["wall_median_s"] - elapsed if elapsed is not None else None
            lines.append(f"| {variant} | {d['runs_ok']}/{d['runs']} | {demo['nodes'].get(variant)} | "
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


# --------------------------------------------------------------------------- main

def report_only(out: Path) -> int:
    result = json.loads((out / "results.json").read_text())
    for size in result["sizes"]:
        size["summary"] = {v: summarise(m) for v, m in size["measurements"].items()}
        size["ratios"] = ratios(size["measurements"])
    demo = result.get("demo")
    if demo and isinstance(demo.get("measurements"), dict):
        demo["summary"] = {v: summarise(m) for v, m in demo["measurements"].items()}
    result["targets"] = target_checks(result["sizes"], demo)
    write_report(result, out)
    print(f"rewrote {out / 'results.md'}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", default=None,
                        help="order rows per size, comma separated (default 1e5,1e6,1e7; 1e4 with --smoke)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per variant up to 10^7 orders (default 3)")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per variant above 10^7 orders (default 1)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma separated subset of {','.join(VARIANTS)}")
    parser.add_argument("--pandas-max", type=lambda t: int(float(t)), default=10 ** 7,
                        help="skip pandas above this many orders (default 1e7: 10^8 rows of text do not fit in RAM)")
    parser.add_argument("--demo-runs", type=int, default=None, help="timed demo rebuilds (default --runs; 0 = skip)")
    parser.add_argument("--smoke", action="store_true",
                        help="quick check that the harness works: 10^4 orders, one run, no demo rebuild, "
                             "results in benchmark/work/smoke; exits non-zero on any failure or inequality")
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
        if args.variants == ",".join(VARIANTS):  # dbt_models is a subset of dbt_models_tests: skip it
            args.variants = ",".join(v for v in VARIANTS if v != "dbt_models")
        args.demo_runs = 0 if args.demo_runs is None else args.demo_runs
        args.warm_parse = False
        args.out = args.out or args.work / "smoke"
        args.fresh = True
    args.out = args.out or BENCH / "results"
    args.sizes = args.sizes or "1e5,1e6,1e7"
    args.demo_runs = args.runs if args.demo_runs is None else args.demo_runs
    if args.report_only:
        return report_only(args.out)
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if args.as_table:
        args.variants += [w for w, base in WHAT_IF.items() if base in args.variants and w not in args.variants]
    unknown = set(args.variants) - set(VARIANTS) - set(WHAT_IF)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}")
    args.work = args.work.resolve()
    args.runs_root = args.work / ("runs-smoke" if args.smoke else "runs")
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
                    **{k: v for k, v in duckdb_config(output).items() if k != "temp_directory"},
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
