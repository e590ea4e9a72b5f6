"""What managers recorded on Due today becomes history (a Touch log row) and moves the lead on.

A result is the manager's instruction: `meeting` moves the stage to meeting, `paid` fills Paid at,
`callback` with a time sets Callback at. The stage only ever moves forward, `refused` never
undoes a client, and a row that cannot be read stays on Due today with its problem.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from touchsheet.config import Config
from touchsheet.engine.model import FUNNEL, Lead, Result, Stage, Status, Touch
from touchsheet.engine.parse import Book, DueRow, Fill
from touchsheet.words import Message

STAGE_AFTER = {
    Result.REACHED: Stage.CONTACTED,
    Result.CALLBACK: Stage.CONTACTED,
    Result.MEETING: Stage.MEETING,
    Result.INVOICE: Stage.INVOICE,
    Result.PAID: Stage.WON,
}


def absorb(book: Book, config: Config, now: datetime) -> Book:
    """Book with recorded Due today rows turned into touches and their effects on the leads.

    A recorded row the Touch log already holds was recorded by a run that stopped before it saved
    the lead's cells (it saves the log first, with the emails it is about to send): its effects are
    made again, as of when it was recorded, and only they (made twice, they change nothing). Its
    result changed since is a touch of its own; a note typed on it since goes to that log row's Note
    (on a Google Sheet the manager may type while a run reads the tick: the row is then left for the
    next run, which would otherwise clear it with the note unlogged)."""
    logged = {t.key: t for t in book.log if t.key and t.status is Status.DONE}
    leads = {lead.id: lead for lead in book.leads}
    touches: list[Touch] = []
    log_notes: list[Touch] = []
    fills: list[Fill] = []
    kept: dict[str, DueRow] = {}
    for row in book.due:
        if row.problems or (not row.recorded and (row.note or row.callback_at)):
            kept[row.key or f"row {row.row}"] = row  # unreadable, or work in progress: leave the manager's cells be
            continue
        if not row.recorded:
            continue
        lead = leads.get(row.lead_id)
        if lead is None:  # its row cannot be read now (a typo in its Stage...): the result waits for it
            kept[row.key or f"row {row.row}"] = dataclasses.replace(
                row, problems=(Message("lead_unreadable", lead_id=row.lead_id),)
            )
            continue
        earlier = logged.get(row.key)
        if earlier is not None and earlier.result is not row.result:
            earlier = None
        recorded_at = now if earlier is None else earlier.at
        note, callback_at = row.note, row.callback_at
        if row.result is Result.CALLBACK and callback_at is None:
            callback_at = config.calendar.opening(recorded_at.astimezone(config.tz).date() + timedelta(days=1))
            note = f"{note} (no callback time given: set to the next working day)".strip()
        if earlier is None:
            touches.append(
                Touch(
                    at=now,
                    lead_id=row.lead_id,
                    channel=row.channel,
                    status=Status.DONE,
                    step=row.step,
                    kind=row.kind,
                    result=row.result,
                    manager=row.manager,
                    note=note,
                    key=row.key,
                )
            )
        elif (later := _later_note(earlier.note, note)) is not None:
            log_notes.append(dataclasses.replace(earlier, note=later))
        leads[lead.id], changed = _apply(lead, row.result, callback_at, recorded_at)
        fills += [Fill(lead.row, lead.id, column, value) for column, value in changed]
    return dataclasses.replace(
        book,
        leads=[leads[lead.id] for lead in book.leads],
        log=book.log + touches,
        new_touches=book.new_touches + touches,
        fills=book.fills + fills,
        kept=kept,
        log_notes=log_notes,
    )


def _later_note(logged: str, typed: str) -> str | None:
    """The Touch log Note once it holds what the manager typed since the row was logged; None when
    it already does. Typed text that does not carry on from the logged note is added after it."""
    if typed in logged:
        return None
    return typed if logged in typed else f"{logged}; {typed}"


def _apply(
    lead: Lead, result: Result | None, callback_at: datetime | None, now: datetime
) -> tuple[Lead, list[tuple[str, object]]]:
    """The lead after a recorded result, and the Leads cells that change (column, new value)."""
    changed: list[tuple[str, object]] = []
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stage = _advance(lead.stage, result)
    if stage is not lead.stage:
        changed.append(("Stage", stage))
    if callback_at is not None and callback_at != lead.callback_at:
        changed.append(("Callback at", callback_at))
    if result is Result.INVOICE and (lead.invoice_at is None or (lead.paid_at and lead.paid_at >= lead.invoice_at)):
        changed.append(("Invoice at", today))
    if result is Result.PAID:
        changed.append(("Paid at", today))
        if lead.last_purchase_at is None or lead.last_purchase_at < today:
            changed.append(("Last purchase at", today))
    field_of = {
        "Stage": "stage",
        "Callback at": "callback_at",
        "Invoice at": "invoice_at",
        "Paid at": "paid_at",
        "Last purchase at": "last_purchase_at",
    }
    updated = dataclasses.replace(lead, **{field_of[column]: value for column, value in changed})
    return updated, changed


def _advance(stage: Stage, result: Result | None) -> Stage:
    if result is Result.REFUSED:
        return stage if stage in (Stage.WON, Stage.LOST) else Stage.LOST
    target = STAGE_AFTER.get(result) if result else None
    if target is None or stage is Stage.LOST:
        return stage
    return target if FUNNEL.index(target) > FUNNEL.index(stage) else stage
