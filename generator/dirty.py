"""Dirty rows: a small, exactly counted set of rows with ONE defect each.

For every entity, ``plan_counts`` splits ``round(dirty_share * clean_rows)`` across the reason
codes that apply to it (at least one of each unless ``--clean``).  Each dirty row is derived from
a distinct clean *source* row (picked by hash, so the choice is seeded) and changes exactly one
thing, so its expected reject reason is unambiguous:

* new-key kinds (everything except ``missing_key`` and ``duplicate``) get their own fresh key,
  numbered in the same sequence as the clean rows (so dirty ids are not all at the end) and
  they reference the source's (clean) customer, except ``missing_customer_id`` (blank) and
  ``unknown_customer`` (an id above every customer id in the file);
* ``missing_key`` blanks the natural key (for renewals: subscription_id or period_start);
* ``duplicate`` repeats the source's key: half exact copies, half an *older version* (same key,
  earlier loaded_at, an earlier state) - the clean row is always the latest one.

Customers are special: the dirty ``unparseable_date`` / ``invalid_value`` / ``future_dated``
customers are *extra* customers that hold positions in the id sequence but never buy, so no
order, renewal or feedback row references them.  ``missing_key`` and ``duplicate`` customer rows
are copies of clean customers (a duplicate keeps the customer_id, so orders still resolve).

Reason codes in the staging layer's priority order are in ``REASONS``.
"""

from __future__ import annotations

from .model import Params
from .sqlkit import lit, pick_from

REASONS = [
    "missing_key",
    "missing_customer_id",
    "unparseable_date",
    "unparseable_number",
    "invalid_value",
    "unknown_status",
    "unknown_currency",
    "negative_amount",
    "future_dated",
    "unknown_customer",
    "duplicate",
]

APPLICABLE = {
    "customers": ["missing_key", "unparseable_date", "invalid_value", "future_dated", "duplicate"],
    "orders": ["missing_key", "missing_customer_id", "unparseable_date", "unparseable_number",
               "unknown_status", "unknown_currency", "negative_amount", "future_dated",
               "unknown_customer", "duplicate"],
    "renewals": ["missing_key", "missing_customer_id", "unparseable_date", "unparseable_number",
                 "invalid_value", "unknown_status", "unknown_currency", "negative_amount",
                 "future_dated", "unknown_customer", "duplicate"],
    "feedback": ["missing_key", "missing_customer_id", "unparseable_date", "unparseable_number",
                 "invalid_value", "future_dated", "unknown_customer", "duplicate"],
}

# customers whose defect lives on an extra customer inside the id sequence
CUSTOMER_EXTRA_KINDS = ["unparseable_date", "invalid_value", "future_dated"]

COLUMNS = {
    "customers": ["customer_id", "signed_up_at", "region", "customer_type", "acquisition_channel",
                  "email", "loaded_at"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount",
               "discount_amount", "refunded_amount", "cost_amount", "sales_channel", "promo_code",
               "loaded_at"],
    "renewals": ["subscription_id", "customer_id", "plan", "billing_cycle", "period_start",
                 "period_end", "renewed_at", "amount", "currency", "status", "loaded_at"],
    "feedback": ["feedback_id", "customer_id", "submitted_at", "kind", "csat", "nps", "comment",
                 "loaded_at"],
}
KEY = {"customers": "customer_id", "orders": "order_id", "renewals": "subscription_id",
       "feedback": "feedback_id"}
ID_PREFIX = {"orders": "O", "renewals": "S", "feedback": "F"}
ID_MIN_WIDTH = {"orders": 9, "renewals": 6, "feedback": 7}

BAD_STATUS = {"orders": ["shipped", "complete d", "paid", "processing", "returned", "done"],
              "renewals": ["expired", "paused", "renew", "trial", "suspended"]}
BAD_CCY = ["XYZ", "RMB", "US$", "YEN", "EURO"]
BAD_CUSTOMER_TYPE = ["vip", "b2g", "gov", "enterprise", "partner"]
BAD_CYCLE = ["fortnight", "weekly", "biannual", "daily"]
BAD_KIND = ["tweet", "email", "chat", "call"]
BAD_CSAT = ["0", "6", "7", "10"]
BAD_NPS = ["11", "-1", "12", "100"]


def plan_counts(entity: str, clean_rows: int, share: float, clean: bool) -> dict[str, int]:
    """Dirty rows per reason code for one entity (ordered as REASONS)."""
    kinds = APPLICABLE[entity]
    if clean or share <= 0:
        return {k: 0 for k in kinds}
    total = round(share * clean_rows)
    base, rem = divmod(total, len(kinds))
    return {k: max(1, base + (1 if i < rem else 0)) for i, k in enumerate(kinds)}


