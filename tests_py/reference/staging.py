"""Staging: parse the text-only raw files, quarantine bad rows with a reason, deduplicate.

Definitions followed: docs/raw-data-contract.md and the `reject_reason` doc block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, ROUND_HALF_UP, ROUND_HALF_EVEN
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

REASONS = ["missing_key", "missing_customer_id", "unparseable_date", "unparseable_number", "invalid_value",
           "unknown_status", "unknown_currency", "negative_amount", "future_dated", "implausible_date",
           "unknown_customer", "duplicate"]

# README raw data contract: `YYYY-MM-DD HH:MM:SS` (a `T` separator and fractional seconds accepted), or a
# date alone; text ending in a UTC offset or zone name is the instant it names (D71)
_TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6})\d*)?"
                    r"(?:\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]+/[A-Za-z_]+))?)?$")
# README: a dot as decimal separator; scientific notation (`1e3`) parses
_DEC_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


class Bad(Exception):
    pass


def clean(v) -> str | None:
    """Trim; blank (or absent) = missing."""
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    s = str(v).strip()
    return s or None


def parse_ts(s: str | None) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` (midnight), UTC (naive). Raises Bad when unparseable."""
    if s is None:
        return None
    m = _TS_RE.match(s)
    if not m:
        raise Bad(s)
    g = m.groups()
    parts = [int(p) if p is not None else 0 for p in g[:6]]
    micro = int((g[6] or "0").ljust(6, "0"))
    try:
        ts = datetime(*parts, micro)
    except ValueError as exc:  # 2024-02-30, hour 25 ...
        raise Bad(s) from exc
    zone = g[7]
    if zone is None:
        return ts
    if zone == "Z":
        tzinfo = timezone.utc
    elif zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        hh, mm = int(digits[:2]), int(digits[2:] or 0)
        tzinfo = timezone((1 if zone[0] == "+" else -1) * timedelta(hours=hh, minutes=mm))
    else:
        try:
            tzinfo = ZoneInfo(zone)
        except Exception as exc:  # unknown zone name
            raise Bad(s) from exc
    return ts.replace(tzinfo=tzinfo).astimezone(timezone.utc).replace(tzinfo=None)


class Plausible:
    """reject_reason doc block / D70: a date before var plausible_date_min, or after the moment the build
    started plus var plausible_date_max_lead_days (a fixed var plausible_date_max, when set, is that
    latest plausible moment instead: dbt_project.yml, README), is implausible."""

    def __init__(self, v: dict | None = None):
        v = v or {}
        self.lo = datetime.fromisoformat(str(v.get("plausible_date_min") or "1980-01-01"))
        fixed = v.get("plausible_date_max")
        if fixed not in (None, "", "null"):
            self.hi = datetime.fromisoformat(str(fixed)) + timedelta(days=1) - timedelta(microseconds=1)
        else:
            self.hi = (datetime.now(timezone.utc).replace(tzinfo=None)
                       + timedelta(days=int(v.get("plausible_date_max_lead_days", 1))))

    def bad(self, *ts, lower_only=()) -> bool:
        return (any(t is not None and not self.lo <= t <= self.hi for t in ts)
                or any(t is not None and t < self.lo for t in lower_only))


def parse_dec(s: str | None) -> Decimal | None:
    if s is None:
        return None
    if not _DEC_RE.match(s):
        raise Bad(s)
    return Decimal(s)


def parse_score(s: str | None) -> Decimal | None:
    """README: scores are whole numbers; `4.0` reads as 4, `4.5` parses but is an invalid_value."""
    return parse_dec(s)


def whole(d: Decimal | None) -> bool:
    return d is None or d == d.to_integral_value()


def business_date(ts: datetime | None, tz: str) -> date | None:
    if ts is None or pd.isna(ts):
        return None
    if isinstance(ts, pd.Timestamp):
        ts = ts.to_pydatetime()
    return ts.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()


def to_cents(amount: Decimal | None, rate: Decimal, rounding=ROUND_HALF_UP) -> Decimal | None:
    """Convert to the reporting currency and round to cents (ROUND_HALF_UP = half away from zero)."""
    if amount is None:
        return None
    return (amount * rate).quantize(Decimal("0.01"), rounding=rounding)


def read_raw(raw_dir: Path, name: str) -> list[dict]:
    df = pd.read_csv(Path(raw_dir) / f"{name}.csv", dtype=str, keep_default_na=False, na_filter=False,
                     encoding="utf-8")
    return df.to_dict("records")


@dataclass
class Staged:
    clean: pd.DataFrame
    rejected: pd.DataFrame


