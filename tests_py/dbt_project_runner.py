"""Run the project's dbt in an isolated place: its own DuckDB file, target and log folders.

Tests build the warehouse many times over; each build must leave the developer's
target/tiering.duckdb and target/ manifest alone, and two builds must never share a file.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DBT = PROJECT / ".venv" / "bin" / "dbt"


def run_dbt(args: list[str], work: Path, raw_path: Path | None = None, raw_format: str = "csv",
            dbt_vars: dict | None = None, check: bool = True, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run `dbt <args>` against a DuckDB file in `work`; return the finished process."""
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT),
        "TIERING_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "TIERING_DUCKDB_TEMP_DIR": str(work / "spill"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    env.pop("TIERING_RAW_PATH", None)
    env.pop("TIERING_RAW_FORMAT", None)
    if raw_path is not None:
        env["TIERING_RAW_PATH"] = str(raw_path)
        env["TIERING_RAW_FORMAT"] = raw_format
    cmd = [str(DBT), *args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    proc = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-60:])
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{tail}\n{proc.stderr[-2000:]}")
    return proc


def run_results(work: Path) -> dict[str, str]:
    """Node unique_id -> status of the last dbt invocation in `work`."""
    data = json.loads((work / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in data["results"]}
