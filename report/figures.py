"""The report's sections and their Plotly charts, built from MartData (marts.py).

A section is a numbered heading, charts and notices (what is absent and why). Each chart is a
plain Plotly figure dict whose traces carry the mart numbers as plain lists; page.py embeds it
as JSON, so the numbers can be read back from the file (tests_py/test_report.py does).
Traces carry a `uid` naming what they show, e.g. `tier-customers-standard`.
"""
from __future__ import annotations

import dataclasses

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from report import labels as L
from report.marts import MartData

FONT_FAMILY = '"Tiering Sans", sans-serif'
PALETTE = {
    "vip": "#7b2d8e", "active": "#2a7ab9", "potential": "#3fa66b", "ordinary": "#c9a227", "unscored": "#9e9e9e",
    "dedicated_account_manager": "#7b2d8e", "standard": "#2a7ab9", "automated": "#9ccbe6",
    "A": "#1b6e3c", "B": "#e0a526", "C": "#b9b9b9",
    "upcoming": "#2a7ab9", "due_today": "#e0a526", "overdue": "#c0392b",
    "customers": "#2a7ab9", "revenue": "#7b2d8e",
    "satisfaction_high": "#1b6e3c", "satisfaction_medium": "#e0a526", "satisfaction_low": "#c0392b",
    "satisfaction_unknown": "#b9b9b9",
}


@dataclasses.dataclass
class Chart:
    chart_id: str
    title: str
    figure: dict


@dataclasses.dataclass
class Section:
    number: int
    key: str
    title: str
    intro: str
    charts: list[Chart] = dataclasses.field(default_factory=list)
    notices: list[str] = dataclasses.field(default_factory=list)


def _layout(fig: go.Figure, height: int, **extra) -> dict:
    settings = {"margin": {"l": 70, "r": 30, "t": 40, "b": 60}, "legend": {"orientation": "h", "y": -0.18}}
    fig.update_layout(height=height, font={"family": FONT_FAMILY, "size": 13}, paper_bgcolor="white",
                      plot_bgcolor="white", **{**settings, **extra})
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    return fig.to_plotly_json()


def _chart(chart_id: str, title: str, fig: go.Figure, height: int = 420, **layout) -> Chart:
    return Chart(chart_id, title, _layout(fig, height, **layout))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- 1 value tiers -------------------------------------------------------------------------

def value_tiers(data: MartData) -> Section:
    tiers = {}
    for row in data.segments:  # segment_summary summed per tier: customers, revenue and both shares
        tier = tiers.setdefault(row["value_tier"], {"customers": 0, "customer_share": 0.0, "revenue": 0.0, "revenue_share": 0.0})
        for key in tier:
            tier[key] += row[key] or 0
    order = L.order(L.VALUE_TIERS, tiers)
    names = [L.label(L.VALUE_TIERS, t, "<br>") for t in order]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16, subplot_titles=(
        "Customers by recommended service level · 各层客户数与推荐服务", "Net revenue and share · 收入与占比"))
    levels = L.order(L.SERVICE_LEVELS, {r["service_level"] for r in data.tier_service})
    for level in levels:
        counts = {r["value_tier"]: r["customers"] for r in data.tier_service if r["service_level"] == level}
        fig.add_trace(go.Bar(
            uid=f"tier-customers-{level}", name=L.label(L.SERVICE_LEVELS, level), orientation="h",
            y=names, x=[counts.get(t, 0) for t in order], marker_color=PALETTE.get(level),
            customdata=order, texttemplate="%{x}", textposition="inside", insidetextanchor="middle",
            hovertemplate="%{y}: %{x} customers 客户<extra>%{fullData.name}</extra>"), row=1, col=1)
    fig.add_trace(go.Bar(
        uid="tier-revenue", name="Net revenue 净收入", orientation="h", y=names,
        x=[tiers[t]["revenue"] for t in order], customdata=order, showlegend=False,
        marker_color=[PALETTE.get(t, "#888") for t in order],
        text=[f"{_pct(tiers[t]['revenue_share'])} of revenue · {tiers[t]['customers']:,} customers "
              f"({_pct(tiers[t]['customer_share'])})" for t in order],
        textposition="auto", hovertemplate="%{y}: %{x:,.0f}<extra></extra>"), row=1, col=2)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="Customers 客户数", row=1, col=1)
    fig.update_xaxes(title_text="Net revenue (reporting currency) 净收入（报告币种）", row=1, col=2)
    return Section(1, "tiers", "Value tiers · 客户价值分层",
                   "VIP, active, potential and ordinary customers: how many, what they bring, and the service "
                   "each is recommended (dedicated account managers go to ABC class A). "
                   "VIP / 活跃 / 潜力 / 普通客户的数量、收入贡献与推荐服务等级。",
                   charts=[_chart("tiers", "Value tiers · 价值分层", fig, barmode="stack", height=440,
                                  uniformtext={"minsize": 10, "mode": "hide"})])


