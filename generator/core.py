"""Orchestration: size the run, build the four entities in DuckDB, write files and manifest."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import duckdb

from . import dirty, model
from .sqlkit import intern_salts, macros

ENTITIES = ("customers", "orders", "renewals", "feedback")
TARGET_ORDERS_PER_CUSTOMER = 6.8   # first guess for --orders sizing (refined by counting)


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
    threads: int | None = None
    quiet: bool = False
    log: list[str] = field(default_factory=list)


def _epoch(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp())


class _Progress:
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, msg: str, started: float | None = None) -> None:
        if self.quiet:
            return
        now = time.perf_counter()
        took = f" ({now - started:.2f} s)" if started is not None else ""
        print(f"[generator {now - self.t0:7.2f} s] {msg}{took}", file=sys.stderr, flush=True)


class _Con:
    """A DuckDB connection whose SQL gets its salt names replaced by integers first."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, sql: str):
        return self._con.execute(intern_salts(sql))

    def close(self) -> None:
        self._con.close()


def _connect(opts: Options) -> _Con:
    con = _Con(duckdb.connect(":memory:"))
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
        end_excl=_epoch(opts.end_date) + 86400,
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


def _size_for_orders(con, opts: Options, progress: _Progress) -> int:
    """Pick the clean customer count whose order rows (clean + dirty) come closest to --orders."""
    share = 0.0 if opts.clean else opts.dirty_share
    target_clean = max(1, round(opts.orders / (1.0 + share)))
    n = max(1, round(target_clean / TARGET_ORDERS_PER_CUSTOMER))
    best = None
    for _ in range(6):
        p, _c = _params(opts, n)
        _build_customers(con, p)
        m = _clean_orders(con)
        if best is None or abs(m - target_clean) < abs(best[1] - target_clean):
            best = (n, m)
        progress(f"sizing: {n:,} customers -> {m:,} clean orders (target {target_clean:,})")
        if m == 0 or abs(m - target_clean) <= max(2, 0.002 * target_clean):
            break
        nxt = max(1, round(n * target_clean / m))
        if nxt == n:
            break
        n = nxt
    return best[0]


def _file_name(opts: Options, entity: str) -> str:
    return f"{opts.prefix}{entity}.{'parquet' if opts.fmt == 'parquet' else 'csv'}"


def _write(con, opts: Options, entity: str) -> str:
    path = os.path.join(opts.out, _file_name(opts, entity))
    cols = ", ".join(dirty.COLUMNS[entity])
    if opts.fmt == "parquet":
        fmt = "FORMAT parquet, COMPRESSION zstd"
    else:
        fmt = "FORMAT csv, HEADER true, DELIMITER ','"
    tmp = path + ".tmp"
    con.execute(f"COPY (SELECT {cols} FROM {entity}_out ORDER BY _ord) TO '{tmp}' ({fmt})")
    os.replace(tmp, path)
    return path


def _summary(con, entity: str) -> dict:
    rows = con.execute(
        f"SELECT count(*), count(_reason), count(*) FILTER (WHERE messy) FROM {entity}_out"
    ).fetchone()
    by_kind = dict(con.execute(
        f"SELECT _reason, count(*) FROM {entity}_out WHERE _reason IS NOT NULL GROUP BY _reason"
    ).fetchall())
    return {
        "rows": int(rows[0]),
        "clean_rows": int(rows[0] - rows[1]),
        "dirty_rows": int(rows[1]),
        "messy_valid_rows": int(rows[2]),
        "dirty": {k: int(by_kind.get(k, 0)) for k in dirty.APPLICABLE[entity]},
    }


def generate(opts: Options) -> dict:
    """Generate the four raw files into ``opts.out`` and return the manifest."""
    if opts.end_date <= opts.start_date:
        raise ValueError("--end-date must be after --start-date")
    os.makedirs(opts.out, exist_ok=True)
    progress = _Progress(opts.quiet)
    con = _connect(opts)

    # ---- customers (and sizing) ---------------------------------------------------------
    t = time.perf_counter()
    n_clean = opts.customers if opts.orders is None else _size_for_orders(con, opts, progress)
    p, cust_counts = _params(opts, n_clean)
    _build_customers(con, p)
    con.execute(model.customers_fmt_sql(p))
    con.execute(dirty.picks_sql("customers", cust_counts, n_clean, where="extra_rank IS NULL"))
    con.execute(dirty.customer_extra_picks_sql(cust_counts))
    con.execute(dirty.out_sql("customers", p, p.total))
    counts = {"customers": cust_counts}
    progress(f"customers built: {n_clean:,} clean", t)

    # ---- orders, renewals, feedback -----------------------------------------------------
    builders = {
        "orders": (model.orders_sql, model.orders_fmt_sql, "ord"),
        "renewals": (model.renewals_sql, model.renewals_fmt_sql, "ren"),
        "feedback": (model.feedback_sql, model.feedback_fmt_sql, "fb"),
    }
    for entity, (build, fmt, base) in builders.items():
        t = time.perf_counter()
        for sql in build(p):
            con.execute(sql)
        con.execute(fmt(p))
        con.execute(f"DROP TABLE {base}")
        n_src = int(con.execute(f"SELECT count(*) FROM {entity}_fmt").fetchone()[0])
        c = dirty.plan_counts(entity, n_src, opts.dirty_share, opts.clean)
        if n_src == 0:
            c = {k: 0 for k in c}
        counts[entity] = c
        con.execute(dirty.picks_sql(entity, c, n_src))
        got = int(con.execute(f"SELECT count(*) FROM {entity}_picks").fetchone()[0])
        if got < sum(c.values()):   # not enough hash candidates (tiny inputs): take from all rows
            con.execute(dirty.picks_sql(entity, c, n_src, prob=1.0))
            got = int(con.execute(f"SELECT count(*) FROM {entity}_picks").fetchone()[0])
        if got < sum(c.values()):   # fewer source rows than dirty rows asked for: scale down
            c = _shrink(c, got)
            counts[entity] = c
            con.execute(dirty.picks_sql(entity, c, n_src, prob=1.0))
        con.execute(dirty.out_sql(entity, p, n_src + sum(c.values())))
        con.execute(f"DROP TABLE {entity}_fmt")
        progress(f"{entity} built: {n_src:,} clean + {sum(c.values()):,} dirty", t)

    # ---- write ---------------------------------------------------------------------------
    files = {}
    for entity in ENTITIES:
        t = time.perf_counter()
        path = _write(con, opts, entity)
        s = _summary(con, entity)
        if s["dirty"] != {k: counts[entity].get(k, 0) for k in dirty.APPLICABLE[entity]}:
            raise AssertionError(f"{entity}: dirty rows {s['dirty']} != plan {counts[entity]}")
        files[entity] = {"file": os.path.basename(path), **s,
                         "expected_rows_after_staging": s["rows"] - s["dirty_rows"]}
        progress(f"{entity} written: {s['rows']:,} rows -> {path}", t)

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
        },
        "clean_customers": n_clean,
        "reason_priority": dirty.REASONS,
        "notes": {
            "dirty": "rows injected per reason code; each dirty row has exactly one defect",
            "duplicate": "rows that should be collapsed away (the kept row is clean)",
            "messy_valid_rows": "clean rows with a messy but valid spelling (spaces, capitals, "
                                "date-only timestamps); staging must accept them",
            "loaded_at_max": f"{opts.end_date.isoformat()} + 1 day",
        },
        "files": files,
    }
    with open(os.path.join(opts.out, "_manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    con.close()
    progress("done", progress.t0)
    return manifest


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
