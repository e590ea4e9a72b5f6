"""One sync, the imperative shell: read -> absorb -> plan -> send -> write back.

Emails are sent exactly once: each is recorded `pending` in the Touch log (one write) before it is
handed to the mail server, then `sent`, `failed` or `retry` after (the final write). A run that
dies in between leaves `pending`, which the next run shows as `unconfirmed` and never resends.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from touchsheet.config import Config
from touchsheet.engine.absorb import absorb
from touchsheet.engine.model import EmailTouch, Status, Touch
from touchsheet.engine.parse import Book, parse_book
from touchsheet.engine.plan import Plan, plan
from touchsheet.errors import MailError
from touchsheet.mail import Refused, Transport, Unsure
from touchsheet.mail.render import Email, Renderer, RenderProblem
from touchsheet.schema import value_label
from touchsheet.sheets import Workbook
from touchsheet.sheets.changes import CellWrite, Changes, changes_for, touch_row

logger = logging.getLogger(__name__)


@dataclass
class Summary:
    """What one run did, for the person who ran it (and the log)."""

    emails: Counter[Status] = field(default_factory=Counter)
    outgoing: list[str] = field(default_factory=list)  # "to: subject", for dry runs
    tasks: int = 0
    overdue: int = 0
    absorbed: int = 0
    problem_rows: int = 0
    unconfirmed: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    def lines(self) -> list[str]:
        if self.dry_run:
            lines = [f"emails that would be sent: {len(self.outgoing)}"] + [f"  {o}" for o in self.outgoing]
        else:
            others = "".join(
                f", {s.value}: {n}" for s, n in sorted(self.emails.items(), key=str) if s is not Status.SENT
            )
            lines = [f"emails sent: {self.emails[Status.SENT]}{others}"]
        lines += [
            f"tasks due today: {self.tasks} ({self.overdue} overdue)",
            f"results recorded from Due today: {self.absorbed}",
            f"rows with a problem: {self.problem_rows} (see the Problem column)",
        ]
        if self.unconfirmed:
            lines.append(
                f"unconfirmed emails: {self.unconfirmed} (a run stopped while sending: check them in the "
                "Touch log and set Status to sent, or to retry to send again)"
            )
        lines += [f"note: {n}" for n in self.notes]
        if not self.dry_run:
            lines.append("workbook updated" if self.written else "workbook unchanged")
        return lines


def run_once(config: Config, workbook: Workbook, transport: Transport, now: datetime, dry_run: bool = False) -> Summary:
    now = now.astimezone(config.tz)
    tables = workbook.read()
    book = absorb(parse_book(tables, config.tz, now, config.id_prefix), config, now)
    book, unconfirmed = _unconfirm(book)
    summary = Summary(dry_run=dry_run, absorbed=len(book.new_touches), notes=list(book.notes))
    summary.unconfirmed = sum(t.status is Status.UNCONFIRMED for t in book.log)
    renderer = Renderer(config)
    first = plan(book, config, now)
    outgoing, problems = _render(first.emails, renderer, now)
    if dry_run:
        summary.outgoing = [f"{e.to}: {e.subject}" for _, e in outgoing]
        _count(summary, first, problems, book)
        return summary
    writes = [_status_write(t, config.locale) for t in unconfirmed]
    if outgoing:
        book, writes = _send(book, outgoing, workbook, transport, config, now, writes, summary)
    final = _with_problems(plan(book, config, now), problems)
    scripts = {t.key: renderer.script(t) for t in final.tasks}
    changes = changes_for(tables, book, final, scripts, config.locale, config.tz)
    changes.cells += writes
    workbook.write(changes)
    summary.written = not changes.empty
    _count(summary, final, problems, book)
    return summary


def _unconfirm(book: Book) -> tuple[Book, list[Touch]]:
    """A `pending` touch at the start of a run was left by a run that died mid-send."""
    stale = {t.row: dataclasses.replace(t, status=Status.UNCONFIRMED) for t in book.log if t.status is Status.PENDING}
    if not stale:
        return book, []
    log = [stale.get(t.row, t) if t.status is Status.PENDING else t for t in book.log]
    return dataclasses.replace(book, log=log), list(stale.values())


def _render(
    emails: tuple[EmailTouch, ...], renderer: Renderer, now: datetime
) -> tuple[list[tuple[EmailTouch, Email]], dict[str, list[str]]]:
    outgoing: list[tuple[EmailTouch, Email]] = []
    problems: dict[str, list[str]] = {}
    for touch in emails:
        try:
            outgoing.append((touch, renderer.email(touch, now)))
        except RenderProblem as e:
            problems.setdefault(touch.lead.id, []).append(str(e))
    return outgoing, problems


def _send(
    book: Book,
    outgoing: list[tuple[EmailTouch, Email]],
    workbook: Workbook,
    transport: Transport,
    config: Config,
    now: datetime,
    writes: list[CellWrite],
    summary: Summary,
) -> tuple[Book, list[CellWrite]]:
    """Record every email as pending (with what the run has to append anyway), hand each over,
    then return the book as it now stands and the status cells to write."""
    pending = [_pending(touch, email, now) for touch, email in outgoing]
    rows = [touch_row(t, config.locale, config.tz) for t in book.new_touches + pending]
    appended = workbook.write(Changes(cells=writes, appends={"Touch log": rows}))["Touch log"]
    pending = [dataclasses.replace(t, row=r) for t, r in zip(pending, appended[len(book.new_touches) :])]
    finished = _hand_over(pending, [email for _, email in outgoing], transport)
    summary.emails.update(t.status for t in finished)
    by_row = {t.row: t for t in finished}
    book = dataclasses.replace(book, log=book.log + [by_row[t.row] for t in pending], new_touches=[])
    final_writes = []
    for touch in finished:
        final_writes.append(_status_write(touch, config.locale))
        if touch.status is not Status.SENT:
            final_writes.append(CellWrite("Touch log", touch.row, "Note", touch.note, ("Key", touch.key)))
    return book, final_writes


def _hand_over(pending: list[Touch], emails: list[Email], transport: Transport) -> list[Touch]:
    """Each pending touch with what became of its email. Once the server is down, the rest wait."""
    finished: list[Touch] = []
    down: str | None = None
    try:
        transport.open()
    except MailError as e:
        down = str(e)
    for touch, email in zip(pending, emails):
        if down is not None:
            finished.append(dataclasses.replace(touch, status=Status.RETRY, note=f"not sent: {down}"))
            continue
        try:
            transport.send(email.message)
            finished.append(dataclasses.replace(touch, status=Status.SENT))
        except Refused as e:
            finished.append(dataclasses.replace(touch, status=Status.FAILED, note=f"refused: {e}"))
        except Unsure as e:
            finished.append(dataclasses.replace(touch, status=Status.UNCONFIRMED, note=f"unconfirmed: {e}"))
        except MailError as e:
            down = str(e)
            finished.append(dataclasses.replace(touch, status=Status.RETRY, note=f"not sent: {down}"))
    transport.close()
    if down:
        logger.warning("mail not sent: %s", down)
    return finished


def _pending(touch: EmailTouch, email: Email, now: datetime) -> Touch:
    o = touch.occurrence
    return Touch(
        at=now,
        lead_id=touch.lead.id,
        channel=o.channel,
        status=Status.PENDING,
        step=o.step,
        kind=o.kind,
        manager=touch.manager,
        note=email.subject,
        key=touch.key,
    )


def _status_write(touch: Touch, locale: str) -> CellWrite:
    return CellWrite("Touch log", touch.row, "Status", value_label(touch.status, locale), ("Key", touch.key))


def _with_problems(final: Plan, problems: dict[str, list[str]]) -> Plan:
    if not problems:
        return final
    statuses = tuple(
        dataclasses.replace(s, problems=s.problems + tuple(problems.get(s.lead.id, ()))) for s in final.statuses
    )
    return dataclasses.replace(final, statuses=statuses)


def _count(summary: Summary, final: Plan, problems: dict[str, list[str]], book: Book) -> None:
    summary.tasks = len(final.tasks)
    summary.overdue = final.overdue
    summary.problem_rows = len(book.skipped) + sum(bool(s.problems) for s in final.statuses)
    summary.notes += [f"{lead_id}: {m}" for lead_id, messages in problems.items() for m in messages]
