"""What the benchmark measures: a frozen copy of the project, and the raw data generated once per size."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import PROJECT, size_label

BENCH = PROJECT / "benchmark"
SNAPSHOT_ITEMS = ["dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "package-lock.yml",
                  "models", "macros", "seeds", "tests", "analyses", "snapshots", "dbt_packages", "generator",
                  "publication",
                  # the pandas baseline takes the billing-cycle constants from the reference
                  "tests_py/reference"]


def generator_fingerprint(src: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((src / "generator").glob("*.py")):
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


def ensure_data(size: int, work: Path, seed: int, log, src: Path) -> tuple[Path, dict]:
    """Generate the raw Parquet files for `size` orders once; reuse them while the generator is unchanged."""
    folder = work / "data" / f"orders_{size}_seed{seed}"
    stamp = folder / "_bench_stamp.json"
    wanted = {"orders": size, "seed": seed, "generator": generator_fingerprint(src)}
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == wanted:
        return folder, json.loads(stamp.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"generating {size_label(size)} orders -> {folder}")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", "--orders", str(size), "--seed", str(seed),
                           "--format", "parquet", "--out", str(folder), "--quiet",
                           # 10^8 orders outgrow RAM while generated: spill beyond 12 GB
                           "--memory-limit", "12GB"],
                          cwd=src, capture_output=True, text=True)
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


NEW_BATCH = "new_1pct_last_14_days.parquet"
NEW_BATCH_DAYS = 14


def ensure_batches(raw: Path, log) -> tuple[Path, Path]:
    """The raw files of `raw` as load batches (docs/incremental-loads.md), in two folders:
    `history`, the orders as one batch `orders/history.parquet`, and `nightly`, the same plus
    `orders/new_1pct_last_14_days.parquet`: 1 % more orders (every 100th order again under a new
    order_id, same customers), placed and loaded in the last 14 days of the data, as the orders
    of the days since the last load are (DECISIONLOG D147). Files are hard links of the generated
    ones, so a batch has the same size and modification time (its fingerprint) in both folders.
    Made once per generated data set."""
    import duckdb  # noqa: PLC0415 - the generator's environment has it

    base = raw.parent / f"{raw.name}_batches"
    history, nightly = base / "history", base / "nightly"
    if (nightly / "orders" / NEW_BATCH).exists():
        return history, nightly
    shutil.rmtree(base, ignore_errors=True)
    for folder in (history, nightly):
        (folder / "orders").mkdir(parents=True)
        for entity in ("customers", "renewals", "feedback"):
            os.link(raw / f"{entity}.parquet", folder / f"{entity}.parquet")
        os.link(raw / "orders.parquet", folder / "orders" / "history.parquet")
    log(f"writing the 1 % batch -> {nightly / 'orders' / NEW_BATCH}")
    con = duckdb.connect()
    orders = f"read_parquet('{raw / 'orders.parquet'}')"
    dated = r"regexp_matches(ordered_at, '^\d{4}-\d{2}-\d{2}')"
    # the text of the timestamps is kept but its date: dirty rows stay as dirty as they were
    con.execute(f"""copy (
            with last_day as (
                -- near the end of the data; a dirty date (far future, typo) is one of few. The
                -- new orders end the day before it, so that no business time zone moves one
                -- into the next month: the as-of date stays where it was
                select quantile_disc(try_cast(left(ordered_at, 10) as date), 0.999) as last_day
                from {orders}
                where {dated}
            ),
            picked as (
                select
                    orders.*,
                    strftime(last_day.last_day - 1 - cast(hash(orders.order_id) % {NEW_BATCH_DAYS} as integer),
                             '%Y-%m-%d') as new_day
                from {orders} as orders
                cross join last_day
                where hash(orders.order_id) % 100 = 0
            )
            select * exclude (new_day) replace (
                order_id || '-n' as order_id,
                case when {dated} then new_day || substr(ordered_at, 11) else ordered_at end as ordered_at,
                case when {dated} then new_day || ' 23:59:00' else loaded_at end as loaded_at
            )
            from picked
        ) to '{nightly / "orders" / NEW_BATCH}' (format parquet)""")
    con.close()
    return history, nightly
    shutil.rmtree(base, ignore_errors=True)
    for folder in (history, nightly):
        (folder / "orders").mkdir(parents=True)
        for entity in ("customers", "renewals", "feedback"):
            os.link(raw / f"{entity}.parquet", folder / f"{entity}.parquet")
        os.link(raw / "orders.parquet", folder / "orders" / "history.parquet")
    log(f"writing the 1 % batch -> {nightly / 'orders' / NEW_BATCH}")
    con = duckdb.connect()
    con.execute(f"""copy (
            select * replace (order_id || '-n' as order_id)
            from read_parquet('{raw / "orders.parquet"}')
            where hash(order_id) % 100 = 0
        ) to '{nightly / "orders" / NEW_BATCH}' (format parquet)""")
    con.close()
    return history, nightly
