"""The clean behavioural model: a few SQL statements per entity, all run inside DuckDB.

Tables built here (internal, numeric; the text comes from ``*_fmt_query``):

``cust``      one row per customer position 1..T, with hidden traits: sign-up time, b2b,
              buyer or prospect, first-order time, personal rhythm (mean gap), churn and
              come-back windows, order counts ``k0`` / ``k1`` per active episode, spend level,
              promotion and assisted-channel propensities, home currency, satisfaction,
              number of subscriptions and feedback items.
``ord``       one row per order: a Poisson process inside each active episode (uniform
              times in the window = exponential gaps at the customer's own rate), time of day
              from a daily curve, promotion-driven customers pulled to Double 11 / 618.
``subs`` / ``ren``  subscriptions and one row per billing period.
``fb``        survey answers, complaints and reviews.

``*_fmt_query`` formats a base table as raw text (optionally only the rows matching ``where``);
every formatted row has the same bookkeeping columns used by :mod:`generator.dirty`:
``pk`` (unique BIGINT), ``sort_t`` (position in the id sequence), ``ev_s`` (event time),
``loaded_s`` and ``messy`` (a messy-but-valid spelling was used), then the raw text columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sqlkit import choice, pick_from

DAY = 86400

# --- knobs (tuned so that ~8 orders per buying customer, ~15 % prospects, ~90 % completed) --
B2B_SHARE = 0.15
PROSPECT_SHARE = 0.14          # plus late sign-ups whose first order would fall after the end
ONE_TIMER = {"b2c": 0.30, "b2b": 0.15}
GAP_MIN_DAYS, GAP_MAX_DAYS = 7.0, 120.0
GAP_STRETCH = 2.1              # calibrates the average number of orders per buyer (~8)
CHURN_SHARE = 0.45             # of repeat buyers
CHURN_LIFE_DAYS = 300.0        # mean active life of a churner
RETURN_SHARE = 0.35            # of churners who come back after a long pause
MESSY = 0.005                  # share of clean rows that get a messy-but-valid spelling

REGIONS = [("east", 30), ("south", 22), ("north", 17), ("central", 12), ("west", 10),
           ("overseas", 6), (None, 3)]
CHANNELS_B2C = [("organic", 38), ("paid_search", 28), ("referral", 15), ("partner", 7),
                ("sales", 4), (None, 8)]
CHANNELS_B2B = [("sales", 38), ("partner", 20), ("referral", 15), ("organic", 12),
                ("paid_search", 10), (None, 5)]
EMAIL_DOMAINS = ["example.com", "example.com", "example.com", "example.net", "example.cn"]
HOME_CCY_DOMESTIC = [("CNY", 94), ("HKD", 3), ("USD", 2), ("EUR", 0.5), ("JPY", 0.5)]
HOME_CCY_OVERSEAS = [("USD", 45), ("EUR", 25), ("JPY", 15), ("HKD", 15)]

PROMO_CODES_OTHER = ["VIP10", "FLASH20", "MEMBERDAY", "SPRING"]
SELF_SERVE_B2C = [("app", 60), ("web", 40)]
SELF_SERVE_B2B = [("web", 80), ("app", 20)]
ASSISTED_B2C = [("campaign", 60), ("telesales", 30), ("sales_rep", 10)]
ASSISTED_B2B = [("sales_rep", 55), ("telesales", 25), ("campaign", 20)]

PLANS_B2C = [("basic", 60), ("pro", 34), ("enterprise", 5), (None, 1)]
PLANS_B2B = [("basic", 15), ("pro", 44), ("enterprise", 40), (None, 1)]
PLAN_MONTHLY_CNY = {"basic": 99, "pro": 299, "enterprise": 1999}
CYCLES_B2C = [("month", 50), ("quarter", 30), ("year", 20)]
CYCLES_B2B = [("month", 20), ("quarter", 30), ("year", 50)]
PLANS_SECOND = [("basic", 40), ("pro", 40), ("enterprise", 19), (None, 1)]   # 2nd subscription
CYCLES_SECOND = [("month", 40), ("quarter", 30), ("year", 30)]

COMMENTS_POS = ["送货很快", "很好用", "客服态度很好", "质量不错，会回购", "great service",
                "fast delivery", "will buy again", "love the new version"]
COMMENTS_NEU = ["还可以", "包装一般", "价格有点高", "ok", "average experience",
                "delivery was a bit slow"]
COMMENTS_NEG = ["送货太慢", "质量差", "客服不回复", "退款太慢", "too expensive",
                "product broke after a week", "not as described", "billing error, charged twice"]


@dataclass(frozen=True)
class Params:
    seed: int
    start_s: int          # first second of --start-date
    end_excl: int         # first second after --end-date (events are < end_excl), the earlier
                          # of UTC and business-time-zone midnight
    cap: int              # latest loaded_at: --end-date + 1 day, 00:00:00 UTC
    n_clean: int          # clean customers
    n_extra: int          # dirty extra customers placed inside the id sequence
    cust_width: int       # digits in customer ids

    @property
    def total(self) -> int:
        return self.n_clean + self.n_extra

    def cid(self, pos_expr: str) -> str:
        return f"('C' || lpad(({pos_expr})::VARCHAR, {self.cust_width}, '0'))"

    def loaded(self, base: str, delay: str, key: str, j: str, salt: str) -> str:
        """loaded_at = base + delay (base >= event, base < cap), squeezed into (base, cap]
        when that would pass the cap, so it never passes --end-date + 1 day."""
        return (f"CASE WHEN ({base}) + ({delay}) <= {self.cap} THEN ({base}) + ({delay}) "
                f"ELSE ({base}) + 1 + floor(u2({key}, {j}, '{salt}') * "
                f"greatest({self.cap} - ({base}) - 1, 0))::BIGINT END")


# ------------------------------------------------------------------------------ customers
def customers_sql(p: Params) -> list[str]:
    T, span = p.total, p.end_excl - 1 - p.start_s
    x = p.n_extra
    extras = (
        f"""
