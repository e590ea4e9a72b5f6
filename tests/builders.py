"""Small readable domain data for tests: leads, touches, books and moments in Moscow time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from touchsheet.engine.model import Channel, Kind, Lead, Stage, Status, Touch
from touchsheet.engine.parse import Book, DueRow

MSK = ZoneInfo("Europe/Moscow")


def at(text: str) -> datetime:
    """'2026-11-02 10:00' -> that moment in Moscow (the shipped config's time zone)."""
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


def lead(**fields: Any) -> Lead:
    values: dict[str, Any] = {
        "row": 2,
        "id": "L-1",
        "name": "Ivan Petrov",
        "created_at": at("2026-11-02 10:00"),
        "stage": Stage.NEW,
        "email": "ivan@example.com",
        "phone": "+7 900 111-22-33",
        "manager": "Anna Smith",
    }
    values.update(fields)
    return Lead(**values)


def touch(when: str, step: str = "", status: Status = Status.DONE, lead_id: str = "L-1", **fields: Any) -> Touch:
    fields.setdefault("channel", Channel.CALL if status is Status.DONE else Channel.EMAIL)
    return Touch(at=at(when), lead_id=lead_id, status=status, step=step, **fields)


def book(leads: list[Lead], log: list[Touch] | None = None) -> Book:
    return Book(leads=leads, log=list(log or []), due=[], costs=[])


def d(text: str) -> date:
    return date.fromisoformat(text)


def due_row(**fields: Any) -> DueRow:
    """A Due today row for L-1's d4 call, ticked, with no result; `fields` say what differs."""
    values: dict[str, Any] = dict(
        row=2,
        key="L-1/d4/2026-11-06",
        lead_id="L-1",
        manager="Anna Smith",
        step="d4",
        channel=Channel.CALL,
        kind=Kind.CLOSING,
        done=True,
        result=None,
        callback_at=None,
        note="",
    )
    return DueRow(**(values | fields))
