"""What each lead adds to the numbers: its arrival, its first contact, its invoice and purchases
(counted into windows), and where it stands now (funnel step reached, open, never contacted, a
client nobody has touched for a month)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from touchsheet.config import Config
from touchsheet.engine.history import NO_HISTORY, History
from touchsheet.engine.kpi.tally import Tally, Windows
from touchsheet.engine.model import FUNNEL, UNASSIGNED, Lead, Stage
from touchsheet.engine.reactivation import average_interval
from touchsheet.engine.reminders import invoice_open, invoice_paid

INVOICE_STEP, WON_STEP = FUNNEL.index(Stage.INVOICE), FUNNEL.index(Stage.WON)
# The furthest funnel step a lead's stage says it reached (lost leads count as new), without an
# invoice and with one (an invoiced lead reached the invoice step at least).
STAGE_STEP = {stage: FUNNEL.index(stage) if stage is not Stage.LOST else 0 for stage in Stage}
INVOICED_STEP = {stage: max(step, INVOICE_STEP) for stage, step in STAGE_STEP.items()}


@dataclass(slots=True)
class Seat:
    """One manager's base: the leads they hold."""

    leads: int = 0
    open: int = 0
    clients: int = 0


@dataclass
class Base:
    """Where the base stands right now."""

    open_leads: int = 0
    never_contacted: int = 0
    clients: int = 0  # bought at least once
    repeat_clients: int = 0  # bought twice or more
    unpaid_invoices: int = 0
    unpaid_amount: float = 0.0
    untouched_clients: int = 0
    value_at_risk: float | None = None
    reach: dict[str, int] = field(default_factory=dict)  # lead ID -> the furthest funnel step, an index in FUNNEL
    # lead ID -> the day of the first purchase, of the clients who made it after they came in: the
    # touches an older first deal took (a client typed in later) are not on record
    first_purchase: dict[str, date] = field(default_factory=dict)
    manager_of: dict[str, str] = field(default_factory=dict)
    seats: dict[str, Seat] = field(default_factory=dict)
    leads_by_month: Counter[date] = field(default_factory=Counter)  # first day of the month -> leads that came in
    clients_by_month: Counter[date] = field(default_factory=Counter)  # -> first purchases


def count_leads(
    leads: list[Lead],
    left_alone: list[tuple[datetime, str]],
    found: Mapping[str, History],
    purchases: Mapping[str, list[date]],
    base_interval: float | None,
    windows: Windows,
    config: Config,
    now: datetime,
) -> Base:
    """Each part of the numbers reads only the leads it concerns (the invoiced, the clients...), and
    leads alike (the same arrival day and manager) are counted into the windows once: a single loop
    doing everything for every lead was most of the KPI's time at 100,000 leads. `left_alone`: when
    the Leads rows left alone came in, and their Manager: they count as leads in, and in nothing else."""
    base = Base()
    managers = [lead.manager or UNASSIGNED for lead in leads]
    base.manager_of = dict(zip([lead.id for lead in leads], managers))
    arrivals = [(lead.created_at.date(), manager) for lead, manager in zip(leads, managers)]
    arrived = Counter(arrivals)
    arrived.update((created.date(), manager or UNASSIGNED) for created, manager in left_alone)
    tallies_of = _count_arrivals(arrived, windows, base)
    _count_seats(leads, managers, base)
    base.reach = {
        lead.id: STAGE_STEP[lead.stage] if lead.invoice_at is None else INVOICED_STEP[lead.stage] for lead in leads
    }
    _count_first_contacts(leads, arrivals, tallies_of, found, purchases, config, now, base)
    paid_amounts = _count_invoices(leads, managers, windows, config, base)
    untouched: list[tuple[Lead, float]] = []  # clients at risk, with the share of their value lost
    for lead, manager in zip(leads, managers):
        days = purchases.get(lead.id)
        if days:
            base.reach[lead.id] = WON_STEP
            _purchases(lead, days, manager, base_interval, windows, config, base)
            lost = _value_lost(lead, days, found.get(lead.id, NO_HISTORY), config, now.date())
            if lost is not None:
                untouched.append((lead, lost))
    base.untouched_clients = len(untouched)
    base.value_at_risk = _value_at_risk(untouched, paid_amounts)
    return base


def _count_arrivals(
    arrivals: Counter[tuple[date, str]], windows: Windows, base: Base
) -> dict[tuple[date, str], tuple[Tally, ...]]:
    """Leads in per window and per month; returns the tallies a lead of each arrival day and manager counts in."""
    tallies_of = {}
    for (day, manager), count in arrivals.items():
        tallies = tallies_of[day, manager] = windows.of(day, manager)
        for tally in tallies:
            tally.leads_in += count
        base.leads_by_month[day.replace(day=1)] += count
    return tallies_of


def _count_seats(leads: list[Lead], managers: list[str], base: Base) -> None:
    """The leads each manager holds, and those still open (neither won nor lost, not opted out)."""
    for manager, count in Counter(managers).items():
        base.seats[manager] = Seat(leads=count)
    won, lost = Stage.WON, Stage.LOST
    still_open = [
        m for lead, m in zip(leads, managers) if lead.stage is not won and lead.stage is not lost and not lead.opt_out
    ]
    for manager, count in Counter(still_open).items():
        base.seats[manager].open = count
    base.open_leads = len(still_open)


