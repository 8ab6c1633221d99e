"""Orchestration: size the run, build the four entities in DuckDB, write files and manifest."""

from __future__ import annotations

import json
import os
import shutil
import resource
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import duckdb

from . import dirty, model
from .sqlkit import intern_salts, macros

ENTITIES = ("customers", "orders", "renewals", "feedback")
TARGET_ORDERS_PER_CUSTOMER = 7.2   # first guess for --orders sizing (refined by counting)


@dataclass
class Options:
    customers: int | None = None
    orders: int | None = None
    out: str = "."
    fmt: str = "csv"
    prefix: str = ""
    seed: int = 42
    start_date: date = date(2022, 1, 1)
    end_date: date = date(2025, 12, 31)
    dirty_share: float = 0.01
    clean: bool = False
    timezone: str = "Asia/Shanghai"
    threads: int | None = None
    memory_limit: str | None = None
    quiet: bool = False
    batches: str | None = None    # "monthly": a folder per entity, one file per load month + today


def _epoch(d: date, tz: str = "UTC") -> int:
    """Epoch seconds of midnight at the start of ``d`` in time zone ``tz``."""
    zone = timezone.utc if tz.upper() == "UTC" else ZoneInfo(tz)
    return int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp())


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Progress:
    """Progress lines on stderr: elapsed wall time, CPU time of this process (all threads)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, msg: str, started: float | None = None) -> None:
        if self.quiet:
            return
        now = time.perf_counter()
        took = f" ({now - started:.2f} s)" if started is not None else ""
        print(f"[generator {now - self.t0:7.2f} s, cpu {_cpu():7.2f} s] {msg}{took}",
              file=sys.stderr, flush=True)


class _Con:
    """A DuckDB connection whose SQL gets its salt names replaced by integers first."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, sql: str):
        return self._con.execute(intern_salts(sql))

    def close(self) -> None:
        self._con.close()


def _spill_dir(opts: Options) -> str:
    return os.path.join(opts.out, ".generator_spill")


def _connect(opts: Options) -> _Con:
    # Past about 10^7 orders the working tables outgrow RAM: DuckDB spills them to a folder
    # beside the output (removed at the end) within --memory-limit (default: DuckDB's, 80 % of RAM).
    config = {"temp_directory": _spill_dir(opts)}
    if opts.memory_limit:
        config["memory_limit"] = opts.memory_limit
    con = _Con(duckdb.connect(":memory:", config=config))
    if opts.threads:
        con.execute(f"SET threads = {int(opts.threads)}")
    # order is fixed by ORDER BY on every write, so the engine may reorder freely before that
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    for m in macros(opts.seed):
        con.execute(m)
    return con


def _params(opts: Options, n_clean: int) -> tuple[model.Params, dict[str, int]]:
    counts = dirty.plan_counts("customers", n_clean, opts.dirty_share, opts.clean)
    n_extra = sum(counts[k] for k in dirty.CUSTOMER_EXTRA_KINDS)
    total = n_clean + n_extra
    p = model.Params(
        seed=opts.seed,
        start_s=_epoch(opts.start_date),
        # the last day ends at midnight UTC or in the business time zone, whichever is first,
        # so no clean event falls after --end-date on either calendar
        end_excl=min(_epoch(opts.end_date + timedelta(days=1)),
                     _epoch(opts.end_date + timedelta(days=1), opts.timezone)),
        cap=_epoch(opts.end_date + timedelta(days=1)),
        n_clean=n_clean,
        n_extra=n_extra,
        cust_width=max(7, len(str(2 * total + 1000))),
    )
    return p, counts


def _build_customers(con, p: model.Params) -> None:
    for sql in model.customers_sql(p):
        con.execute(sql)


def _clean_orders(con) -> int:
    return int(con.execute("SELECT coalesce(sum(k0 + k1), 0) FROM cust").fetchone()[0])


PILOT_CUSTOMERS = 150_000


def _size_for_orders(con, opts: Options, progress: _Progress) -> int:
    """Pick the clean customer count whose order rows (clean + dirty) come closest to --orders.

    Orders per customer is a stable ratio, so it is measured on at most PILOT_CUSTOMERS
    customers and scaled; the count is then refined on the real size.  The ``cust`` table
    left behind is the one for the returned count."""
    share = 0.0 if opts.clean else opts.dirty_share
    target = max(1, round(opts.orders / (1.0 + share)))
    n = max(1, round(target / TARGET_ORDERS_PER_CUSTOMER))
    if n > PILOT_CUSTOMERS:
        p, _c = _params(opts, PILOT_CUSTOMERS)
        _build_customers(con, p)
        m = _clean_orders(con)
        progress(f"sizing pilot: {PILOT_CUSTOMERS:,} customers -> {m:,} clean orders")
        n = max(1, round(PILOT_CUSTOMERS * target / max(m, 1)))
    tried: dict[int, int] = {}
    for _ in range(6):
        p, _c = _params(opts, n)
        _build_customers(con, p)
        tried[n] = m = _clean_orders(con)
        progress(f"sizing: {n:,} customers -> {m:,} clean orders (target {target:,})")
        if m == 0 or abs(m - target) <= max(2, 0.005 * target):
            return n
        nxt = max(1, round(n * target / m))
        if nxt in tried:
            break
        n = nxt
    best = min(tried, key=lambda k: abs(tried[k] - target))
    if best != n:
        p, _c = _params(opts, best)
        _build_customers(con, p)
    return best


