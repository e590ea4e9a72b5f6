"""A team that does everything the plan asks, once a day: to replay weeks of a cadence in a test."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from touchsheet.config import Config
from touchsheet.engine.model import Lead, Result, Status, Touch
from touchsheet.engine.parse import Book
from touchsheet.engine.plan import plan


def replay(
    config: Config, leads: list[Lead], first: datetime, days: int, result: Result = Result.NO_ANSWER
) -> dict[str, date]:
    """Plan once a day at `first`'s time for `days` days; send every email and do every task
    (recording `result`). Returns {step: the day it was done}."""
    log: list[Touch] = []
    done: dict[str, date] = {}
    for offset in range(days):
        now = first + timedelta(days=offset)
        p = plan(Book(leads=leads, log=log, due=[], costs=[]), config, now)
        for email in p.emails:
            o = email.occurrence
            log.append(Touch(now, email.lead.id, o.channel, Status.SENT, o.step, o.kind, key=email.key))
            done[o.step] = now.date()
        for task in p.tasks:
            o = task.occurrence
            log.append(Touch(now, task.lead.id, o.channel, Status.DONE, o.step, o.kind, result, key=task.key))
            done[o.step] = now.date()
    return done
