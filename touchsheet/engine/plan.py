"""plan(book, config, now) -> Plan: what to send, what to put on Due today, what each lead's row says.

Pure: no clock, no I/O. Running it again on the same book and `now` gives the same plan; running it
after the emails went out (their touches added to the book) gives a plan that sends nothing more.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from touchsheet.config import Config
from touchsheet.engine import cadence, greetings, reactivation, reminders
from touchsheet.engine.cadence import SalesCalendars, day_end
from touchsheet.engine.due import NOTHING, Lanes, SharedLanes, owed, sort_out
from touchsheet.engine.flags import lead_flags
from touchsheet.engine.history import NO_HISTORY, History, emails_since, histories
from touchsheet.engine.model import (
    OPEN_STAGES,
    UNASSIGNED,
    EmailTouch,
    Lead,
    LeadStatus,
    Occurrence,
    Stage,
    Task,
    Touch,
)
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
DAY = timedelta(days=1)


@dataclass(slots=True)
class LeadPlan:
    """One lead's part of a plan: a later plan of the same run keeps it while the lead's touches and
    the base's purchase interval stay the same. Not frozen, like the Lead it plans: one is built per
    lead, and a frozen one takes four times as long."""

    lead: Lead
    tasks: tuple[Task, ...]
    emails: tuple[EmailTouch, ...]  # owed now, before the caps
    status: LeadStatus


@dataclass(frozen=True)
class Parts:
    """What a plan was made from (the leads, the log, each lead's history) and of (each lead's part):
    a later plan of the same run reads again, and plans again, only the leads whose touches changed."""

    leads: list[Lead]
    log: list[Touch]
    found: dict[str, History]
    by_lead: dict[str, LeadPlan]
    emailed: int  # emails handed over in the day before the plan's moment: what the daily cap counts


@dataclass(frozen=True)
class Plan:
    emails: tuple[EmailTouch, ...]  # due now, most overdue first (the caps let the first `room` go)
    tasks: tuple[Task, ...]  # Due today, per manager, overdue first
    statuses: tuple[LeadStatus, ...]  # the worker's columns, one per lead
    # How many emails the daily and per-run caps let go now. The run fills them in order with those
    # that can be written: one a template cannot be filled for must not hold the others back.
    room: int
    purchases: dict[str, list[date]]  # each lead's purchase days, oldest first (the KPI counts from them too)
    base_interval: float | None  # the base's average days between two purchases
    parts: Parts = field(compare=False, repr=False)

    @property
    def histories(self) -> dict[str, History]:
        """What the Touch log says of each lead."""
        return self.parts.found

    @property
    def overdue(self) -> int:
        return sum(task.overdue for task in self.tasks)


@dataclass
class _Shared:
    """What every lead of one plan is planned with."""

    config: Config
    now: datetime
    today_end: datetime
    base: float | None  # the base's average days between purchases
    calendars: SalesCalendars
    alike: SharedLanes  # what leads alike are owed (an invoice day's reminders...), built once
    # by lead time zone ("": the business's)
    office_hours: dict[str, bool] = field(default_factory=dict)
    holidays: dict[str, Lanes] = field(default_factory=dict)

    def in_office_hours(self, lead: Lead) -> bool:
        """Working hours on a working day where the lead is: asked once a plan per time zone."""
        found = self.office_hours.get(lead.timezone)
        if found is None:
            found = self.office_hours[lead.timezone] = self.config.calendar.is_open(self.now, lead.zone)
        return found

    def holiday_greetings(self, lead: Lead) -> Lanes:
        """The holidays on the lead's own days: sorted out once a plan per time zone."""
        found = self.holidays.get(lead.timezone)
        if found is None:
            occasions = greetings.holidays(self.config, self.now, lead.zone)
            found = self.holidays[lead.timezone] = sort_out(occasions, self.now, self.today_end)
        return found


def plan(book: Book, config: Config, now: datetime, earlier: Plan | None = None) -> Plan:
    """`earlier`: a plan of this run (the same config and moment) made before touches were added to
    the log (the emails just sent); when the leads are the same, every lead without new touches keeps
    its part of it instead of being planned again."""
    now = now.astimezone(config.tz)
    if earlier is not None and _only_grew(book, earlier.parts):
        return _plan_again(book, config, now, earlier)
    found = histories(book.log)
    purchases = {lead.id: reactivation.purchase_dates(lead, found.get(lead.id, NO_HISTORY)) for lead in book.leads}
    base = reactivation.base_interval(purchases[lead.id] for lead in book.leads if lead.stage is Stage.WON)
    shared = _shared(config, now, base)
    by_lead = {
        lead.id: _plan_lead(lead, found.get(lead.id, NO_HISTORY), purchases[lead.id], _problems(book, lead), shared)
        for lead in book.leads
    }
    parts = Parts(book.leads, book.log, found, by_lead, emails_since(book.log, _day_before(now)))
    return _assembled(parts, purchases, base, config)


def _only_grew(book: Book, earlier: Parts) -> bool:
    """The same leads, and the log as it was with touches added at its end."""
    leads, log = book.leads, book.log
    return (
        len(leads) == len(earlier.leads)
        and all(map(operator.is_, leads, earlier.leads))
        and len(log) >= len(earlier.log)
        and all(map(operator.is_, log, earlier.log))
    )


