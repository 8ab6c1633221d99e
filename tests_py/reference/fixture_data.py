"""A small, deterministic raw data set following docs/raw-data-contract.md, written by hand.

Used by the reference tests only while the project's own generator (``python -m generator``)
does not exist yet. It deliberately contains every reject reason, duplicates, timezone edge
cases (UTC evening = next business day in Asia/Shanghai), several currencies, rounding halves,
subscriptions that renew early, late and never, and feedback of every kind.
``append_subscription_edge_cases`` adds hand-written subscription payment edge cases to any CSV
data set, the generator's included; the reference equality test always appends them.
"""
from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

CUSTOMER_COLS = ["customer_id", "signed_up_at", "region", "customer_type", "acquisition_channel", "email", "loaded_at"]
ORDER_COLS = ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount", "discount_amount",
              "refunded_amount", "cost_amount", "sales_channel", "promo_code", "loaded_at"]
RENEWAL_COLS = ["subscription_id", "customer_id", "plan", "billing_cycle", "period_start", "period_end", "renewed_at",
                "amount", "currency", "status", "loaded_at"]
FEEDBACK_COLS = ["feedback_id", "customer_id", "submitted_at", "kind", "csat", "nps", "comment", "loaded_at"]

START = datetime(2023, 1, 1)
END = datetime(2025, 12, 31, 12, 0, 0)


def _ts(d: datetime, date_only: bool = False) -> str:
    return d.strftime("%Y-%m-%d") if date_only else d.strftime("%Y-%m-%d %H:%M:%S")


def _add_months(d: datetime, n: int) -> datetime:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    day = min(d.day, [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])
    return d.replace(year=y, month=m, day=day)


