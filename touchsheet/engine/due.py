"""Which touches a lead owes now, and which one comes next (due_tasks).

Each lane (a track's emails, or its manual touches) owes at most one touch: its latest occurrence
that is due. An older one not done by then is missed, not stacked: after a week away the team
gets today's step, not the backlog (and the lead shows as forgotten).

Occurrences are first sorted out for the run's moment (`sort_out`), once per group that many
leads share; then each lead only checks which of them it has settled (`owed`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from touchsheet.engine.model import Occurrence


@dataclass(frozen=True, slots=True)
class Lanes:
    """A group of occurrences sorted out for one moment."""

    current: tuple[Occurrence, ...]  # the latest due occurrence of each lane
    future: tuple[Occurrence, ...]  # not due yet, soonest first
    manual_past: tuple[Occurrence, ...]  # manual touches due by now, oldest first
    manual_due: tuple[datetime, ...]  # their due times, for bisecting


class Owed(NamedTuple):
    """What one lead owes: a named tuple, since every lead of a plan gets one and a frozen
    dataclass takes five times as long to build."""

    due: tuple[Occurrence, ...]  # soonest first
    upcoming: Occurrence | None
    neglected_since: datetime | None  # when the earliest manual touch not done since the last one fell due


NOTHING = Lanes((), (), (), ())
OWES_NOTHING = Owed((), None, None)


def sort_out(occurrences: Iterable[Occurrence], now: datetime, day_end: datetime) -> Lanes:
    """Manual touches are due through the end of today (they go on today's list); emails at their time."""
    latest: dict[tuple[str, bool], Occurrence] = {}
    future: list[Occurrence] = []
    manual: list[Occurrence] = []
    for o in occurrences:
        if o.expires_at is not None and o.expires_at <= now:
            continue
        automatic = o.lane[1]
        if o.due_at <= (now if automatic else day_end):
            current = latest.get(o.lane)
            if current is None or o.due_at > current.due_at:
                latest[o.lane] = o
            if not automatic and o.due_at <= now:
                manual.append(o)
        else:
            future.append(o)
    if not latest and not future:
        return NOTHING
    future.sort(key=_due)
    manual.sort(key=_due)
    return Lanes(tuple(latest.values()), tuple(future), tuple(manual), tuple(o.due_at for o in manual))


class SharedLanes:
    """Groups that leads alike share (an invoice day's reminders, a birthday...), each built and
    sorted out once for the run's moment, the first time a lead needs it."""

    def __init__(self, now: datetime, day_end: datetime) -> None:
        self.now, self.day_end = now, day_end
        self._found: dict[Hashable, Lanes] = {}

    def lanes(self, key: Hashable, occurrences: Callable[[], Iterable[Occurrence]]) -> Lanes:
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = sort_out(occurrences(), self.now, self.day_end)
        return found


def owed(groups: Sequence[Lanes], settled: set[str], manual_through: datetime | None) -> Owed:
    """What a lead owes, given the steps it has settled and until when a manager's touches by hand
    count as done (`History.manual_through`); each group is looked at once (every lead of a plan is)."""
    if not groups:
        return OWES_NOTHING
    latest: dict[tuple[str, bool], Occurrence] = {}
    upcoming: Occurrence | None = None
    neglected: datetime | None = None
    for group in groups:
        for o in group.current:
            current = latest.get(o.lane)
            if current is None or o.due_at > current.due_at:
                latest[o.lane] = o
        for o in group.future:
            if o.step not in settled:
                if upcoming is None or o.due_at < upcoming.due_at:
                    upcoming = o
                break
        # the earliest manual touch due after the last one a manager made, and not done
        start = bisect_right(group.manual_due, manual_through) if manual_through else 0
        for o in group.manual_past[start:]:
            if o.step not in settled:
                if neglected is None or o.due_at < neglected:
                    neglected = o.due_at
                break
    due = [o for o in latest.values() if o.step not in settled]
    if len(due) > 1:
        due.sort(key=_due)
    return Owed(tuple(due), upcoming, neglected)


def _due(o: Occurrence) -> datetime:
    return o.due_at