def _finish(rows: list[dict], key_cols: list[str], cols: list[str]) -> Staged:
    """Rows carry `_reason` (None when valid) and `_loaded_at`. Dedup valid rows by key: latest loaded wins."""
    valid = [r for r in rows if r["_reason"] is None]
    groups: dict[tuple, list[dict]] = {}
    for r in valid:
        groups.setdefault(tuple(r[k] for k in key_cols), []).append(r)
    for grp in groups.values():
        if len(grp) == 1:
            continue
        # latest loaded_at wins; ties broken deterministically (here: by the raw row's text, highest first)
        # README: a blank loaded_at is "loaded before any dated row"
        grp.sort(key=lambda r: (r["_loaded_at"] or datetime.min, tuple(str(r["_raw"].get(c)) for c in sorted(r["_raw"]))),
                 reverse=True)
        for r in grp[1:]:
            r["_reason"] = "duplicate"
    good = [{c: r[c] for c in cols} for r in rows if r["_reason"] is None]
    bad = [{**{f"raw_{k}": v for k, v in r["_raw"].items()}, "reject_reason": r["_reason"]}
           for r in rows if r["_reason"] is not None]
    return Staged(pd.DataFrame(good, columns=cols, dtype=object), pd.DataFrame(bad, dtype=object))


def _first(checks) -> str | None:
    for reason, failed in checks:
        if failed():
            return reason
    return None


def _try(fn, s):
    try:
        return fn(s), False
    except Bad:
        return None, True


def stage_customers(raw_dir: Path, pl: Plausible) -> Staged:
    out = []
    for raw in read_raw(raw_dir, "customers"):
        v = {k: clean(x) for k, x in raw.items()}
        signed, bad_s = _try(parse_ts, v.get("signed_up_at"))
        loaded, bad_l = _try(parse_ts, v.get("loaded_at"))
        ctype = v["customer_type"].lower() if v.get("customer_type") else None
        reason = _first([
            ("missing_key", lambda: v.get("customer_id") is None),
            ("unparseable_date", lambda: bad_s or bad_l or signed is None),
            ("invalid_value", lambda: ctype not in ("b2b", "b2c")),
            ("future_dated", lambda: loaded is not None and signed > loaded),
            ("implausible_date", lambda: pl.bad(signed, loaded)),
        ])
        out.append({"_raw": raw, "_reason": reason, "_loaded_at": loaded,
                    "customer_id": v.get("customer_id"), "signed_up_at": signed,
                    # README: free-text categories are lower-cased
                    "region": (v.get("region") or "unknown").lower(), "customer_type": ctype,
                    "acquisition_channel": (v.get("acquisition_channel") or "unknown").lower(), "loaded_at": loaded})
    return _finish(out, ["customer_id"], ["customer_id", "signed_up_at", "region", "customer_type",
                                          "acquisition_channel", "loaded_at"])


ORDER_STATUSES = ("completed", "pending", "cancelled", "refunded")


def stage_orders(raw_dir: Path, customer_ids: set, fx: dict[str, Decimal], pl: Plausible) -> Staged:
    out = []
    for raw in read_raw(raw_dir, "orders"):
        v = {k: clean(x) for k, x in raw.items()}
        ordered, bad_o = _try(parse_ts, v.get("ordered_at"))
        loaded, bad_l = _try(parse_ts, v.get("loaded_at"))
        gross, bad_g = _try(parse_dec, v.get("gross_amount"))
        disc, bad_d = _try(parse_dec, v.get("discount_amount"))
        ref, bad_r = _try(parse_dec, v.get("refunded_amount"))
        cost, bad_c = _try(parse_dec, v.get("cost_amount"))
        status = v["status"].lower() if v.get("status") else None
        cur = v["currency"].upper() if v.get("currency") else None
        amounts = [a for a in (gross, disc, ref, cost) if a is not None]
        reason = _first([
            ("missing_key", lambda: v.get("order_id") is None),
            ("missing_customer_id", lambda: v.get("customer_id") is None),
            ("unparseable_date", lambda: bad_o or bad_l or ordered is None),
            ("unparseable_number", lambda: bad_g or bad_d or bad_r or bad_c or gross is None),
            ("unknown_status", lambda: status not in ORDER_STATUSES),
            ("unknown_currency", lambda: cur not in fx),
            ("negative_amount", lambda: any(a < 0 for a in amounts)),
            ("future_dated", lambda: loaded is not None and ordered > loaded),
            ("implausible_date", lambda: pl.bad(ordered, loaded)),
            ("unknown_customer", lambda: v.get("customer_id") not in customer_ids),
        ])
        out.append({"_raw": raw, "_reason": reason, "_loaded_at": loaded,
                    "order_id": v.get("order_id"), "customer_id": v.get("customer_id"), "ordered_at": ordered,
                    "status": status, "currency": cur, "gross_amount": gross,
                    "discount_amount": disc if disc is not None else Decimal(0),
                    "refunded_amount": ref if ref is not None else Decimal(0), "cost_amount": cost,
                    "sales_channel": v["sales_channel"].lower() if v.get("sales_channel") else None,
                    "promo_code": v.get("promo_code"), "loaded_at": loaded})
    return _finish(out, ["order_id"], ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount",
                                       "discount_amount", "refunded_amount", "cost_amount", "sales_channel",
                                       "promo_code", "loaded_at"])


RENEWAL_STATUSES = ("active", "renewed", "lapsed", "cancelled")
BILLING_CYCLES = ("month", "quarter", "year")


