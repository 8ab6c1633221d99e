"""The pandas baseline: the warehouse's marts computed the way RFM is computed in a notebook today.

A frozen comparator (benchmark/README.md "The pandas baseline"): only `make bench` runs it and
checks it equal to the dbt marts; `make test` (the smoke run) does not, so a change of a
definition does not have to be made here too. When `make bench` reports a difference, the
baseline is brought up to date before the benchmark's results are published.

Read the raw Parquet files, drop the rows that fail the raw data contract, deduplicate, then
groupby / merge / rank / cumsum until the five marts come out (subscription_cohort is not
among them: the baseline keeps to the marts it was measured with). It follows the definitions of
models/_docs.md and the vars of dbt_project.yml, and reads the same reference seeds, so that
its output can be checked equal to the dbt marts (benchmark/compare.py). It is a *baseline*:
written plainly, one step after another, without tuning (no categoricals, no chunking, no
column pruning beyond what a reader would do anyway). It does not build the quarantine models,
only the clean rows the marts need.

Usage: python benchmark/pandas_marts.py --raw DIR --out DIR
Writes customer_segments, lifecycle_stage, churn_cohort, segment_summary and renewal_reminders
as Parquet files into DIR.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import sys

import numpy as np
import pandas as pd
import yaml

PROJECT = Path(__file__).resolve().parents[1]
# The billing-cycle constants are the reference implementation's: one copy in Python.
sys.path.insert(0, str(PROJECT / "tests_py"))
from reference.core import CYCLE_DAYS, CYCLE_MONTHS  # noqa: E402


# --------------------------------------------------------------------------- helpers

def load_vars() -> dict:
    with open(PROJECT / "dbt_project.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["vars"]


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text, the empty string read as missing."""
    s = s.str.strip()
    return s.mask(s == "")


def to_ts(s: pd.Series) -> pd.Series:
    """'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD' (UTC); anything else NaT."""
    return pd.to_datetime(s, format="ISO8601", errors="coerce")


def to_num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def business_date(ts: pd.Series, tz: str) -> pd.Series:
    """Calendar date in the business timezone of a UTC timestamp (kept as midnight datetime64)."""
    return ts.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def round_cents(x: pd.Series) -> pd.Series:
    """Round to cents, half away from zero like SQL round() on decimals (float round() is not)."""
    return np.sign(x) * np.floor(np.abs(x) * 100 + 0.5 + 1e-7) / 100


