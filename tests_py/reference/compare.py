"""Model specifications (keys, compared columns, tolerance class) and a row-level differ."""
from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

MONEY = "money"   # absolute tolerance 0.01
RATIO = "ratio"   # relative tolerance 1e-9 (shares, rates, averages, medians)
EXACT = "exact"

MONEY_COLS = {"amount", "gross_amount", "discount_amount", "refunded_amount", "net_amount", "cost_amount",
              "margin_amount", "monetary", "margin", "net_revenue", "revenue", "min_value", "max_value"}
RATIO_COLS = {"revenue_cumulative_share", "margin_cumulative_share", "median_purchase_gap_days",
              "median_renewal_interval_days", "on_time_renewal_rate", "avg_csat", "discounted_order_share",
              "discount_depth", "assisted_order_share", "recency", "t", "monetary_value", "retention_rate",
              "revenue_retention", "renewal_rate", "customer_share", "revenue_share", "avg_recency_days",
              "avg_frequency", "avg_monetary"}

# model -> (schema, key columns, compared columns)
MODELS: dict[str, tuple[str, list[str], list[str]]] = {
    "int_as_of_date": ("intermediate", ["as_of_date"], ["as_of_date", "latest_purchase_date"]),
    "int_customers_as_of": ("intermediate", ["customer_id"],
                            ["customer_id", "signed_up_date", "region", "customer_type", "acquisition_channel"]),
    "int_subscription_payments": ("intermediate", ["subscription_id", "period_number"],
                                  ["subscription_id", "customer_id", "billing_cycle", "period_number",
                                   "period_start_date", "period_end_date", "paid_by", "paid_date",
                                   "paid_through_date", "periods_since_start", "amount", "is_paid"]),
    "int_purchases_as_of": ("intermediate", ["purchase_id"],
                            ["purchase_id", "purchase_source", "order_id", "subscription_id", "customer_id",
                             "purchased_at", "purchase_date", "gross_amount", "discount_amount",
                             "refunded_amount", "net_amount", "cost_amount", "margin_amount", "is_discounted",
                             "is_assisted", "sales_channel"]),
    "int_customers_purchases_aggregated": ("intermediate", ["customer_id"],
                                           ["customer_id", "first_purchase_date", "last_purchase_date",
                                            "recency_days", "tenure_days", "frequency", "purchase_days", "monetary",
                                            "margin", "purchases_with_cost", "has_non_positive_revenue",
                                            "median_purchase_gap_days", "max_purchase_gap_days"]),
    "int_customers_rfm_scored": ("intermediate", ["customer_id"],
                                 ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
                                  "m_score", "rfm_cell", "rfm_status", "has_non_positive_revenue"]),
    "int_rfm_cut_points": ("intermediate", ["dimension", "score"],
                           ["dimension", "score", "method", "customers", "min_value", "max_value", "is_empty"]),
    "int_customers_abc_classified": ("intermediate", ["customer_id"],
                                     ["customer_id", "net_revenue", "revenue_rank", "revenue_cumulative_share",
                                      "abc_class_revenue", "margin", "margin_rank", "margin_cumulative_share",
                                      "abc_class_margin", "has_non_positive_revenue", "has_non_positive_margin"]),
    "int_customers_renewal_cadence": ("intermediate", ["customer_id"],
                                      ["customer_id", "subscriptions_count", "active_subscriptions_count",
                                       "periods_count", "renewals_count", "median_renewal_interval_days",
                                       "cadence_basis", "cadence_class", "dominant_billing_cycle", "renewal_tenure",
                                       "on_time_renewal_rate", "subscription_state", "next_renewal_due_date",
                                       "days_overdue", "first_period_start_date", "last_renewed_date"]),
    "int_customers_satisfaction_scored": ("intermediate", ["customer_id"],
                                          ["customer_id", "feedback_count", "avg_csat", "latest_nps", "nps_class",
                                           "complaints_recent", "complaints_total", "satisfaction_tier"]),
    "int_customers_purchase_behaviour": ("intermediate", ["customer_id"],
                                         ["customer_id", "purchases_count", "orders_count", "discounted_order_share",
                                          "discount_depth",
                                          "assisted_order_share", "behaviour_class"]),
    "int_customers_clv_inputs": ("intermediate", ["customer_id"],
                                 ["customer_id", "frequency", "recency", "t", "monetary_value", "time_unit"]),
    "customer_segments": ("marts", ["customer_id"],
                          ["customer_id", "as_of_date", "region", "customer_type", "recency_days", "frequency",
                           "monetary", "r_score", "f_score", "m_score", "rfm_cell", "rfm_status", "segment_code",
                           "value_tier", "value_level", "abc_class_revenue", "abc_class_margin", "cadence_class",
                           "satisfaction_tier", "behaviour_class", "service_level"]),
    "lifecycle_stage": ("marts", ["customer_id"],
                        ["customer_id", "as_of_date", "stage", "stage_rule", "returned_after_churn",
                         "first_purchase_date", "last_purchase_date", "recency_days", "frequency",
                         "subscription_state"]),
    "churn_cohort": ("marts", ["cohort_month", "months_since_acquisition"],
                     ["as_of_date", "cohort_month", "months_since_acquisition", "period_month", "cohort_size",
                      "active_customers", "retention_rate", "churned_customers", "revenue", "revenue_retention",
                      "is_partial_period"]),
    "subscription_cohort": ("marts", ["cohort_month", "billing_cycle", "periods_since_start"],
                            ["as_of_date", "cohort_month", "billing_cycle", "periods_since_start",
                             "period_start_month", "subscriptions_at_start", "subscriptions_retained",
                             "subscriptions_retained_previous_period", "retention_rate", "renewal_rate",
                             "revenue", "revenue_retention", "is_partial_period"]),
    "segment_summary": ("marts", ["segment_code"],
                        ["as_of_date", "segment_code", "customers", "customer_share", "revenue", "revenue_share",
                         "avg_recency_days", "avg_frequency", "avg_monetary"]),
    "renewal_reminders": ("marts", ["subscription_id"],
                          ["subscription_id", "customer_id", "due_date", "days_until_due", "reminder_status"]),
}