def _count_first_contacts(
    leads: list[Lead],
    arrivals: list[tuple[date, str]],
    tallies_of: dict[tuple[date, str], tuple[Tally, ...]],
    found: Mapping[str, History],
    purchases: Mapping[str, list[date]],
    config: Config,
    now: datetime,
    base: Base,
) -> None:
    """R5: was each lead touched by hand within its deadline (counted on the day it came in)?"""
    new, deadline = Stage.NEW, config.first_contact.deadline_minutes
    minutes_between = config.calendar.minutes_between
    for lead, arrival in zip(leads, arrivals):
        tallies = tallies_of[arrival]
        if not tallies and lead.stage is not new:
            continue  # came in before the windows and was contacted: nothing to count (most leads)
        touched = found.get(lead.id, NO_HISTORY).first_manual_at
        if touched is None and (lead.stage is not new or purchases.get(lead.id)):
            continue  # contacted before touchsheet knew (a client who bought was, whatever Stage says)
        if not tallies and touched is not None:
            continue
        minutes = minutes_between(lead.created_at, touched or now)  # working minutes
        if touched is None:
            if minutes <= deadline or lead.opt_out:
                continue  # still within its deadline: not judged yet; opted out: owed no touch at all
            base.never_contacted += 1
        for tally in tallies:
            tally.judged += 1
            if touched is not None:
                tally.on_time += minutes <= deadline
                tally.minutes.append(minutes)


def _count_invoices(
    leads: list[Lead], managers: list[str], windows: Windows, config: Config, base: Base
) -> list[float]:
    """Every invoice issued or paid; returns the amounts of those paid."""
    paid_amounts: list[float] = []
    for lead, manager in zip(leads, managers):
        if lead.invoice_at is not None or lead.paid_at is not None:
            paid = _invoice(lead, manager, windows, config, base)
            if paid and lead.invoice_amount is not None:
                paid_amounts.append(lead.invoice_amount)
    return paid_amounts


def _value_lost(lead: Lead, days: list[date], history: History, config: Config, today: date) -> float | None:
    """R4: the share of a client's value lost for a month or more without a purchase or a touch; None
    when they were touched or bought within `untouched_days`."""
    if lead.stage is not Stage.WON or lead.opt_out:
        return None
    last = max(days[-1], history.last_touch_at.date() if history.last_touch_at else days[-1])
    months = (today - last).days // config.kpi.untouched_days
    return min(1.0, months * config.kpi.value_lost_per_month) if months >= 1 else None


def _invoice(lead: Lead, manager: str, windows: Windows, config: Config, base: Base) -> bool:
    """R7: an invoice issued, paid (how fast, how much), or still open; whether it is paid."""
    amount = lead.invoice_amount or 0.0
    if invoice_open(lead):
        base.unpaid_invoices += 1
        base.unpaid_amount += amount
    if lead.invoice_at is not None:
        for tally in windows.of(lead.invoice_at.date(), manager):
            tally.invoices += 1
    if not invoice_paid(lead):
        return False
    assert lead.paid_at is not None
    waited = (lead.paid_at.date() - lead.invoice_at.date()).days if lead.invoice_at else None
    for tally in windows.of(lead.paid_at.date(), manager):
        tally.revenue += amount
        if waited is not None:
            tally.paid += 1
            tally.days_to_pay.append(waited)
            tally.paid_fast += waited <= config.kpi.paid_within_days
    return True


def _purchases(
    lead: Lead,
    days: list[date],
    manager: str,
    base_interval: float | None,
    windows: Windows,
    config: Config,
    base: Base,
) -> None:
    """R8, R13: a first purchase makes a client; a purchase after a longer gap than the client's
    usual interval is a client won back; two or more purchases make a repeat client."""
    base.clients += 1
    base.repeat_clients += len(days) > 1
    if days[0] >= lead.created_at.date():
        base.first_purchase[lead.id] = days[0]
    base.clients_by_month[days[0].replace(day=1)] += 1
    base.seats[manager].clients += 1  # count_leads gave the manager a seat
    for tally in windows.of(days[0], manager):
        tally.new_clients += 1
    for k in range(1, len(days)):
        if (days[k] - days[k - 1]).days > average_interval(days[:k], base_interval, config):
            for tally in windows.of(days[k], manager):
                tally.won_back += 1


def _value_at_risk(untouched: list[tuple[Lead, float]], paid_amounts: list[float]) -> float | None:
    """R4: each month without a touch costs about a tenth of a client's value (their paid invoice,
    or the average paid invoice when theirs is unknown)."""
    if not untouched:
        return 0.0
    average = sum(paid_amounts) / len(paid_amounts) if paid_amounts else None
    total, known = 0.0, False
    for lead, lost in untouched:
        value = lead.invoice_amount if lead.invoice_amount is not None and invoice_paid(lead) else average
        if value is not None:
            total, known = total + value * lost, True
    return total if known else None