def given_but_unparsed(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    return raw.notna() & parsed.isna()


def keep_latest(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Among rows sharing the key, the latest loaded_at wins (missing loaded_at loses)."""
    df = df.sort_values("loaded_at", na_position="first")
    return df.drop_duplicates(key, keep="last")


def days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days


def read_raw(raw: Path, entity: str) -> pd.DataFrame:
    df = pd.read_parquet(raw / f"{entity}.parquet")
    for column in df.columns:
        df[column] = clean_text(df[column])
    return df


# --------------------------------------------------------------------------- staging

def stage_customers(raw: Path, tz: str) -> pd.DataFrame:
    df = read_raw(raw, "customers")
    df["signed_up_ts"] = to_ts(df["signed_up_at"])
    df["loaded_ts"] = to_ts(df["loaded_at"])
    df["customer_type"] = df["customer_type"].str.lower()
    bad = (
        df["customer_id"].isna()
        | df["signed_up_ts"].isna()
        | given_but_unparsed(df["loaded_at"], df["loaded_ts"])
        | ~df["customer_type"].isin(["b2b", "b2c"])
        | (df["signed_up_ts"] > df["loaded_ts"])
    )
    df = df[~bad].copy()
    df["loaded_at"] = df["loaded_ts"]
    df = keep_latest(df, ["customer_id"])
    df["signed_up_date"] = business_date(df["signed_up_ts"], tz)
    df["region"] = df["region"].str.lower().fillna("unknown")
    df["acquisition_channel"] = df["acquisition_channel"].str.lower().fillna("unknown")
    return df[["customer_id", "signed_up_date", "region", "customer_type", "acquisition_channel"]]


def stage_orders(raw: Path, tz: str, fx: pd.Series, channels: pd.DataFrame,
                 customer_ids: pd.Series) -> pd.DataFrame:
    df = read_raw(raw, "orders")
    df["ordered_ts"] = to_ts(df["ordered_at"])
    df["loaded_ts"] = to_ts(df["loaded_at"])
    df["status"] = df["status"].str.lower()
    df["currency"] = df["currency"].str.upper()
    amounts = ["gross_amount", "discount_amount", "refunded_amount", "cost_amount"]
    for column in amounts:
        df[column + "_num"] = to_num(df[column])
    bad = (
        df["order_id"].isna()
        | df["customer_id"].isna()
        | df["ordered_ts"].isna()
        | given_but_unparsed(df["loaded_at"], df["loaded_ts"])
        | df["gross_amount_num"].isna()
        | given_but_unparsed(df["discount_amount"], df["discount_amount_num"])
        | given_but_unparsed(df["refunded_amount"], df["refunded_amount_num"])
        | given_but_unparsed(df["cost_amount"], df["cost_amount_num"])
        | ~df["status"].isin(["completed", "pending", "cancelled", "refunded"])
        | ~df["currency"].isin(fx.index)
        | (df[[c + "_num" for c in amounts]] < 0).any(axis=1)
        | (df["ordered_ts"] > df["loaded_ts"])
        | ~df["customer_id"].isin(customer_ids)
    )
    df = df[~bad].copy()
    df["loaded_at"] = df["loaded_ts"]
    df = keep_latest(df, ["order_id"])
    rate = df["currency"].map(fx)
    df["gross_amount"] = round_cents(df["gross_amount_num"] * rate)
    df["discount_amount"] = round_cents(df["discount_amount_num"].fillna(0) * rate)
    df["refunded_amount"] = round_cents(df["refunded_amount_num"].fillna(0) * rate)
    df["cost_amount"] = round_cents(df["cost_amount_num"] * rate)
    df["ordered_date"] = business_date(df["ordered_ts"], tz)
    df["sales_channel"] = df["sales_channel"].str.lower().fillna("unknown")
    df["is_assisted"] = df["sales_channel"].map(channels["is_assisted"]).fillna(False).astype(bool)
    df["promo_code"] = df["promo_code"].str.lower()
    return df[["order_id", "customer_id", "ordered_ts", "ordered_date", "status", "gross_amount",
               "discount_amount", "refunded_amount", "cost_amount", "sales_channel", "is_assisted",
               "promo_code"]]


def stage_renewals(raw: Path, tz: str, fx: pd.Series, customer_ids: pd.Series) -> pd.DataFrame:
    df = read_raw(raw, "renewals")
    for column in ["period_start", "period_end", "renewed_at", "loaded_at"]:
        df[column + "_ts"] = to_ts(df[column])
    df["amount_num"] = to_num(df["amount"])
    df["billing_cycle"] = df["billing_cycle"].str.lower()
    df["status"] = df["status"].str.lower()
    df["currency"] = df["currency"].str.upper()
    bad = (
        df["subscription_id"].isna()
        | df["period_start"].isna()
        | df["customer_id"].isna()
        | df["period_start_ts"].isna()
        | df["period_end_ts"].isna()
        | given_but_unparsed(df["renewed_at"], df["renewed_at_ts"])
        | given_but_unparsed(df["loaded_at"], df["loaded_at_ts"])
        | df["amount_num"].isna()
        | ~df["billing_cycle"].isin(["month", "quarter", "year"])
        | (df["period_end_ts"] <= df["period_start_ts"])
        | ~df["status"].isin(["active", "renewed", "lapsed", "cancelled"])
        | ~df["currency"].isin(fx.index)
        | (df["amount_num"] < 0)
        | (df["period_start_ts"] > df["loaded_at_ts"])
        | ~df["customer_id"].isin(customer_ids)
    )
    df = df[~bad].copy()
    df["loaded_at"] = df["loaded_at_ts"]
    df["period_start"] = df["period_start_ts"]
    df = keep_latest(df, ["subscription_id", "period_start"])
    df["plan"] = df["plan"].str.lower().fillna("unknown")
    df["period_start_date"] = business_date(df["period_start_ts"], tz)
    df["period_end_date"] = business_date(df["period_end_ts"], tz)
    df["renewed_date"] = business_date(df["renewed_at_ts"], tz)
    df["amount"] = round_cents(df["amount_num"] * df["currency"].map(fx))
    return df[["subscription_id", "customer_id", "plan", "billing_cycle", "period_start",
               "period_start_date", "period_end_date", "renewed_date", "amount", "status"]]


def stage_feedback(raw: Path, tz: str, customer_ids: pd.Series) -> pd.DataFrame:
    df = read_raw(raw, "feedback")
    df["submitted_ts"] = to_ts(df["submitted_at"])
    df["loaded_ts"] = to_ts(df["loaded_at"])
    df["csat_num"] = to_num(df["csat"])
    df["nps_num"] = to_num(df["nps"])
    df["kind"] = df["kind"].str.lower()
    bad = (
        df["feedback_id"].isna()
        | df["customer_id"].isna()
        | df["submitted_ts"].isna()
        | given_but_unparsed(df["loaded_at"], df["loaded_ts"])
        | given_but_unparsed(df["csat"], df["csat_num"])
        | given_but_unparsed(df["nps"], df["nps_num"])
        | ~df["kind"].isin(["survey", "complaint", "review"])
        | (df["csat_num"].notna() & ~df["csat_num"].isin([1, 2, 3, 4, 5]))
        | (df["nps_num"].notna() & ~df["nps_num"].isin(range(11)))
        | (df["submitted_ts"] > df["loaded_ts"])
        | ~df["customer_id"].isin(customer_ids)
    )
    df = df[~bad].copy()
    df["loaded_at"] = df["loaded_ts"]
    df = keep_latest(df, ["feedback_id"])
    df["submitted_date"] = business_date(df["submitted_ts"], tz)
    return df[["feedback_id", "customer_id", "submitted_ts", "submitted_date", "kind",
               "csat_num", "nps_num"]].rename(columns={"csat_num": "csat", "nps_num": "nps"})


# --------------------------------------------------------------------------- per-customer signals

def subscription_payments(renewals: pd.DataFrame) -> pd.DataFrame:
    """Paid subscription periods as purchases (doc blocks `subscription_payment`, `purchase`): the
    first period paid on its start, a later one on the renewal of the period before it (or on its
    own start after a lapse); free periods are not purchases. Keyed like orders, dated `ordered_date`."""
    p = renewals.sort_values(["subscription_id", "customer_id", "period_start"]).copy()
    previous_renewed = p.groupby(["subscription_id", "customer_id"])["renewed_date"].shift()
    p["ordered_date"] = previous_renewed.fillna(p["period_start_date"])
    p = p[p["amount"] > 0]
    return pd.DataFrame({
        "order_id": p["subscription_id"] + "|" + p["period_start"].astype(str),
        "customer_id": p["customer_id"],
        "ordered_date": p["ordered_date"],
        "net_amount": p["amount"],
        "margin_amount": np.nan,
        "is_discounted": np.nan,
        "is_assisted": np.nan,
    })


def purchases_per_customer(purchases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """First/last purchase, recency, frequency, monetary, margin, rhythm (int_customers_purchases_aggregated)."""
    g = purchases.groupby("customer_id")
    agg = pd.DataFrame({
        "first_purchase_date": g["ordered_date"].min(),
        "last_purchase_date": g["ordered_date"].max(),
        "frequency": g["order_id"].nunique(),
        "monetary": g["net_amount"].sum().round(2),
        "margin": g["margin_amount"].sum(min_count=1).round(2),
    })
    agg["recency_days"] = days_between(as_of, agg["last_purchase_date"])
    agg["has_non_positive_revenue"] = agg["monetary"] <= 0

    days = purchases[["customer_id", "ordered_date"]].drop_duplicates().sort_values(["customer_id", "ordered_date"])
    days["gap_days"] = days.groupby("customer_id")["ordered_date"].diff().dt.days
    gaps = days.dropna(subset=["gap_days"]).groupby("customer_id")["gap_days"]
    agg["median_purchase_gap_days"] = gaps.median()
    agg["max_purchase_gap_days"] = gaps.max()
    return agg


def rfm_scores(customers: pd.DataFrame, purchasers: pd.DataFrame, v: dict) -> pd.DataFrame:
    """Doc block `rfm`, default method value_cuts with the frequency fallback."""
    if v["rfm_method"] != "value_cuts" or v["rfm_frequency_method"] != "auto":
        raise SystemExit("pandas baseline implements rfm_method=value_cuts, rfm_frequency_method=auto only")
    p = purchasers[["recency_days", "frequency", "monetary", "has_non_positive_revenue"]].copy()
    n = len(p)
    paying = ~p["has_non_positive_revenue"]
    # w = customers with a strictly worse value; rank(method="min") - 1 counts exactly those.
    r_worse = p["recency_days"].rank(method="min", ascending=False) - 1
    f_worse = p["frequency"].rank(method="min") - 1
    m_worse = p.loc[paying, "monetary"].rank(method="min") - 1
    p["r_score"] = 1 + (5 * r_worse // n).astype(int) if n else pd.Series(dtype=int)
    f_computed = 1 + (5 * f_worse // n).astype(int) if n else pd.Series(dtype=int)
    p["m_score"] = (1 + (5 * m_worse // paying.sum()).astype(int)).reindex(p.index).fillna(1).astype(int)
    cuts = v["rfm_frequency_fixed_cuts"]
    f_fixed = pd.cut(p["frequency"], bins=[-np.inf, cuts[0] - 1, cuts[1] - 1, cuts[2] - 1, cuts[3] - 1, np.inf],
                     labels=[1, 2, 3, 4, 5]).astype(int)
    if f_computed.nunique() < 5:
        p["f_score"], p["f_score_method"] = f_fixed, "fixed_buckets"
    else:
        p["f_score"], p["f_score_method"] = f_computed, "value_cuts"

    out = customers[["customer_id"]].merge(p, left_on="customer_id", right_index=True, how="left")
    if n >= v["rfm_min_customers"]:
        out["rfm_status"] = np.where(out["frequency"].isna(), "prospect", "scored")
        scored = out["rfm_status"] == "scored"
        out["rfm_cell"] = (out["r_score"].astype("Int64").astype(str) + out["f_score"].astype("Int64").astype(str)
                           + out["m_score"].astype("Int64").astype(str)).where(scored)
    else:
        out["rfm_status"] = np.where(out["frequency"].isna(), "prospect", "population_too_small")
        out[["r_score", "f_score", "m_score", "f_score_method"]] = None
        out["rfm_cell"] = None
    out["has_non_positive_revenue"] = out["has_non_positive_revenue"].fillna(False).astype(bool)
    return out


def abc_classes(purchasers: pd.DataFrame, column: str, v: dict) -> pd.Series:
    """Doc block `abc_class`: the share *before* a customer decides its class."""
    d = purchasers[[column]].dropna().reset_index().sort_values([column, "customer_id"], ascending=[False, True])
    positive = d[column] > 0
    total = d.loc[positive, column].sum()
    running = d[column].where(positive, 0).cumsum()
    before = running - d[column]
    cls = np.where(~positive, "C",
                   np.where(before < v["abc_cutoff_a"] * total, "A",
                            np.where(before < v["abc_cutoff_b"] * total, "B", "C")))
    return pd.Series(cls, index=d["customer_id"].values)


def subscription_periods(renewals: pd.DataFrame, customer_ids: pd.Series, as_of: pd.Timestamp, v: dict) -> pd.DataFrame:
    """int_subscription_periods_as_of: visible periods, renewal as of the date, latest period."""
    p = renewals[renewals["customer_id"].isin(customer_ids) & (renewals["period_start_date"] <= as_of)].copy()
    p["renewed_date"] = p["renewed_date"].where(p["renewed_date"] <= as_of)
    p["is_renewed"] = p["renewed_date"].notna()
    p["has_ended"] = p["period_end_date"] <= as_of
    p["cycle_nominal_days"] = p["billing_cycle"].map(CYCLE_DAYS)
    p["cycle_months"] = p["billing_cycle"].map(CYCLE_MONTHS)
    p["renewal_delay_days"] = days_between(p["renewed_date"], p["period_end_date"])
    p["is_renewed_on_time"] = p["has_ended"] & (p["renewal_delay_days"] <= v["renewal_grace_days"])
    p = p.sort_values(["customer_id", "subscription_id", "period_start"])
    p["is_latest_period"] = ~p.duplicated(["customer_id", "subscription_id"], keep="last")
    renewed = p[p["is_renewed"]]
    p["renewal_interval_days"] = renewed.groupby(["customer_id", "subscription_id"])["renewed_date"].diff().dt.days
    return p


def renewal_cadence(periods: pd.DataFrame, as_of: pd.Timestamp, v: dict) -> pd.DataFrame:
    """int_customers_renewal_cadence (doc block `renewal_cadence`)."""
    latest = periods[periods["is_latest_period"]].copy()
    latest["is_active"] = latest["is_renewed"] | (days_between(as_of, latest["period_end_date"]) <= v["renewal_grace_days"])
    latest["next_due_date"] = latest["period_end_date"]
    for months in latest["cycle_months"].unique():
        rows = latest["is_renewed"] & (latest["cycle_months"] == months)
        latest.loc[rows, "next_due_date"] = latest.loc[rows, "period_end_date"] + pd.DateOffset(months=int(months))
    latest["active_due_date"] = latest["next_due_date"].where(latest["is_active"])
    states = latest.groupby("customer_id").agg(
        active_subscriptions_count=("is_active", "sum"),
        next_renewal_due_date=("active_due_date", "min"),
    )
    totals = periods.groupby("customer_id").agg(
        renewals_count=("is_renewed", "sum"),
        median_renewal_interval_days=("renewal_interval_days", "median"),
        ended_periods_count=("has_ended", "sum"),
        on_time_renewals_count=("is_renewed_on_time", "sum"),
        first_period_start_date=("period_start_date", "min"),
    )
    cycles = periods.groupby(["customer_id", "billing_cycle", "cycle_nominal_days"]).size().reset_index(name="n")
    cycles = cycles.sort_values(["customer_id", "n", "cycle_nominal_days", "billing_cycle"],
                                ascending=[True, False, True, True])
    dominant = cycles.drop_duplicates("customer_id").set_index("customer_id")["cycle_nominal_days"]
    c = totals.join(states).join(dominant.rename("dominant_cycle_nominal_days"))
    interval = c["median_renewal_interval_days"].fillna(c["dominant_cycle_nominal_days"])
    c["cadence_class"] = np.where(interval <= v["cadence_high_max_days"], "high",
                                  np.where(interval <= v["cadence_medium_max_days"], "medium", "low"))
    c["renewal_tenure"] = np.where(c["renewals_count"] >= v["renewal_tenure_long_term_min"], "long_term",
                                   np.where(c["renewals_count"] >= v["renewal_tenure_returning_min"], "returning", "new"))
    c["subscription_state"] = np.where(c["active_subscriptions_count"] > 0, "active", "lapsed")
    overdue = days_between(as_of, c["next_renewal_due_date"]).clip(lower=0)
    c["days_overdue"] = overdue.where(c["subscription_state"] == "active")
    return c


def satisfaction(feedback: pd.DataFrame, customer_ids: pd.Series, as_of: pd.Timestamp, v: dict) -> pd.DataFrame:
    """int_customers_satisfaction_scored (doc block `satisfaction`)."""
    f = feedback[feedback["customer_id"].isin(customer_ids) & (feedback["submitted_date"] <= as_of)].copy()
    f["is_complaint"] = f["kind"] == "complaint"
    f["recent_complaint"] = f["is_complaint"] & (days_between(as_of, f["submitted_date"]) < v["complaint_window_days"])
    s = f.groupby("customer_id").agg(
        avg_csat=("csat", "mean"),
        complaints_recent=("recent_complaint", "sum"),
    )
    nps = f.dropna(subset=["nps"]).sort_values(["customer_id", "submitted_ts", "feedback_id"])
    s["latest_nps"] = nps.drop_duplicates("customer_id", keep="last").set_index("customer_id")["nps"]
    nps_class = pd.Series(np.select([s["latest_nps"] >= 9, s["latest_nps"] >= 7, s["latest_nps"] >= 0],
                                    ["promoter", "passive", "detractor"], default=None), index=s.index)
    low = ((nps_class == "detractor") | (s["avg_csat"] <= v["satisfaction_low_max_csat"])
           | (s["complaints_recent"] >= v["satisfaction_low_min_complaints"]))
    high = ((s["complaints_recent"] == 0) & (s["avg_csat"].notna() | s["latest_nps"].notna())
            & (s["avg_csat"].isna() | (s["avg_csat"] >= v["satisfaction_high_min_csat"]))
            & (nps_class.isna() | (nps_class == "promoter")))
    s["satisfaction_tier"] = np.where(low, "low", np.where(high, "high", "medium"))
    return s


def purchase_behaviour(purchases: pd.DataFrame, v: dict) -> pd.Series:
    """int_customers_purchase_behaviour (doc block `purchase_behaviour`): shares over the orders,
    the purchases whose discount and channel are known (NaN on subscription payments)."""
    b = purchases.groupby("customer_id").agg(
        orders=("is_discounted", "count"),
        discounted=("is_discounted", "sum"),
        assisted=("is_assisted", "sum"),
    )
    return pd.Series(np.select(
        [b["orders"] < v["behaviour_min_orders"],
         b["discounted"] / b["orders"] >= v["promo_driven_min_share"],
         b["assisted"] / b["orders"] >= v["guided_min_share"]],
        ["insufficient_history", "promotion_driven", "passive"], default="active"), index=b.index)


# --------------------------------------------------------------------------- marts

def customer_segments(customers, as_of, rfm, abc_revenue, abc_margin, cadence, sat, behaviour,
                      segment_map, segments) -> pd.DataFrame:
    cs = customers.merge(rfm, on="customer_id", how="left")
    cs["as_of_date"] = as_of
    cs["segment_code"] = cs["rfm_cell"].map(segment_map)
    cs.loc[cs["rfm_status"] == "prospect", "segment_code"] = "prospect"
    cs.loc[cs["rfm_status"] == "population_too_small", "segment_code"] = "unscored"
    labels = segments.set_index("segment_code")[["label_en", "label_zh", "suggested_action", "value_tier", "value_level"]]
    labels = labels.rename(columns={"label_en": "segment_label_en", "label_zh": "segment_label_zh"})
    cs = cs.merge(labels, left_on="segment_code", right_index=True, how="left")
    cs["abc_class_revenue"] = cs["customer_id"].map(abc_revenue)
    cs["abc_class_margin"] = cs["customer_id"].map(abc_margin)
    cs["cadence_class"] = cs["customer_id"].map(cadence["cadence_class"]).fillna("no_subscription")
    cs["subscription_state"] = cs["customer_id"].map(cadence["subscription_state"]).fillna("none")
    cs["satisfaction_tier"] = cs["customer_id"].map(sat["satisfaction_tier"]).fillna("unknown")
    cs["behaviour_class"] = cs["customer_id"].map(behaviour).fillna("no_orders")
    cs["service_level"] = np.select(
        [cs["abc_class_revenue"] == "A", cs["abc_class_revenue"] == "B", cs["value_tier"].isin(["vip", "active"])],
        ["dedicated_account_manager", "standard", "standard"], default="automated")
    return cs[["customer_id", "as_of_date", "region", "customer_type", "acquisition_channel", "signed_up_date",
               "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell", "rfm_status",
               "segment_code", "segment_label_en", "segment_label_zh", "suggested_action", "value_tier",
               "value_level", "abc_class_revenue", "abc_class_margin", "cadence_class", "subscription_state",
               "satisfaction_tier", "behaviour_class", "has_non_positive_revenue", "service_level"]]


def lifecycle_stage(customers, as_of, purchasers, cadence, v: dict) -> pd.DataFrame:
    lc = customers[["customer_id"]].merge(purchasers, left_on="customer_id", right_index=True, how="left")
    lc = lc.merge(cadence[["subscription_state", "days_overdue", "next_renewal_due_date", "first_period_start_date",
                           "renewal_tenure"]], left_on="customer_id", right_index=True, how="left")
    lc["as_of_date"] = as_of
    lc["subscription_state"] = lc["subscription_state"].fillna("none")
    has_purchases = lc["first_purchase_date"].notna()
    lc["frequency"] = lc["frequency"].fillna(0)
    first_start = lc[["first_purchase_date", "first_period_start_date"]].min(axis=1)
    active = lc["subscription_state"] == "active"
    recency = lc["recency_days"]
    rules = [
        (~has_purchases & (lc["subscription_state"] == "none"), "no_purchase_yet"),
        (~active & has_purchases & (recency >= v["lifecycle_churn_days"]), "no_order_within_churn_days"),
        (~active & ~has_purchases, "all_subscriptions_lapsed"),
        (active & (lc["days_overdue"] > 0), "renewal_overdue"),
        (~active & (recency >= v["lifecycle_at_risk_days"]), "silent_beyond_global_threshold"),
        (~active & lc["median_purchase_gap_days"].notna() & (recency >= v["lifecycle_at_risk_min_days"])
         & (recency > v["lifecycle_at_risk_rhythm_factor"] * lc["median_purchase_gap_days"]), "silent_beyond_own_rhythm"),
        (days_between(as_of, first_start) < v["lifecycle_new_max_days"], "first_purchase_within_new_days"),
        ((lc["frequency"] >= v["lifecycle_mature_min_orders"])
         & (days_between(as_of, lc["first_purchase_date"]) >= v["lifecycle_mature_min_tenure_days"]),
         "orders_and_tenure_reached"),
        (lc["renewal_tenure"] == "long_term", "long_term_renewer"),
    ]
    lc["stage_rule"] = np.select([c.fillna(False).astype(bool) for c, _ in rules], [r for _, r in rules],
                                 default="default_growing")
    stage_of_rule = {
        "no_purchase_yet": "prospect", "no_order_within_churn_days": "churned", "all_subscriptions_lapsed": "churned",
        "renewal_overdue": "at_risk", "silent_beyond_global_threshold": "at_risk", "silent_beyond_own_rhythm": "at_risk",
        "first_purchase_within_new_days": "new", "orders_and_tenure_reached": "mature", "long_term_renewer": "mature",
        "default_growing": "growing",
    }
    lc["stage"] = lc["stage_rule"].map(stage_of_rule)
    lc["returned_after_churn"] = (lc["max_purchase_gap_days"] >= v["lifecycle_churn_days"]).fillna(False)
    # SQL round() on a double rounds half away from zero; gaps are positive, so floor(x + 0.5).
    lc["expected_next_purchase_date"] = lc["last_purchase_date"] + pd.to_timedelta(
        np.floor(lc["median_purchase_gap_days"] + 0.5), unit="D")
    return lc[["customer_id", "as_of_date", "stage", "stage_rule", "returned_after_churn", "first_purchase_date",
               "last_purchase_date", "first_period_start_date", "recency_days", "frequency",
               "median_purchase_gap_days", "expected_next_purchase_date", "subscription_state",
               "next_renewal_due_date", "days_overdue"]]


def churn_cohort(purchases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    p = purchases[["customer_id", "ordered_date", "net_amount"]].copy()
    p["month"] = p["ordered_date"].dt.to_period("M")
    customers = p.groupby("customer_id")["month"].agg(["min", "max"]).rename(columns={"min": "cohort", "max": "last"})
    as_of_month = as_of.to_period("M")

    monthly = p.groupby(["customer_id", "month"])["net_amount"].sum().reset_index()
    monthly = monthly.merge(customers, left_on="customer_id", right_index=True)
    activity = monthly.groupby(["cohort", "month"]).agg(active_customers=("customer_id", "count"),
                                                       revenue=("net_amount", "sum")).reset_index()

    rows = []
    for cohort, members in customers.groupby("cohort"):
        last_months = members["last"]
        n_months = (as_of_month - cohort).n
        for k in range(n_months + 1):
            period = cohort + k
            rows.append((cohort, k, period, len(members), int((last_months < period).sum())))
    cells = pd.DataFrame(rows, columns=["cohort", "months_since_acquisition", "month", "cohort_size",
                                        "churned_customers"])
    cells = cells.merge(activity, on=["cohort", "month"], how="left")
    cells["active_customers"] = cells["active_customers"].fillna(0).astype(int)
    cells["revenue"] = cells["revenue"].fillna(0).round(2)
    cells["retention_rate"] = cells["active_customers"] / cells["cohort_size"]
    month0 = cells[cells["months_since_acquisition"] == 0].set_index("cohort")["revenue"]
    base = cells["cohort"].map(month0)
    cells["revenue_retention"] = (cells["revenue"] / base).where(base != 0)
    cells["is_partial_period"] = cells["month"] == as_of_month
    cells["cohort_month"] = cells["cohort"].dt.to_timestamp()
    cells["period_month"] = cells["month"].dt.to_timestamp()
    cells["as_of_date"] = as_of
    return cells[["cohort_month", "months_since_acquisition", "as_of_date", "period_month", "cohort_size", "active_customers",
                  "retention_rate", "churned_customers", "revenue", "revenue_retention", "is_partial_period"]]


def segment_summary(cs: pd.DataFrame, segments: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    per = cs.groupby("segment_code").agg(customers=("customer_id", "count"), revenue=("monetary", "sum"),
                                         avg_recency_days=("recency_days", "mean"),
                                         avg_frequency=("frequency", "mean"), avg_monetary=("monetary", "mean"))
    out = segments[["segment_code", "sort_order", "label_en", "label_zh", "value_tier"]].rename(
        columns={"label_en": "segment_label_en", "label_zh": "segment_label_zh"})
    out = out.merge(per, left_on="segment_code", right_index=True, how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0).round(2)
    total_customers, total_revenue = len(cs), cs["monetary"].sum()
    out["customer_share"] = out["customers"] / total_customers if total_customers else None
    out["revenue_share"] = out["revenue"] / total_revenue if total_revenue != 0 else None
    out["as_of_date"] = as_of
    return out[["segment_code", "as_of_date", "sort_order", "segment_label_en", "segment_label_zh", "value_tier", "customers",
                "customer_share", "revenue", "revenue_share", "avg_recency_days", "avg_frequency", "avg_monetary"]]


def renewal_reminders(periods: pd.DataFrame, cs: pd.DataFrame, as_of: pd.Timestamp, v: dict) -> pd.DataFrame:
    r = periods[periods["is_latest_period"] & ~periods["is_renewed"] & (periods["status"] != "cancelled")].copy()
    r["days_until_due"] = days_between(r["period_end_date"], as_of)
    r = r[(r["days_until_due"] >= -v["renewal_grace_days"]) & (r["days_until_due"] <= v["renewal_reminder_window_days"])]
    r["as_of_date"] = as_of
    r["due_date"] = r["period_end_date"]
    r["reminder_status"] = np.select([r["days_until_due"] > 0, r["days_until_due"] == 0], ["upcoming", "due_today"],
                                     default="overdue")
    r = r.merge(cs[["customer_id", "value_tier", "segment_code", "abc_class_revenue", "satisfaction_tier",
                    "service_level"]], on="customer_id", how="inner")
    return r[["subscription_id", "customer_id", "as_of_date", "plan", "billing_cycle", "due_date", "days_until_due",
              "reminder_status", "amount", "value_tier", "segment_code", "abc_class_revenue", "satisfaction_tier",
              "service_level"]]


# --------------------------------------------------------------------------- main

def build_marts(raw: Path) -> dict[str, pd.DataFrame]:
    v = load_vars()
    tz = v["business_timezone"]
    seeds = PROJECT / "seeds" / "reference"
    fx_table = pd.read_csv(seeds / "fx_rates.csv").set_index("currency")["base_per_unit"]
    fx = fx_table / fx_table[v["reporting_currency"]]
    channels = pd.read_csv(seeds / "sales_channels.csv").set_index("sales_channel")
    segment_map_csv = pd.read_csv(seeds / "rfm_segment_map.csv")
    segment_map = dict(zip(segment_map_csv["r_score"].astype(str) + segment_map_csv["f_score"].astype(str)
                           + segment_map_csv["m_score"].astype(str), segment_map_csv["segment_code"]))
    segments = pd.read_csv(seeds / "rfm_segments.csv")

    all_customers = stage_customers(raw, tz)
    orders = stage_orders(raw, tz, fx, channels, all_customers["customer_id"])
    renewals = stage_renewals(raw, tz, fx, all_customers["customer_id"])
    feedback = stage_feedback(raw, tz, all_customers["customer_id"])

    payments = subscription_payments(renewals)
    if v["as_of_date"]:
        as_of = pd.Timestamp(v["as_of_date"])
    else:
        as_of = max(orders.loc[orders["status"] == "completed", "ordered_date"].max(), payments["ordered_date"].max())
    customers = all_customers[all_customers["signed_up_date"] <= as_of]

    completed = orders[orders["status"] == "completed"].copy()
    completed["net_amount"] = completed["gross_amount"] - completed["discount_amount"] - completed["refunded_amount"]
    completed["margin_amount"] = completed["net_amount"] - completed["cost_amount"]
    completed["is_discounted"] = (completed["discount_amount"] > 0) | completed["promo_code"].notna()
    # doc block `purchase`: completed orders and paid subscription periods alike
    purchases = pd.concat([completed.astype({"is_discounted": float, "is_assisted": float}), payments],
                          ignore_index=True)
    purchases = purchases[(purchases["ordered_date"] <= as_of)
                          & purchases["customer_id"].isin(customers["customer_id"])].copy()

    purchasers = purchases_per_customer(purchases, as_of)
    rfm = rfm_scores(customers, purchasers, v)
    abc_revenue = abc_classes(purchasers, "monetary", v)
    abc_margin = abc_classes(purchasers, "margin", v)
    periods = subscription_periods(renewals, customers["customer_id"], as_of, v)
    cadence = renewal_cadence(periods, as_of, v)
    sat = satisfaction(feedback, customers["customer_id"], as_of, v)
    behaviour = purchase_behaviour(purchases, v)

    cs = customer_segments(customers, as_of, rfm, abc_revenue, abc_margin, cadence, sat, behaviour,
                           segment_map, segments)
    return {
        "customer_segments": cs,
        "lifecycle_stage": lifecycle_stage(customers, as_of, purchasers, cadence, v),
        "churn_cohort": churn_cohort(purchases, as_of),
        "segment_summary": segment_summary(cs, segments, as_of),
        "renewal_reminders": renewal_reminders(periods, cs, as_of, v),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder with customers/orders/renewals/feedback .parquet")
    parser.add_argument("--out", type=Path, required=True, help="folder for the mart .parquet files")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    marts = build_marts(args.raw)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in marts.items():
        frame.to_parquet(args.out / f"{name}.parquet", index=False)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 3),
                      "rows": {name: len(frame) for name, frame in marts.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
