"""Measuring one child process: wall time, CPU time, peak RSS and spill (used by benchmark/run.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path


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
            timeout: float = 7200, cwd: Path | None = None) -> dict:
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
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
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
