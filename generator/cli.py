"""Command line: ``python -m generator --customers 2000 --out seeds/demo --prefix raw_``."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .core import Options, generate


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 0.5:
        raise argparse.ArgumentTypeError("must be in [0, 0.5)")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m generator",
        description=(
            "Write the four raw files of the customer-tiering warehouse (customers, orders,\n"
            "renewals, feedback) as text-only CSV or Parquet, plus _manifest.json with the row\n"
            "counts and the number of dirty rows injected per reject reason.\n"
            "Same arguments -> byte-identical files. Generated in DuckDB; see generator/__init__.py."
        ),
        epilog=(
            "examples:\n"
            "  python -m generator --customers 2000 --out seeds/demo --prefix raw_\n"
            "  python -m generator --orders 10000000 --format parquet --out data/big\n"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--customers", type=_positive, metavar="N",
                      help="number of clean customers (default 2000 when --orders is not given)")
    size.add_argument("--orders", type=_positive, metavar="N",
                      help="aim for about N order rows in total; the customer count is chosen "
                           "to match (about 8 orders per buying customer)")
    ap.add_argument("--out", default=".", metavar="DIR", help="output directory (default: .)")
    ap.add_argument("--format", choices=("csv", "parquet"), default="csv", dest="fmt",
                    help="csv (header, comma separated, blank = NULL) or parquet (all columns "
                         "VARCHAR); default csv")
    ap.add_argument("--prefix", default="", metavar="STR",
                    help="file name prefix, e.g. raw_ -> raw_customers.csv (default: none)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--start-date", type=_date, default=date(2022, 1, 1), metavar="YYYY-MM-DD",
                    help="first day of data (default 2022-01-01)")
    ap.add_argument("--end-date", type=_date, default=date(2025, 12, 31), metavar="YYYY-MM-DD",
                    help="last day of data; no clean event is later, loaded_at is at most "
                         "this + 1 day, 00:00 UTC (default 2025-12-31; the wall clock is never "
                         "used)")
    ap.add_argument("--timezone", default="Asia/Shanghai", metavar="TZ",
                    help="business time zone (default Asia/Shanghai, as the warehouse's "
                         "business_timezone var): no clean event falls after --end-date on its "
                         "calendar nor on UTC's; timestamps are always written in UTC")
    ap.add_argument("--dirty-share", type=_share, default=0.01, metavar="FLOAT",
                    help="share of each entity's rows added as dirty rows, split across the "
                         "reject reasons that apply (at least one each); 0 = none (default 0.01)")
    ap.add_argument("--clean", action="store_true",
                    help="no dirty rows at all (messy-but-valid spellings are still written)")
    ap.add_argument("--threads", type=_positive, default=None,
                    help="DuckDB threads (default: DuckDB's default, all cores)")
    ap.add_argument("--memory-limit", default=None, metavar="SIZE",
                    help="DuckDB memory limit, e.g. 8GB (default: DuckDB's, 80%% of RAM); past it the "
                         "working tables spill to OUT/.generator_spill, removed at the end")
    ap.add_argument("--batches", choices=("monthly",), default=None,
                    help="write each entity as a folder of load batches (docs/incremental-loads.md): "
                         "ENTITY/YYYY-MM.csv per month of loaded_at, plus ENTITY/today.csv for the "
                         "load of --end-date and after and rows without a readable loaded_at; the same rows as "
                         "the single files (default: one file per entity)")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.seed < -(2**63) or args.seed >= 2**63:
        build_parser().error("--seed must fit in a signed 64-bit integer")
    if args.end_date <= args.start_date:
        build_parser().error("--end-date must be after --start-date")
    if args.timezone.upper() != "UTC":
        try:
            ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            build_parser().error(f"unknown --timezone {args.timezone!r}")
    opts = Options(
        customers=args.customers if args.customers or args.orders else 2000,
        orders=args.orders,
        out=args.out,
        fmt=args.fmt,
        prefix=args.prefix,
        seed=args.seed,
        start_date=args.start_date,
        end_date=args.end_date,
        dirty_share=args.dirty_share,
        clean=args.clean,
        timezone=args.timezone,
        threads=args.threads,
        memory_limit=args.memory_limit,
        quiet=args.quiet,
        batches=args.batches,
    )
    t0 = time.perf_counter()
    manifest = generate(opts)
    if not args.quiet:
        rows = ", ".join(f"{e} {f['rows']:,}" for e, f in manifest["files"].items())
        print(f"wrote {rows} to {args.out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0