CREATE OR REPLACE TABLE cust_extras AS
WITH m AS (
    SELECT m, (m * {T}) // {x} AS lo, ((m + 1) * {T}) // {x} AS hi FROM range({x}) r(m)
)
SELECT lo + 1 + floor(u(m, 'c.extra.pos') * (hi - lo))::BIGINT AS pos,
       row_number() OVER (ORDER BY u(m, 'c.extra.kind'), m) - 1 AS extra_rank
FROM m"""
        if x > 0
        else "CREATE OR REPLACE TABLE cust_extras (pos BIGINT, extra_rank BIGINT)"
    )
    cust = f"""
CREATE OR REPLACE TABLE cust0 AS
WITH b AS (
    SELECT r.pos, e.extra_rank,
           -- sign-ups grow linearly over the range (density 1 -> 3); ids follow sign-up order
           (r.pos - u(r.pos, 'c.su')) / {T}.0 AS x,
           u(r.pos, 'c.b2b') < {B2B_SHARE} AS b2b,
           u(r.pos, 'c.region') AS u_region,
           u(r.pos, 'c.chan') AS u_chan,
           u(r.pos, 'c.mail') AS u_mail,
           u(r.pos, 'c.ccy') AS u_ccy,
           u(r.pos, 'c.plan') AS u_plan,
           u(r.pos, 'c.cycle') AS u_cycle
    FROM range(1, {T} + 1) r(pos) LEFT JOIN cust_extras e ON e.pos = r.pos
), s AS (
    SELECT *,
           {p.start_s} + floor((sqrt(1.0 + 8.0 * x) - 1.0) / 2.0 * {span})::BIGINT AS signup_s,
           {choice('u_region', REGIONS)} AS region
    FROM b
), f AS (
    SELECT *,
           signup_s + floor(CASE
               WHEN b2b THEN 3600 + expo(pos, 0, 'c.fd') * 25 * {DAY}
               WHEN u(pos, 'c.fd.fast') < 0.45 THEN 300 + expo(pos, 0, 'c.fd') * 3 * 3600
               ELSE 3600 + expo(pos, 0, 'c.fd') * 12 * {DAY} END)::BIGINT AS first_s,
           extra_rank IS NULL AND u(pos, 'c.prospect') >= {PROSPECT_SHARE} AS wants_to_buy,
           u(pos, 'c.onetime') < CASE WHEN b2b THEN {ONE_TIMER['b2b']} ELSE {ONE_TIMER['b2c']} END
               AS one_timer,
           -- personal rhythm: mean days between orders, log-uniform
           {GAP_STRETCH} * exp(ln({GAP_MIN_DAYS}) + u(pos, 'c.gap')
               * (ln({GAP_MAX_DAYS}) - ln({GAP_MIN_DAYS}))) AS gap_days,
           u(pos, 'c.churn') < {CHURN_SHARE} AS churn_draw,
           u(pos, 'c.return') < {RETURN_SHARE} AS return_draw
    FROM s
), g AS (
    SELECT *,
           wants_to_buy AND first_s < {p.end_excl} AS buyer,
           NOT one_timer AND churn_draw AS churner,
           CASE WHEN one_timer THEN first_s
                WHEN churn_draw THEN first_s + floor(expo(pos, 0, 'c.life0') * {CHURN_LIFE_DAYS} * {DAY})::BIGINT
                ELSE {p.end_excl} - 1 END AS stop0
    FROM f
), h AS (
    SELECT *,
           least(stop0, {p.end_excl} - 1) AS we0,
           churner AND return_draw AS returner,
           stop0 + floor((150 + 400 * u(pos, 'c.pause')) * {DAY})::BIGINT AS start1,
           gap_days * (0.7 + 0.8 * u(pos, 'c.gap1')) AS gap1_days
    FROM g
), k AS (
    SELECT *,
           CASE WHEN u(pos, 'c.back.forever') < 0.5 THEN {p.end_excl} - 1
                ELSE least(start1 + floor(expo(pos, 0, 'c.life1') * 365 * {DAY})::BIGINT, {p.end_excl} - 1)
           END AS we1,
           CASE WHEN NOT buyer THEN 0 WHEN one_timer THEN 1
                ELSE least(1 + pois(greatest(we0 - first_s, 0) / {DAY}.0 / gap_days,
                                    nrm(pos, 0, 'c.k0')), 5000) END AS k0
    FROM h
)
SELECT *,
       CASE WHEN buyer AND returner AND start1 < {p.end_excl}
            THEN least(1 + pois(greatest(we1 - start1, 0) / {DAY}.0 / gap1_days, nrm(pos, 0, 'c.k1')), 5000)
            ELSE 0 END AS k1,
       -- spend level (log CNY per order): a few customers bring most revenue
       ln(CASE WHEN b2b THEN 1200 ELSE 120 END)
           + CASE WHEN b2b THEN 0.8 ELSE 0.7 END * nrm(pos, 0, 'c.spend') AS mu,
       u(pos, 'c.promo') < CASE WHEN b2b THEN 0.05 ELSE 0.17 END AS promo,
       CASE WHEN b2b THEN 0.35 + 0.6 * u(pos, 'c.assist')
            WHEN u(pos, 'c.assist') < 0.08 THEN 0.5 + 0.4 * u(pos, 'c.assist2')
            ELSE 0.03 END AS assisted_p,
       CASE WHEN region = 'overseas' THEN {choice('u_ccy', HOME_CCY_OVERSEAS)}
            ELSE {choice('u_ccy', HOME_CCY_DOMESTIC)} END AS home_ccy,
       one_timer = FALSE AND u(pos, 'c.sameday') < 0.04 AS same_day,
       u(pos, 'c.loyal') AS loyalty,
       CASE WHEN buyer AND u(pos, 'c.subs') < CASE WHEN b2b THEN 0.6 ELSE 0.3 END
            THEN 1 + (u(pos, 'c.subs2') < 0.25)::INT ELSE 0 END AS n_subs,
       CASE WHEN b2b THEN {choice('u_plan', PLANS_B2B)} ELSE {choice('u_plan', PLANS_B2C)} END AS plan0,
       CASE WHEN b2b THEN {choice('u_cycle', CYCLES_B2B)} ELSE {choice('u_cycle', CYCLES_B2C)} END AS cycle0,
       CASE WHEN b2b THEN 1 + floor(expo(pos, 0, 'c.seats') * 4)::BIGINT ELSE 1 END AS seats