def _plan_again(book: Book, config: Config, now: datetime, earlier: Plan) -> Plan:
    """Only the touches added are read, and only their leads planned again; every other lead keeps
    its part. When the touches added change a lead's purchases, the base's interval (which every
    lead is planned with) may change too: every lead is planned again."""
    parts = earlier.parts
    added = book.log[len(parts.log) :]
    read = histories(added, parts.found)
    again = {lead_id: parts.by_lead[lead_id].lead for lead_id in read if lead_id in parts.by_lead}
    purchases = earlier.purchases | {i: reactivation.purchase_dates(lead, read[i]) for i, lead in again.items()}
    if any(purchases[i] != earlier.purchases[i] for i in again):
        return plan(book, config, now)
    shared = _shared(config, now, earlier.base_interval)
    planned = {i: _plan_lead(lead, read[i], purchases[i], _problems(book, lead), shared) for i, lead in again.items()}
    emailed = parts.emailed + emails_since(added, _day_before(now))
    again_parts = Parts(book.leads, book.log, parts.found | read, parts.by_lead | planned, emailed)
    return _assembled(again_parts, purchases, earlier.base_interval, config)


def _day_before(now: datetime) -> datetime:
    """24 real hours before `now` (the daily cap's rolling day; `now - DAY` counts by the clock: 23
    hours the day it goes forward), in `now`'s zone: the log's moments compare with it quickest."""
    return (now.astimezone(UTC) - DAY).astimezone(now.tzinfo)


def _shared(config: Config, now: datetime, base: float | None) -> _Shared:
    today_end = day_end(config.calendar, now.date())
    calendars = SalesCalendars(config, now, today_end)
    return _Shared(config, now, today_end, base, calendars, SharedLanes(now, today_end))


def _problems(book: Book, lead: Lead) -> tuple[str, ...]:
    """What reading the lead's row found wrong (most rows: nothing)."""
    found = book.problems.get(lead.row)
    return tuple(found) if found else ()


def _assembled(parts: Parts, purchases: dict[str, list[date]], base: float | None, config: Config) -> Plan:
    """The plan of each lead's part: Due today and the emails in order, and the room the caps leave."""
    by_lead = parts.by_lead.values()
    tasks = [task for part in by_lead for task in part.tasks]
    emails = [email for part in by_lead for email in part.emails]
    statuses = tuple(part.status for part in by_lead)
    tasks.sort(key=lambda t: (t.manager, not t.overdue, t.occurrence.due_at, t.lead.name, t.lead.id))
    emails.sort(key=lambda e: (e.occurrence.due_at, e.lead.id))
    room = max(0, min(config.mail.per_run_cap, config.mail.cap_per_day - parts.emailed))
    return Plan(tuple(emails), tuple(tasks), statuses, room, purchases, base, parts)


def _plan_lead(
    lead: Lead, history: History, purchases: list[date], problems: tuple[str, ...], shared: _Shared
) -> LeadPlan:
    config, now = shared.config, shared.now
    start = reactivation.reactivation_start(lead, purchases, history, shared.base, config)
    groups = [] if lead.opt_out else _groups(lead, history, purchases, start, shared)  # opt-outs are absolute
    result = owed(groups, history.settled, history.manual_through)
    tasks: tuple[Task, ...] = ()
    emails: tuple[EmailTouch, ...] = ()
    if result.due:  # most leads owe nothing right now
        tasks = tuple(
            Task(o, lead, _task_manager(lead, o, config), now > o.deadline) for o in result.due if not o.automatic
        )
        manager = lead.manager or UNASSIGNED
        emails = tuple(EmailTouch(o, lead, manager) for o in _emails_now(lead, result.due, history, shared))
    status = LeadStatus(  # by position: one is built per lead
        lead,
        result.due[0] if result.due else result.upcoming,  # the next touch
        history.touches,
        history.last_touch_at,
        lead_flags(lead, history, result, start, config, now),
        problems + _lead_problems(lead, history, purchases, config),
    )
    return LeadPlan(lead, tasks, emails, status)


def _groups(lead: Lead, history: History, purchases: list[date], start: date | None, shared: _Shared) -> list[Lanes]:
    """The groups of touches the lead is owed, sorted out: its own (day-0 steps, a first contact, a
    callback), then those it shares with leads alike (invoice reminders, reactivation calls, its
    birthday, its calendar, the holidays), sorted out once a run; the empty ones left out."""
    config = shared.config
    # A client who bought is past the new-lead touches, whatever Stage says (the row gets a problem).
    if purchases:
        own, calendar = [], NOTHING
    else:
        own, calendar = shared.calendars.lanes(lead)
        own += cadence.first_contact(lead, history, config)
    own += reminders.callback(lead, history, config)
    if not lead.email:
        own = [o for o in own if not o.automatic]
    groups = [sort_out(own, shared.now, shared.today_end)] if own else []
    alike = shared.alike
    invoice = reminders.invoice_reminders(lead, config, alike)
    calls = reactivation.reactivation(start, purchases, config, alike)
    holidays = shared.holiday_greetings(lead) if greetings.greeted(lead) else NOTHING
    for lanes in (invoice, calls, greetings.birthday(lead, config, alike), calendar, holidays):
        if lanes is not NOTHING:
            groups.append(lanes if lead.email else _manual_only(lanes))
    return groups


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


def _emails_now(lead: Lead, due: tuple[Occurrence, ...], history: History, shared: _Shared) -> list[Occurrence]:
    """Only in working hours on a working day where the lead is, at most `per_lead_per_day` a day
    (the most urgent first)."""
    candidates = [o for o in due if o.automatic]
    if not candidates or not shared.in_office_hours(lead):
        return []
    room = shared.config.mail.per_lead_per_day - history.email_days.count(shared.now.date())
    if len(candidates) > 1:
        candidates.sort(key=lambda o: (_priority(o.track), o.due_at))
    return candidates[: max(room, 0)]


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
    if lead.stage is Stage.INVOICE and lead.invoice_at is None and not lead.opt_out:
        problems.append(Message("invoice_without_date"))  # reminders count from Invoice at: none would come
    if purchases and lead.stage in OPEN_STAGES:
        problems.append(Message("bought_but_not_won"))
    return tuple(problems)
