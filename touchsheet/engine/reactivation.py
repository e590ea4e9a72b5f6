"""R8: a client who has not bought for longer than their average purchase interval (or the base's,
when they have bought only once) goes on the reactivation list: a weekly call until they buy again or say no."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from touchsheet.config import Config
from touchsheet.engine.cadence import day_end
from touchsheet.engine.due import NOTHING, Lanes, SharedLanes
from touchsheet.engine.history import History
from touchsheet.engine.model import Lead, Occurrence, Stage

REACTIVATION = "reactivation"


def purchase_dates(lead: Lead, history: History) -> list[date]:
    """Every day the client bought: `Paid at`, `Last purchase at` and each `paid` touch, oldest first."""
    if lead.paid_at is None and lead.last_purchase_at is None and not history.purchases:
        return []  # most leads
    days = set(history.purchases)
    if lead.paid_at is not None:
        days.add(lead.paid_at.date())
    if lead.last_purchase_at is not None:
        days.add(lead.last_purchase_at.date())
    return sorted(days)


def own_interval(days: list[date]) -> float | None:
    """The client's average days between two purchases; None when they bought once."""
    return (days[-1] - days[0]).days / (len(days) - 1) if len(days) > 1 else None


def base_interval(histories: Iterable[list[date]]) -> float | None:
    """The average client's interval (seed 002): the mean of each repeat client's own average, so a
    client who buys every day counts once, not once a purchase."""
    averages = [own_interval(days) for days in histories if len(days) > 1]
    return sum(averages) / len(averages) if averages else None


def average_interval(days: list[date], base: float | None, config: Config) -> float:
    """The client's average days between purchases (the base's when they bought once)."""
    average = own_interval(days) or base
    return average if average else config.reactivation.default_interval_days


def interval_days(days: list[date], base: float | None, config: Config) -> int:
    """The whole days after a purchase until the client is past their average interval."""
    return math.ceil(average_interval(days, base, config))


def reactivation_start(
    lead: Lead, days: list[date], history: History, base: float | None, config: Config
) -> date | None:
    """The day the client becomes due for reactivation, or None when they never bought or said no.
    A purchase makes a client whatever Stage says (a row that paid but is not `won` gets a problem)."""
    if lead.stage is Stage.LOST or not days or _refused_since(days[-1], history):
        return None
    return days[-1] + timedelta(days=interval_days(days, base, config))


def _refused_since(last_purchase: date, history: History) -> bool:
    """R11: `refused` on a reactivation call since the last purchase (its steps are named after it) is
    an explicit no: the client stays `won` and is not called again until a new purchase."""
    lapse = f"@{last_purchase.isoformat()}"
    return any(step.startswith(REACTIVATION) and step.endswith(lapse) for step in history.refused_steps)


def reactivation(start: date | None, days: list[date], config: Config, shared: SharedLanes) -> Lanes:
    """The weekly calls from `start` (see reactivation_start) near the run's moment (the same for
    every client who last bought that day and is due from that day: `shared` keeps them)."""
    if start is None:
        return NOTHING
    last = days[-1]
    return shared.lanes((REACTIVATION, start, last), lambda: _weekly_calls(start, last, config, shared.now))


def _weekly_calls(start: date, last_purchase: date, config: Config, now: datetime) -> list[Occurrence]:
    calendar = config.calendar
    every = config.reactivation.every_days
    current = max((now.astimezone(calendar.tz).date() - start).days // every, 0)
    found = []
    for k in range(max(0, current - 1), current + 2):
        due = calendar.opening(start + timedelta(days=k * every))
        step = f"reactivation-{k + 1}@{last_purchase.isoformat()}"
        found.append(Occurrence.of(config.reactivation, step, REACTIVATION, due, day_end(calendar, due.date())))
    return found
