"""The sales cadence of an open lead (R1-R5): first contact, the new-lead calendar, weekly nurture, monthly.

Calendar days count from `Created at` in the business time zone; day 0 is due at once (at opening
when the lead came in after hours). A step that lands on a day off moves to the next working day,
and never onto a day an earlier step of the same lane (email, or manual) already holds: calendar,
nurture and monthly steps alike.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from touchsheet.config import CalendarStep, Config, RepeatPhase
from touchsheet.engine.due import NOTHING, Lanes, sort_out
from touchsheet.engine.history import History
from touchsheet.engine.model import OPEN_STAGES, Lead, Occurrence, Stage
from touchsheet.engine.worktime import WorkCalendar

FIRST_CONTACT = "first-contact"
SALES = "sales"


def day_end(calendar: WorkCalendar, day: date) -> datetime:
    """Midnight after `day`: a step due on that day is overdue from then."""
    return calendar.day_end(day)


def first_contact_deadline(lead: Lead, config: Config) -> datetime:
    return config.calendar.add_minutes(lead.created_at, config.first_contact.deadline_minutes)


def first_contact(lead: Lead, history: History, config: Config) -> list[Occurrence]:
    """R5: a new lead nobody has touched by hand yet is owed a first contact, with a deadline."""
    if lead.stage is not Stage.NEW or history.last_manual_at is not None:
        return []
    due = config.calendar.clamp(lead.created_at)
    deadline = first_contact_deadline(lead, config)
    return [Occurrence.of(config.first_contact, FIRST_CONTACT, FIRST_CONTACT, due, deadline)]


def sales_cadence(lead: Lead, config: Config, now: datetime) -> list[Occurrence]:
    """Every calendar step, then the nurture and monthly occurrences near `now`."""
    if lead.stage not in OPEN_STAGES:
        return []
    zero, lane_days = day_zero(lead, config)
    return zero + later_steps(lead.created_at.date(), lane_days, config, now)


class SalesCalendars:
    """The calendars of a run, shared by leads whose requests came on the same day (a base of
    100,000 leads has a few hundred such days), each sorted out once for the run's moment."""

    def __init__(self, config: Config, now: datetime, today_end: datetime) -> None:
        self.config, self.now, self.today_end = config, now, today_end
        self._shared: dict[tuple[date, date], tuple[Lanes, bool]] = {}

    def lanes(self, lead: Lead) -> tuple[list[Occurrence], Lanes]:
        """The lead's own day-0 steps (when they still matter), and the later steps it shares."""
        if lead.stage not in OPEN_STAGES:
            return [], NOTHING
        key = (lead.created_at.date(), self.config.calendar.opened_day(lead.created_at))
        found = self._shared.get(key)
        if found is None:
            steps = later_steps(key[0], _lane_days(key[1], self.config), self.config, self.now)
            shared = sort_out(steps, self.now, self.today_end)
            zero_lanes = {(SALES, s.channel.automatic) for s in self.config.cadence.calendar if s.day == 0}
            found = self._shared[key] = (shared, zero_lanes <= {o.lane for o in shared.current})
        shared, superseded = found
        # once a later step of each day-0 lane is due, the day-0 steps no longer matter
        return ([] if superseded else day_zero(lead, self.config)[0]), shared


def day_zero(lead: Lead, config: Config) -> tuple[list[Occurrence], dict[bool, date]]:
    """The steps of the request day, due at once, and the last day each lane holds."""
    calendar = config.calendar
    opened = calendar.clamp(lead.created_at)
    found: list[Occurrence] = []
    for step, day in _zero_days(opened.date(), config):
        due = opened if day == opened.date() else calendar.opening(day)
        found.append(Occurrence.of(step, step.id, SALES, due, day_end(calendar, day)))
    return found, _lane_days(opened.date(), config)


def _zero_days(opened: date, config: Config) -> list[tuple[CalendarStep, date]]:
    """Each day-0 step with its day: the first of a lane on `opened` (the lead's first working
    moment), a second one of the same lane on the next working day, and so on."""
    found: list[tuple[CalendarStep, date]] = []
    lane_days: dict[bool, date] = {}
    for step in config.cadence.calendar:
        if step.day != 0:
            break
        lane = step.channel.automatic
        day = config.calendar.opening(lane_days[lane] + timedelta(days=1)).date() if lane in lane_days else opened
        lane_days[lane] = day
        found.append((step, day))
    return found


def _lane_days(opened: date, config: Config) -> dict[bool, date]:
    """The last day each lane's day-0 steps hold."""
    return {step.channel.automatic: day for step, day in _zero_days(opened, config)}


def later_steps(created: date, lane_days: dict[bool, date], config: Config, now: datetime) -> list[Occurrence]:
    """Calendar steps from day 1 on, then nurture and monthly (only those near `now`)."""
    calendar = config.calendar
    cadence = config.cadence
    lane_days = dict(lane_days)
    found: list[Occurrence] = []
    for step in cadence.calendar:
        if step.day == 0:
            continue
        due = _free_day(created + timedelta(days=step.day), step.channel.automatic, lane_days, calendar)
        found.append(Occurrence.of(step, step.id, SALES, due, day_end(calendar, due.date())))
    start = created + timedelta(days=cadence.calendar[-1].day)
    found += _phase("nurture", cadence.nurture, start, lane_days, calendar, now)
    if cadence.nurture.times is not None:
        monthly_start = start + timedelta(days=cadence.nurture.every_days * cadence.nurture.times)
        found += _phase("monthly", cadence.monthly, monthly_start, lane_days, calendar, now)
    return found


def _free_day(day: date, lane: bool, lane_days: dict[bool, date], calendar: WorkCalendar) -> datetime:
    """The opening of `day`'s working day, or of the first one after the last day the lane holds;
    the lane holds that day from now on."""
    if lane in lane_days and day <= lane_days[lane]:
        day = lane_days[lane] + timedelta(days=1)
    due = calendar.opening(day)
    lane_days[lane] = due.date()
    return due


def _phase(
    name: str, phase: RepeatPhase, start: date, lane_days: dict[bool, date], calendar: WorkCalendar, now: datetime
) -> list[Occurrence]:
    """Occurrence k (k >= 1) of a repeating phase falls `k * every_days` after `start`; the steps
    rotate. Only the k's near `now` are built: the last full rotation before it and the next two."""
    elapsed = (now.astimezone(calendar.tz).date() - start).days
    current = max(elapsed // phase.every_days, 0)
    first = max(1, current - len(phase.steps))
    last = current + 2 if phase.times is None else min(current + 2, phase.times)
    found = []
    # Every k from the first holds its lane's day, so a step a holiday moved stays where it went
    # whatever `now` is; a phase that ends is walked to its end for the phase after it.
    for k in range(1, (last if phase.times is None else phase.times) + 1):
        point = phase.steps[(k - 1) % len(phase.steps)]
        due = _free_day(start + timedelta(days=k * phase.every_days), point.channel.automatic, lane_days, calendar)
        if first <= k <= last:
            found.append(Occurrence.of(point, f"{name}-{k}", SALES, due, day_end(calendar, due.date())))
    return found
