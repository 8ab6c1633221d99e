"""How long `python -m report` takes on a built warehouse: the report issue's "under 30 s on the
demo", measured here rather than by a timed test (DECISIONLOG D201).

    .venv/bin/python benchmark/report_time.py --database target/published/tiering.duckdb \
        --runs 3 --out benchmark/results/report_demo

Each run is a child process measured like the benchmark's builds (benchmark/measure.py: wall
time, CPU time, peak RSS of the largest process, the browser that draws the PNGs included) and
writes its report into a fresh folder. The results go to `--out` as results.json and
results.md, with the median against the 30 s target. Run it on a quiet machine: another job on
the same cores is measured too.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

from measure import measure, tail  # noqa: E402

TARGET_S = 30.0


def run(database: Path, runs: int) -> list[dict]:
    measured = []
    with tempfile.TemporaryDirectory(prefix="report_time_") as scratch:
        for number in range(1, runs + 1):
            out = Path(scratch) / f"run_{number}"
            cmd = [sys.executable, "-m", "report", "--database", str(database), "--out", str(out)]
            result = measure(cmd, dict(os.environ), Path(scratch) / f"run_{number}", cwd=PROJECT, timeout=600)
            if result["returncode"] != 0:
                raise SystemExit(f"python -m report failed in run {number}:\n"
                                 + tail(str(Path(scratch) / f"run_{number}.stderr.txt")))
            result["pngs"] = len(list(out.glob("*.png")))
            measured.append(result)
            print(f"run {number}/{runs}: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
                  f"{result['max_rss_bytes'] / 2**20:.0f} MiB peak RSS, {result['pngs']} PNGs", flush=True)
    return measured


def write(measured: list[dict], database: Path, command: str, out: Path) -> None:
    walls = [m["wall_s"] for m in measured]
    median = statistics.median(walls)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"command": command, "runs": measured, "median_wall_s": median,
                                                  "target_s": TARGET_S}, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Report time",
        "",
        f"Written by `benchmark/report_time.py`: **`{command}`**",
        "",
        f"- Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} (UTC) on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average (1 min) before each run: "
        + ", ".join(f"{m['load_1min_before']:.1f}" for m in measured),
        f"- Database: `{database.name}` ({database.stat().st_size / 2**20:.1f} MiB)",
        "",
        "| target | measured (median of runs) | met |",
        "|---|---|---|",
        f"| `python -m report` on the demo < {TARGET_S:.0f} s | {median:.1f} s | {'yes' if median < TARGET_S else '**no**'} |",
        "",
        "| run | wall s | CPU s | peak RSS MiB | PNGs |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {number} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['max_rss_bytes'] / 2**20:.0f} | {m['pngs']} |"
              for number, m in enumerate(measured, start=1)]
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=PROJECT / "target" / "published" / "tiering.duckdb",
                        help="the warehouse to report on (default: the published demo of `make build`)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True, help="folder for results.json and results.md")
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"no warehouse at {args.database}: run `make build` first, or pass --database")
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    command = " ".join(["python benchmark/report_time.py", "--database", str(args.database), "--runs",
                        str(args.runs), "--out", str(args.out)])
    write(run(args.database.resolve(), args.runs), args.database, command, args.out)
    print(f"wrote {args.out / 'results.md'}")


if __name__ == "__main__":
    main()
