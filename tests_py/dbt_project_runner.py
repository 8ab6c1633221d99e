"""Run the project's dbt in an isolated place: its own DuckDB file, target and log folders; and
write raw data files with the project's generator.

Every test that runs dbt does it through `run_dbt`, and every test that needs generated raw data
writes it with `generate_raw`.

Tests build the warehouse many times over; each build must leave the developer's
target/tiering.duckdb and target/ manifest alone, and two builds must never share a file.
`publication_command` gives the same isolation to `python -m publication` (which runs dbt
itself), with the published file under the work folder too.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DBT = PROJECT / ".venv" / "bin" / "dbt"
PYTHON = PROJECT / ".venv" / "bin" / "python"


def dbt_env(work: Path, raw_path: Path | None = None, raw_format: str = "csv") -> dict:
    """The environment of a dbt run in `work`: its own warehouse, spill folder and published file."""
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT),
        "TIERING_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "TIERING_DUCKDB_TEMP_DIR": str(work / "spill"),
        "TIERING_PUBLISH_PATH": str(work / "published" / "tiering.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    for name in ("TIERING_RAW_PATH", "TIERING_RAW_FORMAT", "TIERING_TARGET", "DBT_TARGET_PATH"):
        env.pop(name, None)
    if raw_path is not None:
        env["TIERING_RAW_PATH"] = str(raw_path)
        env["TIERING_RAW_FORMAT"] = raw_format
    return env


def _dbt_paths(work: Path, dbt_vars: dict | None) -> list[str]:
    extra = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    return extra + (["--vars", json.dumps(dbt_vars)] if dbt_vars else [])


def publication_command(command: str, work: Path, dbt_args: list[str] | None = None,
                        dbt_vars: dict | None = None, live: bool = False) -> list[str]:
    """`python -m publication <command> ...` for the dbt run in `work` (run it with dbt_env(work))."""
    cmd = [str(PYTHON), "-m", "publication", command] + (["--live"] if live else [])
    if command == "build":
        return cmd + list(dbt_args or []) + _dbt_paths(work, dbt_vars)
    return cmd + ["--target-path", str(work / "target")]


def run_dbt(args: list[str], work: Path, raw_path: Path | None = None, raw_format: str = "csv",
            dbt_vars: dict | None = None, check: bool = True, timeout: int = 1200,
            project: Path = PROJECT, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `dbt <args>` against a DuckDB file in `work`; return the finished process.

    `project` is the dbt project (and its profiles.yml) to run, this checkout by default;
    `extra_env` is set on top of dbt_env(work) (another target's settings, a published file).
    """
    env = dbt_env(work, raw_path, raw_format)
    env["DBT_PROFILES_DIR"] = str(project)
    env.update(extra_env or {})
    cmd = [str(DBT), *args, *_dbt_paths(work, dbt_vars)]
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-60:])
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{tail}\n{proc.stderr[-2000:]}")
    return proc


def generate_raw(out: Path, *, customers: int | None = None, orders: int | None = None, seed: int = 42,
                 file_format: str = "csv", end_date: str | None = None, batches: str | None = None,
                 timeout: int = 900) -> Path:
    """Write the four raw files with `python -m generator` into `out` (with `batches`, e.g.
    "monthly", a folder of load batches per entity); return `out`."""
    size = ["--customers", str(customers)] if customers is not None else []
    size += ["--orders", str(orders)] if orders is not None else []
    cmd = [str(PYTHON), "-m", "generator", *size, "--seed", str(seed), "--format", file_format,
           "--out", str(out), "--quiet"] + (["--end-date", end_date] if end_date else [])
    cmd += ["--batches", batches] if batches else []
    proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"generator failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return out


def run_results(work: Path) -> dict[str, str]:
    """Node unique_id -> status of the last dbt invocation in `work`."""
    data = json.loads((work / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in data["results"]}
