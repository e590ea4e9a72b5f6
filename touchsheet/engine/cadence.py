"""The sales cadence of an open lead (R1-R5): first contact, the new-lead calendar, weekly nurture, monthly.

Calendar days count from `Created at` in the business time zone; day 0 is due at once (at opening
when the lead came in after hours). A step that lands on a day off moves to the next working day,
and never onto a day an earlier step of the same lane (email, or manual) already holds.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from touchsheet.config import Config, RepeatPhase
from touchsheet.engine.model import OPEN_STAGES, Lead, Occurrence, Stage, Touch
from touchsheet.engine.worktime import WorkCalendar

FIRST_CONTACT = "first-contact"
SALES = "sales"


def day_end(calendar: WorkCalendar, day: date) -> datetime:
    return calendar.at(day + timedelta(days=1), time())


def first_contact_deadline(lead: Lead, config: Config) -> datetime:
    return config.calendar.add_minutes(lead.created_at, config.first_contact.deadline_minutes)


def first_contact(lead: Lead, touches: list[Touch], config: Config) -> list[Occurrence]:
    """R5: a new lead nobody has touched by hand yet is owed a first contact, with a deadline."""
    if lead.stage is not Stage.NEW or any(t.manual for t in touches):
        return []
    due = config.calendar.clamp(lead.created_at)
    deadline = first_contact_deadline(lead, config)
    return [Occurrence.of(config.first_contact, lead.id, FIRST_CONTACT, FIRST_CONTACT, due, deadline)]


def sales_cadence(lead: Lead, config: Config, now: datetime) -> list[Occurrence]:
    """Calendar steps, then nurture and monthly occurrences near `now` (enough to find each lane's
    latest due one and the next one)."""
    if lead.stage not in OPEN_STAGES:
        return []
    calendar = config.calendar
    cadence = config.cadence
    found: list[Occurrence] = []
    last_day: dict[bool, date] = {}
    for step in cadence.calendar:
        if step.day == 0:
            due = calendar.clamp(lead.created_at)
        else:
            due = calendar.opening(lead.created_at.date() + timedelta(days=step.day))
        lane = step.channel.automatic
        if lane in last_day and due.date() <= last_day[lane]:
            due = calendar.opening(last_day[lane] + timedelta(days=1))
        last_day[lane] = due.date()
        found.append(Occurrence.of(step, lead.id, step.id, SALES, due, day_end(calendar, due.date())))

    start = lead.created_at.date() + timedelta(days=cadence.calendar[-1].day)
    found += _phase(lead, "nurture", cadence.nurture, start, calendar, now)
    if cadence.nurture.times is not None:
        monthly_start = start + timedelta(days=cadence.nurture.every_days * cadence.nurture.times)
        found += _phase(lead, "monthly", cadence.monthly, monthly_start, calendar, now)
    return found


def _phase(
    lead: Lead, name: str, phase: RepeatPhase, start: date, calendar: WorkCalendar, now: datetime
) -> list[Occurrence]:
    """Occurrence k (k >= 1) of a repeating phase falls `k * every_days` after `start`; the steps
    rotate. Only the k's near `now` are built: the last full rotation before it and the next two."""
    elapsed = (now.astimezone(calendar.tz).date() - start).days
    current = max(elapsed // phase.every_days, 0)
    first = max(1, current - len(phase.steps))
    last = current + 2 if phase.times is None else min(current + 2, phase.times)
    found = []
    for k in range(first, last + 1):
        point = phase.steps[(k - 1) % len(phase.steps)]
        due = calendar.opening(start + timedelta(days=k * phase.every_days))
        found.append(Occurrence.of(point, lead.id, f"{name}-{k}", SALES, due, day_end(calendar, due.date())))
    return found