def stage_renewals(raw_dir: Path, customer_ids: set, fx: dict[str, Decimal], pl: Plausible) -> Staged:
    out = []
    for raw in read_raw(raw_dir, "renewals"):
        v = {k: clean(x) for k, x in raw.items()}
        ps, bad_ps = _try(parse_ts, v.get("period_start"))
        pe, bad_pe = _try(parse_ts, v.get("period_end"))
        rn, bad_rn = _try(parse_ts, v.get("renewed_at"))
        loaded, bad_l = _try(parse_ts, v.get("loaded_at"))
        amount, bad_a = _try(parse_dec, v.get("amount"))
        cycle = v["billing_cycle"].lower() if v.get("billing_cycle") else None
        status = v["status"].lower() if v.get("status") else None
        cur = v["currency"].upper() if v.get("currency") else None
        reason = _first([
            # the natural key is (subscription_id, period_start): a blank period_start is a missing key
            ("missing_key", lambda: v.get("subscription_id") is None or v.get("period_start") is None),
            ("missing_customer_id", lambda: v.get("customer_id") is None),
            ("unparseable_date", lambda: bad_ps or bad_pe or bad_rn or bad_l or pe is None),
            ("unparseable_number", lambda: bad_a or amount is None),
            # contract: period_end is "after period_start", so an end on or before the start is invalid
            ("invalid_value", lambda: cycle not in BILLING_CYCLES or pe <= ps),
            ("unknown_status", lambda: status not in RENEWAL_STATUSES),
            ("unknown_currency", lambda: cur not in fx),
            ("negative_amount", lambda: amount < 0),
            ("future_dated", lambda: loaded is not None and (ps > loaded or (rn is not None and rn > loaded))),
            # a period may end in the future: its end is checked from below only
            ("implausible_date", lambda: pl.bad(ps, rn, loaded, lower_only=(pe,))),
            ("unknown_customer", lambda: v.get("customer_id") not in customer_ids),
        ])
        out.append({"_raw": raw, "_reason": reason, "_loaded_at": loaded,
                    "subscription_id": v.get("subscription_id"), "customer_id": v.get("customer_id"),
                    "plan": (v.get("plan") or "unknown").lower(), "billing_cycle": cycle, "period_start": ps,
                    "period_end": pe, "renewed_at": rn, "amount": amount, "currency": cur, "status": status,
                    "loaded_at": loaded})
    return _finish(out, ["subscription_id", "period_start"],
                   ["subscription_id", "customer_id", "plan", "billing_cycle", "period_start", "period_end",
                    "renewed_at", "amount", "currency", "status", "loaded_at"])


FEEDBACK_KINDS = ("survey", "complaint", "review")


def stage_feedback(raw_dir: Path, customer_ids: set, pl: Plausible) -> Staged:
    out = []
    for raw in read_raw(raw_dir, "feedback"):
        v = {k: clean(x) for k, x in raw.items()}
        sub, bad_s = _try(parse_ts, v.get("submitted_at"))
        loaded, bad_l = _try(parse_ts, v.get("loaded_at"))
        csat, bad_c = _try(parse_score, v.get("csat"))
        nps, bad_n = _try(parse_score, v.get("nps"))
        kind = v["kind"].lower() if v.get("kind") else None
        reason = _first([
            ("missing_key", lambda: v.get("feedback_id") is None),
            ("missing_customer_id", lambda: v.get("customer_id") is None),
            ("unparseable_date", lambda: bad_s or bad_l or sub is None),
            ("unparseable_number", lambda: bad_c or bad_n),
            ("invalid_value", lambda: kind not in FEEDBACK_KINDS or not whole(csat) or not whole(nps)
             or (csat is not None and not 1 <= csat <= 5)
             or (nps is not None and not 0 <= nps <= 10)),
            ("future_dated", lambda: loaded is not None and sub > loaded),
            ("implausible_date", lambda: pl.bad(sub, loaded)),
            ("unknown_customer", lambda: v.get("customer_id") not in customer_ids),
        ])
        out.append({"_raw": raw, "_reason": reason, "_loaded_at": loaded,
                    "feedback_id": v.get("feedback_id"), "customer_id": v.get("customer_id"),
                    "submitted_at": sub, "kind": kind, "csat": None if csat is None else int(csat),
                    "nps": None if nps is None else int(nps),
                    "comment_length": len(v["comment"]) if v.get("comment") else None, "loaded_at": loaded})
    return _finish(out, ["feedback_id"], ["feedback_id", "customer_id", "submitted_at", "kind", "csat", "nps",
                                          "comment_length", "loaded_at"])


def stage_all(raw_dir: Path, fx: dict[str, Decimal], v: dict | None = None) -> dict[str, Staged]:
    pl = Plausible(v)
    cust = stage_customers(raw_dir, pl)
    ids = set(cust.clean["customer_id"])
    return {"customers": cust, "orders": stage_orders(raw_dir, ids, fx, pl),
            "renewals": stage_renewals(raw_dir, ids, fx, pl), "feedback": stage_feedback(raw_dir, ids, pl)}


__all__ = ["stage_all", "business_date", "to_cents", "ROUND_HALF_UP", "ROUND_HALF_EVEN", "REASONS"]
