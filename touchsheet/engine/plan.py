"""plan(book, config, now) -> Plan: what to send, what to put on Due today, what each lead's row says.

Pure: no clock, no I/O. Running it again on the same book and `now` gives the same plan; running it
after the emails went out (their touches added to the book) gives a plan that sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from touchsheet.config import Config
from touchsheet.engine import cadence, greetings, reactivation, reminders
from touchsheet.engine.cadence import SalesCalendars, day_end
from touchsheet.engine.due import Lanes, owed, sort_out
from touchsheet.engine.flags import lead_flags
from touchsheet.engine.history import NO_HISTORY, History, emails_since, histories
from touchsheet.engine.kpi import Kpi, compute_kpi
from touchsheet.engine.model import EmailTouch, Lead, LeadStatus, Occurrence, Stage, Task
from touchsheet.engine.parse import Book
from touchsheet.words import Message

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
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    emails: tuple[EmailTouch, ...]  # to send now, most overdue first, within the caps
    tasks: tuple[Task, ...]  # Due today, per manager, overdue first
    statuses: tuple[LeadStatus, ...]  # the worker's columns, one per lead
    kpi: Kpi
    waiting: int = 0  # emails due now that the caps hold for a later run

    @property
    def overdue(self) -> int:
        return sum(task.overdue for task in self.tasks)


def plan(book: Book, config: Config, now: datetime) -> Plan:
    now = now.astimezone(config.tz)
    today_end = day_end(config.calendar, now.date())
    found = histories(book.log)
    purchases = {lead.id: reactivation.purchase_dates(lead, found.get(lead.id, NO_HISTORY)) for lead in book.leads}
    base = reactivation.base_interval(purchases[lead.id] for lead in book.leads if lead.stage is Stage.WON)
    calendars = SalesCalendars(config, now, today_end)
    holidays = sort_out(greetings.holidays(config, now), now, today_end)
    alike: dict[tuple[object, ...], list[Occurrence]] = {}  # what leads alike are owed, built once

    emails: list[EmailTouch] = []
    tasks: list[Task] = []
    statuses: list[LeadStatus] = []
    for lead in book.leads:
        history = found.get(lead.id, NO_HISTORY)
        history_days = purchases[lead.id]
        start = reactivation.reactivation_start(lead, history_days, base, config)
        groups: list[Lanes] = []
        if not lead.opt_out:  # opt-outs are absolute: no touch of any kind
            own, shared = calendars.lanes(lead)
            own += lead_occurrences(lead, history, history_days, start, config, now, alike)
            if not lead.email:
                own = [o for o in own if not o.automatic]
            groups.append(sort_out(own, now, today_end))
            if shared is not None:
                groups.append(_manual_only(shared) if not lead.email else shared)
            if greetings.greeted(lead):
                groups.append(holidays if lead.email else _manual_only(holidays))
        result = owed(groups, history.settled)
        manager = lead.manager or UNASSIGNED
        for occurrence in result.due:
            if not occurrence.automatic:
                tasks.append(Task(occurrence, lead, _task_manager(lead, occurrence, config), now > occurrence.deadline))
        emails += [EmailTouch(o, lead, manager) for o in _emails_now(lead, result.due, history, config, now)]
        statuses.append(
            LeadStatus(
                lead=lead,
                next_touch=result.due[0] if result.due else result.upcoming,
                touches=history.touches,
                last_touch_at=history.last_touch_at,
                flags=lead_flags(lead, history, groups, result.due, start, config, now),
                problems=tuple(book.problems.get(lead.row, ())) + _lead_problems(lead, history, history_days, config),
            )
        )
    tasks.sort(key=lambda t: (t.manager, not t.overdue, t.occurrence.due_at, t.lead.name, t.lead.id))
    emails.sort(key=lambda e: (e.occurrence.due_at, e.lead.id))
    room = max(0, min(config.mail.per_run_cap, config.mail.cap_per_day - emails_since(book.log, now - DAY)))
    kpi = compute_kpi(book, found, tasks, statuses, config, now)
    return Plan(tuple(emails[:room]), tuple(tasks), tuple(statuses), kpi, waiting=max(0, len(emails) - room))


def lead_occurrences(
    lead: Lead,
    history: History,
    purchases: list[date],
    reactivation_from: date | None,
    config: Config,
    now: datetime,
    alike: dict[tuple[object, ...], list[Occurrence]],
) -> list[Occurrence]:
    """The touches this lead is owed besides the calendar and holidays; those of an invoice, a
    reactivation or a birthday are the same for every lead with the same day: `alike` keeps them."""
    return (
        cadence.first_contact(lead, history, config)
        + reminders.callback(lead, history, config)
        + reminders.invoice_reminders(lead, config, now, alike)
        + reactivation.reactivation(reactivation_from, purchases, config, now, alike)
        + greetings.birthday(lead, config, now, alike)
    )


def _manual_only(lanes: Lanes) -> Lanes:
    """A lead without an email address gets the manual touches of a shared group."""
    return Lanes(
        tuple(o for o in lanes.current if not o.automatic),
        tuple(o for o in lanes.future if not o.automatic),
        lanes.manual_past,
        lanes.manual_due,
    )


def _task_manager(lead: Lead, occurrence: Occurrence, config: Config) -> str:
    if lead.manager:
        return lead.manager
    if occurrence.track == reactivation.REACTIVATION and config.reactivation.manager:
        return config.reactivation.manager
    return UNASSIGNED


def _emails_now(
    lead: Lead, due: tuple[Occurrence, ...], history: History, config: Config, now: datetime
) -> list[Occurrence]:
    """Only in working hours on a working day where the lead is, at most `per_lead_per_day` a day
    (the most urgent first)."""
    candidates = [o for o in due if o.automatic]
    if not candidates:
        return []
    zone = ZoneInfo(lead.timezone) if lead.timezone else None
    if not config.calendar.is_open(now, zone):
        return []
    room = config.mail.per_lead_per_day - history.email_days.count(now.date())
    return sorted(candidates, key=lambda o: (_priority(o.track), o.due_at))[: max(room, 0)]


def _priority(track: str) -> int:
    family = track.split(":")[0]
    return EMAIL_PRIORITY.index(family) if family in EMAIL_PRIORITY else len(EMAIL_PRIORITY)


def _lead_problems(lead: Lead, history: History, purchases: list[date], config: Config) -> tuple[str, ...]:
    problems = []
    if history.refused and (history.last_sent_at is None or history.refused[0] > history.last_sent_at):
        problems.append(Message("refused", reason=history.refused[1]))
    if lead.manager and lead.manager not in config.managers:
        problems.append(Message("unknown_manager", name=lead.manager))
    if lead.stage is Stage.WON and not purchases and not lead.opt_out:
        problems.append(Message("won_without_purchase"))
    return tuple(problems)
