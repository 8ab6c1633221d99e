"""Synthetic raw data for the customer-tiering warehouse (客户分层分阶管理).

Writes the four raw entities of the raw data contract (docs/raw-data-contract.md) -- customers,
orders, renewals, feedback -- with every value as text, plus ``_manifest.json``.  Run it with
``python -m generator --help``.

How the data is made
--------------------
Everything is generated inside DuckDB with SQL over ``range()``; no row is produced in Python.
Each random draw is ``hash(seed, row key, salt)`` mapped to [0, 1) (see ``sqlkit``), so the
output depends only on the arguments, never on threads or the wall clock, and every write is
``ORDER BY`` a deterministic key: same arguments give byte-identical CSV and Parquet files.

The behavioural model (``model``):

* **Customers** sign up over the date range at a growing rate (ids follow sign-up order).
  15 % are b2b.  Region, acquisition channel and home currency are skewed; about 15 % are
  prospects who never order.  Each buyer has hidden traits: a personal mean gap between orders
  (log-uniform 7-120 days, stretched), a spend level (lognormal; b2b about 10x larger, so a
  few customers bring most revenue), a promotion propensity, an assisted-channel propensity
  (b2b mostly assisted), and a satisfaction level.
* **Orders** form a Poisson process inside each active episode: the first order comes some
  hours or days after sign-up; 30 % of b2c buyers (15 % of b2b) buy once; about 45 % of repeat
  buyers churn after an exponential lifetime and a third of those come back after a pause of
  5-18 months.  Order times get a daily curve; promotion-driven customers cluster on Double 11
  and 618 and carry promo codes.  About 90 % of orders are completed; refunds, partial refunds,
  discounts (~25 %), blank costs (~10 %) and five currencies are mixed in.  A few customers
  place two orders on the same day.
* **Renewals**: ~30 % of customers (more b2b) hold one or two subscriptions (monthly,
  quarterly or yearly; basic / pro / enterprise).  The number of periods is geometric with a
  per-customer renewal probability; the final period lapses or is cancelled, or is still
  ``active`` when it runs past the end date (or its renewal is overdue).  Renewals happen a few
  days around the period end, sometimes more than a week late.
* **Feedback**: ~40 % of buyers answer surveys (CSAT / NPS), write reviews or complain; scores
  follow the customer's satisfaction (churners lower, heavy buyers higher); comments mix
  Chinese and English.

No clean event is later than the end of ``--end-date``, on the UTC calendar nor on the
business calendar (``--timezone``, default Asia/Shanghai like the warehouse's
``business_timezone``: an order at 20:00 UTC on 31 December would be a 1 January order there).
``loaded_at`` is always a little after the event (minutes to a day) and never after
``--end-date`` + 1 day, 00:00 UTC.  A few clean rows carry messy-but-valid spellings (`` Completed``, ``usd``,
``B2B``, date-only timestamps).

Dirty rows (``dirty``) are added on top: ``--dirty-share`` of each entity, each with exactly
one defect and one expected reject reason, counted per reason in the manifest.
"""

from .core import Options, generate

__all__ = ["Options", "generate"]
__version__ = "1.0.0"