def _h(entity: str, tag: str) -> str:
    """A per-dirty-row uniform draw."""
    return f"u(f.pk, 'dirty.{entity}.{tag}')"


def _older_loaded(entity: str) -> str:
    """An earlier loaded_at: between the event and the clean row's loaded_at (exclusive)."""
    return f"fmt_ts(f.ev_s + floor((f.loaded_s - f.ev_s) * 0.9 * {_h(entity, 'older')})::BIGINT)"


def _mods(entity: str, p: Params) -> dict[str, list[tuple[str, str]]]:
    """column -> [(condition, replacement)] ; first matching condition wins."""
    h = lambda tag: _h(entity, tag)  # noqa: E731
    k = lambda kind: f"d.reason = '{kind}'"  # noqa: E731
    older = f"(d.reason = 'duplicate' AND {h('dup.mode')} >= 0.5)"
    orphan = p.cid(f"{p.total} + 1 + floor({h('orphan')} * greatest({p.total}, 1000))::BIGINT")
    m: dict[str, list[tuple[str, str]]] = {c: [] for c in COLUMNS[entity]}
    if entity != "customers":
        m["customer_id"] += [(k("missing_customer_id"), "NULL"), (k("unknown_customer"), orphan)]
    m["loaded_at"].append((older, _older_loaded(entity)))

    if entity == "customers":
        m["customer_id"].append((k("missing_key"), "NULL"))
        m["signed_up_at"] += [(k("unparseable_date"), f"bad_ts(f.ev_s, {h('v')})"),
                              (k("future_dated"), f"future_ts(f.ev_s, f.loaded_s, {h('v')})")]
        m["customer_type"].append((k("invalid_value"), pick_from(BAD_CUSTOMER_TYPE, h("v"))))
        m["region"].append((older, "NULL"))  # the older version predates region enrichment
    elif entity == "orders":
        num = h("numcol")
        m["ordered_at"] += [(k("unparseable_date"), f"bad_ts(f.ev_s, {h('v')})"),
                            (k("future_dated"), f"future_ts(f.ev_s, f.loaded_s, {h('v')})")]
        m["gross_amount"] += [(f"{k('unparseable_number')} AND {num} < 0.6",
                               f"bad_num(f.gross_amount, {h('v')})"),
                              (k("negative_amount"), "'-' || f.gross_amount")]
        m["discount_amount"].append((f"{k('unparseable_number')} AND {num} >= 0.6 AND {num} < 0.75",
                                     f"bad_num(f.discount_amount, {h('v')})"))
        m["cost_amount"].append((f"{k('unparseable_number')} AND {num} >= 0.75 AND {num} < 0.9",
                                 f"bad_num(f.cost_amount, {h('v')})"))
        m["refunded_amount"] += [(f"{k('unparseable_number')} AND {num} >= 0.9",
                                  f"bad_num(f.refunded_amount, {h('v')})"),
                                 (older, "NULL")]
        m["status"] += [(k("unknown_status"), pick_from(BAD_STATUS["orders"], h("v"))),
                        (older, "CASE trim(lower(f.status)) WHEN 'completed' THEN 'pending' "
                                "WHEN 'refunded' THEN 'completed' ELSE f.status END")]
        m["currency"].append((k("unknown_currency"), pick_from(BAD_CCY, h("v"))))
    elif entity == "renewals":
        y2099 = "make_timestamp(2099, month(ts_of(f.ev_s)), day(ts_of(f.ev_s)), 0, 0, 0)"
        m["period_start"] += [(f"{k('missing_key')} AND NOT d.blank_key", "NULL"),
                              (k("future_dated"), f"strftime({y2099}, '%Y-%m-%d %H:%M:%S')")]
        m["period_end"] += [
            (f"{k('unparseable_date')} AND NOT (f.renewed_at IS NOT NULL AND {h('datecol')} < 0.5)",
             f"bad_ts(f.pe_s, {h('v')})"),
            # period_end before period_start (one cycle, or a day, earlier)
            (f"{k('invalid_value')} AND {h('inv')} >= 0.5 AND {h('inv2')} < 0.5",
             "fmt_ts(f.ev_s - (f.pe_s - f.ev_s))"),
            (f"{k('invalid_value')} AND {h('inv')} >= 0.5", f"fmt_ts(f.ev_s - {86400})"),
            (k("future_dated"),
             f"strftime({y2099} + to_months(f.cycle_m), '%Y-%m-%d %H:%M:%S')")]
        m["renewed_at"] += [
            (f"{k('unparseable_date')} AND f.renewed_at IS NOT NULL AND {h('datecol')} < 0.5",
             f"bad_ts(f.pe_s, {h('v')})"),
            (f"{k('future_dated')} OR {older}", "NULL")]
        m["billing_cycle"].append((f"{k('invalid_value')} AND {h('inv')} < 0.5",
                                   pick_from(BAD_CYCLE, h("v"))))
        m["amount"] += [(k("unparseable_number"), f"bad_num(f.amount, {h('v')})"),
                        (k("negative_amount"), "'-' || f.amount")]
        m["currency"].append((k("unknown_currency"), pick_from(BAD_CCY, h("v"))))
        m["status"] += [(k("unknown_status"), pick_from(BAD_STATUS["renewals"], h("v"))),
                        (f"{k('future_dated')} OR {older}", "'active'")]
    elif entity == "feedback":
        m["submitted_at"] += [(k("unparseable_date"), f"bad_ts(f.ev_s, {h('v')})"),
                              (k("future_dated"), f"future_ts(f.ev_s, f.loaded_s, {h('v')})")]
        m["csat"] += [(f"{k('unparseable_number')} AND {h('col')} < 0.5", f"bad_score({h('v')})"),
                      (f"{k('invalid_value')} AND {h('inv')} >= 0.34 AND {h('inv')} < 0.67",
                       pick_from(BAD_CSAT, h("v")))]
        m["nps"] += [(f"{k('unparseable_number')} AND {h('col')} >= 0.5", f"bad_score({h('v')})"),
                     (f"{k('invalid_value')} AND {h('inv')} >= 0.67", pick_from(BAD_NPS, h("v")))]
        m["kind"].append((f"{k('invalid_value')} AND {h('inv')} < 0.34", pick_from(BAD_KIND, h("v"))))
        m["comment"].append((older, "NULL"))
    return m