FROM k
"""
    # second pass: traits that depend on k0 / k1
    cust2 = f"""
CREATE OR REPLACE TABLE cust AS
SELECT *,
       CASE WHEN k1 > 0 THEN we1 ELSE we0 END AS last_active_s,
       -- satisfaction: churners lower, heavy buyers higher
       0.72 + 0.14 * nrm(pos, 0, 'c.sat') - CASE WHEN churner AND k1 = 0 THEN 0.16 ELSE 0 END
            - CASE WHEN one_timer THEN 0.06 ELSE 0 END
            + least(0.12, 0.006 * (k0 + k1)) AS sat,
       CASE WHEN buyer AND u(pos, 'c.fb') < 0.40
            THEN least(1 + pois(0.4 + 0.04 * least(k0 + k1, 50), nrm(pos, 0, 'c.nfb')), 99)
            ELSE 0 END AS n_fb
FROM cust0
"""
    return [extras, cust, cust2, "DROP TABLE cust0"]


def customers_fmt_query(p: Params, where: str = "") -> str:
    return f"""
WITH c AS (
    SELECT pos, extra_rank, signup_s, region, b2b, u_chan, u_mail,
           {p.loaded('signup_s',
                     f"60 + floor(least(expo(pos, 0, 'c.load') * 2 * 3600, {DAY} - 60))::BIGINT",
                     'pos', '0', 'c.load.sq')} AS loaded_s,
           u(pos, 'c.messy.type') < {MESSY} AS messy_type,
           u(pos, 'c.messy.date') < {MESSY} AS messy_date
    FROM cust {where}
)
SELECT pos AS pk, pos, extra_rank, signup_s AS sort_t, signup_s AS ev_s, loaded_s,
       messy_type OR messy_date AS messy,
       {p.cid('pos')} AS customer_id,
       CASE WHEN messy_date THEN fmt_d(signup_s) ELSE fmt_ts(signup_s) END AS signed_up_at,
       region,
       CASE WHEN messy_type THEN mangle(CASE WHEN b2b THEN 'b2b' ELSE 'b2c' END, u(pos, 'c.messy.v'))
            WHEN b2b THEN 'b2b' ELSE 'b2c' END AS customer_type,
       CASE WHEN b2b THEN {choice('u_chan', CHANNELS_B2B)} ELSE {choice('u_chan', CHANNELS_B2C)} END
           AS acquisition_channel,
       CASE WHEN u_mail < 0.04 THEN NULL
            ELSE 'user' || pos || '@' || {pick_from(EMAIL_DOMAINS, "u(pos, 'c.mail.dom')")} END AS email,
       fmt_ts(loaded_s) AS loaded_at