def _file_name(opts: Options, entity: str) -> str:
    return f"{opts.prefix}{entity}.{'parquet' if opts.fmt == 'parquet' else 'csv'}"


def _batch_key(opts: Options) -> str:
    """The load batch of a formatted row (text columns): the month of its loaded_at
    (`YYYY-MM`), or `today` for rows loaded on --end-date or later (the last load) and rows
    whose loaded_at is blank or not a date (dirty rows: they must land in some batch)."""
    last_load = opts.end_date.isoformat()
    return (f"CASE WHEN NOT regexp_matches(trim(coalesce(loaded_at, '')), '^\\d{{4}}-\\d{{2}}-\\d{{2}}') "
            f"OR substr(trim(loaded_at), 1, 10) >= '{last_load}' THEN 'today' "
            f"ELSE substr(trim(loaded_at), 1, 7) END")


def _write_batches(con, opts: Options, entity: str, query: str, fmt: str) -> str:
    """The rows of `query` as a folder of batch files, <out>/<prefix><entity>/<batch>.<ext>."""
    folder = os.path.join(opts.out, f"{opts.prefix}{entity}")
    ext = "parquet" if opts.fmt == "parquet" else "csv"
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {entity}_batched AS "
                f"SELECT *, {_batch_key(opts)} AS load_batch FROM ({query})")
    names = [r[0] for r in con.execute(
        f"SELECT DISTINCT load_batch FROM {entity}_batched ORDER BY 1").fetchall()]
    for name in names:
        con.execute(f"COPY (SELECT * EXCLUDE (load_batch) FROM {entity}_batched WHERE load_batch = '{name}') "
                    f"TO '{os.path.join(folder, name + '.' + ext)}' ({fmt})")
    con.execute(f"DROP TABLE {entity}_batched")
    return folder


def _write(con, opts: Options, entity: str, query: str) -> str:
    path = os.path.join(opts.out, _file_name(opts, entity))
    if opts.fmt == "parquet":
        # a small dictionary limit keeps dictionaries for the low-cardinality columns (status,
        # currency, channel ...) and gives up early on ids, timestamps and amounts: ~30 % less
        # CPU for ~5 % more bytes
        fmt = "FORMAT parquet, COMPRESSION snappy, DICTIONARY_SIZE_LIMIT 4096"
    else:
        fmt = "FORMAT csv, HEADER true, DELIMITER ','"
    if opts.batches:
        return _write_batches(con, opts, entity, query, fmt)
    tmp = path + ".tmp"
    con.execute(f"COPY ({query}) TO '{tmp}' ({fmt})")
    os.replace(tmp, path)
    return path


FMT_QUERY = {
    "customers": model.customers_fmt_query,
    "orders": model.orders_fmt_query,
    "renewals": model.renewals_fmt_query,
    "feedback": model.feedback_fmt_query,
}
BUILD = {
    "orders": model.orders_sql,
    "renewals": model.renewals_sql,
    "feedback": model.feedback_sql,
}
ID_WIDTH_MIN = {"orders": 9, "renewals": 6, "feedback": 7}


def _scalar(con, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0])


