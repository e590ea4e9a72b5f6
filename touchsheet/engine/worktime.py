"""Working time: which days are working days, when the office opens, and minutes counted in working time.

R5 counts the first-contact deadline in working minutes: a request at 23:00 is due at opening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_SEARCH_DAYS = 400  # more days off in a row than this is a config mistake, not a calendar
_NOTHING = timedelta()


def zone_named(name: str) -> ZoneInfo | None:
    """The time zone of that name, or None: a region like `Europe` is a folder of the zone
    database, and opening it fails with an OS error, not a missing-zone one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    start: time
    end: time
    weekdays: frozenset[int]  # Monday is 0
    is_holiday: Callable[[date], bool]
    is_moved_workday: Callable[[date], bool]  # a day off made a working day (Russia moves Saturdays)
    _days: dict[date, bool] = field(default_factory=dict, compare=False, repr=False)
    _openings: dict[date, datetime] = field(default_factory=dict, compare=False, repr=False)
    _ends: dict[date, datetime] = field(default_factory=dict, compare=False, repr=False)
    _closings: dict[date, datetime] = field(default_factory=dict, compare=False, repr=False)
    _years: dict[int, list[int]] = field(default_factory=dict, compare=False, repr=False)
    _befores: dict[date, int] = field(default_factory=dict, compare=False, repr=False)

    def is_working_day(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            worked = day.weekday() in self.weekdays or self.is_moved_workday(day)
            known = self._days[day] = worked and not self.is_holiday(day)
        return known

    def working_days(self, first: date, last: date) -> int:
        """How many working days there are from `first` up to, not including, `last`."""
        if last <= first:
            return 0
        if first.year == last.year:  # most spans: no full year to add
            return self._before(last) - self._before(first)
        full_years = sum(self._year(year)[-1] for year in range(first.year, last.year))
        return full_years + self._before(last) - self._before(first)

    def _before(self, day: date) -> int:
        """Working days from 1 January up to, not including, `day`."""
        found = self._befores.get(day)
        if found is None:
            found = self._befores[day] = self._year(day.year)[day.toordinal() - date(day.year, 1, 1).toordinal()]
        return found

    def _year(self, year: int) -> list[int]:
        """Working days before each day of `year`, and (last) in the whole year."""
        found = self._years.get(year)
        if found is None:
            found, day = [0], date(year, 1, 1)
            while day.year == year:
                found.append(found[-1] + self.is_working_day(day))
                day += timedelta(days=1)
            self._years[year] = found
        return found

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        for offset in range(_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_SEARCH_DAYS} days of {day}")

    def previous_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the last working day before it."""
        for offset in range(_SEARCH_DAYS):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_SEARCH_DAYS} days before {day}")

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def opening(self, day: date) -> datetime:
        """When the office opens on the first working day on or after `day`."""
        found = self._openings.get(day)
        if found is None:
            found = self._openings[day] = self.at(self.next_working_day(day), self.start)
        return found

    def day_end(self, day: date) -> datetime:
        """Midnight after `day`: a step due that day is overdue from then."""
        found = self._ends.get(day)
        if found is None:
            found = self._ends[day] = self.at(day + timedelta(days=1), time())
        return found

    def closing(self, day: date) -> datetime:
        """When the office closes on `day`."""
        found = self._closings.get(day)
        if found is None:
            found = self._closings[day] = self.at(day, self.end)
        return found

    def local(self, moment: datetime) -> datetime:
        return moment if moment.tzinfo is self.tz else moment.astimezone(self.tz)

    def is_open(self, moment: datetime, zone: ZoneInfo | None = None) -> bool:
        """Working hours on a working day, in `zone` (someone's own time zone) or the business's."""
        local = self.local(moment) if zone is None else moment.astimezone(zone)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def opened_day(self, moment: datetime) -> date:
        """The day of `clamp(moment)`, without building it: the day a request is first worked on."""
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.end:
            return day
        return self.opening(day + timedelta(days=1)).date()  # known by day: no search for the next working day

    def clamp(self, moment: datetime) -> datetime:
        """The earliest working moment at or after `moment`."""
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day):
            clock = local.time()
            if clock < self.start:
                return self.opening(day)
            if clock < self.end:
                return local
        return self.opening(day + timedelta(days=1))

    def add_minutes(self, moment: datetime, minutes: float) -> datetime:
        """`moment` plus `minutes` of working time."""
        current = self.clamp(moment)
        left = timedelta(minutes=minutes)
        while True:
            closing = self.closing(current.date())
            if current + left <= closing:
                return current + left
            left -= closing - current
            current = self.opening(current.date() + timedelta(days=1))

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes from `start` to `end` (0 when `end` is not later)."""
        current = self.clamp(start)
        end = self.local(end)
        if end <= current:
            return 0.0
        day, last = current.date(), end.date()
        closing = self.closing(day)
        if day == last:
            return (min(end, closing) - current).total_seconds() / 60
        # `day` is a working day (`current` is clamped), one of those counted up to `last`; and so is
        # `last` when counted: their openings are the ones `opening` keeps by day, not built again
        total = closing - current + (self.working_days(day, last) - 1) * (closing - self.opening(day))
        if self.is_working_day(last):
            total += max(min(end, self.closing(last)) - self.opening(last), _NOTHING)
        return total.total_seconds() / 60