def generate(out: str | Path, customers: int = 400, seed: int = 7) -> Path:
    rnd = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cust_rows, order_rows, ren_rows, fb_rows = [], [], [], []
    span = (END - START).total_seconds()
    cids = []
    for i in range(1, customers + 1):
        cid = f"C{i:07d}"
        cids.append(cid)
        signed = START + timedelta(seconds=rnd.random() * span * 0.97)
        if rnd.random() < 0.05:  # evening UTC: next business day in Shanghai
            signed = signed.replace(hour=rnd.choice([16, 18, 23]))
        ctype = rnd.choice(["b2b", "b2c", "B2C", " b2c ", "b2C"])
        region = rnd.choice(["east", "west", "north", "south", "", " east "])
        chan = rnd.choice(["referral", "search", "ads", "", "organic"])
        loaded = signed + timedelta(hours=rnd.randint(0, 48))
        cust_rows.append([cid, _ts(signed, rnd.random() < 0.1), region, ctype, chan, f"u{i}@example.com", _ts(loaded)])
        if rnd.random() < 0.04:  # later-loaded duplicate with a changed region
            cust_rows.append([cid, _ts(signed), "west", ctype, chan, "", _ts(loaded + timedelta(days=3))])
        if rnd.random() < 0.02:  # equal loaded_at duplicate with identical content
            cust_rows.append(list(cust_rows[-1]))
        # ---- orders
        n_orders = 0 if rnd.random() < 0.2 else min(int(rnd.expovariate(1 / 3)) + 1, 25)
        last = signed
        for k in range(n_orders):
            gap_days = rnd.choice([0, 0, 1, 3, 10, 30, 45, 90, 200, 400]) if k else rnd.randint(0, 60)
            when = last + timedelta(days=gap_days, seconds=rnd.randint(0, 86399))
            if when > END:
                break
            last = when
            oid = f"O{len(order_rows) + 1:09d}"
            status = rnd.choices(["completed", "Completed ", "pending", "cancelled", "refunded"], [80, 5, 5, 5, 5])[0]
            cur = rnd.choices(["CNY", "usd", "EUR", "HKD", "JPY", "GBP"], [60, 10, 8, 8, 8, 6])[0]
            gross = round(rnd.uniform(5, 3000), 2)
            if cur.upper() == "JPY":
                gross = round(gross * 20)
            if rnd.random() < 0.05:
                gross = rnd.choice([10.25, 0.05, 12.35, 100.15, 3.45, 0])
            disc = "" if rnd.random() < 0.5 else f"{round(gross * rnd.choice([0, 0.1, 0.2, 0.5]), 2):.2f}"
            if rnd.random() < 0.03:
                disc = f"{gross + 10:.2f}"  # discount above list price -> negative net
            refund = "" if rnd.random() < 0.85 else f"{round(gross * rnd.choice([0.1, 0.5, 1.0]), 2):.2f}"
            cost = "" if rnd.random() < 0.3 else f"{round(gross * rnd.uniform(0.3, 0.9), 2):.2f}"
            ch = rnd.choice(["web", "app", "sales_rep", "Telesales", "campaign", "", " WEB "])
            promo = "" if rnd.random() < 0.8 else rnd.choice(["DOUBLE11", "NEWYEAR"])
            loaded_o = when + timedelta(minutes=rnd.randint(0, 600))
            order_rows.append([oid, cid, _ts(when, rnd.random() < 0.03), status, cur, f"{gross}", disc, refund, cost,
                               ch, promo, _ts(loaded_o)])
            if rnd.random() < 0.03:  # duplicate: later load changes the status
                order_rows.append([oid, cid, _ts(when), "refunded" if status == "completed" else "completed", cur,
                                   f"{gross}", disc, refund, cost, ch, promo, _ts(loaded_o + timedelta(days=2))])
        # ---- renewals
        if rnd.random() < 0.3:
            for s in range(rnd.choice([1, 1, 1, 2])):
                sid = f"S{len(ren_rows) + 1:06d}_{cid[-4:]}"
                cycle = rnd.choice(["month", "quarter", "year", "Month"])
                months = {"month": 1, "quarter": 3, "year": 12}[cycle.lower()]
                ps = (signed + timedelta(days=rnd.randint(0, 200))).replace(hour=rnd.choice([0, 0, 17]), minute=0, second=0)
                n_periods = rnd.randint(1, 14 if months == 1 else (5 if months == 3 else 3))
                for p in range(n_periods):
                    if ps > END:
                        break
                    pe = _add_months(ps, months)
                    fate = rnd.choices(["early", "late", "verylate", "none"], [70, 10, 5, 15])[0]
                    last_p = p == n_periods - 1
                    if last_p and fate != "none" and rnd.random() < 0.5:
                        fate = "none"
                    renewed = None
                    if fate == "early":
                        renewed = pe - timedelta(days=rnd.randint(0, 5), hours=rnd.randint(0, 10))
                    elif fate == "late":
                        renewed = pe + timedelta(days=rnd.randint(1, 7), hours=rnd.randint(0, 10))
                    elif fate == "verylate":
                        renewed = pe + timedelta(days=rnd.randint(8, 20))
                    if renewed is not None and renewed > END:
                        renewed = None
                    status = "renewed" if renewed else rnd.choice(["active", "lapsed", "cancelled"])
                    loaded_r = max(ps, renewed or ps) + timedelta(hours=1)
                    amt = {"month": 99, "quarter": 279, "year": 999}[cycle.lower()] * rnd.choice([1, 1, 2])
                    ren_rows.append([sid, cid, rnd.choice(["pro", "basic", ""]), cycle, _ts(ps), _ts(pe),
                                     _ts(renewed) if renewed else "", f"{amt}.00", rnd.choice(["CNY", "CNY", "USD"]),
                                     status, _ts(loaded_r)])
                    if renewed is None:
                        break
                    ps = pe
        # ---- feedback
        for _ in range(rnd.choice([0, 0, 0, 1, 1, 2, 3, 5])):
            when = signed + timedelta(days=rnd.uniform(0, 700))
            if when > END:
                continue
            kind = rnd.choices(["survey", "complaint", "review", "Survey"], [50, 20, 25, 5])[0]
            csat = rnd.choice(["", "1", "2", "3", "4", "5", "5"])
            nps = rnd.choice(["", "", "0", "3", "6", "7", "8", "9", "10"])
            fid = f"F{len(fb_rows) + 1:07d}"
            fb_rows.append([fid, cid, _ts(when), kind, csat, nps, rnd.choice(["", "很好用", "slow"]),
                            _ts(when + timedelta(seconds=5))])
        if rnd.random() < 0.02:  # two answers in the same second: latest NPS tie-break on feedback_id
            when = signed + timedelta(days=10)
            if when < END:
                for nps in ("3", "10"):
                    fid = f"F{len(fb_rows) + 1:07d}"
                    fb_rows.append([fid, cid, _ts(when), "survey", "4", nps, "", _ts(when + timedelta(seconds=5))])

    # ---- a burst of orders on the last business day (UTC evening -> next Shanghai day)
    for k in range(3):
        order_rows.append([f"OX{k:08d}", cids[k], "2025-12-31 17:30:00", "completed", "CNY", "50.00", "", "", "",
                           "web", "", "2025-12-31 18:00:00"])
    # ---- dirty rows, one family per reject reason
    cust_rows += [
        ["", "2024-01-01", "east", "b2b", "", "", "2024-01-02 00:00:00"],                      # missing_key
        ["C9000001", "2024-02-30 10:00:00", "east", "b2b", "", "", "2024-03-02 00:00:00"],     # unparseable_date
        ["C9000002", "", "east", "b2b", "", "", "2024-03-02 00:00:00"],                         # unparseable_date
        ["C9000003", "2024-03-01", "east", "b2x", "", "", "2024-03-02 00:00:00"],               # invalid_value
        ["C9000004", "2024-03-05", "east", "b2c", "", "", "2024-03-02 00:00:00"],               # future_dated
        ["C9000005", "2024-03-01 10:00:00", "east", "b2c", "", "", ""],                         # missing loaded_at
    ]
    a, b = cids[5], cids[6]
    order_rows += [
        ["", a, "2024-05-01 10:00:00", "completed", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000001", "", "2024-05-01 10:00:00", "completed", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000002", a, "2024-13-01 10:00:00", "completed", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000003", a, "2024-05-01 10:00:00", "completed", "CNY", "1O.00", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000004", a, "2024-05-01 10:00:00", "completed", "CNY", "", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000005", a, "2024-05-01 10:00:00", "shipped", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000006", a, "2024-05-01 10:00:00", "completed", "XYZ", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000007", a, "2024-05-01 10:00:00", "completed", "CNY", "10", "-2", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000008", a, "2024-05-01 12:00:00", "completed", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000009", "C8888888", "2024-05-01 10:00:00", "completed", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000010", "C9000003", "2024-05-01 10:00:00", "completed", "CNY", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000011", a, "2024-05-01 10:00:00", "completed", "CNY", "-10", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OD0000012", a, "2024-05-01 10:00:00", "completed", "", "10", "", "", "", "web", "", "2024-05-01 11:00:00"],
    ]
    ren_rows += [
        ["", b, "pro", "month", "2024-05-01", "2024-06-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD1", "", "pro", "month", "2024-05-01", "2024-06-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD2", b, "pro", "month", "2024-05-01", "2024-06-31", "", "99", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD3", b, "pro", "month", "2024-05-01", "2024-06-01", "", "9 9", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD4", b, "pro", "weekly", "2024-05-01", "2024-06-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD5", b, "pro", "month", "2024-06-01", "2024-05-01", "", "99", "CNY", "active", "2024-06-01 01:00:00"],
        ["SD6", b, "pro", "month", "2024-05-01", "2024-06-01", "", "99", "CNY", "paused", "2024-05-01 01:00:00"],
        ["SD7", b, "pro", "month", "2024-05-01", "2024-06-01", "", "99", "ABC", "active", "2024-05-01 01:00:00"],
        ["SD8", b, "pro", "month", "2024-05-01", "2024-06-01", "", "-99", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD9", b, "pro", "month", "2024-05-01 02:00:00", "2024-06-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],
        ["SD10", "C7777777", "pro", "month", "2024-05-01", "2024-06-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],
    ]
    fb_rows += [
        ["", b, "2024-05-01 10:00:00", "survey", "4", "9", "", "2024-05-01 10:00:05"],
        ["FD1", "", "2024-05-01 10:00:00", "survey", "4", "9", "", "2024-05-01 10:00:05"],
        ["FD2", b, "2024-05-01 25:00:00", "survey", "4", "9", "", "2024-05-01 10:00:05"],
        ["FD3", b, "2024-05-01 10:00:00", "survey", "four", "9", "", "2024-05-01 10:00:05"],
        ["FD4", b, "2024-05-01 10:00:00", "survey", "6", "9", "", "2024-05-01 10:00:05"],
        ["FD5", b, "2024-05-01 10:00:00", "survey", "4", "11", "", "2024-05-01 10:00:05"],
        ["FD6", b, "2024-05-01 10:00:00", "praise", "4", "9", "", "2024-05-01 10:00:05"],
        ["FD7", b, "2024-05-01 10:00:10", "survey", "4", "9", "", "2024-05-01 10:00:05"],
        ["FD8", "C6666666", "2024-05-01 10:00:00", "survey", "4", "9", "", "2024-05-01 10:00:05"],
    ]
    # ---- edge cases whose reading is ambiguous in the contract (see the reference's report)
    c1, c2, c3 = cids[10], cids[11], cids[12]
    cust_rows += [
        ["C9100001", "2024-03-01T10:00:00", "east", "b2b", "", "", "2024-03-02 00:00:00"],     # ISO 'T' separator
        ["C9100002", "2024-03-01 10:00:00", " East ", "B2B", "Referral", "", "2024-03-02 00:00:00"],  # case of text
        ["C9100003", "2024-03-01 10:00:00", "north", "b2b", "", "", "2024-03-02 00:00:00"],    # tie on loaded_at,
        ["C9100003", "2024-03-01 10:00:00", "south", "b2b", "", "", "2024-03-02 00:00:00"],    # different content
        ["C9100004", "2030-01-01 10:00:00", "east", "b2b", "", "", "2030-01-02 00:00:00"],     # signs up after as-of
    ]
    order_rows += [
        ["OE0000001", c1, "2024-05-01 10:00:00", "completed", "CNY", "1e3", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OE0000002", c1, "2024-05-01 10:00:00", "completed", "CNY", ".5", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OE0000003", c1, "2024-05-01 10:00:00", "completed", "CNY", "+5.00", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OE0000004", c1, "2024-05-01 10:00:00", "completed", "CNY", "5.00", "", "", "", "Partner", "", "2024-05-01 11:00:00"],
        ["OE0000005", c1, "2024-05-01 10:00:00", "completed", "CNY", "1,000.00", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OE0000006", c1, "2024-05-01 10:00:00.123", "completed", "CNY", "5.00", "", "", "", "web", "", "2024-05-01 11:00:00"],
        ["OE0000007", "C9100004", "2025-05-01 10:00:00", "completed", "CNY", "5.00", "", "", "", "web", "", "2025-05-01 11:00:00"],
        ["OE0000008", c1, "2024-05-01 10:00:00", "completed", "CNY", "5.00", "0.00", "", "", "web", "", "2024-05-01 11:00:00"],
    ]
    ren_rows += [
        ["SE1", c2, "pro", "month", "", "2024-06-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],          # blank key part
        ["SE2", c2, "pro", "month", "2024-05-01", "2024-05-01", "", "99", "CNY", "active", "2024-05-01 01:00:00"],  # end = start
        ["SE3", c2, "pro", "month", "2024-05-01", "2024-06-01", "2024-06-20", "99", "CNY", "renewed", "2024-06-01 01:00:00"],  # renewed after load
        ["SE4", c2, "pro", "month", "2024-05-01", "2024-06-01", "2024-05-30", "99", "CNY", "renewed", "2024-05-01 01:00:00"],  # renewed after load
    ]
    fb_rows += [
        ["FE1", c3, "2024-05-01 10:00:00", "survey", "4.0", "9", "", "2024-05-01 10:00:05"],
        ["FE2", c3, "2024-05-01 10:00:00", "survey", " 4 ", "09", "", "2024-05-01 10:00:05"],
        ["FE3", c3, "2024-05-01 10:00:00", "survey", "4.5", "9", "", "2024-05-01 10:00:05"],
    ]
    for name, cols, rows in (("customers", CUSTOMER_COLS, cust_rows), ("orders", ORDER_COLS, order_rows),
                             ("renewals", RENEWAL_COLS, ren_rows), ("feedback", FEEDBACK_COLS, fb_rows)):
        rnd.shuffle(rows)
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            w.writerows(rows)
    return out


if __name__ == "__main__":  # pragma: no cover
    import sys
    generate(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 400)


# ---------------------------------------------------------------------------------------------
# Subscription payment edge cases (purchase, subscription_payment and subscription_cohort doc
# blocks), appended to any data set so the generator's regular renewals are not the only ones
# compared: a lapse and a return (restart), a free first period, a payment made before the one
# for the period before it, a late renewal paid after the replayed as-of date, an early renewal
# paid before the start of a period that starts after it, a cancelled period that was paid, a
# foreign currency, a start in the UTC evening (next business day and month in Shanghai), a
# monthly and a quarterly cohort of the same month, a payment that comes after the payment for the
# next period, a customer who signs up after the replayed as-of date with a period before it, and
# a free trial that was never paid for.
def _edge_subscriptions(regular: list[str], late_signup: str | None) -> list[list[str]]:
    def p(sid, cid, cycle, start, end, renewed, amount, status, currency="CNY"):
        stamps = [s for s in (start, renewed) if s]
        loaded = (datetime.strptime(max(stamps), "%Y-%m-%d %H:%M:%S") + timedelta(hours=1)).strftime(
            "%Y-%m-%d %H:%M:%S")
        return [sid, cid, "pro", cycle, start, end, renewed or "", amount, currency, status, loaded]

    a, b, c, d, e, f, g, h, k, k2 = regular[:10]
    rows = [
        # restart: renewed once, lapsed, came back three months later, renewed once more
        p("SXRESTART", a, "month", "2024-01-10 00:00:00", "2024-02-10 00:00:00", "2024-02-08 09:00:00", "100.00",
          "renewed"),
        p("SXRESTART", a, "month", "2024-02-10 00:00:00", "2024-03-10 00:00:00", None, "100.00", "lapsed"),
        p("SXRESTART", a, "month", "2024-05-10 00:00:00", "2024-06-10 00:00:00", "2024-06-12 10:00:00", "120.00",
          "renewed"),
        p("SXRESTART", a, "month", "2024-06-10 00:00:00", "2024-07-10 00:00:00", None, "120.00", "cancelled"),
        # a free first period (trial), then paid periods
        p("SXTRIAL", b, "month", "2025-03-01 00:00:00", "2025-04-01 00:00:00", "2025-03-30 08:00:00", "0.00",
          "renewed"),
        p("SXTRIAL", b, "month", "2025-04-01 00:00:00", "2025-05-01 00:00:00", "2025-04-29 08:00:00", "50.00",
          "renewed"),
        p("SXTRIAL", b, "month", "2025-05-01 00:00:00", "2025-06-01 00:00:00", None, "50.00", "lapsed"),
        # the renewal for period 2 is paid before the (late) renewal for period 1
        p("SXORDER", c, "month", "2025-01-01 00:00:00", "2025-02-01 00:00:00", "2025-02-05 12:00:00", "30.00",
          "renewed"),
        p("SXORDER", c, "month", "2025-02-01 00:00:00", "2025-03-01 00:00:00", "2025-02-03 12:00:00", "30.00",
          "renewed"),
        p("SXORDER", c, "month", "2025-03-01 00:00:00", "2025-04-01 00:00:00", None, "30.00", "lapsed"),
        # quarterly, same start month as SXTRIAL; its first renewal is paid after 2025-06-30
        p("SXQUARTER", d, "quarter", "2025-03-10 00:00:00", "2025-06-10 00:00:00", "2025-07-02 10:00:00", "279.00",
          "renewed"),
        p("SXQUARTER", d, "quarter", "2025-06-10 00:00:00", "2025-09-10 00:00:00", "2025-09-08 10:00:00", "279.00",
          "renewed"),
        p("SXQUARTER", d, "quarter", "2025-09-10 00:00:00", "2025-12-10 00:00:00", None, "279.00", "active"),
        # paid early, on 2025-06-28, for a period that starts after 2025-06-30
        p("SXEARLY", e, "month", "2025-06-01 00:00:00", "2025-07-01 00:00:00", "2025-06-28 10:00:00", "99.00",
          "renewed"),
        p("SXEARLY", e, "month", "2025-07-01 00:00:00", "2025-08-01 00:00:00", None, "99.00", "cancelled"),
        # period 2 is paid two months late, on 2025-07-03, after the renewal for period 3 (2025-05-30):
        # as of 2025-06-30 period 3 is a purchase but not retained (not paid through)
        p("SXCROSS", k2, "month", "2025-04-01 00:00:00", "2025-05-01 00:00:00", "2025-07-03 09:00:00", "40.00",
          "renewed"),
        p("SXCROSS", k2, "month", "2025-05-01 00:00:00", "2025-06-01 00:00:00", "2025-05-30 09:00:00", "40.00",
          "renewed"),
        p("SXCROSS", k2, "month", "2025-06-01 00:00:00", "2025-07-01 00:00:00", None, "40.00", "lapsed"),
        # a yearly period in dollars, cancelled at its end: it was still paid for
        p("SXCANCEL", f, "year", "2024-03-15 00:00:00", "2025-03-15 00:00:00", None, "999.00", "cancelled", "USD"),
        # starts in the UTC evening of 31 January: 1 February in Shanghai, a February cohort
        p("SXEVENING", g, "month", "2025-01-31 17:00:00", "2025-02-28 17:00:00", "2025-02-27 18:00:00", "10.00",
          "renewed"),
        p("SXEVENING", g, "month", "2025-02-28 17:00:00", "2025-03-31 17:00:00", None, "10.00", "lapsed"),
        # a free trial never paid for: a subscriber without a purchase
        p("SXFREE", h, "month", "2024-09-01 00:00:00", "2024-10-01 00:00:00", None, "0.00", "lapsed"),
        # two subscriptions of one customer in one cohort
        p("SXTWIN1", k, "month", "2024-11-03 00:00:00", "2024-12-03 00:00:00", "2024-12-01 00:00:00", "20.00",
          "renewed"),
        p("SXTWIN1", k, "month", "2024-12-03 00:00:00", "2025-01-03 00:00:00", None, "20.00", "lapsed"),
        p("SXTWIN2", k, "month", "2024-11-20 00:00:00", "2024-12-20 00:00:00", None, "25.00", "lapsed"),
    ]
    if late_signup:
        # signs up after 2025-06-30, with a period before it: not a customer of the replayed run
        rows += [
            p("SXLATE", late_signup, "month", "2025-06-01 00:00:00", "2025-07-01 00:00:00", "2025-06-29 10:00:00",
              "60.00", "renewed"),
            p("SXLATE", late_signup, "month", "2025-07-01 00:00:00", "2025-08-01 00:00:00", None, "60.00", "active"),
        ]
    return rows


def append_subscription_edge_cases(raw_dir: str | Path) -> int:
    """Appends the edge-case subscriptions to `renewals.csv` of a CSV data set, for clean customers
    that have no order and no subscription of their own (so they are subscription-only customers).
    Returns the number of rows appended."""
    raw_dir = Path(raw_dir)

    def read(name):
        with open(raw_dir / f"{name}.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    customers = read("customers")
    busy = {r["customer_id"].strip() for r in read("orders")} | {r["customer_id"].strip() for r in read("renewals")}
    seen: dict[str, int] = {}
    for r in customers:
        seen[r["customer_id"].strip()] = seen.get(r["customer_id"].strip(), 0) + 1

    def signed(r):
        try:
            return datetime.strptime(r["signed_up_at"].strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None

    plain = [r for r in customers if seen[r["customer_id"].strip()] == 1 and r["customer_id"].strip() not in busy
             and signed(r) is not None and (r.get("loaded_at") or "").strip()]
    regular = sorted(r["customer_id"].strip() for r in plain if signed(r) < datetime(2023, 12, 1))
    late = sorted(r["customer_id"].strip() for r in plain
                  if datetime(2025, 7, 2) <= signed(r) <= datetime(2025, 12, 1))
    assert len(regular) >= 10, "not enough customers without orders to attach the subscription edge cases to"
    rows = _edge_subscriptions(regular, late[0] if late else None)
    with open(raw_dir / "renewals.csv", newline="", encoding="utf-8") as fh:
        first = fh.readline()
    header = next(csv.reader([first]))
    with open(raw_dir / "renewals.csv", "a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\r\n" if first.endswith("\r\n") else "\n")
        for row in rows:
            w.writerow([dict(zip(RENEWAL_COLS, row)).get(col, "") for col in header])
    return len(rows)


def append_date_edge_cases(raw_dir: str | Path) -> dict[str, int]:
    """Appends the date rules of the raw data contract (README, reject_reason doc block, D70, D71) to a
    CSV data set: implausible dates (placeholders, 9999-12-31 with a blank loaded_at), UTC offsets and
    zone designators, a `T` separator, fractional seconds, blank loaded_at. Orders go to a clean
    customer that signed up before 2024. Returns the rows appended per file."""
    raw_dir = Path(raw_dir)

    def rows_of(name):
        with open(raw_dir / f"{name}.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    customers = rows_of("customers")
    count: dict[str, int] = {}
    for r in customers:
        count[r["customer_id"].strip()] = count.get(r["customer_id"].strip(), 0) + 1

    def early(r):
        try:
            return datetime.strptime(r["signed_up_at"].strip(), "%Y-%m-%d %H:%M:%S") < datetime(2024, 1, 1)
        except ValueError:
            return False

    cid = sorted(r["customer_id"].strip() for r in customers
                 if count[r["customer_id"].strip()] == 1 and early(r) and (r.get("loaded_at") or "").strip())[0]
    new = {
        "customers": [  # customer_id, signed_up_at, region, customer_type, acquisition_channel, email, loaded_at
            ["CXD000001", "1970-01-01 00:00:00", "east", "b2c", "", "", "2024-01-01 00:00:00"],  # implausible
            ["CXD000002", "2024-02-01 10:00:00", "east", "b2c", "", "", ""],                     # blank loaded_at
        ],
        "orders": [  # order_id, customer_id, ordered_at, status, currency, gross, discount, refunded, cost, ...
            ["OXD000001", cid, "9999-12-31 00:00:00", "completed", "CNY", "10", "", "", "", "web", "", ""],
            ["OXD000002", cid, "1900-01-01 00:00:00", "completed", "CNY", "10", "", "", "", "web", "",
             "2024-05-01 11:00:00"],
            # 12:00 UTC, before its loaded_at: clean (read without the offset it would be future_dated)
            ["OXD000003", cid, "2024-05-01T20:00:00+08:00", "completed", "CNY", "11", "", "", "", "web", "",
             "2024-05-01 13:00:00"],
            ["OXD000004", cid, "2024-05-01 23:30:00Z", "completed", "CNY", "12", "", "", "", "web", "",
             "2024-05-02 00:00:00"],
            ["OXD000005", cid, "2024-06-01 10:00:00", "completed", "CNY", "13", "", "", "", "web", "", ""],
            ["OXD000006", cid, "2024-06-01 10:00:00.250", "completed", "CNY", "14", "", "", "", "web", "",
             "2024-06-01 11:00:00"],
        ],
        "feedback": [  # feedback_id, customer_id, submitted_at, kind, csat, nps, comment, loaded_at
            ["FXD000001", cid, "0001-01-01 00:00:00", "survey", "4", "", "", "2024-05-01 00:00:00"],
        ],
    }
    cols = {"customers": CUSTOMER_COLS, "orders": ORDER_COLS, "feedback": FEEDBACK_COLS}
    for name, rows in new.items():
        path = raw_dir / f"{name}.csv"
        with open(path, newline="", encoding="utf-8") as fh:
            first = fh.readline()
        header = next(csv.reader([first]))
        with open(path, "a", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\r\n" if first.endswith("\r\n") else "\n")
            for row in rows:
                w.writerow([dict(zip(cols[name], row)).get(col, "") for col in header])
    return {name: len(rows) for name, rows in new.items()}