def generate(opts: Options) -> dict:
    """Generate the four raw files into ``opts.out`` and return the manifest."""
    if opts.end_date <= opts.start_date:
        raise ValueError("--end-date must be after --start-date")
    os.makedirs(opts.out, exist_ok=True)
    progress = _Progress(opts.quiet)
    con = _connect(opts)

    # ---- customers (and sizing) ---------------------------------------------------------
    t = time.perf_counter()
    if opts.orders is None:
        n_clean = opts.customers
        p, cust_counts = _params(opts, n_clean)
        _build_customers(con, p)
    else:   # leaves the cust table of the chosen size behind
        n_clean = _size_for_orders(con, opts, progress)
        p, cust_counts = _params(opts, n_clean)
    progress(f"customers generated: {n_clean:,} clean", t)

    plans: dict[str, dict[str, int]] = {"customers": cust_counts}
    clean_rows: dict[str, int] = {"customers": n_clean}
    files = {}
    for entity in ENTITIES:
        t = time.perf_counter()
        base = dirty.BASE[entity][0]
        if entity == "customers":
            clean_where = "WHERE extra_rank IS NULL"
            plans[entity] = _pick(con, entity, cust_counts, n_clean, where="extra_rank IS NULL")
            con.execute(dirty.customer_extra_picks_sql(cust_counts))
            id_width = 0
        else:
            for sql in BUILD[entity](p):
                con.execute(sql)
            clean_where = ""
            n_src = clean_rows[entity] = _scalar(con, f"SELECT count(*) FROM {base}")
            c = dirty.plan_counts(entity, n_src, opts.dirty_share, opts.clean)
            plans[entity] = c = _pick(con, entity, c, n_src)
            id_width = max(ID_WIDTH_MIN[entity], len(str(n_src + sum(c.values()))))
            if entity == "renewals":
                con.execute(dirty.renewals_subno_sql())
        # the picked source rows, formatted (small), then everything in one COPY
        con.execute(f"CREATE OR REPLACE TABLE {entity}_dsrc AS "
                    f"{FMT_QUERY[entity](p, dirty.source_where(entity))}")
        clean_query = FMT_QUERY[entity](p, clean_where)
        messy = _scalar(con, f"SELECT count(*) FILTER (WHERE messy) FROM ({clean_query})")
        picked = dict(con.execute(
            f"SELECT reason, count(*) FROM {entity}_picks GROUP BY reason").fetchall())
        t_gen = time.perf_counter() - t
        t = time.perf_counter()
        path = _write(con, opts, entity, dirty.out_query(entity, p, clean_query, id_width))
        by_reason = {k: int(picked.get(k, 0)) for k in dirty.APPLICABLE[entity]}
        if by_reason != {k: plans[entity].get(k, 0) for k in dirty.APPLICABLE[entity]}:
            raise AssertionError(f"{entity}: dirty rows {by_reason} != plan {plans[entity]}")
        n_dirty = sum(by_reason.values())
        files[entity] = {
            "file": os.path.basename(path),
            "rows": clean_rows[entity] + n_dirty,
            "clean_rows": clean_rows[entity],
            "dirty_rows": n_dirty,
            "messy_valid_rows": messy,
            "dirty": by_reason,
            "expected_rows_after_staging": clean_rows[entity],
        }
        progress(f"{entity}: {clean_rows[entity]:,} clean + {n_dirty:,} dirty rows "
                 f"(generated in {t_gen:.2f} s) -> {path}", t)
        if entity != "customers":
            con.execute(f"DROP TABLE {base}")

    manifest = {
        "generator": "customer-tiering raw data generator",
        "arguments": {
            "customers": opts.customers,
            "orders": opts.orders,
            "format": opts.fmt,
            "prefix": opts.prefix,
            "seed": opts.seed,
            "start_date": opts.start_date.isoformat(),
            "end_date": opts.end_date.isoformat(),
            "dirty_share": opts.dirty_share,
            "clean": opts.clean,
            "timezone": opts.timezone,
            "batches": opts.batches,
        },
        "clean_customers": n_clean,
        "reason_priority": dirty.REASONS,
        "notes": {
            "rows": "rows in the file = clean_rows + dirty_rows",
            "dirty": "rows injected per reason code; each dirty row has exactly one defect",
            "duplicate": "rows that should be collapsed away (the kept row is clean)",
            "messy_valid_rows": "clean rows with a messy but valid spelling (spaces, capitals, "
                                "date-only timestamps); staging must accept them",
            "expected_rows_after_staging": "clean rows: every dirty row is rejected or collapsed",
            "loaded_at_max": f"{opts.end_date.isoformat()} + 1 day",
        },
        "files": files,
    }
    with open(os.path.join(opts.out, "_manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    con.close()
    shutil.rmtree(_spill_dir(opts), ignore_errors=True)
    progress("done", progress.t0)
    return manifest


def _pick(con, entity: str, counts: dict[str, int], n_src: int, where: str = "TRUE") -> dict[str, int]:
    """Create ``{entity}_picks``; returns the dirty plan actually used (shrunk only when a tiny
    run has fewer clean rows than dirty rows asked for)."""
    extra = dirty.CUSTOMER_EXTRA_KINDS if entity == "customers" else []
    picked = {k: v for k, v in counts.items() if k not in extra}
    con.execute(dirty.picks_sql(entity, counts, n_src, where=where))
    got = _scalar(con, f"SELECT count(*) FROM {entity}_picks")
    if got < sum(picked.values()):   # too few hash candidates (tiny inputs): consider all rows
        con.execute(dirty.picks_sql(entity, counts, n_src, where=where, prob=1.0))
        got = _scalar(con, f"SELECT count(*) FROM {entity}_picks")
    if got < sum(picked.values()):   # fewer clean rows than dirty rows asked for
        shrunk = _shrink(picked, got)
        counts = {k: counts[k] if k in extra else shrunk[k] for k in counts}
        con.execute(dirty.picks_sql(entity, counts, n_src, where=where, prob=1.0))
    return counts


def _shrink(c: dict[str, int], available: int) -> dict[str, int]:
    """Fit the dirty plan into the rows available (tiny runs only)."""
    out, left = {}, available
    for k, v in c.items():
        out[k] = min(v, 1 if left > 0 else 0)
        left -= out[k]
    for k, v in c.items():
        extra = min(v - out[k], left)
        out[k] += extra
        left -= extra
    return out
