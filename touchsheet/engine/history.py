"""What the Touch log says about each lead, folded in one pass over the log.

The log is the largest thing the engine reads (about ten rows per lead), so this loop is written
for speed: statuses are compared by identity and each row is looked at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from touchsheet.engine.model import Channel, Result, Status, Touch

# Statuses that settle a step: nobody is asked to do it again. `retry` does not: it is sent again.
SETTLED = frozenset({Status.DONE, Status.SENT, Status.PENDING, Status.UNCONFIRMED, Status.FAILED, Status.SKIPPED})


@dataclass(slots=True)
class History:
    settled: set[str] = field(default_factory=set)  # steps done, sent or decided
    touches: int = 0  # done by a manager or sent
    last_touch_at: datetime | None = None
    first_manual_at: datetime | None = None
    last_manual_at: datetime | None = None
    last_email_at: datetime | None = None  # handed (or being handed) to the mail server
    purchases: set[date] = field(default_factory=set)  # days of `paid` results
    unconfirmed: int = 0


NO_HISTORY = History()  # shared by every lead without touches: never mutated


def histories(log: Iterable[Touch]) -> dict[str, History]:
    found: dict[str, History] = {}
    get = found.get
    done, sent, pending, unconfirmed, retry = Status.DONE, Status.SENT, Status.PENDING, Status.UNCONFIRMED, Status.RETRY
    paid, email = Result.PAID, Channel.EMAIL
    for touch in log:
        history = get(touch.lead_id)
        if history is None:
            history = found[touch.lead_id] = History()
        status = touch.status
        if status is retry:
            continue
        if touch.step:
            history.settled.add(touch.step)
        at = touch.at
        if status is done or status is sent:
            history.touches += 1
            if history.last_touch_at is None or at > history.last_touch_at:
                history.last_touch_at = at
            if touch.result is paid:
                history.purchases.add(at.date())
            if status is done:
                if history.first_manual_at is None or at < history.first_manual_at:
                    history.first_manual_at = at
                if history.last_manual_at is None or at > history.last_manual_at:
                    history.last_manual_at = at
                continue
        elif status is unconfirmed:
            history.unconfirmed += 1
        elif status is not pending:
            continue
        if touch.channel is email and (history.last_email_at is None or at > history.last_email_at):
            history.last_email_at = at
    return found
