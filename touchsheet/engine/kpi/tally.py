"""Counting into windows: every event (a lead in, a touch, a payment) lands in each window that
holds its day, and in its manager's count for this month.

The windows are this week, this month and the trend's whole span (the three columns of the KPI
tab), then each week of the trend, oldest first. Days are local dates in the business time zone.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from touchsheet.engine.kpi.model import Window

COLUMNS = 3  # this week, this month, the trend's span


@dataclass(slots=True)
class Tally:
    leads_in: int = 0
    judged: int = 0  # leads past their first-contact deadline, or touched by hand before it
    on_time: int = 0  # of those, touched by hand within it
    minutes: list[float] = field(default_factory=list)  # working minutes to the first manual touch
    touches: int = 0  # done by a manager or sent
    touched: set[str] = field(default_factory=set)  # the leads they went to (the three columns only)
    warm: int = 0
    closing: int = 0
    meetings: int = 0  # touches whose result is a meeting
    due_days: int = 0  # manual touches whose key says the day they were due
    on_due_day: int = 0  # of those, done by the end of that day
    invoices: int = 0
    paid: int = 0
    paid_fast: int = 0  # paid within `paid_within_days` of the invoice
    days_to_pay: list[int] = field(default_factory=list)
    revenue: float = 0.0
    new_clients: int = 0  # first purchase
    won_back: int = 0  # a purchase after a gap longer than the client's purchase interval


class Windows:
    def __init__(self, today: date, weeks: int) -> None:
        monday = today - timedelta(days=today.weekday())
        first = monday - timedelta(weeks=weeks - 1)
        end = today + timedelta(days=1)
        self.month = Window(today.replace(day=1), end)
        self.columns = (Window(monday, end), self.month, Window(first, end))
        self.weeks = tuple(first + timedelta(weeks=k) for k in range(weeks))
        self.tallies = [Tally() for _ in range(COLUMNS + weeks)]
        self.managers: dict[str, Tally] = {}
        self.days: dict[date, tuple[Tally, ...]] = {}  # the tallies an event of each day counts in
        self.first = min(first, self.month.start)
        day = self.first
        while day < end:
            held = [t for w, t in zip(self.columns, self.tallies) if w.holds(day)]
            if day >= first:
                held.append(self.tallies[COLUMNS + (day - first).days // 7])
            self.days[day] = tuple(held)
            day += timedelta(days=1)

    def of(self, day: date, manager: str) -> tuple[Tally, ...]:
        """The tallies an event of `day` counts in, with `manager`'s when it falls this month."""
        held = self.days.get(day)
        if held is None:
            return ()
        if day < self.month.start:
            return held
        mine = self.managers.get(manager)
        if mine is None:
            mine = self.managers[manager] = Tally()
        return (*held, mine)

    def manager(self, name: str) -> Tally:
        return self.managers.get(name) or Tally()

    @property
    def column_tallies(self) -> list[Tally]:
        return self.tallies[:COLUMNS]

    @property
    def week_tallies(self) -> list[Tally]:
        return self.tallies[COLUMNS:]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def median(values: list[float] | list[int]) -> float | None:
    return float(statistics.median(values)) if values else None