# --- 2 RFM grid and segments --------------------------------------------------------------

def rfm(data: MartData) -> Section:
    section = Section(2, "rfm", "RFM grid and segments · RFM 矩阵与客户分群",
                      "Recency score (rows, 5 = most recent) × frequency score (columns): customers per cell "
                      "and their mean net revenue; then the named segments. "
                      "最近购买（R）× 购买频次（F）：每格客户数与平均消费金额；以及各客户分群的客户与收入占比。")
    cells = {(r["r_score"], r["f_score"]): r for r in data.rfm_grid}
    if cells:
        scores = [1, 2, 3, 4, 5]
        fig = go.Figure(go.Heatmap(
            uid="rfm-grid", x=[f"F{f}" for f in scores], y=[f"R{r}" for r in scores],
            z=[[cells[(r, f)]["customers"] if (r, f) in cells else None for f in scores] for r in scores],
            customdata=[[cells[(r, f)]["avg_monetary"] if (r, f) in cells else None for f in scores] for r in scores],
            text=[[f"avg 均 {cells[(r, f)]['avg_monetary']:,.0f}" if (r, f) in cells else "" for f in scores]
                  for r in scores],
            texttemplate="%{z} 人<br>%{text}", colorscale="Blues", xgap=2, ygap=2,
            colorbar={"title": {"text": "Customers<br>客户数"}},
            hovertemplate="%{y} × %{x}: %{z} customers, average net revenue %{customdata:,.2f}<extra></extra>"))
        fig.update_xaxes(title_text="Frequency score F 购买频次得分", showgrid=False)
        fig.update_yaxes(title_text="Recency score R 最近购买得分", showgrid=False)
        section.charts.append(_chart("rfm_grid", "R × F grid · R×F 矩阵", fig, height=480))
    else:
        section.notices.append("No customer has RFM scores (too few buying customers): the grid is empty. "
                               "没有已评分的客户（购买客户太少），矩阵为空。")
    segments = data.segments
    names = [f"{s['segment_label_en']} {s['segment_label_zh']}" for s in segments]
    fig = go.Figure([
        go.Bar(uid="segment-customer-share", name="Share of customers 客户占比", orientation="h", y=names,
               x=[s["customer_share"] for s in segments], customdata=[s["segment_code"] for s in segments],
               text=[f"{_pct(s['customer_share'])} ({s['customers']:,})" for s in segments], textposition="outside",
               cliponaxis=False, marker_color=PALETTE["customers"], hovertemplate="%{y}: %{text}<extra></extra>"),
        go.Bar(uid="segment-revenue-share", name="Share of revenue 收入占比", orientation="h", y=names,
               x=[s["revenue_share"] for s in segments], customdata=[s["segment_code"] for s in segments],
               text=[_pct(s["revenue_share"]) for s in segments], textposition="outside", cliponaxis=False,
               marker_color=PALETTE["revenue"], hovertemplate="%{y}: %{text}<extra></extra>"),
    ])
    fig.update_yaxes(autorange="reversed")
    widest = max([s["customer_share"] or 0 for s in segments] + [s["revenue_share"] or 0 for s in segments] + [0.01])
    fig.update_xaxes(tickformat=".0%", title_text="Share 占比", range=[0, widest * 1.18])
    section.charts.append(_chart("segments", "Segments · 客户分群", fig, height=560, barmode="group",
                                 margin={"l": 230, "r": 30, "t": 30, "b": 60}))
    return section


