"""R9: birthdays and holidays are touches too. A greeting is due on the day (the working day before,
when the day is off) and is no longer owed `late_days` after it: a late birthday card is worse than none.
Those days are the lead's own, in its Time zone: a client whose office closes when the business opens
is greeted in its own working hours that day, not the next (or, before a weekend, never)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from touchsheet.config import Config
from touchsheet.engine.due import NOTHING, Lanes, SharedLanes
from touchsheet.engine.model import Lead, Occurrence, Stage, Touchpoint

GREETING = "greeting"


def greeted(lead: Lead) -> bool:
    return lead.stage is not Stage.LOST


def holidays(config: Config, now: datetime, zone: ZoneInfo | None) -> list[Occurrence]:
    """The same for every lead in `zone` (None: the business's): built once a run for each."""
    found: list[Occurrence] = []
    for holiday in config.greetings.holidays:
        month, day = map(int, holiday.date.split("-"))
        found += _occasion(holiday.name, month, day, holiday, config, now, zone)
    return found


def birthday(lead: Lead, config: Config, shared: SharedLanes) -> Lanes:
    """The lead's birthday greetings near the run's moment (the same for everyone born that day in
    its time zone: `shared` keeps them)."""
    point = config.greetings.birthday
    if lead.birthday is None or point is None or not greeted(lead):
        return NOTHING
    month, day = lead.birthday.month, lead.birthday.day
    return shared.lanes(
        ("birthday", month, day, lead.timezone),
        lambda: _occasion("birthday", month, day, point, config, shared.now, lead.zone),
    )


def _occasion(
    name: str, month: int, day: int, point: Touchpoint, config: Config, now: datetime, zone: ZoneInfo | None
) -> list[Occurrence]:
    calendar = config.calendar
    tz = zone or calendar.tz

    def at(on: date, clock: time) -> datetime:  # on the lead's clock, as a moment of the business's (as all are)
        return datetime.combine(on, clock, tz).astimezone(calendar.tz)

    today = now.astimezone(tz).date()
    found = []
    for year in (today.year - 1, today.year, today.year + 1):
        when = _on(year, month, day)
        expires = at(when + timedelta(days=1 + config.greetings.late_days), time())
        if expires <= now:
            continue
        due = at(calendar.previous_working_day(when), calendar.start)
        deadline = at(when + timedelta(days=1), time())
        track = f"{GREETING}:{name}"  # each occasion is its own lane
        found.append(Occurrence.of(point, f"{name}@{year}", track, due, deadline, expires))
    return found


def _on(year: int, month: int, day: int) -> date:
    """Feb 29 birthdays are greeted on Feb 28 in other years."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)
