"""Read what the report shows from the marts of a DuckDB file (schema `marts`), read-only.

By default the file is the published one (TIERING_PUBLISH_PATH, else target/published/tiering.duckdb),
which BI reads too; opening it read-only never blocks them. Any warehouse built by `dbt build`
works with `--database`: without `marts.publications` it is an "unpublished build", the
reconciliation comes from `staging.stg_raw__load_reconciliation` and the as-of date from the marts.

Every number is a column of a mart row or a plain count / sum / mean of mart rows, done here in
SQL; nothing recomputes a tier. The one derived series, the Pareto curve, is the running sum of
`customer_segments.monetary` in the order the ABC definition states (models/_docs.md `abc_class`),
and the classes drawn on it are the mart's own `abc_class_revenue`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from pathlib import Path

import duckdb
import yaml

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_PUBLISHED = Path("target") / "published" / "tiering.duckdb"
DEFAULT_WORK = Path("target") / "tiering.duckdb"
PARETO_MAX_POINTS = 1500
# The columns the migration section reads from marts.segment_migration (DECISIONLOG D104).
MIGRATION_COLUMNS = ("dimension", "period_from", "period_to", "from_value", "to_value", "customers", "movement")


@dataclasses.dataclass
class Header:
    as_of_date: str
    published: bool
    publication: dict | None           # the latest row of marts.publications, when there is one
    reconciliation: list[dict]          # entity, raw_rows, clean_rows, rejected_rows, duplicate_rows, reject_rate
    reconciliation_source: str | None   # the relation it came from
    database: str


@dataclasses.dataclass
class MartData:
    header: Header
    segments: list[dict]          # segment_summary, best segment first
    tier_service: list[dict]      # value_tier x service_level: customers (customer_segments)
    rfm_grid: list[dict]          # r_score x f_score: customers, avg_monetary (scored customers)
    pareto: list[dict]            # rank, customer_share, cumulative_share, abc_class_revenue (thinned)
    pareto_customers: int         # customers with positive net revenue (the curve's population)
    abc_cutoffs: dict             # {"A": 0.8, "B": 0.95} from dbt_project.yml vars
    abc_classes: list[dict]       # basis (revenue|margin) x class: customers, revenue
    cohort: list[dict]            # churn_cohort rows
    stages: list[dict]            # stage: customers (lifecycle_stage)
    at_risk_by_tier: list[dict]   # value_tier: customers at stage at_risk
    migration: list[dict] | None  # segment_migration rows; None when the mart is absent
    migration_problem: str | None # why the migration mart cannot be drawn, when it is present
    subscription_cohort: list[dict] | None  # subscription_cohort rows; None when the mart is absent
    cadence: list[dict]           # cadence_class: customers
    subscribers: int              # customers with subscription_state <> 'none'
    reminders: list[dict]         # service_level x reminder_status: subscriptions (renewal_reminders)
    satisfaction: list[dict]      # satisfaction_tier: customers


def published_database() -> Path:
    """Where the publication step writes the marts BI reads."""
    return Path(os.environ.get("TIERING_PUBLISH_PATH") or DEFAULT_PUBLISHED)


def default_database() -> Path:
    """The published file; the work warehouse when nothing was ever published (said in the header)."""
    published = published_database()
    if published.exists():
        return published
    work = Path(os.environ.get("TIERING_DUCKDB_PATH") or DEFAULT_WORK)
    return work if work.exists() else published


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, (_plain(value) for value in row))) for row in cursor.fetchall()]


def _plain(value):
    """Decimals as floats, dates as ISO text: what a chart and JSON take."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is not None and not isinstance(value, (bool, int, float, str)):
        return float(value)
    return value


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{schema}.{name}" for schema, name in con.execute(
        "select table_schema, table_name from information_schema.tables").fetchall()}


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    schema, name = relation.split(".")
    return [row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
        " order by ordinal_position", [schema, name]).fetchall()]


def abc_cutoffs() -> dict:
    """The ABC cut-offs the marts were built with: the vars of dbt_project.yml."""
    project_vars = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    return {"A": float(project_vars["abc_cutoff_a"]), "B": float(project_vars["abc_cutoff_b"])}


def _header(con, relations: set[str], database: Path) -> Header:
    publication = None
    if "marts.publications" in relations:
        found = _rows(con, "select * from marts.publications order by published_at desc, publication_id desc limit 1")
        publication = found[0] if found else None
    if publication and publication.get("as_of_date"):
        as_of = publication["as_of_date"]
    else:
        as_of = con.execute("select max(as_of_date) from marts.customer_segments").fetchone()[0]
        as_of = as_of.isoformat() if as_of else "unknown"
    source = next((r for r in ("marts.load_reconciliation", "staging.stg_raw__load_reconciliation") if r in relations), None)
    reconciliation = _rows(con, f"""
        select entity, raw_rows, clean_rows, rejected_rows, duplicate_rows, reject_rate
        from {source}
        order by case entity when 'customers' then 1 when 'orders' then 2 when 'renewals' then 3
            when 'feedback' then 4 else 5 end, entity""") if source else []
    return Header(as_of_date=str(as_of), published=publication is not None, publication=publication,
                  reconciliation=reconciliation, reconciliation_source=source, database=str(database))


