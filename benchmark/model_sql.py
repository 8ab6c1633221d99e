"""One model's SQL, timed on a built warehouse: wall time, the peak of the temporary folder, and
the rows it gives (count and two order-free checksums over every column), to compare two
versions of a model on the same inputs before a whole build is measured.

Each `--sql` file is the model's compiled SQL (`dbt compile --select <model>`, under
target/compiled/). It runs as `create table <scratch>.main.result as <sql>` in a new DuckDB file
in `--scratch`, opened with the dbt profile's settings (memory_limit, threads, ...) and with the
built warehouse attached read-only under its catalog name, so the model reads what dbt would
read and writes what dbt would write; the temporary folder is `<scratch>/spill`, watched twice a
second. Versions run one after another, never side by side. Two versions whose SQL embeds the
compile time (the implausible-date bound) differ in that literal only when compiled within the
same second: compare their checksums only on data where the bound decides nothing.

Usage: python benchmark/model_sql.py --warehouse DIR/warehouse.duckdb --scratch DIR \
           --sql before.sql --sql after.sql
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import GIB, connect, profile_output  # noqa: E402


def folder_bytes(folder: Path) -> int:
    total = 0
    for entry in os.scandir(folder):
        try:
            if entry.is_file():
                total += entry.stat().st_size
        except FileNotFoundError:  # a temporary file removed while being listed
            pass
    return total


def run_one(sql_path: Path, warehouse: Path, scratch: Path) -> dict:
    spill = scratch / "spill"
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    result_db = scratch / "result.duckdb"
    for leftover in (result_db, Path(f"{result_db}.wal")):
        leftover.unlink(missing_ok=True)
    # the temporary folder is a connect-time setting of the profile (TIERING_DUCKDB_TEMP_DIR)
    con = connect(result_db, profile_output({**os.environ, "TIERING_DUCKDB_TEMP_DIR": str(spill)}))
    con.execute(f"attach '{warehouse}' as warehouse (read_only)")
    con.execute("use warehouse")
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], folder_bytes(spill))
            done.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    try:
        con.execute(f"create table result.main.result as {sql_path.read_text()}")
        wall = time.perf_counter() - started
    finally:
        done.set()
        watcher.join()
    columns = [row[0] for row in con.execute("describe result.main.result").fetchall()]
    row = ", ".join(f'"{c}"' for c in columns)
    rows, hash_sum, hash_xor = con.execute(
        f"select count(*), sum(hash({row}) % 1000000007), bit_xor(hash({row})) from result.main.result"
    ).fetchone()
    con.close()
    size = result_db.stat().st_size
    result_db.unlink()
    return {"sql": str(sql_path), "wall_s": round(wall, 1), "spill_peak_gib": round(peak[0] / GIB, 2),
            "result_file_gib": round(size / GIB, 2), "rows": rows, "checksums": (hash_sum, hash_xor)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built warehouse.duckdb (read only)")
    parser.add_argument("--scratch", type=Path, required=True, help="a folder for the result and the spill")
    parser.add_argument("--sql", type=Path, action="append", required=True, help="compiled model SQL; repeatable")
    args = parser.parse_args(argv)
    args.scratch.mkdir(parents=True, exist_ok=True)
    print("| sql | wall s | temporary folder peak GiB | result file GiB | rows | checksums |")
    print("|---|---|---|---|---|---|")
    for sql_path in args.sql:
        r = run_one(sql_path, args.warehouse.resolve(), args.scratch.resolve())
        print(f"| {r['sql']} | {r['wall_s']} | {r['spill_peak_gib']} | {r['result_file_gib']} | {r['rows']} "
              f"| {r['checksums'][0]} {r['checksums'][1]} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
