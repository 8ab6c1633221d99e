"""Check the pandas baseline's marts equal to the dbt marts, cell by cell.

Rows are matched on each mart's key; every column the two share is compared. Numbers are equal
within 1e-9 relative (1e-6 absolute): the pandas baseline sums floats, dbt sums decimals.
Dates are compared as calendar dates, NULL equals NULL.

Usage: python benchmark/compare.py --duckdb WAREHOUSE.duckdb --pandas DIR [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

MART_KEYS = {
    "customer_segments": ["customer_id"],
    "lifecycle_stage": ["customer_id"],
    "churn_cohort": ["cohort_month", "months_since_acquisition"],
    "segment_summary": ["segment_code"],
    "renewal_reminders": ["subscription_id"],
}


def _normalise(series: pd.Series) -> list:
    """Plain Python values: None, bool, float, str (dates as YYYY-MM-DD)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(x) else x.strftime("%Y-%m-%d") for x in series]
    out = []
    for x in series.astype(object):
        if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT:
            out.append(None)
        elif isinstance(x, (bool, np.bool_)):
            out.append(bool(x))
        elif isinstance(x, (int, float, np.integer, np.floating)) or hasattr(x, "as_tuple"):
            out.append(float(x))
        elif hasattr(x, "strftime"):
            out.append(x.strftime("%Y-%m-%d"))
        else:
            out.append(str(x))
    return out


def _equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= max(1e-6, 1e-9 * max(abs(a), abs(b)))
    return a == b


def _key_frame(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for key in keys:
        frame[key] = _normalise(frame[key])
    return frame.set_index(keys).sort_index()


def compare_mart(name: str, dbt_frame: pd.DataFrame, pandas_frame: pd.DataFrame, examples: int = 3) -> dict:
    keys = MART_KEYS[name]
    d, p = _key_frame(dbt_frame, keys), _key_frame(pandas_frame, keys)
    common_columns = [c for c in d.columns if c in p.columns]
    result = {
        "mart": name,
        "key": keys,
        "rows_dbt": len(d),
        "rows_pandas": len(p),
        "keys_only_in_dbt": int(len(d.index.difference(p.index))),
        "keys_only_in_pandas": int(len(p.index.difference(d.index))),
        "columns_compared": common_columns,
        "columns_only_in_dbt": [c for c in d.columns if c not in p.columns],
        "columns_only_in_pandas": [c for c in p.columns if c not in d.columns],
        "mismatches": {},
    }
    shared = d.index.intersection(p.index)
    d, p = d.loc[shared], p.loc[shared]
    for column in common_columns:
        left, right = _normalise(d[column]), _normalise(p[column])
        bad = [i for i, (a, b) in enumerate(zip(left, right)) if not _equal(a, b)]
        if bad:
            result["mismatches"][column] = {
                "cells": len(bad),
                "examples": [{"key": str(shared[i]), "dbt": left[i], "pandas": right[i]} for i in bad[:examples]],
            }
    result["equal"] = (not result["mismatches"] and result["keys_only_in_dbt"] == 0
                       and result["keys_only_in_pandas"] == 0 and not result["columns_only_in_dbt"])
    return result


def compare(duckdb_path: Path, pandas_dir: Path) -> list[dict]:
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        results = []
        for name in MART_KEYS:
            dbt_frame = con.sql(f"select * from marts.{name}").df()
            pandas_frame = pd.read_parquet(pandas_dir / f"{name}.parquet")
            results.append(compare_mart(name, dbt_frame, pandas_frame))
        return results
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--pandas", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = compare(args.duckdb, args.pandas)
    for r in results:
        print(f"{r['mart']:18} {'EQUAL' if r['equal'] else 'DIFFERENT':9} rows dbt {r['rows_dbt']} pandas "
              f"{r['rows_pandas']}, {len(r['columns_compared'])} columns compared")
        for column, info in r["mismatches"].items():
            print(f"    {column}: {info['cells']} cells differ, e.g. {info['examples'][:2]}")
        for field in ("keys_only_in_dbt", "keys_only_in_pandas", "columns_only_in_dbt", "columns_only_in_pandas"):
            if r[field]:
                print(f"    {field}: {r[field]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if all(r["equal"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
