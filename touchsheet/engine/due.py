"""Which of a lead's occurrences are owed now, and which one comes next.

Each lane (a track's emails, or its manual touches) owes at most one touch: its latest occurrence
that is due. An older one not done by then is missed, not stacked: after a week away the team
gets today's step, not the whole backlog (the KPI tab counts what was missed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from touchsheet.engine.model import Occurrence, Status, Touch

# Statuses that settle an occurrence: nobody is asked to do it again.
SETTLED = frozenset({Status.DONE, Status.SENT, Status.PENDING, Status.UNCONFIRMED, Status.FAILED, Status.SKIPPED})


@dataclass(frozen=True, slots=True)
class Owed:
    due: tuple[Occurrence, ...]
    upcoming: Occurrence | None


def settled_steps(touches: Iterable[Touch]) -> set[str]:
    return {t.step for t in touches if t.step and t.status in SETTLED}


def owed(occurrences: Iterable[Occurrence], settled: set[str], now: datetime, day_end: datetime) -> Owed:
    """Manual touches are owed through the end of today (they go on today's list); emails at their time."""
    latest: dict[tuple[str, bool], Occurrence] = {}
    later: list[Occurrence] = []
    for occurrence in occurrences:
        if occurrence.expires_at is not None and occurrence.expires_at <= now:
            continue
        horizon = now if occurrence.channel.automatic else day_end
        if occurrence.due_at <= horizon:
            current = latest.get(occurrence.lane)
            if current is None or occurrence.due_at > current.due_at:
                latest[occurrence.lane] = occurrence
        elif occurrence.step not in settled:
            later.append(occurrence)
    due = tuple(sorted((o for o in latest.values() if o.step not in settled), key=lambda o: o.due_at))
    upcoming = min(later, key=lambda o: o.due_at, default=None)
    return Owed(due, upcoming)