def _pareto(con) -> tuple[list[dict], int]:
    """The cumulative share of revenue over the customers with positive net revenue, ranked as the
    ABC definition ranks them, thinned to about PARETO_MAX_POINTS points; the first and last
    customer and the last two customers of each class are always kept (where a cut-off is crossed)."""
    total = con.execute("select count(*) from marts.customer_segments where monetary > 0").fetchone()[0]
    step = max(1, math.ceil(total / PARETO_MAX_POINTS))
    rows = _rows(con, """
        with paying as (
            select customer_id, monetary, abc_class_revenue
            from marts.customer_segments
            where monetary > 0
        ),
        ranked as (
            select
                row_number() over (order by monetary desc, customer_id asc) as customer_rank,
                abc_class_revenue,
                sum(monetary) over (
                    order by monetary desc, customer_id asc
                    rows between unbounded preceding and current row
                ) / sum(monetary) over () as cumulative_share
            from paying
        ),
        flagged as (
            select
                *,
                abc_class_revenue is distinct from lead(abc_class_revenue) over (order by customer_rank) as is_class_end
            from ranked
        ),
        kept as (
            select
                *,
                coalesce(lead(is_class_end) over (order by customer_rank), false) as is_before_class_end
            from flagged
        )
        select customer_rank, customer_rank / ? as customer_share, cumulative_share, abc_class_revenue
        from kept
        where customer_rank = 1 or customer_rank % ? = 0 or is_class_end or is_before_class_end
        order by customer_rank""", [float(total), step])
    return rows, total


def _subscription_cohort(con, relations: set[str]) -> list[dict] | None:
    if "marts.subscription_cohort" not in relations:
        return None
    return _rows(con, """
        select cohort_month, billing_cycle, periods_since_start, subscriptions_at_start, retention_rate, is_partial_period
        from marts.subscription_cohort order by billing_cycle, cohort_month, periods_since_start""")


def _migration(con, relations: set[str]) -> tuple[list[dict] | None, str | None]:
    if "marts.segment_migration" not in relations:
        return None, None
    missing = [c for c in MIGRATION_COLUMNS if c not in _columns(con, "marts.segment_migration")]
    if missing:
        return [], f"marts.segment_migration has no column {', '.join(missing)}"
    return _rows(con, f"select {', '.join(MIGRATION_COLUMNS)} from marts.segment_migration"
                      " order by period_to, dimension, from_value, to_value"), None


def read(database: Path) -> MartData:
    """Everything the report shows, from the marts of `database`."""
    if not Path(database).exists():
        raise FileNotFoundError(f"no warehouse at {database}: run `make build` first (or pass --database)")
    with duckdb.connect(str(database), read_only=True) as con:
        relations = _relations(con)
        needed = {"marts.customer_segments", "marts.segment_summary", "marts.churn_cohort",
                  "marts.lifecycle_stage", "marts.renewal_reminders"}
        if needed - relations:
            raise LookupError(f"{database} lacks {', '.join(sorted(needed - relations))}: is it a tiering warehouse?")
        pareto, pareto_customers = _pareto(con)
        migration, migration_problem = _migration(con, relations)
        return MartData(
            header=_header(con, relations, Path(database)),
            segments=_rows(con, """
                select segment_code, sort_order, segment_label_en, segment_label_zh, value_tier,
                    customers, customer_share, revenue, revenue_share, avg_monetary
                from marts.segment_summary order by sort_order"""),
            tier_service=_rows(con, """
                select value_tier, service_level, count(*) as customers
                from marts.customer_segments group by value_tier, service_level"""),
            rfm_grid=_rows(con, """
                select r_score, f_score, count(*) as customers, avg(monetary) as avg_monetary
                from marts.customer_segments where rfm_status = 'scored'
                group by r_score, f_score order by r_score, f_score"""),
            pareto=pareto,
            pareto_customers=pareto_customers,
            abc_cutoffs=abc_cutoffs(),
            abc_classes=_rows(con, """
                select 'revenue' as basis, abc_class_revenue as abc_class, count(*) as customers, sum(monetary) as revenue
                from marts.customer_segments where abc_class_revenue is not null group by abc_class_revenue
                union all
                select 'margin', abc_class_margin, count(*), sum(monetary)
                from marts.customer_segments where abc_class_margin is not null group by abc_class_margin
                order by basis desc, abc_class"""),
            cohort=_rows(con, """
                select cohort_month, months_since_acquisition, period_month, cohort_size, active_customers,
                    retention_rate, revenue, revenue_retention, is_partial_period
                from marts.churn_cohort order by cohort_month, months_since_acquisition"""),
            stages=_rows(con, "select stage, count(*) as customers from marts.lifecycle_stage group by stage"),
            at_risk_by_tier=_rows(con, """
                select segments.value_tier, count(*) as customers
                from marts.lifecycle_stage as stages
                inner join marts.customer_segments as segments on stages.customer_id = segments.customer_id
                where stages.stage = 'at_risk'
                group by segments.value_tier"""),
            migration=migration,
            migration_problem=migration_problem,
            subscription_cohort=_subscription_cohort(con, relations),
            cadence=_rows(con, "select cadence_class, count(*) as customers from marts.customer_segments group by cadence_class"),
            subscribers=con.execute(
                "select count(*) from marts.customer_segments where subscription_state <> 'none'").fetchone()[0],
            reminders=_rows(con, """
                select service_level, reminder_status, count(*) as subscriptions
                from marts.renewal_reminders group by service_level, reminder_status"""),
            satisfaction=_rows(con, """
                select satisfaction_tier, count(*) as customers
                from marts.customer_segments group by satisfaction_tier"""),
        )