def _dirty_columns(entity: str, p: Params, skip: tuple[str, ...] = ()) -> str:
    out = []
    for col, rules in _mods(entity, p).items():
        if col in skip:
            continue
        if rules:
            whens = " ".join(f"WHEN {c} THEN {e}" for c, e in rules)
            out.append(f"CASE {whens} ELSE f.{col} END AS {col}")
        else:
            out.append(f"f.{col} AS {col}")
    return ",\n       ".join(out)


def _clean_columns(entity: str, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"f.{c}" for c in COLUMNS[entity] if c not in skip)


BASE = {"customers": ("cust", "pos"), "orders": ("ord", "pk"), "renewals": ("ren", "pk"),
        "feedback": ("fb", "pk")}


def picks_sql(entity: str, counts: dict[str, int], n_source: int, where: str = "TRUE",
              prob: float | None = None) -> str:
    """Choose sum(counts) distinct clean source rows by hash and give each a reason code."""
    base, key = BASE[entity]
    kinds = [k for k in counts
             if counts[k] > 0 and not (entity == "customers" and k in CUSTOMER_EXTRA_KINDS)]
    total = sum(counts[k] for k in kinds)
    if prob is None:   # enough hash candidates for an exact count, without sorting everything
        prob = min(1.0, (2.0 * total + 200.0) / max(n_source, 1))
    cases, cum = [], 0
    for kd in kinds:
        cum += counts[kd]
        cases.append(f"WHEN r < {cum} THEN '{kd}'")
    kind_sql = "CASE " + " ".join(cases) + " END" if cases else "NULL"
    return f"""
CREATE OR REPLACE TABLE {entity}_picks AS
WITH c AS (
    SELECT {key} AS pk, u({key}, 'pick.{entity}') AS h FROM {base}
    WHERE {where} AND u({key}, 'pick.{entity}') < {prob!r}
), r AS (
    SELECT pk, row_number() OVER (ORDER BY h, pk) - 1 AS r FROM c
)
SELECT pk, r, 1 AS variant, {kind_sql} AS reason,
       {kind_sql} = 'missing_key' AND u(pk, 'dirty.{entity}.mk') < 0.5 AS blank_key
FROM r WHERE r < {total}
"""


def customer_extra_picks_sql(counts: dict[str, int]) -> str:
    """The extra customers (already placed in the id sequence) get their reason code."""
    cases, cum = [], 0
    for kd in CUSTOMER_EXTRA_KINDS:
        cum += counts.get(kd, 0)
        cases.append(f"WHEN extra_rank < {cum} THEN '{kd}'")
    return f"""
INSERT INTO customers_picks
SELECT pos AS pk, extra_rank AS r, 0 AS variant, CASE {' '.join(cases)} END AS reason,
       FALSE AS blank_key
FROM cust WHERE extra_rank IS NOT NULL
"""


