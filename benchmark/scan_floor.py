"""The scan floor: one pass over the raw orders, the least work any implementation must do.

Per customer: number of order rows, sum of the gross amount and latest order timestamp, parsed
from the raw text (every raw column is text), written to a table in a fresh DuckDB file opened
with the settings of the dbt profile. No cleaning, no deduplication, no currency: every way of
computing the marts reads and parses at least this much, so no implementation can beat it.

Usage: python benchmark/scan_floor.py --raw DIR --db FILE.duckdb
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import connect, profile_output  # noqa: E402

SCAN_SQL = """
create or replace table scan_floor as
select
    customer_id,
    count(*) as order_rows,
    sum(try_cast(gross_amount as decimal(18, 2))) as gross_amount,
    max(try_cast(ordered_at as timestamp)) as last_ordered_at
from read_parquet('{orders}')
group by customer_id
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    con = connect(args.db, profile_output())
    started = time.perf_counter()
    con.execute(SCAN_SQL.format(orders=args.raw / "orders.parquet"))
    customers = con.execute("select count(*) from scan_floor").fetchone()[0]
    con.close()
    print(json.dumps({"seconds": round(time.perf_counter() - started, 3), "customers": customers}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
