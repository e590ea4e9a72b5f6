"""What people forget, said on the lead's row: late first contact, missed callbacks, unpaid invoices,
clients due for reactivation, leads nobody has touched by hand for days (R5-R8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from touchsheet.config import Config
from touchsheet.engine.cadence import FIRST_CONTACT
from touchsheet.engine.model import Lead, Occurrence, Stage, Status, Touch
from touchsheet.engine.reminders import CALLBACK, invoice_open


def lead_flags(
    lead: Lead,
    touches: list[Touch],
    occurrences: Iterable[Occurrence],
    due: Iterable[Occurrence],
    settled: set[str],
    reactivation_from: date | None,
    config: Config,
    now: datetime,
) -> tuple[str, ...]:
    if lead.opt_out:
        return ("opt out",)
    flags: list[str] = []
    for occurrence in due:
        late = now > occurrence.deadline
        if late and occurrence.track == FIRST_CONTACT:
            flags.append("first contact overdue")
        if late and occurrence.track == CALLBACK:
            flags.append("callback missed")
    today = now.date()
    if invoice_open(lead):
        assert lead.invoice_at is not None
        age = (today - lead.invoice_at.date()).days
        if age >= min(r.day for r in config.invoices.reminders):
            flags.append(f"invoice unpaid {age}d")
    if reactivation_from is not None and reactivation_from <= today:
        flags.append("reactivation")
    since = neglected_since(touches, occurrences, settled, now)
    if since is not None and (now - since).days >= config.forgotten_after_days:
        flags.append(f"forgotten {(now - since).days}d")
    if not lead.email and lead.stage is not Stage.LOST:
        flags.append("no email")
    if any(t.status is Status.UNCONFIRMED for t in touches):
        flags.append("email unconfirmed")
    return tuple(flags)


def neglected_since(
    touches: list[Touch], occurrences: Iterable[Occurrence], settled: set[str], now: datetime
) -> datetime | None:
    """When the earliest manual touch still not done after the last one a manager made fell due."""
    last_manual = max((t.at for t in touches if t.manual), default=None)
    waiting = [
        o.due_at
        for o in occurrences
        if not o.channel.automatic
        and o.due_at <= now
        and (last_manual is None or o.due_at > last_manual)
        and o.step not in settled
    ]
    return min(waiting, default=None)
