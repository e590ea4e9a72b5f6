"""R9: birthdays and holidays are touches too. A greeting is due on the day (the working day before,
when the day is off) and is no longer owed `late_days` after it: a late birthday card is worse than none."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from touchsheet.config import Config
from touchsheet.engine.model import Lead, Occurrence, Stage, Touchpoint

GREETING = "greeting"


def greetings(lead: Lead, config: Config, now: datetime) -> list[Occurrence]:
    if lead.stage is Stage.LOST:
        return []
    occasions: list[tuple[str, int, int, Touchpoint]] = []
    if lead.birthday and config.greetings.birthday:
        occasions.append(("birthday", lead.birthday.month, lead.birthday.day, config.greetings.birthday))
    for holiday in config.greetings.holidays:
        month, day = map(int, holiday.date.split("-"))
        occasions.append((holiday.name, month, day, holiday))
    calendar = config.calendar
    today = now.astimezone(calendar.tz).date()
    found = []
    for name, month, day, point in occasions:
        for year in (today.year - 1, today.year, today.year + 1):
            when = _on(year, month, day)
            due = calendar.at(calendar.previous_working_day(when), calendar.start)
            deadline = calendar.at(when + timedelta(days=1), time())
            expires = calendar.at(when + timedelta(days=1 + config.greetings.late_days), time())
            if expires > now:
                track = f"{GREETING}:{name}"  # each occasion is its own lane
                found.append(Occurrence.of(point, lead.id, f"{name}@{year}", track, due, deadline, expires))
    return found


def _on(year: int, month: int, day: int) -> date:
    """Feb 29 birthdays are greeted on Feb 28 in other years."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)
