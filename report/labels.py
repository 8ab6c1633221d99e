"""The report's words in English and Chinese (中文), one place for every label it shows.

Codes are the values of the marts' enum columns; a code without a label is shown as it is, so a
new value in the data never breaks the report.
"""
from __future__ import annotations

VALUE_TIERS = {
    "vip": ("VIP", "VIP客户"),
    "active": ("Active", "活跃客户"),
    "potential": ("Potential", "潜力客户"),
    "ordinary": ("Ordinary", "普通客户"),
    "unscored": ("Unscored / prospects", "未评分/潜在客户"),
}
SERVICE_LEVELS = {
    "dedicated_account_manager": ("Dedicated account manager", "专属客户经理"),
    "standard": ("Standard service", "标准化服务"),
    "automated": ("Automated service", "自动化服务"),
}
STAGES = {
    "prospect": ("Prospect", "潜在客户"),
    "new": ("New", "新客户"),
    "growing": ("Growing", "成长期客户"),
    "mature": ("Mature", "成熟期客户"),
    "at_risk": ("At risk", "需挽留客户"),
    "churned": ("Churned", "流失客户"),
}
CADENCE = {
    "high": ("High (about monthly)", "高频续费"),
    "medium": ("Medium (about quarterly)", "中频续费"),
    "low": ("Low (about yearly)", "低频续费"),
    "no_subscription": ("No subscription", "无订阅"),
}
SATISFACTION = {
    "high": ("High", "高满意度"),
    "medium": ("Medium", "中满意度"),
    "low": ("Low", "低满意度"),
    "unknown": ("No feedback", "无反馈"),
}
REMINDER_STATUS = {
    "upcoming": ("Due soon", "即将到期"),
    "due_today": ("Due today", "今日到期"),
    "overdue": ("Overdue", "已逾期"),
}
BILLING_CYCLES = {"month": ("Monthly", "月付"), "quarter": ("Quarterly", "季付"), "year": ("Yearly", "年付")}
ABC_CLASSES = {"A": ("Class A", "A类"), "B": ("Class B", "B类"), "C": ("Class C", "C类")}
# segment_migration's state before a customer signed up (doc block segment_migration)
MIGRATION_STATES = {"not_a_customer": ("Not yet a customer", "尚未成为客户")}


def both(pair: tuple[str, str], sep: str = " ") -> str:
    """'English 中文'."""
    return f"{pair[0]}{sep}{pair[1]}"


def label(vocabulary: dict[str, tuple[str, str]], code: str | None, sep: str = " ") -> str:
    """The bilingual label of `code` in `vocabulary`; the code itself when it has none."""
    if code is None:
        return "—"
    pair = vocabulary.get(code)
    return both(pair, sep) if pair else str(code)


def order(vocabulary: dict[str, tuple[str, str]], codes) -> list:
    """`codes` in the vocabulary's order, unknown codes last (sorted)."""
    known = [code for code in vocabulary if code in set(codes)]
    return known + sorted(code for code in set(codes) if code not in vocabulary)