# --- 3 ABC ----------------------------------------------------------------------------------

def abc(data: MartData) -> Section:
    section = Section(3, "abc", "ABC analysis · ABC 分析",
                      "Cumulative share of net revenue over the paying customers ranked by it (Pareto curve), "
                      "coloured by the class the mart gives each customer, with the cut-off lines; class sizes by "
                      "revenue and by margin beside it. 按收入排序的累计收入占比（帕累托曲线）及 A/B/C 类客户数。")
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38], horizontal_spacing=0.12, subplot_titles=(
        "Pareto curve · 帕累托曲线", "Class sizes · 各类客户数"))
    for abc_class in ("A", "B", "C"):
        points = [p for p in data.pareto if p["abc_class_revenue"] == abc_class]
        if points:
            fig.add_trace(go.Scatter(
                uid=f"pareto-{abc_class}", name=L.label(L.ABC_CLASSES, abc_class, " / ") + " by revenue 按收入",
                x=[p["customer_share"] for p in points], y=[p["cumulative_share"] for p in points],
                customdata=[p["customer_rank"] for p in points], mode="lines+markers",
                marker={"size": 4, "color": PALETTE[abc_class]}, line={"color": PALETTE[abc_class]},
                hovertemplate="customer #%{customdata}: %{y:.1%} of revenue<extra>%{fullData.name}</extra>"), row=1, col=1)
    for name, cutoff in data.abc_cutoffs.items():
        fig.add_hline(y=cutoff, line_dash="dash", line_color="#555", row=1, col=1,
                      annotation_text=f"{cutoff:.0%} cut-off (class {name}) 分界线", annotation_position="bottom right")
    for basis, pattern in (("revenue", ""), ("margin", "/")):
        rows = {r["abc_class"]: r for r in data.abc_classes if r["basis"] == basis}
        fig.add_trace(go.Bar(
            uid=f"abc-class-{basis}", name=f"By {basis} 按{'收入' if basis == 'revenue' else '毛利'}",
            x=[L.label(L.ABC_CLASSES, c, " / ") for c in ("A", "B", "C")],
            y=[rows[c]["customers"] if c in rows else 0 for c in ("A", "B", "C")], customdata=["A", "B", "C"],
            marker={"color": [PALETTE[c] for c in ("A", "B", "C")], "pattern": {"shape": pattern}},
            texttemplate="%{y}", textposition="outside", hovertemplate="%{x}: %{y} customers<extra>%{fullData.name}</extra>"),
            row=1, col=2)
    fig.update_xaxes(tickformat=".0%", title_text=f"Paying customers ranked ({data.pareto_customers:,}) 按收入排序的客户占比",
                     range=[0, 1], row=1, col=1)
    fig.update_yaxes(tickformat=".0%", title_text="Cumulative revenue 累计收入占比", range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(title_text="Customers 客户数", row=1, col=2)
    if data.pareto:
        section.charts.append(_chart("abc", "ABC · 帕累托曲线与分类", fig, height=460, barmode="group"))
    else:
        section.notices.append("No customer has positive net revenue: no Pareto curve. 没有收入为正的客户。")
    return section


# --- 4 cohorts ------------------------------------------------------------------------------

def cohorts(data: MartData) -> Section:
    section = Section(4, "cohorts", "Cohort retention · 客户留存（同期群）",
                      "Customers (logo) and revenue retained, by month of first purchase × months since. Months the "
                      "as-of date has not reached are empty, not zero; the as-of month is partial. "
                      "按首购月份 × 距首购月数的客户留存率与收入留存率；未到达的月份留空（不是零）。")
    if not data.cohort:
        section.notices.append("No purchases: no cohort. 没有购买记录，无同期群。")
        return section
    months = sorted({r["cohort_month"] for r in data.cohort})
    ages = list(range(max(r["months_since_acquisition"] for r in data.cohort) + 1))
    cells = {(r["cohort_month"], r["months_since_acquisition"]): r for r in data.cohort}
    height = max(420, 120 + 16 * len(months))
    for column, chart_id, title, colorbar in (
            ("retention_rate", "cohort_logo", "Logo retention · 客户留存率", "Customers<br>retained<br>客户留存"),
            ("revenue_retention", "cohort_revenue", "Revenue retention · 收入留存率", "Revenue<br>retained<br>收入留存")):
        z = [[cells[(m, a)][column] if (m, a) in cells else None for a in ages] for m in months]
        partial = [[bool(cells[(m, a)]["is_partial_period"]) if (m, a) in cells else None for a in ages] for m in months]
        fig = go.Figure(go.Heatmap(
            uid=f"{chart_id}-heatmap", x=ages, y=[m[:7] for m in months], z=z, customdata=partial,
            zmin=0, zmax=1, colorscale="YlGnBu", hoverongaps=False, xgap=1, ygap=1,
            colorbar={"title": {"text": colorbar}, "tickformat": ".0%"},
            hovertemplate="cohort %{y}, month +%{x}: %{z:.1%} (partial month: %{customdata})<extra></extra>"))
        fig.update_xaxes(title_text="Months since first purchase 距首购月数", showgrid=False, dtick=3)
        fig.update_yaxes(title_text="Cohort (month of first purchase) 首购月份", showgrid=False, autorange="reversed",
                         type="category")
        section.charts.append(_chart(chart_id, title, fig, height=height))
    return section


# --- 5 lifecycle ----------------------------------------------------------------------------

def lifecycle(data: MartData) -> Section:
    section = Section(5, "lifecycle", "Lifecycle · 客户生命周期",
                      "Customers per life stage, and how many at-risk customers (the win-back list) each value tier "
                      "holds. 各生命周期阶段的客户数，以及各价值层中需挽留的客户数。")
    stages = {r["stage"]: r["customers"] for r in data.stages}
    order = L.order(L.STAGES, stages)
    fig = go.Figure(go.Bar(
        uid="stage-customers", x=[L.label(L.STAGES, s, "<br>") for s in order], y=[stages[s] for s in order],
        customdata=order, texttemplate="%{y}", textposition="outside", marker_color="#2a7ab9",
        hovertemplate="%{x}: %{y} customers<extra></extra>"))
    fig.update_yaxes(title_text="Customers 客户数")
    section.charts.append(_chart("stages", "Customers per stage · 各阶段客户数", fig, height=400))
    at_risk = {r["value_tier"]: r["customers"] for r in data.at_risk_by_tier}
    if at_risk:
        order = L.order(L.VALUE_TIERS, at_risk)
        fig = go.Figure(go.Bar(
            uid="at-risk-by-tier", x=[L.label(L.VALUE_TIERS, t, "<br>") for t in order], y=[at_risk[t] for t in order],
            customdata=order, texttemplate="%{y}", textposition="outside",
            marker_color=[PALETTE.get(t, "#888") for t in order], hovertemplate="%{x}: %{y} at risk<extra></extra>"))
        fig.update_yaxes(title_text="At-risk customers 需挽留客户数")
        section.charts.append(_chart("at_risk", "At-risk list by value tier · 各价值层需挽留客户", fig, height=400))
    else:
        section.notices.append("No customer is at risk as of this date. 截至该日没有需挽留的客户。")
    return section


# --- 6 migration ----------------------------------------------------------------------------

def migration(data: MartData) -> Section:
    section = Section(6, "migration", "Segment migration · 客户分群迁移",
                      "Where the customers of one period went in the next (segment migration matrix), and the "
                      "upgrades and downgrades over time. 相邻两期之间客户分群的迁移矩阵，以及各期升级与降级人数。")
    if data.migration is None:
        section.notices.append("Not available: this warehouse has no segment history yet (the mart "
                               "marts.segment_migration is absent). 暂无数据：本仓库尚无客户分群历史（缺少 segment_migration 表）。")
        return section
    if data.migration_problem:
        section.notices.append(f"Not shown: {data.migration_problem}. 无法显示：迁移表的列与报告不符。")
        return section
    rows = [r for r in data.migration if r["dimension"] == "segment"]
    if not rows:
        section.notices.append("The migration mart has no segment rows yet. 迁移表中暂无分群数据。")
        return section
    last = max(r["period_to"] for r in rows)
    latest = [r for r in rows if r["period_to"] == last]
    names = {s["segment_code"]: f"{s['segment_label_en']} {s['segment_label_zh']}" for s in data.segments}
    names.update({code: L.both(pair) for code, pair in L.MIGRATION_STATES.items()})
    ordered = list(L.MIGRATION_STATES) + [s["segment_code"] for s in data.segments]
    codes_from = [c for c in ordered if any(r["from_value"] == c for r in latest)] + sorted(
        {r["from_value"] for r in latest} - set(ordered), key=str)
    codes_to = [c for c in ordered if any(r["to_value"] == c for r in latest)] + sorted(
        {r["to_value"] for r in latest} - set(ordered), key=str)
    cells = {(r["from_value"], r["to_value"]): r["customers"] for r in latest}
    fig = go.Figure(go.Heatmap(
        uid="migration-matrix", x=[names.get(c, str(c)) for c in codes_to], y=[names.get(c, str(c)) for c in codes_from],
        z=[[cells.get((f, t)) for t in codes_to] for f in codes_from], texttemplate="%{z}", colorscale="Purples",
        hoverongaps=False, xgap=1, ygap=1))
    fig.update_xaxes(title_text=f"To (period ending {str(last)[:10]}) 迁入", showgrid=False)
    fig.update_yaxes(title_text="From (previous period) 迁出", showgrid=False, autorange="reversed")
    section.charts.append(_chart("migration_matrix", "Migration matrix · 迁移矩阵", fig, height=560,
                                 margin={"l": 200, "r": 30, "t": 30, "b": 160}))
    periods = sorted({r["period_to"] for r in rows})
    traces = []
    for movement, name in (("up", "Upgrades 升级"), ("down", "Downgrades 降级")):
        totals = {p: sum(r["customers"] for r in rows if r["period_to"] == p and r["movement"] == movement) for p in periods}
        traces.append(go.Bar(uid=f"migration-{movement}", name=name, x=[str(p)[:10] for p in periods],
                             y=[totals[p] for p in periods]))
    section.charts.append(_chart("migration_moves", "Upgrades and downgrades · 升级与降级", go.Figure(traces),
                                 height=400, barmode="group"))
    return section


# --- 7 renewals and satisfaction ------------------------------------------------------------

def renewals(data: MartData) -> Section:
    section = Section(7, "renewals", "Renewals and satisfaction · 续费与满意度",
                      "Renewal cadence of subscribers, the reminders due and overdue by service level, the share "
                      "of each start cohort's subscriptions still paying (when the warehouse publishes it), and "
                      "satisfaction tiers. 订阅客户的续费频率、按服务等级的到期与逾期续费提醒、订阅续费留存，以及满意度分层。")
    if data.subscribers == 0:
        section.notices.append("No subscriptions in the data: no renewal cadence and no reminders. "
                               "数据中没有订阅：无续费频率与续费提醒。")
    else:
        cadence = {r["cadence_class"]: r["customers"] for r in data.cadence if r["cadence_class"] != "no_subscription"}
        order = L.order(L.CADENCE, cadence)
        fig = go.Figure(go.Bar(
            uid="cadence-customers", x=[L.label(L.CADENCE, c, "<br>") for c in order], y=[cadence[c] for c in order],
            customdata=order, texttemplate="%{y}", textposition="outside", marker_color="#2a7ab9",
            hovertemplate="%{x}: %{y} customers<extra></extra>"))
        fig.update_yaxes(title_text="Subscribing customers 订阅客户数")
        section.charts.append(_chart("cadence", "Renewal cadence · 续费频率", fig, height=380))
        levels = L.order(L.SERVICE_LEVELS, {r["service_level"] for r in data.reminders} | set(L.SERVICE_LEVELS))
        statuses = L.order(L.REMINDER_STATUS, {r["reminder_status"] for r in data.reminders} | {"upcoming", "overdue"})
        counts = {(r["service_level"], r["reminder_status"]): r["subscriptions"] for r in data.reminders}
        fig = go.Figure([go.Bar(
            uid=f"reminders-{status}", name=L.label(L.REMINDER_STATUS, status), customdata=levels,
            x=[L.label(L.SERVICE_LEVELS, level, "<br>") for level in levels],
            y=[counts.get((level, status), 0) for level in levels], marker_color=PALETTE.get(status),
            texttemplate="%{y}", textposition="outside", cliponaxis=False) for status in statuses])
        fig.update_yaxes(title_text="Subscriptions to remind 待提醒订阅数")
        section.charts.append(_chart("reminders", "Renewal reminders by service level · 各服务等级续费提醒", fig,
                                     height=400, barmode="group"))
        if data.subscription_cohort:
            section.charts.append(_subscription_retention(data.subscription_cohort))
    satisfaction = {r["satisfaction_tier"]: r["customers"] for r in data.satisfaction}
    if not any(count for tier, count in satisfaction.items() if tier != "unknown"):
        section.notices.append("No feedback in the data: no satisfaction tiers. 数据中没有客户反馈：无满意度分层。")
    else:
        order = L.order(L.SATISFACTION, satisfaction)
        fig = go.Figure(go.Bar(
            uid="satisfaction-customers", x=[L.label(L.SATISFACTION, t, "<br>") for t in order],
            y=[satisfaction[t] for t in order], customdata=order, texttemplate="%{y}", textposition="outside",
            marker_color=[PALETTE.get(f"satisfaction_{t}", "#888") for t in order],
            hovertemplate="%{x}: %{y} customers<extra></extra>"))
        fig.update_yaxes(title_text="Customers 客户数")
        section.charts.append(_chart("satisfaction", "Satisfaction tiers · 满意度分层", fig, height=380))
    return section


def _subscription_retention(rows: list[dict]) -> Chart:
    """Share of each start cohort's subscriptions still paying, per billing cycle (subscription_cohort)."""
    cycles = L.order(L.BILLING_CYCLES, {r["billing_cycle"] for r in rows})
    months = sorted({r["cohort_month"] for r in rows})
    lengths = [1 + max(r["periods_since_start"] for r in rows if r["billing_cycle"] == c) for c in cycles]
    widths = [max(length / sum(lengths), 0.2) for length in lengths]  # a panel as wide as its periods
    fig = make_subplots(rows=1, cols=len(cycles), shared_yaxes=True, horizontal_spacing=0.04,
                        column_widths=[w / sum(widths) for w in widths],
                        subplot_titles=[L.label(L.BILLING_CYCLES, c) for c in cycles])
    for column, cycle in enumerate(cycles, start=1):
        cells = {(r["cohort_month"], r["periods_since_start"]): r for r in rows if r["billing_cycle"] == cycle}
        periods = list(range(max(p for _, p in cells) + 1))
        fig.add_trace(go.Heatmap(
            uid=f"subscription-retention-{cycle}", x=periods, y=[m[:7] for m in months],
            z=[[cells[(m, p)]["retention_rate"] if (m, p) in cells else None for p in periods] for m in months],
            zmin=0, zmax=1, colorscale="YlGnBu", hoverongaps=False, xgap=1, ygap=1, showscale=column == 1,
            colorbar={"title": {"text": "Still paying<br>续费留存"}, "tickformat": ".0%"},
            hovertemplate="cohort %{y}, period +%{x}: %{z:.1%}<extra></extra>"), row=1, col=column)
        fig.update_xaxes(title_text="Periods since start 距开始期数" if column == 1 else None, showgrid=False, tick0=0,
                         dtick=1 if len(periods) <= 13 else None, row=1, col=column)
    fig.update_yaxes(showgrid=False, autorange="reversed", type="category")
    fig.update_yaxes(title_text="Start month 开始月份", row=1, col=1)
    return _chart("subscription_retention", "Subscription retention by start cohort · 订阅续费留存", fig,
                  height=max(420, 120 + 14 * len(months)))


def sections(data: MartData) -> list[Section]:
    """The seven sections, in the order the report shows them."""
    return [value_tiers(data), rfm(data), abc(data), cohorts(data), lifecycle(data), migration(data), renewals(data)]
