"""A team that does everything the plan asks, once a day: to replay weeks of a cadence in a test."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.builders import due_row
from touchsheet.config import Config
from touchsheet.engine.absorb import absorb
from touchsheet.engine.model import Lead, Result, Status, Task, Touch
from touchsheet.engine.parse import Book, DueRow
from touchsheet.engine.plan import plan


def replay(
    config: Config, leads: list[Lead], first: datetime, days: int, result: Result = Result.NO_ANSWER
) -> dict[str, date]:
    """Plan once a day at `first`'s time for `days` days; send every email and do every task
    (recording `result`). Returns {step: the day it was done}."""
    return {t.step: t.at.date() for t in replay_log(config, leads, first, days, result)}


def replay_log(
    config: Config, leads: list[Lead], first: datetime, days: int, result: Result = Result.NO_ANSWER
) -> list[Touch]:
    """The Touch log of `replay`: each task's result is recorded on Due today and absorbed, as a
    run does, so it moves the lead on (`refused` makes it lost)."""
    book = Book(leads=leads, log=[], due=[], costs=[])
    for offset in range(days):
        now = first + timedelta(days=offset)
        p = plan(book, config, now)
        sent = [
            Touch(now, e.lead.id, e.occurrence.channel, Status.SENT, e.occurrence.step, e.occurrence.kind, key=e.key)
            for e in p.emails
        ]
        done = [_recorded(task, result) for task in p.tasks]
        book = absorb(Book(leads=book.leads, log=book.log + sent, due=done, costs=[]), config, now)
    return book.log


def _recorded(task: Task, result: Result) -> DueRow:
    """The task's Due today row, ticked with `result`."""
    o = task.occurrence
    return due_row(
        row=0,
        key=task.key,
        lead_id=task.lead.id,
        manager=task.manager,
        step=o.step,
        channel=o.channel,
        kind=o.kind,
        result=result,
    )
