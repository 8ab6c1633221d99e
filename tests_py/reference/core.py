"""Intermediate models and marts of the reference implementation.

Every rule cites the doc block of models/_docs.md it follows. Dates are business dates
(UTC timestamp converted to var `business_timezone`, then the date).
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction
from pathlib import Path

import pandas as pd

from .staging import business_date, stage_all, to_cents

PROJECT = Path(__file__).resolve().parents[2]

SEGMENT_GRID = {  # rfm_segment doc block: rows R = 5..1, columns FM = 1..5
    5: ["new_customers", "promising", "potential_loyalist", "champions", "champions"],
    4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"],
    3: ["about_to_sleep", "need_attention", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "about_to_sleep", "at_risk", "at_risk", "cant_lose"],
    1: ["lost", "hibernating", "at_risk", "cant_lose", "cant_lose"],
}
VALUE_TIER = {  # value_tier doc block
    "champions": "vip", "loyal": "vip", "cant_lose": "vip",
    "potential_loyalist": "active", "need_attention": "active",
    "new_customers": "potential", "promising": "potential",
    "about_to_sleep": "ordinary", "at_risk": "ordinary", "hibernating": "ordinary", "lost": "ordinary",
}
VALUE_LEVEL = {"vip": "high", "active": "medium", "potential": "medium", "ordinary": "low"}
CYCLE_DAYS = {"month": 30, "quarter": 91, "year": 365}
CYCLE_MONTHS = {"month": 1, "quarter": 3, "year": 12}
CYCLE_ORDER = {"month": 0, "quarter": 1, "year": 2}
PURCHASE_COLS = ["purchase_id", "purchase_source", "order_id", "subscription_id", "customer_id", "purchased_at",
                 "purchase_date", "gross_amount", "discount_amount", "refunded_amount", "net_amount", "cost_amount",
                 "margin_amount", "is_discounted", "is_assisted", "sales_channel"]


def segment_map_from_grid() -> dict[str, str]:
    out = {}
    for r in range(1, 6):
        for f in range(1, 6):
            for m in range(1, 6):
                out[f"{r}{f}{m}"] = SEGMENT_GRID[r][math.ceil((f + m) / 2) - 1]
    return out


def load_vars(overrides: dict | None = None, project_dir: Path = PROJECT) -> dict:
    import yaml

    with open(project_dir / "dbt_project.yml", encoding="utf-8") as fh:
        v = dict(yaml.safe_load(fh)["vars"])
    v.update(overrides or {})
    return v


def load_seeds(project_dir: Path = PROJECT):
    ref = project_dir / "seeds" / "reference"
    fx_df = pd.read_csv(ref / "fx_rates.csv", dtype=str)
    fx = {r.currency.strip().upper(): Decimal(r.base_per_unit.strip()) for r in fx_df.itertuples()}
    ch_df = pd.read_csv(ref / "sales_channels.csv", dtype=str)
    channels = {r.sales_channel.strip().lower(): r.is_assisted.strip().lower() == "true" for r in ch_df.itertuples()}
    return fx, channels


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31][m - 1]
    return date(y, m, min(d.day, last))


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _median(xs):
    return float(statistics.median(xs)) if xs else None


_STAGE_CACHE: dict = {}


# ---------------------------------------------------------------------------------------------
def compute_all(raw_dir, vars: dict | None = None, project_dir: Path = PROJECT, rounding=ROUND_HALF_UP,
                net_rounding: str = "each") -> dict[str, pd.DataFrame]:
    """Compute every model. ``vars`` are overrides of dbt_project.yml vars (e.g. as_of_date).

    ``rounding``/``net_rounding`` exist only to test alternative readings of the net_revenue doc:
    net_rounding='each' rounds gross, discount and refund separately (literal "each converted ...
    and rounded to cents"); 'net' converts the net amount and rounds once.
    """
    V = load_vars(vars, project_dir)
    tz = V["business_timezone"]
    fx, channels = load_seeds(project_dir)
    rep = str(V["reporting_currency"]).upper()
    cache_key = (str(Path(raw_dir).resolve()), tuple(sorted(fx.items())))
    staged = _STAGE_CACHE.get(cache_key)
    if staged is None:
        staged = _STAGE_CACHE[cache_key] = stage_all(Path(raw_dir), fx, V)
    cust = staged["customers"].clean
    orders = staged["orders"].clean
    ren = staged["renewals"].clean
    fb = staged["feedback"].clean
    out: dict[str, pd.DataFrame] = {}
    for name, st in staged.items():
        out[f"stg_raw__{name}"] = st.clean
        out[f"stg_raw__{name}_rejected"] = st.rejected

    # ---------------- purchase doc block: which sources count (var purchase_sources)
    sources = V.get("purchase_sources", ["orders", "renewals"])
    if isinstance(sources, str):
        sources = [sources]
    sources = {str(x).strip().lower() for x in sources}
    bad = sources - {"orders", "renewals"}
    if bad or not sources:
        raise ValueError(f"purchase_sources must be orders and/or renewals, got {sorted(sources)}")

    # ---------------- subscription_payment doc block (every date; the as-of cut comes later)
    pay = _subscription_payments(ren, fx, rep, tz, rounding)
    out["int_subscription_payments"] = pay

    # ---------------- as_of_date doc block: latest purchase date of the counted sources
    orders = orders.assign(ordered_date=[business_date(t, tz) for t in orders["ordered_at"]])
    dates = []
    if "orders" in sources:
        dates += list(orders.loc[orders["status"] == "completed", "ordered_date"])
    if "renewals" in sources:
        dates += list(pay.loc[pay["is_paid"], "paid_date"])
    if not dates:
        raise ValueError("no purchase of the sources in purchase_sources: nothing to tier")
    latest = max(dates)  # the as-of date a run without the var takes
    if V.get("as_of_date") not in (None, "", "null"):
        as_of = date.fromisoformat(str(V["as_of_date"]))
    else:
        as_of = latest
    out["int_as_of_date"] = pd.DataFrame({"as_of_date": [as_of], "latest_purchase_date": [latest]})

    # customers who signed up after the as-of date are invisible
    cust = cust.assign(signed_up_date=[business_date(t, tz) for t in cust["signed_up_at"]])
    cao = cust[cust["signed_up_date"] <= as_of].sort_values("customer_id").reset_index(drop=True)
    out["int_customers_as_of"] = cao[["customer_id", "signed_up_date", "region", "customer_type",
                                      "acquisition_channel"]].copy()
    visible = set(cao["customer_id"])
    all_ids = list(cao["customer_id"])

    # ---------------- purchase + net_revenue doc blocks
    prow = []
    if "orders" in sources:
        p = orders[(orders["status"] == "completed") & (orders["ordered_date"] <= as_of)
                   & orders["customer_id"].isin(visible)].copy()
        for r in p.itertuples(index=False):
            rate = fx[r.currency] / fx[rep]
            g = to_cents(r.gross_amount, rate, rounding)
            d = to_cents(r.discount_amount, rate, rounding)
            f = to_cents(r.refunded_amount, rate, rounding)
            if net_rounding == "each":
                net = g - d - f
            else:
                net = to_cents(r.gross_amount - r.discount_amount - r.refunded_amount, rate, rounding)
            c = to_cents(r.cost_amount, rate, rounding)
            sc = r.sales_channel or "unknown"
            prow.append({"purchase_id": r.order_id, "purchase_source": "order", "order_id": r.order_id,
                         "subscription_id": None, "customer_id": r.customer_id, "purchased_at": r.ordered_at,
                         "purchase_date": r.ordered_date,
                         "gross_amount": g, "discount_amount": d, "refunded_amount": f, "net_amount": net,
                         "cost_amount": c, "margin_amount": (net - c) if c is not None else None,
                         "is_discounted": bool(r.discount_amount > 0 or r.promo_code is not None),
                         "is_assisted": channels.get(sc, False), "sales_channel": sc})
    if "renewals" in sources:
        # a paid period (amount above zero), paid on or before the as-of date, by a customer of the run;
        # a subscription payment has no discount, refund, cost, channel (NULL where unknown)
        for r in pay[pay["is_paid"] & (pay["paid_date"] <= as_of) & pay["customer_id"].isin(visible)].itertuples(
                index=False):
            prow.append({"purchase_id": r.subscription_period_id, "purchase_source": "subscription",
                         "order_id": None, "subscription_id": r.subscription_id, "customer_id": r.customer_id,
                         "purchased_at": r.paid_at, "purchase_date": r.paid_date,
                         "gross_amount": r.amount, "discount_amount": Decimal("0.00"),
                         "refunded_amount": Decimal("0.00"), "net_amount": r.amount, "cost_amount": None,
                         "margin_amount": None, "is_discounted": None, "is_assisted": None, "sales_channel": None})
    pur = pd.DataFrame(prow, columns=PURCHASE_COLS)
    out["int_purchases_as_of"] = pur

    # ---------------- aggregated purchases
    by_cust: dict[str, list[dict]] = defaultdict(list)
    for r in prow:
        by_cust[r["customer_id"]].append(r)
    agg = {}
    for cid, rows in by_cust.items():
        days = sorted({r["purchase_date"] for r in rows})
        gaps = [(b - a).days for a, b in zip(days, days[1:])]
        costs = [r for r in rows if r["cost_amount"] is not None]
        monetary = sum((r["net_amount"] for r in rows), Decimal(0))
        agg[cid] = {"customer_id": cid, "first_purchase_date": days[0], "last_purchase_date": days[-1],
                    "recency_days": (as_of - days[-1]).days, "tenure_days": (as_of - days[0]).days,
                    "frequency": len({r["purchase_id"] for r in rows}), "purchase_days": len(days),
                    "monetary": monetary,
                    "margin": sum((r["margin_amount"] for r in costs), Decimal(0)) if costs else None,
                    "purchases_with_cost": len(costs), "has_non_positive_revenue": monetary <= 0,
                    "median_purchase_gap_days": _median(gaps), "max_purchase_gap_days": max(gaps) if gaps else None,
                    "_days": days}
    agg_cols = ["customer_id", "first_purchase_date", "last_purchase_date", "recency_days", "tenure_days",
                "frequency", "purchase_days", "monetary", "margin", "purchases_with_cost",
                "has_non_positive_revenue", "median_purchase_gap_days", "max_purchase_gap_days"]
    out["int_customers_purchases_aggregated"] = pd.DataFrame(
        [{k: a[k] for k in agg_cols} for a in sorted(agg.values(), key=lambda a: a["customer_id"])], columns=agg_cols)

    # ---------------- rfm doc block
    rfm, cuts = _rfm(agg, all_ids, V)
    out["int_customers_rfm_scored"] = rfm
    out["int_rfm_cut_points"] = cuts

    # ---------------- abc_class doc block
    abc = _abc(agg, V)
    out["int_customers_abc_classified"] = abc

    # ---------------- renewal_cadence doc block
    cad, subs = _renewals(ren, visible, as_of, V, tz)
    out["int_customers_renewal_cadence"] = cad

    # ---------------- satisfaction doc block
    out["int_customers_satisfaction_scored"] = _satisfaction(fb, visible, as_of, V, tz)

    # ---------------- purchase_behaviour doc block
    out["int_customers_purchase_behaviour"] = _behaviour(by_cust, V)

    # ---------------- clv_inputs doc block
    out["int_customers_clv_inputs"] = _clv(by_cust, agg, as_of, V)

    # ---------------- marts
    out["customer_segments"] = _customer_segments(cao, as_of, rfm, abc, cad, out["int_customers_satisfaction_scored"],
                                                  out["int_customers_purchase_behaviour"], project_dir)
    out["lifecycle_stage"] = _lifecycle(all_ids, agg, cad, as_of, V)
    out["churn_cohort"] = _churn_cohort(by_cust, agg, as_of, int(V["churn_cohort_max_months"]))
    out["segment_summary"] = _segment_summary(out["customer_segments"], agg, project_dir).assign(as_of_date=as_of)
    out["renewal_reminders"] = _reminders(subs, as_of, V)
    out["subscription_cohort"] = _subscription_cohort(pay, visible, as_of, V)
    return out


# ---------------------------------------------------------------------------------------------
def _value_cut_scores(values: dict[str, object], worse) -> dict[str, int]:
    """score = 1 + floor(5 w / N), w = customers strictly worse. O(N log N) via sorting."""
    n = len(values)
    if n == 0:
        return {}
    srt = sorted(values.values(), key=lambda x: x)
    import bisect

    out = {}
    for cid, v in values.items():
        if worse == "greater":  # recency: worse = strictly greater
            w = n - bisect.bisect_right(srt, v)
        else:  # frequency, monetary: worse = strictly smaller
            w = bisect.bisect_left(srt, v)
        out[cid] = 1 + (5 * w) // n
    return out


def _rank_bin_scores(values: dict[str, object], worse) -> dict[str, int]:
    """ntile(5) ordered from worst to best, ties by customer_id ascending."""
    n = len(values)
    if worse == "greater":
        order = sorted(values, key=lambda c: (-values[c], c)) if n else []
    else:
        order = sorted(values, key=lambda c: (values[c], c))
    out = {}
    base, extra = divmod(n, 5)
    i = 0
    for b in range(5):
        size = base + (1 if b < extra else 0)
        for c in order[i:i + size]:
            out[c] = b + 1
        i += size
    return out


def _rfm(agg, all_ids, V):
    pop = sorted(agg)
    n = len(pop)
    method = V["rfm_method"]
    fmethod = V["rfm_frequency_method"]
    fixed = [int(x) for x in V["rfm_frequency_fixed_cuts"]]
    too_small = n < int(V["rfm_min_customers"])
    rec = {c: agg[c]["recency_days"] for c in pop}
    frq = {c: agg[c]["frequency"] for c in pop}
    mon_pos = {c: agg[c]["monetary"] for c in pop if agg[c]["monetary"] > 0}
    scorer = _value_cut_scores if method == "value_cuts" else _rank_bin_scores
    r_s = scorer(rec, "greater")
    f_s = scorer(frq, "smaller")
    m_s = scorer(mon_pos, "smaller")
    m_s.update({c: 1 for c in pop if c not in mon_pos})
    f_method = method
    if method == "value_cuts":
        empty_bin = n > 0 and len(set(f_s.values())) < 5
        use_fixed = fmethod == "fixed" or (fmethod == "auto" and empty_bin)
    else:
        use_fixed = fmethod == "fixed"
    if use_fixed:
        f_s = {c: 1 + sum(1 for cut in fixed if frq[c] >= cut) for c in pop}
        f_method = "fixed_buckets"
    rows = []
    for cid in all_ids:
        a = agg.get(cid)
        if a is None:
            rows.append({"customer_id": cid, "recency_days": None, "frequency": None, "monetary": None,
                         "r_score": None, "f_score": None, "m_score": None, "rfm_cell": None,
                         "rfm_status": "prospect", "has_non_positive_revenue": False})
            continue
        if too_small:
            r = f = m = None
            status = "population_too_small"
        else:
            r, f, m = r_s[cid], f_s[cid], m_s[cid]
            status = "scored"
        rows.append({"customer_id": cid, "recency_days": a["recency_days"], "frequency": a["frequency"],
                     "monetary": a["monetary"], "r_score": r, "f_score": f, "m_score": m,
                     "rfm_cell": f"{r}{f}{m}" if r is not None else None, "rfm_status": status,
                     "has_non_positive_revenue": a["has_non_positive_revenue"]})
    rfm = pd.DataFrame(rows)
    cuts = []
    for dim, scores, vals, meth in (("recency", r_s, rec, method), ("frequency", f_s, frq, f_method),
                                    ("monetary", m_s, {c: agg[c]["monetary"] for c in pop}, method)):
        for s in range(1, 6):
            members = [] if too_small else [vals[c] for c in pop if scores.get(c) == s]
            cuts.append({"dimension": dim, "score": s, "method": meth, "customers": len(members),
                         "min_value": min(members) if members else None,
                         "max_value": max(members) if members else None, "is_empty": not members})
    return rfm, pd.DataFrame(cuts)


def _pareto(values: dict[str, Decimal], a_cut: Fraction, b_cut: Fraction, prefix: str):
    pos = sorted((c for c in values if values[c] > 0), key=lambda c: (-values[c], c))
    nonpos = sorted((c for c in values if values[c] <= 0), key=lambda c: (-values[c], c))
    total = sum((values[c] for c in pos), Decimal(0))
    out = {}
    running = Decimal(0)
    rank = 0
    for c in pos:
        rank += 1
        before = Fraction(running) / Fraction(total)
        running += values[c]
        cls = "A" if before < a_cut else ("B" if before < b_cut else "C")
        out[c] = {f"{prefix}_rank": rank, f"{prefix}_cumulative_share": float(Fraction(running) / Fraction(total)),
                  f"abc_class_{prefix}": cls, "_nonpos": False}
    for c in nonpos:
        rank += 1
        out[c] = {f"{prefix}_rank": rank, f"{prefix}_cumulative_share": None, f"abc_class_{prefix}": "C",
                  "_nonpos": True}
    return out


def _abc(agg, V):
    a_cut, b_cut = Fraction(str(V["abc_cutoff_a"])), Fraction(str(V["abc_cutoff_b"]))
    rev = _pareto({c: a["monetary"] for c, a in agg.items()}, a_cut, b_cut, "revenue")
    mar = _pareto({c: a["margin"] for c, a in agg.items() if a["purchases_with_cost"] > 0}, a_cut, b_cut, "margin")
    rows = []
    for c in sorted(agg):
        r = rev[c]
        m = mar.get(c)
        rows.append({"customer_id": c, "net_revenue": agg[c]["monetary"], "revenue_rank": r["revenue_rank"],
                     "revenue_cumulative_share": r["revenue_cumulative_share"],
                     "abc_class_revenue": r["abc_class_revenue"], "margin": agg[c]["margin"],
                     "margin_rank": m["margin_rank"] if m else None,
                     "margin_cumulative_share": m["margin_cumulative_share"] if m else None,
                     "abc_class_margin": m["abc_class_margin"] if m else None,
                     "has_non_positive_revenue": r["_nonpos"],
                     "has_non_positive_margin": m["_nonpos"] if m else None})
    return pd.DataFrame(rows)


def _renewals(ren, visible, as_of, V, tz):
    grace = int(V["renewal_grace_days"])
    periods = []
    for r in ren.itertuples(index=False):
        if r.customer_id not in visible:
            continue
        start = business_date(r.period_start, tz)
        if start > as_of:
            continue
        rdate = business_date(r.renewed_at, tz)
        renewed = rdate is not None and rdate <= as_of
        periods.append({"subscription_id": r.subscription_id, "customer_id": r.customer_id,
                        "billing_cycle": r.billing_cycle, "start": start, "start_ts": r.period_start,
                        "end": business_date(r.period_end, tz), "renewed": renewed,
                        "renewed_date": rdate if renewed else None, "status": r.status})
    subs: dict[tuple, list[dict]] = defaultdict(list)
    for p in periods:
        subs[(p["customer_id"], p["subscription_id"])].append(p)
    sub_info = {}
    for key, ps in subs.items():
        ps.sort(key=lambda p: p["start_ts"])
        latest = ps[-1]
        active = latest["renewed"] or as_of <= latest["end"] + timedelta(days=grace)
        if latest["renewed"]:
            due = add_months(latest["end"], CYCLE_MONTHS[latest["billing_cycle"]])
        else:
            due = latest["end"]
        rdates = sorted(p["renewed_date"] for p in ps if p["renewed"])
        sub_info[key] = {"latest": latest, "active": active, "due": due,
                         "intervals": [(b - a).days for a, b in zip(rdates, rdates[1:])]}
    by_c: dict[str, list] = defaultdict(list)
    for (c, _), info in sub_info.items():
        by_c[c].append(info)
    lo, hi = int(V["cadence_high_max_days"]), int(V["cadence_medium_max_days"])
    ret_min, lt_min = int(V["renewal_tenure_returning_min"]), int(V["renewal_tenure_long_term_min"])
    rows = []
    for c in sorted(by_c):
        infos = by_c[c]
        ps = [p for p in periods if p["customer_id"] == c]
        intervals = [i for info in infos for i in info["intervals"]]
        med = _median(intervals)
        cycles = defaultdict(int)
        for p in ps:
            cycles[p["billing_cycle"]] += 1
        dominant = sorted(cycles, key=lambda k: (-cycles[k], CYCLE_ORDER[k]))[0]
        basis_days = med if med is not None else CYCLE_DAYS[dominant]
        cls = "high" if basis_days <= lo else ("medium" if basis_days <= hi else "low")
        renewals = sum(p["renewed"] for p in ps)
        tenure = "long_term" if renewals >= lt_min else ("returning" if renewals >= ret_min else "new")
        ended = [p for p in ps if p["end"] <= as_of]
        on_time = [p for p in ended if p["renewed"] and (p["renewed_date"] - p["end"]).days <= grace]
        active = [i for i in infos if i["active"]]
        due = min((i["due"] for i in active), default=None)
        rd = [p["renewed_date"] for p in ps if p["renewed"]]
        rows.append({"customer_id": c, "subscriptions_count": len(infos), "active_subscriptions_count": len(active),
                     "periods_count": len(ps), "renewals_count": renewals, "median_renewal_interval_days": med,
                     "cadence_basis": "observed_intervals" if med is not None else "billing_cycle",
                     "cadence_class": cls, "dominant_billing_cycle": dominant, "renewal_tenure": tenure,
                     "on_time_renewal_rate": (len(on_time) / len(ended)) if ended else None,
                     "subscription_state": "active" if active else "lapsed", "next_renewal_due_date": due,
                     "days_overdue": max(0, (as_of - due).days) if due is not None else None,
                     "first_period_start_date": min(p["start"] for p in ps),
                     "last_renewed_date": max(rd) if rd else None})
    return pd.DataFrame(rows), sub_info


def _satisfaction(fb, visible, as_of, V, tz):
    window = int(V["complaint_window_days"])
    hi_csat, lo_csat = float(V["satisfaction_high_min_csat"]), float(V["satisfaction_low_max_csat"])
    lo_compl = int(V["satisfaction_low_min_complaints"])
    by_c = defaultdict(list)
    for r in fb.itertuples(index=False):
        if r.customer_id in visible:
            d = business_date(r.submitted_at, tz)
            if d <= as_of:
                by_c[r.customer_id].append((r, d))
    rows = []
    for c in sorted(by_c):
        items = by_c[c]
        csats = [r.csat for r, _ in items if r.csat is not None and r.csat == r.csat]
        avg = (sum(csats) / len(csats)) if csats else None
        with_nps = [r for r, _ in items if r.nps is not None and r.nps == r.nps]
        latest = max(with_nps, key=lambda r: (r.submitted_at, r.feedback_id), default=None)
        nps = int(latest.nps) if latest is not None else None
        ncls = None if nps is None else ("promoter" if nps >= 9 else ("passive" if nps >= 7 else "detractor"))
        recent = sum(1 for r, d in items if r.kind == "complaint" and (as_of - d).days < window)
        total = sum(1 for r, _ in items if r.kind == "complaint")
        if ncls == "detractor" or (avg is not None and avg <= lo_csat) or recent >= lo_compl:
            tier = "low"
        elif (recent == 0 and (avg is not None or nps is not None) and (avg is None or avg >= hi_csat)
              and (ncls is None or ncls == "promoter")):
            tier = "high"
        else:
            tier = "medium"
        rows.append({"customer_id": c, "feedback_count": len(items), "avg_csat": avg, "latest_nps": nps,
                     "nps_class": ncls, "complaints_recent": recent, "complaints_total": total,
                     "satisfaction_tier": tier})
    return pd.DataFrame(rows, columns=["customer_id", "feedback_count", "avg_csat", "latest_nps", "nps_class",
                                       "complaints_recent", "complaints_total", "satisfaction_tier"])


def _behaviour(by_cust, V):
    """purchase_behaviour doc block: shares over the orders (the purchases whose discount and channel are
    known); a subscription payment counts in purchases_count only."""
    min_orders = int(V["behaviour_min_orders"])
    promo, guided = float(V["promo_driven_min_share"]), float(V["guided_min_share"])
    rows = []
    for c in sorted(by_cust):
        rs = by_cust[c]
        orders = [r for r in rs if r["purchase_source"] == "order"]
        n = len(orders)
        disc_share = sum(r["is_discounted"] for r in orders) / n if n else None
        assisted = sum(r["is_assisted"] for r in orders) / n if n else None
        gross = sum((r["gross_amount"] for r in orders), Decimal(0))
        depth = (float(sum((r["discount_amount"] for r in orders), Decimal(0)) / gross)
                 if n and gross != 0 else None)
        if n < min_orders:
            cls = "insufficient_history"
        elif disc_share >= promo:
            cls = "promotion_driven"
        elif assisted >= guided:
            cls = "passive"
        else:
            cls = "active"
        rows.append({"customer_id": c, "purchases_count": len(rs), "orders_count": n,
                     "discounted_order_share": disc_share, "discount_depth": depth,
                     "assisted_order_share": assisted, "behaviour_class": cls})
    return pd.DataFrame(rows, columns=["customer_id", "purchases_count", "orders_count", "discounted_order_share",
                                       "discount_depth", "assisted_order_share", "behaviour_class"])


def _clv(by_cust, agg, as_of, V):
    unit = V["clv_time_unit"]
    div = 7.0 if unit == "weeks" else 1.0
    rows = []
    for c in sorted(by_cust):
        days = agg[c]["_days"]
        repeat = [r["net_amount"] for r in by_cust[c] if r["purchase_date"] != days[0]]
        n_rep = len(days) - 1
        mv = float(sum(repeat, Decimal(0)) / n_rep) if n_rep > 0 else 0.0
        rows.append({"customer_id": c, "frequency": n_rep, "recency": (days[-1] - days[0]).days / div,
                     "t": (as_of - days[0]).days / div, "monetary_value": mv, "time_unit": unit})
    return pd.DataFrame(rows, columns=["customer_id", "frequency", "recency", "t", "monetary_value", "time_unit"])


def _customer_segments(cao, as_of, rfm, abc, cad, sat, beh, project_dir=PROJECT):
    seg_map = segment_map_from_grid()
    # value tier/level of the 11 named segments: value_tier doc block; of prospect/unscored: tier
    # 'unscored' (doc), level as the seed rfm_segments says when it lists them (the doc is silent)
    seed_path = project_dir / "seeds" / "reference" / "rfm_segments.csv"
    extra_level = {}
    if seed_path.exists():
        sd = pd.read_csv(seed_path, dtype=str)
        extra_level = {r.segment_code: r.value_level for r in sd.itertuples() if r.segment_code not in VALUE_TIER}
    abc_i = {r["customer_id"]: r for r in abc.to_dict("records")}
    cad_i = {r["customer_id"]: r["cadence_class"] for r in cad.to_dict("records")}
    sat_i = dict(zip(sat["customer_id"], sat["satisfaction_tier"]))
    beh_i = dict(zip(beh["customer_id"], beh["behaviour_class"]))
    rows = []
    rfm_i = {r["customer_id"]: r for r in rfm.to_dict("records")}
    for r in cao.itertuples(index=False):
        c = r.customer_id
        s = rfm_i[c]
        if s["rfm_status"] == "prospect":
            seg = "prospect"
        elif s["rfm_status"] == "population_too_small":
            seg = "unscored"
        else:
            seg = seg_map[s["rfm_cell"]]
        tier = VALUE_TIER.get(seg, "unscored")
        level = VALUE_LEVEL.get(tier) if seg in VALUE_TIER else extra_level.get(seg)
        a = abc_i.get(c)
        abc_r = a["abc_class_revenue"] if a is not None else None
        abc_m = a["abc_class_margin"] if a is not None else None
        if abc_r == "A":
            service = "dedicated_account_manager"
        elif abc_r == "B" or (abc_r == "C" and tier in ("vip", "active")):
            service = "standard"
        else:
            service = "automated"
        rows.append({"customer_id": c, "as_of_date": as_of, "region": r.region, "customer_type": r.customer_type,
                     "recency_days": s["recency_days"], "frequency": s["frequency"], "monetary": s["monetary"],
                     "r_score": s["r_score"], "f_score": s["f_score"], "m_score": s["m_score"],
                     "rfm_cell": s["rfm_cell"], "rfm_status": s["rfm_status"], "segment_code": seg,
                     "value_tier": tier, "value_level": level, "abc_class_revenue": abc_r,
                     "abc_class_margin": abc_m,
                     "cadence_class": cad_i.get(c, "no_subscription"),
                     "satisfaction_tier": sat_i.get(c, "unknown"),
                     "behaviour_class": beh_i.get(c, "no_orders"),
                     "service_level": service})
    return pd.DataFrame(rows)


def _lifecycle(all_ids, agg, cad, as_of, V):
    new_max = int(V["lifecycle_new_max_days"])
    mat_orders, mat_tenure = int(V["lifecycle_mature_min_orders"]), int(V["lifecycle_mature_min_tenure_days"])
    churn, risk = int(V["lifecycle_churn_days"]), int(V["lifecycle_at_risk_days"])
    factor, risk_min = float(V["lifecycle_at_risk_rhythm_factor"]), int(V["lifecycle_at_risk_min_days"])
    cad_i = {r["customer_id"]: r for r in cad.to_dict("records")}
    rows = []
    for c in all_ids:
        a = agg.get(c)
        s = cad_i.get(c)
        sub_state = s["subscription_state"] if s else "none"
        has_active = sub_state == "active"
        rec = a["recency_days"] if a else None
        if a is None and s is None:
            stage, rule = "prospect", "no_purchase_yet"
        elif not has_active and a is not None and rec >= churn:
            stage, rule = "churned", "no_order_within_churn_days"
        elif not has_active and a is None and sub_state == "lapsed":
            stage, rule = "churned", "all_subscriptions_lapsed"
        elif has_active and (s["days_overdue"] or 0) > 0:
            stage, rule = "at_risk", "renewal_overdue"
        elif not has_active and a is not None and rec >= risk:
            stage, rule = "at_risk", "silent_beyond_global_threshold"
        elif (not has_active and a is not None and a["median_purchase_gap_days"] is not None
              and rec > factor * a["median_purchase_gap_days"] and rec >= risk_min):
            stage, rule = "at_risk", "silent_beyond_own_rhythm"
        elif (as_of - min(d for d in (a["first_purchase_date"] if a else None,
                                       s["first_period_start_date"] if s else None) if d is not None)
              ).days < new_max:
            # the relationship starts with the earlier of the first purchase and the first period
            stage, rule = "new", "first_purchase_within_new_days"
        elif a is not None and a["frequency"] >= mat_orders and a["tenure_days"] >= mat_tenure:
            stage, rule = "mature", "orders_and_tenure_reached"
        elif s is not None and s["renewal_tenure"] == "long_term":
            stage, rule = "mature", "long_term_renewer"
        else:
            stage, rule = "growing", "default_growing"
        rows.append({"customer_id": c, "as_of_date": as_of, "stage": stage, "stage_rule": rule,
                     "returned_after_churn": bool(a is not None and a["max_purchase_gap_days"] is not None
                                                  and a["max_purchase_gap_days"] >= churn),
                     "first_purchase_date": a["first_purchase_date"] if a else None,
                     "last_purchase_date": a["last_purchase_date"] if a else None,
                     "recency_days": rec, "frequency": a["frequency"] if a else 0,
                     "subscription_state": sub_state})
    return pd.DataFrame(rows)


def _churn_cohort(by_cust, agg, as_of, max_months):
    cohorts = defaultdict(list)
    for c, a in agg.items():
        cohorts[month_index(a["first_purchase_date"])].append(c)
    last_m = month_index(as_of)
    rows = []
    for cm in sorted(cohorts):
        members = cohorts[cm]
        rev0 = None
        for k in range(0, min(last_m - cm + 1, max_months)):  # months 0 to max_months - 1
            m = cm + k
            active = sum(1 for c in members if any(month_index(r["purchase_date"]) == m for r in by_cust[c]))
            churned = sum(1 for c in members if month_index(agg[c]["last_purchase_date"]) < m)
            revenue = sum((r["net_amount"] for c in members for r in by_cust[c]
                           if month_index(r["purchase_date"]) == m), Decimal(0))
            if k == 0:
                rev0 = revenue
            rows.append({"as_of_date": as_of, "cohort_month": date(cm // 12, cm % 12 + 1, 1),
                         "months_since_acquisition": k, "period_month": add_months(date(cm // 12, cm % 12 + 1, 1), k),
                         "cohort_size": len(members), "active_customers": active,
                         "retention_rate": active / len(members), "churned_customers": churned,
                         "revenue": revenue, "revenue_retention": float(revenue / rev0) if rev0 else None,
                         # churn_cohort doc: the month holding the as-of date is partial unless the
                         # as-of date is its last day
                         "is_partial_period": m == last_m and (as_of + timedelta(days=1)).month == as_of.month})
    return pd.DataFrame(rows)


def _segment_summary(cs, agg, project_dir):
    seeds = pd.read_csv(project_dir / "seeds" / "reference" / "rfm_segments.csv", dtype=str)
    codes = list(dict.fromkeys(list(seeds["segment_code"]) + ["prospect", "unscored"]))
    n_all = len(cs)
    total = sum((a["monetary"] for a in agg.values()), Decimal(0))
    rows = []
    for code in codes:
        seg = cs[cs["segment_code"] == code]
        rev = sum((m for m in seg["monetary"] if m is not None and m == m), Decimal(0))
        scored = seg[seg["frequency"].notna()]  # customers who bought
        k = len(scored)
        rows.append({"segment_code": code, "customers": len(seg), "customer_share": len(seg) / n_all if n_all else None,
                     "revenue": rev, "revenue_share": float(rev / total) if total else None,
                     "avg_recency_days": float(sum(scored["recency_days"])) / k if k else None,
                     "avg_frequency": float(sum(scored["frequency"])) / k if k else None,
                     "avg_monetary": float(sum(scored["monetary"], Decimal(0)) / k) if k else None})
    return pd.DataFrame(rows)


def _subscription_payments(ren, fx, rep, tz, rounding):
    """subscription_payment doc block: one row per period of the clean renewals file, every date.

    Periods of a subscription in period-start order; the first is paid on its start, a later one on
    the renewed_at of the period before it when that was renewed (renewal), else on its own start
    (restart). paid_through_date is the running latest paid date; periods_since_start numbers the
    unbroken run from the first period and is NULL from the first restart on.
    """
    cols = ["subscription_period_id", "subscription_id", "customer_id", "billing_cycle", "period_number",
            "period_start", "period_start_date", "period_end_date", "paid_by", "paid_at", "paid_date",
            "paid_through_date", "periods_since_start", "amount", "is_paid"]
    by_sub: dict[str, list] = defaultdict(list)
    for r in ren.itertuples(index=False):
        by_sub[r.subscription_id].append(r)
    rows = []
    for sid in sorted(by_sub):
        ps = sorted(by_sub[sid], key=lambda r: r.period_start)
        through = None
        broken = False
        for i, r in enumerate(ps):
            if i == 0:
                paid_by, paid_at = "first_period", r.period_start
            elif ps[i - 1].renewed_at is not None and not pd.isna(ps[i - 1].renewed_at):
                paid_by, paid_at = "renewal", ps[i - 1].renewed_at
            else:
                paid_by, paid_at = "restart", r.period_start
                broken = True
            paid_date = business_date(paid_at, tz)
            through = paid_date if through is None else max(through, paid_date)
            amount = to_cents(r.amount, fx[r.currency] / fx[rep], rounding)
            rows.append({"subscription_period_id": f"{sid}|{pd.Timestamp(r.period_start):%Y-%m-%d %H:%M:%S}",
                         "subscription_id": sid, "customer_id": r.customer_id, "billing_cycle": r.billing_cycle,
                         "period_number": i + 1, "period_start": r.period_start,
                         "period_start_date": business_date(r.period_start, tz),
                         "period_end_date": business_date(r.period_end, tz), "paid_by": paid_by,
                         "paid_at": paid_at, "paid_date": paid_date, "paid_through_date": through,
                         "periods_since_start": None if broken else i, "amount": amount, "is_paid": amount > 0})
    return pd.DataFrame(rows, columns=cols)


def _subscription_cohort(pay, visible, as_of, V):
    """subscription_cohort doc block: survival of the unbroken runs, per start month x billing cycle."""
    max_periods = int(V["churn_cohort_max_months"])
    cohorts: dict[tuple, list] = defaultdict(list)
    for sid, grp in pay[pay["customer_id"].isin(visible)].groupby("subscription_id", sort=True):
        grp = grp.sort_values("period_number")
        first = grp.iloc[0]
        if first["period_start_date"] > as_of:
            continue  # first period not started by the as-of date: not a subscription of the run yet
        # retained periods: in the unbroken run, this and every earlier period paid by the as-of date
        run = grp[grp["periods_since_start"].notna() & (grp["paid_through_date"] <= as_of)]
        retained = {int(t): a for t, a in zip(run["periods_since_start"], run["amount"])}
        cm = first["period_start_date"].replace(day=1)
        cohorts[(cm, first["billing_cycle"])].append(retained)
    rows = []
    for (cm, cycle) in sorted(cohorts, key=lambda k: (k[0], CYCLE_ORDER[k[1]])):
        members = cohorts[(cm, cycle)]
        step = CYCLE_MONTHS[cycle]
        prev = rev0 = None
        t = 0
        while t < max_periods and add_months(cm, t * step) <= as_of:  # periods 0 to max_periods - 1
            kept = [m[t] for m in members if t in m]
            n, rev = len(kept), sum(kept, Decimal("0.00"))
            if t == 0:
                rev0 = rev
            rows.append({"as_of_date": as_of, "cohort_month": cm, "billing_cycle": cycle, "periods_since_start": t,
                         "period_start_month": add_months(cm, t * step), "subscriptions_at_start": len(members),
                         "subscriptions_retained": n, "subscriptions_retained_previous_period": prev,
                         "retention_rate": n / len(members),
                         "renewal_rate": (n / prev) if prev else None,
                         "revenue": rev, "revenue_retention": float(rev / rev0) if rev0 else None,
                         # subscription_cohort doc: the period holding the as-of date is partial unless
                         # the as-of date is its last day (the day before the next period starts)
                         "is_partial_period": as_of < add_months(cm, (t + 1) * step) - timedelta(days=1)})
            prev = n
            t += 1
    return pd.DataFrame(rows, columns=["as_of_date", "cohort_month", "billing_cycle", "periods_since_start",
                                       "period_start_month", "subscriptions_at_start", "subscriptions_retained",
                                       "subscriptions_retained_previous_period", "retention_rate", "renewal_rate",
                                       "revenue", "revenue_retention", "is_partial_period"])


def _reminders(subs, as_of, V):
    grace, window = int(V["renewal_grace_days"]), int(V["renewal_reminder_window_days"])
    rows = []
    for (c, sid), info in sorted(subs.items(), key=lambda kv: kv[0][1]):
        p = info["latest"]
        if p["renewed"] or p["status"] == "cancelled":
            continue
        delta = (p["end"] - as_of).days
        if -grace <= delta <= window:
            rows.append({"subscription_id": sid, "customer_id": c, "due_date": p["end"], "days_until_due": delta,
                         "reminder_status": "upcoming" if delta > 0 else ("due_today" if delta == 0 else "overdue")})
    return pd.DataFrame(rows, columns=["subscription_id", "customer_id", "due_date", "days_until_due",
                                       "reminder_status"])


# ---------------------------------------------------------------------------------------------
# segment_history, previous_as_of_date, tier_movement doc blocks (issue 15): the history at one past
# period end. A history row is exactly what a build with that as_of_date publishes, so the reference
# computes it with the same functions at that date (compute_all with as_of_date overridden).
def previous_period_end(as_of: date, grain: str) -> date:
    """The latest calendar period end (var history_period_grain: month, quarter, year) strictly before
    the as-of date: the history's date just before the run's (doc previous_as_of_date)."""
    if grain == "month":
        start = as_of.replace(day=1)
    elif grain == "quarter":
        start = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    elif grain == "year":
        start = date(as_of.year, 1, 1)
    else:
        raise ValueError(f"history_period_grain must be month, quarter or year, got {grain!r}")
    return start - timedelta(days=1)


HISTORY_COLS = ["as_of_date", "customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
                "m_score", "rfm_cell", "rfm_status", "segment_code", "value_tier", "value_level",
                "abc_class_revenue", "abc_class_margin", "stage"]


def history_rows(out: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """customer_segment_history rows of one as-of date: customer_segments joined to lifecycle_stage."""
    stage = dict(zip(out["lifecycle_stage"]["customer_id"], out["lifecycle_stage"]["stage"]))
    cs = out["customer_segments"]
    return cs.assign(stage=[stage[c] for c in cs["customer_id"]])[HISTORY_COLS].copy()


def tier_movement(now_tier: str, prev_tier: str | None, order: list[str]) -> str:
    """tier_movement doc block; a tier outside var value_tier_order (unscored) is no tier."""
    rank = {t: i for i, t in enumerate(order)}
    if now_tier not in rank:
        return "unranked"
    if prev_tier not in rank:
        return "entered"
    d = rank[now_tier] - rank[prev_tier]
    return "up" if d > 0 else ("down" if d < 0 else "stayed")


def compute_history_point(raw_dir, current: dict[str, pd.DataFrame], vars: dict | None = None,
                          project_dir: Path = PROJECT, **kw) -> dict[str, pd.DataFrame]:
    """The history at the period end just before the run's as-of date, and the change flags of
    customer_segments against it. ``current`` is compute_all's output for ``vars``."""
    V = load_vars(vars, project_dir)
    if int(V["history_periods"]) < 1:
        raise ValueError("history_periods < 1: the history has no past period to compare")
    as_of = current["int_as_of_date"]["as_of_date"].iloc[0]
    prev = previous_period_end(as_of, str(V["history_period_grain"]))
    past = compute_all(raw_dir, {**(vars or {}), "as_of_date": prev.isoformat()}, project_dir, **kw)
    hist = history_rows(past)
    by_c = {r["customer_id"]: r for r in hist.to_dict("records")}
    order = [str(t) for t in V["value_tier_order"]]
    flags = []
    for r in current["customer_segments"].to_dict("records"):
        p = by_c.get(r["customer_id"])  # None: had not signed up by the previous date
        flags.append({"customer_id": r["customer_id"], "previous_as_of_date": prev,
                      "previous_segment_code": p["segment_code"] if p else None,
                      "previous_value_tier": p["value_tier"] if p else None,
                      "previous_stage": p["stage"] if p else None,
                      "value_tier_movement": tier_movement(r["value_tier"], p["value_tier"] if p else None, order)})
    # segment_migration doc block, D119: the pair (previous period end -> run's as-of date)
    now = history_rows(current)
    mig: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for r in now.to_dict("records"):
        p = by_c.get(r["customer_id"])
        money = (r["monetary"] or Decimal(0)) - ((p["monetary"] if p else None) or Decimal(0))
        for dim, col in (("segment", "segment_code"), ("value_tier", "value_tier"), ("lifecycle_stage", "stage")):
            move = (tier_movement(r["value_tier"], p["value_tier"] if p else None, order)
                    if dim != "lifecycle_stage" else None)
            cell = mig[(dim, p[col] if p else "not_a_customer", r[col], move)]
            cell[0] += 1
            cell[1] += money
    migration = pd.DataFrame(
        [{"as_of_date": as_of, "dimension": d, "period_from": prev, "period_to": as_of, "from_value": f,
          "to_value": t, "movement": m, "customers": n, "revenue": rev} for (d, f, t, m), (n, rev) in mig.items()],
        columns=["as_of_date", "dimension", "period_from", "period_to", "from_value", "to_value", "movement",
                 "customers", "revenue"])
    return {"history_at_previous": hist, "previous_as_of_date": prev, "migration_to_current": migration,
            "change_flags": pd.DataFrame(flags, columns=["customer_id", "previous_as_of_date",
                                                         "previous_segment_code", "previous_value_tier",
                                                         "previous_stage", "value_tier_movement"])}
