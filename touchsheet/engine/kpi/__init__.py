"""The owner's numbers (R13, R14): where the team loses money, from the leads, the touch log, the
costs and today's plan. Pure, like the rest of the engine.

Flows (leads in, touches, invoices, clients...) are counted for this week, this month and the
trend's weeks; stocks (open leads, unpaid invoices, clients at risk...) as they stand now. The
words and definitions the KPI tab shows are in touchsheet/sheets/kpi_sheet.py (and sheets_schema.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from touchsheet.config import Config
from touchsheet.engine.kpi.funnel import WeakestStep, funnel
from touchsheet.engine.kpi.leads import Base, count_leads
from touchsheet.engine.kpi.managers import managers_table
from touchsheet.engine.kpi.model import Figure, Kpi, Section, Table, Window
from touchsheet.engine.kpi.money import Spend, monthly, spend
from touchsheet.engine.kpi.tally import Tally, Windows, median, share
from touchsheet.engine.kpi.touches import count_touches
from touchsheet.engine.kpi.trend import trend_table
from touchsheet.engine.model import Task
from touchsheet.engine.parse import Book
from touchsheet.engine.plan import Plan

__all__ = ["Figure", "Kpi", "Section", "Table", "WeakestStep", "Window", "compute_kpi"]


def compute_kpi(book: Book, plan: Plan, config: Config, now: datetime) -> Kpi:
    """The numbers as of `now`, from the book and the plan made from it (its tasks, flags and
    what it learnt of each lead's history)."""
    now = now.astimezone(config.tz)
    windows = Windows(now.date(), config.kpi.trend_weeks)
    base = count_leads(
        book.leads, book.left_alone_arrivals, plan.histories, plan.purchases, plan.base_interval, windows, config, now
    )
    before_purchase = count_touches(book.log, base, windows, config)
    spent = monthly(book.costs)
    money = spend(spent, base.leads_by_month, base.clients_by_month)
    funnel_table, weakest = funnel(base.reach.values())
    periods = _periods(windows.column_tallies, spent.get(windows.month.start))
    flags = [flag for s in plan.statuses for flag in s.flags]
    now_section = _now(base, money, weakest, flags, plan.tasks, before_purchase, len(book.skipped))
    tables = (funnel_table, managers_table(config.managers, base, plan.tasks, windows), trend_table(windows))
    params = {
        "deadline_minutes": config.first_contact.deadline_minutes,
        "forgotten_after_days": config.forgotten_after_days,
        "warm_per_closing": config.kpi.warm_per_closing,
        "paid_within_days": config.kpi.paid_within_days,
        "untouched_days": config.kpi.untouched_days,
        "value_lost_per_month": config.kpi.value_lost_per_month,
        "trend_weeks": config.kpi.trend_weeks,
    }
    return Kpi(now, (periods, now_section), tables, params)


def _periods(tallies: list[Tally], month_costs: float | None) -> Section:
    """This week, this month, the trend's weeks: one value each."""

    def row(key: str, unit: str, value: Callable[[Tally], Any]) -> Figure:
        return Figure(key, tuple(value(t) for t in tallies), unit)

    week, this_month, span = tallies
    costs = (None, month_costs, None)  # Costs are typed per month
    per_lead = month_costs / this_month.leads_in if month_costs is not None and this_month.leads_in else None
    per_client = month_costs / this_month.new_clients if month_costs is not None and this_month.new_clients else None
    return Section(
        "periods",
        (
            row("leads_in", "count", lambda t: t.leads_in),
            row("first_contact_on_time", "percent", lambda t: share(t.on_time, t.judged)),
            row("first_contact_minutes", "minutes", lambda t: median(t.minutes)),
            row("touches", "count", lambda t: t.touches),
            row("touches_per_lead", "ratio", lambda t: t.touches / len(t.touched) if t.touched else None),
            row("warm_per_closing", "ratio", lambda t: t.warm / t.closing if t.closing else None),
            row("on_due_day", "percent", lambda t: share(t.on_due_day, t.due_days)),
            row("missed_touches", "count", lambda t: t.due_days - t.on_due_day),
            row("meetings", "count", lambda t: t.meetings),
            row("invoices_issued", "count", lambda t: t.invoices),
            row("invoices_paid", "count", lambda t: t.paid),
            row("paid_fast", "count", lambda t: t.paid_fast),
            row("days_to_pay", "days", lambda t: median(t.days_to_pay)),
            row("revenue", "money", lambda t: t.revenue),
            row("new_clients", "count", lambda t: t.new_clients),
            row("won_back", "count", lambda t: t.won_back),
            Figure("costs", costs, "money"),
            Figure("cost_per_lead", (None, per_lead, None), "money"),
            Figure("cost_per_client", (None, per_client, None), "money"),
        ),
    )


def _now(
    base: Base,
    money: Spend,
    weakest: WeakestStep | None,
    flags: list[str],
    tasks: Sequence[Task],
    touches_before_purchase: int,
    rows_left_out: int,
) -> Section:
    """Where the base stands at this moment."""
    forgotten = sum(flag.startswith("forgotten") for flag in flags)
    first_deals = len(base.first_purchase)  # those whose touches before it are on record

    def cost_of(count: int) -> float | None:
        return count * money.per_lead if money.per_lead is not None else None

    figures = [
        ("weakest_step", weakest, "step"),
        ("open_leads", base.open_leads, "count"),
        ("rows_left_out", rows_left_out, "count"),
        ("never_contacted", base.never_contacted, "count"),
        ("never_contacted_cost", cost_of(base.never_contacted), "money"),
        ("forgotten", forgotten, "count"),
        ("forgotten_cost", cost_of(forgotten), "money"),
        ("tasks_due", len(tasks), "count"),
        ("overdue_tasks", sum(t.overdue for t in tasks), "count"),
        ("unpaid_invoices", base.unpaid_invoices, "count"),
        ("unpaid_amount", base.unpaid_amount, "money"),
        ("reactivation_list", sum(flag == "reactivation" for flag in flags), "count"),
        ("repeat_purchase_rate", share(base.repeat_clients, base.clients), "percent"),
        ("touches_before_purchase", touches_before_purchase / first_deals if first_deals else None, "ratio"),
        ("untouched_clients", base.untouched_clients, "count"),
        ("value_at_risk", base.value_at_risk, "money"),
        ("spent", money.total, "money"),
        ("cost_per_lead_all", money.per_lead, "money"),
        ("cost_per_client_all", money.per_client, "money"),
    ]
    return Section("now", tuple(Figure(key, (value,), unit) for key, value, unit in figures))