FROM c
"""


# --------------------------------------------------------------------------------- orders
def orders_sql(p: Params) -> list[str]:
    tod = f"""CASE WHEN u2(pos, j, 'o.tod') < 0.15 THEN floor(u2(pos, j, 'o.tod.s') * {DAY})
                 WHEN u2(pos, j, 'o.tod') < 0.45 THEN 1 * 3600 + floor(u2(pos, j, 'o.tod.s') * 4 * 3600)
                 WHEN u2(pos, j, 'o.tod') < 0.70 THEN 5 * 3600 + floor(u2(pos, j, 'o.tod.s') * 5 * 3600)
                 ELSE 11 * 3600 + floor(u2(pos, j, 'o.tod.s') * 5 * 3600) END::BIGINT"""
    build = f"""
CREATE OR REPLACE TABLE ord AS
WITH e AS (
    SELECT pos, b2b, first_s, we0, start1, we1, k0, k1, same_day, mu, promo, assisted_p, home_ccy,
           unnest(range(k0 + k1)) AS j
    FROM cust WHERE k0 + k1 > 0
), w AS (
    SELECT *,
           CASE WHEN j < k0 THEN first_s ELSE start1 END AS ws,
           CASE WHEN j < k0 THEN we0 ELSE we1 END AS we,
           (j = 0 OR j = k0 OR (j = 1 AND same_day)) AS anchored,
           {tod} AS tod
    FROM e
), t0 AS (
    SELECT *,
           CASE WHEN j = 0 THEN first_s
                WHEN j = k0 THEN start1
                WHEN j = 1 AND same_day   -- a second order on the first order's day
                    THEN first_s + floor(u2(pos, j, 'o.sd')
                                         * (((first_s // {DAY}) + 1) * {DAY} - 1 - first_s))::BIGINT
                ELSE ws + floor(u2(pos, j, 'o.t') * (we - ws))::BIGINT END AS raw_s
    FROM w
), t1 AS (
    SELECT *,
           CASE WHEN NOT anchored AND (raw_s // {DAY}) * {DAY} + tod BETWEEN ws AND we
                THEN (raw_s // {DAY}) * {DAY} + tod ELSE raw_s END AS t1_s
    FROM t0
), t2 AS (   -- promotion-driven customers cluster on Double 11 and 618
    SELECT *,
           CASE WHEN promo AND NOT anchored AND u2(pos, j, 'o.promoday') < 0.3 THEN
                CASE WHEN month(ts_of(t1_s)) IN (10, 11)
                         THEN epoch_s(make_timestamp(year(ts_of(t1_s)), 11, 11, 0, 0, 0)) + tod
                     WHEN month(ts_of(t1_s)) IN (5, 6)
                         THEN epoch_s(make_timestamp(year(ts_of(t1_s)), 6, 18, 0, 0, 0)) + tod
                END END AS promo_s
    FROM t1
), t3 AS (
    SELECT *,
           CASE WHEN promo_s BETWEEN ws AND we THEN promo_s ELSE t1_s END AS ordered_s,
           u2(pos, j, 'o.status') AS v_status,
           CASE WHEN u2(pos, j, 'o.ccyx') < 0.03 THEN CASE WHEN home_ccy = 'USD' THEN 'CNY' ELSE 'USD' END
                ELSE home_ccy END AS ccy,
           exp(mu + 0.55 * nrm(pos, j, 'o.amt')) AS gross_cny,
           u2(pos, j, 'o.disc') < CASE WHEN promo THEN 0.8 ELSE 0.16 END AS discounted,
           u2(pos, j, 'o.assist') < assisted_p AS assisted,
           u2(pos, j, 'o.chan') AS v_chan,
           u2(pos, j, 'o.code') AS v_code
    FROM t2
), t4 AS (
    SELECT *,
           CASE WHEN ordered_s >= {p.end_excl} - 7 * {DAY} AND u2(pos, j, 'o.pend') < 0.4 THEN 'pending'
                WHEN v_status < 0.05 THEN 'cancelled'
                WHEN v_status < 0.08 THEN 'refunded'
                WHEN v_status < 0.09 THEN 'pending'
                ELSE 'completed' END AS status,
           CASE WHEN ccy = 'JPY' THEN greatest(100, round(gross_cny / fx(ccy), -1))
                WHEN ccy IN ('USD', 'EUR') THEN greatest(0.99, round(gross_cny / fx(ccy), 2))
                ELSE greatest(1, round(gross_cny / fx(ccy), 0))
                     - CASE WHEN u2(pos, j, 'o.cents') < 0.3 THEN 0.1 ELSE 0 END END AS gross
    FROM t3
)
SELECT pos * 100000 + j AS pk, pos, j, b2b, ordered_s, status, ccy, gross, promo, discounted,
       assisted, v_chan, v_code,
       CASE WHEN discounted THEN amt_round(gross * (0.05 + 0.25 * u2(pos, j, 'o.disc.r')), ccy) END AS disc
FROM t4
"""
    return [build]


def orders_fmt_query(p: Params, where: str = "") -> str:
    m = ("CASE WHEN month(ts_of(ordered_s)) = 11 AND day(ts_of(ordered_s)) <= 11 THEN 'DOUBLE11' "
         "WHEN month(ts_of(ordered_s)) = 6 AND day(ts_of(ordered_s)) <= 18 THEN '618SALE' "
         "WHEN (month(ts_of(ordered_s)) = 12 AND day(ts_of(ordered_s)) >= 20) "
         "  OR month(ts_of(ordered_s)) = 1 OR (month(ts_of(ordered_s)) = 2 AND day(ts_of(ordered_s)) <= 10) "
         "  THEN 'NEWYEAR' "
         "WHEN j = 0 THEN 'WELCOME10' "
         "ELSE " + pick_from(PROMO_CODES_OTHER, "u2(pos, j, 'o.code.o')") + " END")
    return f"""
WITH o AS (
    SELECT *,
           {p.loaded('ordered_s',
                     f"60 + floor(least(CASE WHEN u2(pos, j, 'o.batch') < 0.05 "
                     f"THEN u2(pos, j, 'o.batch.d') * {DAY} ELSE expo(pos, j, 'o.load') * 900 END, "
                     f"{DAY} - 60))::BIGINT", 'pos', 'j', 'o.load.sq')} AS loaded_s,
           u2(pos, j, 'o.messy.status') < {MESSY} AS messy_status,
           u2(pos, j, 'o.messy.ccy') < {MESSY} AS messy_ccy,
           u2(pos, j, 'o.messy.date') < {MESSY / 2} AS messy_date,
           CASE WHEN status = 'refunded' THEN gross - coalesce(disc, 0)
                WHEN status = 'completed' AND u2(pos, j, 'o.prefund') < 0.04
                    THEN amt_round((gross - coalesce(disc, 0)) * (0.1 + 0.4 * u2(pos, j, 'o.prefund.r')), ccy)
           END AS refund,
           CASE WHEN u2(pos, j, 'o.cost') >= 0.10
                THEN amt_round(gross * (0.5 + 0.3 * u2(pos, j, 'o.cost.r')), ccy) END AS cost
    FROM ord {where}
)
SELECT pk, pos, ordered_s AS sort_t, ordered_s AS ev_s, loaded_s,
       messy_status OR messy_ccy OR messy_date AS messy,
       {p.cid('pos')} AS customer_id,
       CASE WHEN messy_date THEN fmt_d(ordered_s) ELSE fmt_ts(ordered_s) END AS ordered_at,
       CASE WHEN messy_status THEN mangle(status, u2(pos, j, 'o.messy.v')) ELSE status END AS status,
       CASE WHEN messy_ccy THEN mangle_ccy(ccy, u2(pos, j, 'o.messy.c')) ELSE ccy END AS currency,
       fmt_amt(gross, ccy) AS gross_amount,
       CASE WHEN disc IS NOT NULL THEN fmt_amt(disc, ccy)
            WHEN u2(pos, j, 'o.zero') < 0.05 THEN fmt_amt(0, ccy) END AS discount_amount,
       CASE WHEN refund IS NOT NULL THEN fmt_amt(refund, ccy)
            WHEN status = 'completed' AND u2(pos, j, 'o.zero.r') < 0.10 THEN fmt_amt(0, ccy) END
           AS refunded_amount,
       CASE WHEN cost IS NOT NULL THEN fmt_amt(cost, ccy) END AS cost_amount,
       CASE WHEN u2(pos, j, 'o.chan.blank') < 0.02 THEN NULL
            WHEN assisted AND b2b THEN {choice('v_chan', ASSISTED_B2B)}
            WHEN assisted THEN {choice('v_chan', ASSISTED_B2C)}
            WHEN b2b THEN {choice('v_chan', SELF_SERVE_B2B)}
            ELSE {choice('v_chan', SELF_SERVE_B2C)} END AS sales_channel,
       CASE WHEN discounted AND v_code < CASE WHEN promo THEN 0.85 ELSE 0.5 END THEN {m} END AS promo_code,
       fmt_ts(loaded_s) AS loaded_at
FROM o
"""


# ------------------------------------------------------------------------------- renewals
def renewals_sql(p: Params) -> list[str]:
    end_date = f"(ts_of({p.end_excl} - 1)::DATE)"
    subs = f"""
CREATE OR REPLACE TABLE subs AS
WITH s AS (
    SELECT pos, b2b, first_s, loyalty, churner, k1, home_ccy, seats, plan0, cycle0,
           unnest(range(n_subs)) AS sidx
    FROM cust WHERE n_subs > 0
), d AS (
    SELECT *, pos * 10 + sidx AS sub_pk,
           ts_of(first_s + floor(CASE WHEN sidx = 0 THEN expo(pos, sidx, 's.start') * 30
                                      ELSE 60 + 700 * u2(pos, sidx, 's.start') END * {DAY})::BIGINT)::DATE
               AS raw_start,
           -- a second subscription is another plan / cycle
           CASE WHEN sidx = 0 THEN plan0
                ELSE {choice("u2(pos, sidx, 's.plan')", PLANS_SECOND)} END AS plan,
           CASE WHEN sidx = 0 THEN cycle0
                ELSE {choice("u2(pos, sidx, 's.cycle')", CYCLES_SECOND)} END AS cycle
    FROM s
), e AS (
    SELECT *,
           make_date(year(raw_start), month(raw_start), least(day(raw_start), 28)) AS start_date,
           CASE cycle WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END AS cycle_m,
           -- per-customer renewal probability (loyal customers renew more; churners less)
           least(0.985, CASE cycle WHEN 'month' THEN 0.80 + 0.18 * loyalty
                                   WHEN 'quarter' THEN 0.72 + 0.25 * loyalty
                                   ELSE 0.60 + 0.35 * loyalty END
                        - CASE WHEN churner AND k1 = 0 THEN 0.10 ELSE 0 END) AS q
    FROM d
)
SELECT *,
       epoch_s(start_date::TIMESTAMP) AS start_s,
       least(1 + floor(ln(1.0 - u(sub_pk, 's.len')) / ln(q))::BIGINT, 900) AS n_planned,
       CASE WHEN u(sub_pk, 's.endkind') < 0.3 THEN 'cancel' ELSE 'lapse' END AS end_kind,
       0.04 + 0.16 * (1 - loyalty) AS late_p,
       date_diff('month', start_date, {end_date}) // cycle_m + 1 AS n_fit
FROM e
WHERE start_date <= {end_date}
"""
    offset = (lambda pp: f"""CASE WHEN u2(sub_pk, {pp}, 's.late') < late_p
                 THEN floor((8 + (least(30, cycle_m * 28 - 10) - 8) * u2(sub_pk, {pp}, 's.off')) * {DAY})
                 ELSE floor((-7 + 12 * u2(sub_pk, {pp}, 's.off')) * {DAY}) END::BIGINT
            + 8 * 3600 + floor(u2(sub_pk, {pp}, 's.tod') * 12 * 3600)::BIGINT""")
    rows = f"""
CREATE OR REPLACE TABLE ren AS
WITH r AS (
    SELECT *, unnest(range(least(n_planned, n_fit))) AS p FROM subs
), t AS (
    SELECT *,
           epoch_s(start_date + to_months(p * cycle_m)) AS ps,
           epoch_s(start_date + to_months((p + 1) * cycle_m)) AS pe,
           -- renewal time of this period and of the previous one (same formula, p - 1);
           -- a late renewal (8+ days) stays before the next period's earliest renewal
           epoch_s(start_date + to_months((p + 1) * cycle_m)) + {offset('p')} AS rt,
           CASE WHEN p > 0 THEN epoch_s(start_date + to_months(p * cycle_m)) + {offset('p - 1')} END AS prev_rt
    FROM r
), v AS (
    SELECT *, ps + floor(u2(sub_pk, p, 's.cancel') * (pe - ps))::BIGINT AS ct
    FROM t
    -- a period exists once it has started, and once the previous one was actually renewed
    WHERE ps < {p.end_excl} AND (p = 0 OR prev_rt < {p.end_excl})
), w AS (
    SELECT *,
           CASE WHEN p = n_planned - 1 AND end_kind = 'cancel' AND ct < {p.end_excl} THEN 'cancelled'
                WHEN pe >= {p.end_excl} THEN 'active'
                WHEN p < n_planned - 1 THEN CASE WHEN rt < {p.end_excl} THEN 'renewed' ELSE 'active' END
                WHEN end_kind = 'lapse' AND pe + 7 * {DAY} < {p.end_excl} THEN 'lapsed'
                ELSE 'active' END AS status
    FROM v
)
SELECT sub_pk * 1000 + p AS pk, sub_pk, pos, p, start_s, plan, cycle, cycle_m, ps, pe, status,
       CASE WHEN status = 'renewed' THEN rt END AS renewed_s,
       home_ccy AS ccy,
       -- list price per period: monthly price x seats x cycle discount, +5 % a year on renewal
       CASE plan {' '.join(f"WHEN '{k}' THEN {v}" for k, v in PLAN_MONTHLY_CNY.items())} ELSE 199 END
           * seats * CASE cycle WHEN 'month' THEN 1 WHEN 'quarter' THEN 2.85 ELSE 10.2 END
           * (1 + 0.05 * (year(ts_of(ps)) - year(start_date))) AS price_cny,
       {p.loaded("CASE status WHEN 'renewed' THEN rt WHEN 'cancelled' THEN ct "
                       f"WHEN 'lapsed' THEN pe + 7 * {DAY} ELSE ps END",
                 "60 + floor(least(expo(sub_pk, p, 's.load') * 1200, 86000))::BIGINT",
                 'sub_pk', 'p', 's.load.sq')} AS loaded_s
FROM w
"""
    return [subs, rows]


def renewals_fmt_query(p: Params, where: str = "") -> str:
    return f"""
WITH r AS (
    SELECT *,
           u2(sub_pk, p, 's.messy.cycle') < {MESSY} AS messy_cycle,
           u2(sub_pk, p, 's.messy.status') < {MESSY} AS messy_status,
           u2(sub_pk, p, 's.messy.ccy') < {MESSY} AS messy_ccy,
           u2(sub_pk, p, 's.messy.date') < 0.02 AS date_only,
           CASE WHEN ccy = 'JPY' THEN round(price_cny / fx(ccy), -2) ELSE round(price_cny / fx(ccy), 0) END AS amt
    FROM ren {where}
)
SELECT pk, sub_pk, pos, p, start_s, cycle_m, ps AS sort_t, ps AS ev_s, pe AS pe_s, loaded_s,
       messy_cycle OR messy_status OR messy_ccy AS messy,
       {p.cid('pos')} AS customer_id,
       plan,
       CASE WHEN messy_cycle THEN mangle(cycle, u2(sub_pk, p, 's.messy.v')) ELSE cycle END AS billing_cycle,
       CASE WHEN date_only THEN fmt_d(ps) ELSE fmt_ts(ps) END AS period_start,
       CASE WHEN date_only THEN fmt_d(pe) ELSE fmt_ts(pe) END AS period_end,
       CASE WHEN renewed_s IS NOT NULL THEN fmt_ts(renewed_s) END AS renewed_at,
       fmt_amt(amt, ccy) AS amount,
       CASE WHEN messy_ccy THEN mangle_ccy(ccy, u2(sub_pk, p, 's.messy.c')) ELSE ccy END AS currency,
       CASE WHEN messy_status THEN mangle(status, u2(sub_pk, p, 's.messy.s')) ELSE status END AS status,
       fmt_ts(loaded_s) AS loaded_at
FROM r
"""


# ------------------------------------------------------------------------------- feedback
def feedback_sql(p: Params) -> list[str]:
    kinds_churn = [("survey", 50), ("complaint", 30), ("review", 20)]
    kinds_other = [("survey", 65), ("review", 22), ("complaint", 13)]
    return [f"""
CREATE OR REPLACE TABLE fb AS
WITH f AS (
    SELECT pos, first_s, last_active_s, churner, k1, sat, unnest(range(n_fb)) AS fidx
    FROM cust WHERE n_fb > 0
), g AS (
    SELECT *, pos * 100 + fidx AS pk,
           least(last_active_s + 30 * {DAY}, {p.end_excl} - 1) AS hi,
           CASE WHEN churner AND k1 = 0 THEN {choice("u2(pos, fidx, 'f.kind')", kinds_churn)}
                ELSE {choice("u2(pos, fidx, 'f.kind')", kinds_other)} END AS kind,
           sat + 0.12 * nrm(pos, fidx, 'f.score') AS s
    FROM f
), h AS (
    SELECT *,
           CASE WHEN kind = 'complaint' AND churner AND k1 = 0   -- complaints cluster before churn
                THEN greatest(first_s, hi - floor(expo(pos, fidx, 'f.t') * 20 * {DAY})::BIGINT)
                ELSE first_s + floor(u2(pos, fidx, 'f.t') * greatest(hi - first_s, 0))::BIGINT
           END AS sub_s,
           least(5, greatest(1, floor(0.5 + 5 * s)))::BIGINT AS csat_v,
           least(10, greatest(0, floor(11 * s)))::BIGINT AS nps_v,
           u2(pos, fidx, 'f.has.csat') AS v_csat,
           u2(pos, fidx, 'f.has.nps') AS v_nps
    FROM g
)
SELECT pk, pos, fidx, kind, sub_s, s,
       CASE kind WHEN 'survey' THEN CASE WHEN v_csat < 0.85 THEN csat_v END
                 WHEN 'review' THEN CASE WHEN v_csat < 0.90 THEN csat_v END
                 ELSE CASE WHEN v_csat < 0.40 THEN 1 + (u2(pos, fidx, 'f.low') < 0.35)::INT END END AS csat,
       CASE WHEN kind = 'survey' AND (v_nps < 0.65 OR v_csat >= 0.85) THEN nps_v END AS nps
FROM h
"""]


def feedback_fmt_query(p: Params, where: str = "") -> str:
    pos_c = pick_from(COMMENTS_POS, "u2(pos, fidx, 'f.c.pick')")
    neu_c = pick_from(COMMENTS_NEU, "u2(pos, fidx, 'f.c.pick')")
    neg_c = pick_from(COMMENTS_NEG, "u2(pos, fidx, 'f.c.pick')")
    return f"""
WITH f AS (
    SELECT *,
           {p.loaded('sub_s', "60 + floor(least(expo(pos, fidx, 'f.load') * 600, 86000))::BIGINT",
                     'pos', 'fidx', 'f.load.sq')} AS loaded_s,
           u2(pos, fidx, 'f.messy.kind') < {MESSY} AS messy_kind,
           u2(pos, fidx, 'f.messy.date') < {MESSY / 2} AS messy_date,
           u2(pos, fidx, 'f.c.has') < CASE kind WHEN 'survey' THEN 0.25 WHEN 'review' THEN 0.75 ELSE 0.9 END
               AS has_comment
    FROM fb {where}
)
SELECT pk, pos, sub_s AS sort_t, sub_s AS ev_s, loaded_s,
       messy_kind OR messy_date AS messy,
       {p.cid('pos')} AS customer_id,
       CASE WHEN messy_date THEN fmt_d(sub_s) ELSE fmt_ts(sub_s) END AS submitted_at,
       CASE WHEN messy_kind THEN mangle(kind, u2(pos, fidx, 'f.messy.v')) ELSE kind END AS kind,
       csat::VARCHAR AS csat,
       nps::VARCHAR AS nps,
       CASE WHEN NOT has_comment THEN NULL
            WHEN kind = 'complaint' OR coalesce(csat, 0) BETWEEN 1 AND 2 OR s < 0.45 THEN {neg_c}
            WHEN coalesce(csat, 3) = 3 OR s < 0.62 THEN {neu_c}
            ELSE {pos_c} END AS comment,
       fmt_ts(loaded_s) AS loaded_at
FROM f
"""
