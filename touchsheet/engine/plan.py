"""plan(book, config, now) -> Plan: what to send, what to put on Due today, what each lead's row says.

Pure: no clock, no I/O. Running it again on the same book and `now` gives the same plan; running it
after the emails went out (their touches added to the book) gives a plan that sends nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from touchsheet.config import Config
from touchsheet.engine import cadence, greetings, reactivation, reminders
from touchsheet.engine.cadence import day_end
from touchsheet.engine.due import owed, settled_steps
from touchsheet.engine.flags import lead_flags
from touchsheet.engine.kpi import Kpi, compute_kpi
from touchsheet.engine.model import (
    EmailTouch,
    Lead,
    LeadStatus,
    Occurrence,
    Stage,
    Status,
    Task,
    Touch,
)
from touchsheet.engine.parse import Book

# When two emails are owed to one lead on one day, the one that cannot wait goes first.
EMAIL_PRIORITY = (
    greetings.GREETING,
    reminders.INVOICE,
    reminders.CALLBACK,
    cadence.FIRST_CONTACT,
    cadence.SALES,
    reactivation.REACTIVATION,
)
UNASSIGNED = "(no manager)"


@dataclass(frozen=True)
class Plan:
    emails: tuple[EmailTouch, ...]  # to send now, most overdue first
    tasks: tuple[Task, ...]  # Due today, per manager, overdue first
    statuses: tuple[LeadStatus, ...]  # the worker's columns, one per lead
    kpi: Kpi

    @property
    def overdue(self) -> int:
        return sum(task.overdue for task in self.tasks)


def plan(book: Book, config: Config, now: datetime) -> Plan:
    now = now.astimezone(config.tz)
    today_end = day_end(config.calendar, now.date())
    by_lead: dict[str, list[Touch]] = defaultdict(list)
    for touch in book.log:
        by_lead[touch.lead_id].append(touch)
    histories = {lead.id: reactivation.purchase_dates(lead, by_lead[lead.id]) for lead in book.leads}
    base = reactivation.base_interval(histories[lead.id] for lead in book.leads if lead.stage is Stage.WON)

    emails: list[EmailTouch] = []
    tasks: list[Task] = []
    statuses: list[LeadStatus] = []
    for lead in book.leads:
        touches = by_lead[lead.id]
        history = histories[lead.id]
        occurrences = lead_occurrences(lead, touches, history, base, config, now)
        settled = settled_steps(touches)
        result = owed(occurrences, settled, now, today_end)
        manager = lead.manager or UNASSIGNED
        for occurrence in result.due:
            if not occurrence.channel.automatic:
                who = manager
                if occurrence.track == reactivation.REACTIVATION and not lead.manager:
                    who = config.reactivation.manager or UNASSIGNED
                tasks.append(Task(occurrence, lead, who, overdue=now > occurrence.deadline))
        email = _email_now(lead, result.due, touches, config, now)
        if email is not None:
            emails.append(EmailTouch(email, lead, manager))
        start = reactivation.reactivation_start(lead, history, base, config)
        flags = lead_flags(lead, touches, occurrences, result.due, settled, start, config, now)
        counted = [t for t in touches if t.counts]
        statuses.append(
            LeadStatus(
                lead=lead,
                next_touch=result.due[0] if result.due else result.upcoming,
                touches=len(counted),
                last_touch_at=max((t.at for t in counted), default=None),
                flags=flags,
                problems=tuple(book.problems.get(lead.row, ())) + _lead_problems(lead, history, config),
            )
        )
    tasks.sort(key=lambda t: (t.manager, not t.overdue, t.occurrence.due_at, t.lead.name, t.lead.id))
    emails.sort(key=lambda e: (e.occurrence.due_at, e.lead.id))
    kpi = compute_kpi(book, tasks, statuses, config, now)
    return Plan(tuple(emails), tuple(tasks), tuple(statuses), kpi)


def lead_occurrences(
    lead: Lead, touches: list[Touch], history: list[date], base: float | None, config: Config, now: datetime
) -> list[Occurrence]:
    """Every touch the lead is owed or will be owed soon, over all tracks. Opt-out: none, ever."""
    if lead.opt_out:
        return []
    found = (
        cadence.first_contact(lead, touches, config)
        + cadence.sales_cadence(lead, config, now)
        + reminders.callback(lead, touches, config)
        + reminders.invoice_reminders(lead, config, now)
        + reactivation.reactivation(lead, history, base, config, now)
        + greetings.greetings(lead, config, now)
    )
    if not lead.email:
        found = [o for o in found if not o.channel.automatic]
    return found


def _email_now(
    lead: Lead, due: tuple[Occurrence, ...], touches: list[Touch], config: Config, now: datetime
) -> Occurrence | None:
    """At most one email per lead per day, only in working hours, the most urgent first."""
    candidates = [o for o in due if o.channel.automatic]
    if not candidates or not config.calendar.is_open(now):
        return None
    emailed_today = any(
        t.channel is not None and t.channel.automatic and t.at.date() == now.date()
        and t.status in (Status.SENT, Status.PENDING, Status.UNCONFIRMED)
        for t in touches
    )
    if emailed_today:
        return None
    return min(candidates, key=lambda o: (_priority(o.track), o.due_at))


def _priority(track: str) -> int:
    family = track.split(":")[0]
    return EMAIL_PRIORITY.index(family) if family in EMAIL_PRIORITY else len(EMAIL_PRIORITY)


def _lead_problems(lead: Lead, history: list[date], config: Config) -> tuple[str, ...]:
    problems = []
    if lead.manager and lead.manager not in config.managers:
        problems.append(
            f"Manager '{lead.manager}' is not under `managers:` in config.yaml: emails are signed by the company"
        )
    if lead.stage is Stage.WON and not history and not lead.opt_out:
        problems.append("Stage is won but Paid at and Last purchase at are empty: reactivation cannot be scheduled")
    return tuple(problems)