def kind(col: str) -> str:
    if col in MONEY_COLS:
        return MONEY
    if col in RATIO_COLS:
        return RATIO
    return EXACT


def is_null(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def norm(v):
    """Python-native, comparable value: None, date, int, float, bool, str."""
    if is_null(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime):
        return v.date() if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) else v
    if isinstance(v, (bool,)) or type(v).__name__ == "bool_":
        return bool(v)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    if hasattr(v, "item"):  # numpy scalars
        return norm(v.item())
    return v


def same(a, b, k: str) -> bool:
    a, b = norm(a), norm(b)
    if a is None or b is None:
        return a is None and b is None
    if k == MONEY:
        return abs(float(a) - float(b)) <= 0.01 + 1e-9
    if k == RATIO:
        fa, fb = float(a), float(b)
        return math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def read_model(con, schema: str, name: str) -> pd.DataFrame | None:
    exists = con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                         [schema, name]).fetchone()[0]
    if not exists:
        return None
    cur = con.execute(f'select * from "{schema}"."{name}"')
    cols = [d[0] for d in cur.description]
    return pd.DataFrame.from_records(cur.fetchall(), columns=cols, coerce_float=False)


def _key(row, keys):
    return tuple(norm(row[k]) for k in keys)


def diff_frames(expected: pd.DataFrame, got: pd.DataFrame, keys: list[str], cols: list[str],
                max_rows: int = 8) -> tuple[list[str], dict]:
    """Returns (problems as text lines, stats). Empty problems = equal."""
    problems: list[str] = []
    missing = [c for c in cols if c not in got.columns]
    if missing:
        problems.append(f"columns missing in dbt model: {missing}")
    cols = [c for c in cols if c in got.columns]
    exp_rows = {_key(r, keys): r for r in expected.to_dict("records")}
    got_rows = {}
    dup_keys = Counter()
    for r in got.to_dict("records"):
        k = _key(r, keys)
        if k in got_rows:
            dup_keys[k] += 1
        got_rows[k] = r
    if dup_keys:
        problems.append(f"{len(dup_keys)} duplicated keys in dbt model, e.g. {list(dup_keys)[:5]}")
    only_exp = sorted((k for k in exp_rows if k not in got_rows), key=str)
    only_got = sorted((k for k in got_rows if k not in exp_rows), key=str)
    if len(expected) != len(got):
        problems.append(f"row count: reference {len(expected)}, dbt {len(got)}")
    if only_exp:
        problems.append(f"{len(only_exp)} keys only in reference, first: {only_exp[:max_rows]}")
    if only_got:
        problems.append(f"{len(only_got)} keys only in dbt, first: {only_got[:max_rows]}")
    col_diffs: dict[str, list] = {}
    for k in sorted((k for k in exp_rows if k in got_rows), key=str):
        e, g = exp_rows[k], got_rows[k]
        for c in cols:
            if not same(e.get(c), g.get(c), kind(c)):
                col_diffs.setdefault(c, []).append((k, norm(e.get(c)), norm(g.get(c))))
    for c, lst in col_diffs.items():
        ex = "; ".join(f"{k}: expected {e!r}, got {g!r}" for k, e, g in lst[:max_rows])
        problems.append(f"column {c}: {len(lst)} rows differ. {ex}")
    return problems, {"only_ref": only_exp, "only_dbt": only_got, "col_diffs": col_diffs}


def raw_reason_counter(df: pd.DataFrame, raw_cols: list[str]) -> Counter:
    def n(v):
        v = None if is_null(v) else str(v).strip()
        return v or None
    return Counter((r["reject_reason"],) + tuple(n(r.get(c)) for c in raw_cols) for r in df.to_dict("records"))
