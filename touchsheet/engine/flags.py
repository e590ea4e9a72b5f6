"""What people forget, said on the lead's row: late first contact, missed callbacks, unpaid invoices,
clients due for reactivation, leads nobody has touched by hand for days (R5-R8)."""

from __future__ import annotations

from datetime import date, datetime

from touchsheet.config import Config
from touchsheet.engine.cadence import FIRST_CONTACT
from touchsheet.engine.due import Owed
from touchsheet.engine.history import History
from touchsheet.engine.model import Lead, Stage
from touchsheet.engine.reminders import CALLBACK, invoice_open


def lead_flags(
    lead: Lead,
    history: History,
    owes: Owed,
    reactivation_from: date | None,
    config: Config,
    now: datetime,
) -> tuple[str, ...]:
    if lead.opt_out:
        return ("opt out",)
    flags: list[str] = []
    for occurrence in owes.due:
        if now > occurrence.deadline:
            if occurrence.track == FIRST_CONTACT:
                flags.append("first contact overdue")
            elif occurrence.track == CALLBACK:
                flags.append("callback missed")
    today = now.date()
    if invoice_open(lead):
        assert lead.invoice_at is not None
        age = (today - lead.invoice_at.date()).days
        if age >= min(r.day for r in config.invoices.reminders):
            flags.append(f"invoice unpaid {age}d")
    if reactivation_from is not None and reactivation_from <= today:
        flags.append("reactivation")
    since = owes.neglected_since
    if since is not None:
        # Working days the touch has waited, its own included: the team cannot forget a lead over a holiday.
        waited = config.calendar.working_days(since.date(), today)
        if waited >= config.forgotten_after_days:
            flags.append(f"forgotten {waited}d")
    if not lead.email and lead.stage is not Stage.LOST:
        flags.append("no email")
    if history.unconfirmed:
        flags.append("email unconfirmed")
    return tuple(flags)
