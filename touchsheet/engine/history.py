"""What the Touch log says about each lead, folded in one pass over the log.

The log is the largest thing the engine reads (about ten rows per lead), so this loop is written
for speed: statuses are compared by identity and each row is looked at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from touchsheet.engine.model import Channel, Result, Status, Touch

_MIDNIGHT, _DAY = time(), timedelta(days=1)
# Statuses that settle a step: nobody is asked to do it again. `retry` does not: it is sent again.
SETTLED = frozenset({Status.DONE, Status.SENT, Status.PENDING, Status.UNCONFIRMED, Status.FAILED, Status.SKIPPED})


@dataclass(slots=True)
class History:
    settled: set[str] = field(default_factory=set)  # steps done, sent or decided
    touches: int = 0  # done by a manager or sent
    last_touch_at: datetime | None = None
    first_manual_at: datetime | None = None
    last_manual_at: datetime | None = None
    last_promise_at: datetime | None = None  # the latest manual touch whose result was `callback`
    email_days: list[date] = field(default_factory=list)  # one entry per email handed (or being handed) over
    purchases: frozenset[date] = frozenset()  # days of `paid` results (most leads have none: no set each)
    refused_steps: frozenset[str] = frozenset()  # steps a manager recorded `refused` on (most leads: none)
    unconfirmed: int = 0
    refused: tuple[datetime, str] | None = None  # the latest email the server refused, and why
    last_sent_at: datetime | None = None  # the latest email the server took

    @property
    def manual_through(self) -> datetime | None:
        """Until when a manager's touches count as done: the last one, or the end of its day when it
        was logged by hand with the date alone (read as midnight: nobody calls at 00:00)."""
        last = self.last_manual_at
        if last is None or last.time() != _MIDNIGHT:
            return last
        return last + _DAY


NO_HISTORY = History()  # shared by every lead without touches: never mutated


def emails_since(log: Iterable[Touch], since: datetime) -> int:
    """Emails handed (or being handed) to the mail server after `since`: what a daily cap counts."""
    emailed = (Status.SENT, Status.PENDING, Status.UNCONFIRMED)
    return sum(1 for t in log if t.at > since and t.channel is Channel.EMAIL and t.status in emailed)


def histories(log: Iterable[Touch], earlier: dict[str, History] | None = None) -> dict[str, History]:
    """What `log` says of each lead it names. `earlier`: what the rows before it said (the log only
    grew): each lead's fold goes on from a copy of its earlier history, so only the rows added are read."""
    found: dict[str, History] = {}
    get = found.get
    done, sent, pending, unconfirmed = Status.DONE, Status.SENT, Status.PENDING, Status.UNCONFIRMED
    retry, failed = Status.RETRY, Status.FAILED
    paid, promised, refused, email = Result.PAID, Result.CALLBACK, Result.REFUSED, Channel.EMAIL
    for touch in log:
        history = get(touch.lead_id)
        if history is None:
            before = earlier.get(touch.lead_id) if earlier else None
            history = found[touch.lead_id] = History() if before is None else _copy(before)
        status = touch.status
        if status is retry:
            continue
        if touch.step:
            history.settled.add(touch.step)
        at = touch.at
        if status is done or status is sent:
            history.touches += 1
            if status is sent and (history.last_sent_at is None or at > history.last_sent_at):
                history.last_sent_at = at
            if history.last_touch_at is None or at > history.last_touch_at:
                history.last_touch_at = at
            if touch.result is paid:
                history.purchases |= {at.date()}
            if status is done:
                if history.first_manual_at is None or at < history.first_manual_at:
                    history.first_manual_at = at
                if history.last_manual_at is None or at > history.last_manual_at:
                    history.last_manual_at = at
                if touch.result is promised and (history.last_promise_at is None or at > history.last_promise_at):
                    history.last_promise_at = at
                if touch.result is refused:
                    history.refused_steps |= {touch.step}
                continue
        elif status is unconfirmed:
            history.unconfirmed += 1
        elif status is failed:
            if touch.channel is email and (history.refused is None or at > history.refused[0]):
                history.refused = (at, touch.note)
            continue
        elif status is not pending:
            continue
        if touch.channel is email:
            history.email_days.append(at.date())
    return found


def _copy(history: History) -> History:
    """A history to fold more rows into, leaving the earlier one as it was."""
    return replace(history, settled=set(history.settled), email_days=list(history.email_days))
