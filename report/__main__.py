"""python -m report [--database PATH] [--out DIR] [--no-png]: write the report and its PNGs."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from report import figures, marts, page, png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report", description=(
        "Write the customer-tiering report (one offline HTML file) and a PNG of each chart from the "
        "marts of a DuckDB warehouse."))
    parser.add_argument("--database", type=Path, default=None, help=(
        "DuckDB file with schema marts (default: TIERING_PUBLISH_PATH or target/published/tiering.duckdb; "
        "the work warehouse TIERING_DUCKDB_PATH or target/tiering.duckdb when nothing was published)"))
    parser.add_argument("--out", type=Path, default=Path("target") / "report", help="output folder (default target/report)")
    parser.add_argument("--no-png", action="store_true", help="write the HTML only, no chart pictures")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    database = args.database or marts.default_database()
    if args.database is None and database != marts.published_database():
        print(f"report: nothing published at {marts.published_database()} yet: reading the warehouse {database}",
              file=sys.stderr)
    try:
        data = marts.read(database)
    except (FileNotFoundError, LookupError) as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    if not data.header.published:
        print(f"report: {database} has no marts.publications: the header says 'unpublished build'", file=sys.stderr)
    sections = figures.sections(data)
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / "report.html"
    report.write_text(page.render(data.header, sections, f"Read from {database.name}, schema marts."), encoding="utf-8")
    charts = sum(len(s.charts) for s in sections)
    print(f"report: {report} ({report.stat().st_size / 1e6:.1f} MB, {len(sections)} sections, {charts} charts)")
    if not args.no_png:
        pictures = png.export(report, args.out)
        print(f"report: {len(pictures)} PNG files in {args.out}")
    print(f"report: done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