def source_where(entity: str) -> str:
    """WHERE clause selecting the picked source rows from the entity's base table."""
    return f"WHERE {BASE[entity][1]} IN (SELECT pk FROM {entity}_picks)"


def out_query(entity: str, p: Params, clean_query: str, id_width: int) -> str:
    """The rows to write, in their final order: clean rows (formatted by ``clean_query``)
    plus the dirty rows (from ``{entity}_dsrc``, the formatted source rows, and the picks).

    Keys: orders and feedback ids follow the event time (``dense_rank`` over the sort key;
    a duplicate or blank-key row shares its source's rank, so it gets the source's id or
    none); renewals number subscriptions by start; customers keep their position."""
    key = KEY[entity]
    skip = (key,) if entity != "customers" else ()
    dirty_cols = _dirty_columns(entity, p, skip=skip)
    clean_cols = _clean_columns(entity, skip=skip)
    out_cols = ", ".join(COLUMNS[entity])
    if entity == "customers":
        return f"""
WITH rows AS (
    SELECT f.pk, 0 AS variant, {clean_cols} FROM ({clean_query}) f
    UNION ALL
    SELECT f.pk, d.variant,
       {dirty_cols}
    FROM customers_dsrc f JOIN customers_picks d ON d.pk = f.pk
)
SELECT {out_cols} FROM rows ORDER BY pk, variant
"""
    prefix = ID_PREFIX[entity]
    other = ", ".join(c for c in COLUMNS[entity] if c != key)
    if entity in ("orders", "feedback"):
        return f"""
WITH rows AS (
    SELECT f.pk, f.sort_t, 0 AS variant, 0 AS idvar, FALSE AS blank, {clean_cols}
    FROM ({clean_query}) f
    UNION ALL
    SELECT f.pk, f.sort_t, d.variant,
           CASE WHEN d.reason IN ('missing_key', 'duplicate') THEN 0 ELSE 1 END AS idvar,
           d.reason = 'missing_key' AS blank,
       {dirty_cols}
    FROM {entity}_dsrc f JOIN {entity}_picks d ON d.pk = f.pk
), n AS (
    SELECT *, dense_rank() OVER (ORDER BY sort_t, pk, idvar) AS id_no FROM rows
)
SELECT CASE WHEN blank THEN NULL ELSE '{prefix}' || lpad(id_no::VARCHAR, {id_width}, '0') END
           AS {key},
       {other}
FROM n ORDER BY sort_t, pk, idvar, variant
"""
    # renewals: the key is (subscription_id, period_start); number subscriptions by start
    return f"""
WITH rows AS (
    SELECT f.pk, f.sub_pk, f.p, 0 AS variant, FALSE AS new_sub, FALSE AS blank_sub, {clean_cols}
    FROM ({clean_query}) f
    UNION ALL
    SELECT f.pk, f.sub_pk, f.p, d.variant,
           d.reason <> 'duplicate' AND NOT d.blank_key AS new_sub, d.blank_key AS blank_sub,
       {dirty_cols}
    FROM renewals_dsrc f JOIN renewals_picks d ON d.pk = f.pk
), j AS (
    SELECT r.*, n.sub_no FROM rows r
    JOIN renewals_subno n ON n.sk = CASE WHEN r.new_sub THEN -r.pk ELSE r.sub_pk END
)
SELECT CASE WHEN blank_sub THEN NULL ELSE '{prefix}' || lpad(sub_no::VARCHAR, {id_width}, '0') END
           AS {key},
       {other}
FROM j ORDER BY sub_no, CASE WHEN new_sub THEN 0 ELSE p END, variant
"""


def renewals_subno_sql() -> str:
    """Subscription numbers: clean subscriptions and the dirty rows that get a fresh
    subscription_id, numbered in order of their (source) start."""
    return """
CREATE OR REPLACE TABLE renewals_subno AS
WITH keys AS (
    SELECT sub_pk AS sk, min(ps) AS t FROM ren GROUP BY sub_pk
    UNION ALL
    SELECT -r.pk AS sk, r.ps AS t FROM ren r JOIN renewals_picks d ON d.pk = r.pk
    WHERE d.reason <> 'duplicate' AND NOT d.blank_key
)
SELECT sk, row_number() OVER (ORDER BY t, sk) AS sub_no FROM keys
"""
