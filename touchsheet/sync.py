"""One sync, the imperative shell: read -> absorb -> plan -> send -> write back.

Emails are sent exactly once: once the mail server is connected, each is recorded `pending` in the
Touch log (one write) before any is handed over, then `sent`, `failed`, `retry` or `unconfirmed` (the
final write). A run that dies in between leaves `pending`; the next run settles each from the local
journal: sent, or never handed over (sent now), or `unconfirmed` for a person to decide. Nothing is
sent twice. A server that cannot be reached records nothing: the emails stay due for the next run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from touchsheet.config import Config
from touchsheet.engine.absorb import absorb
from touchsheet.engine.kpi import compute_kpi
from touchsheet.engine.model import EmailTouch, Status, Touch
from touchsheet.engine.parse import Book, parse_book
from touchsheet.engine.plan import Plan, plan
from touchsheet.engine.status import Lease, RunReport, lease_holder, lease_of, may_run, status_grid
from touchsheet.engine.table import Table, require_columns
from touchsheet.errors import MailError
from touchsheet.journal import Journal, Settled
from touchsheet.mail import Deferred, Refused, Transport, Unsure
from touchsheet.mail.render import Email, Renderer, RenderProblem
from touchsheet.schema import value_label
from touchsheet.sheets import FIX, Workbook
from touchsheet.sheets.changes import CellWrite, Changes, cell_value, changes_for, note_cell, touch_row
from touchsheet.words import Message

logger = logging.getLogger(__name__)
SETTLE = 2.0  # seconds a run taking the lease over waits for a rival's claim to show


@dataclass
class Summary:
    """What one run did, for the person who ran it (and the log)."""

    emails: Counter[Status] = field(default_factory=Counter)
    outgoing: list[str] = field(default_factory=list)  # "to: subject", for dry runs
    waiting: int = 0  # due now, held back by the caps for a later run
    held: int = 0  # due now, sent by the next run: this one makes room on Due today first
    unsent: int = 0  # due now, sent by a run that can reach the mail server (mail_down says why this one cannot)
    mail_down: str = ""
    tasks: int = 0
    overdue: int = 0
    absorbed: int = 0
    problem_rows: int = 0
    unconfirmed: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    busy: str = ""  # another run holds the sheet: this one did nothing

    def lines(self) -> list[str]:
        if self.busy:
            return [f"{self.busy}: this run stops here"]
        if self.dry_run:
            lines = [f"emails that would be sent: {len(self.outgoing)}"] + [f"  {o}" for o in self.outgoing]
        else:
            others = "".join(
                f", {s.value}: {n}" for s, n in sorted(self.emails.items(), key=str) if s is not Status.SENT
            )
            lines = [f"emails sent: {self.emails[Status.SENT]}{others}"]
        if self.mail_down:
            lines.append(f"mail down, emails waiting for the next run: {self.unsent} ({self.mail_down})")
        if self.waiting:
            lines.append(f"emails waiting for a later run (daily or per-run cap): {self.waiting}")
        if self.held:
            lines.append(
                f"emails waiting for the next run, as this one makes room on the Due today tab "
                f"(a run makes at most 3 calls to Google): {self.held}"
            )
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
            lines.append("workbook updated" if self.written else "workbook unchanged but for the Status tab")
        return lines


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """A run holds millions of cells and touches until it ends, and Python's cyclic garbage
    collector would walk them all again every few thousand new objects: a third of a big run's
    time. What a run drops is freed by reference counting; the rare cycle waits for the collector
    to resume after the run. What the run leaves alive (the workbook keeps the cells it read) goes
    straight to the oldest generation: the first young collection would walk them all (1 s at
    100,000 leads), and they are freed by reference counting when the next run reads anew."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()  # the frozen objects go back to the oldest generation, collectable as ever
        if enabled:
            gc.enable()


@cycle_collection_paused()
def run_once(
    config: Config,
    workbook: Workbook,
    transport: Transport,
    now: datetime,
    dry_run: bool = False,
    journal: Journal | None = None,
    me: str = "",
    settle: float | None = None,
    stopping: Callable[[], bool] = lambda: False,
    emails: Counter[Status] | None = None,
) -> Summary:
    """One run. `me` names this host and config folder for the lease; `settle` is how long a run
    that takes the lease over waits before checking it won; `stopping()` turns true when the
    worker must stop (the email being handed over is finished, the rest wait for the next run);
    `emails` counts what became of each email as it is handed over, for a caller whose run then
    fails: its Status tab still says how many went."""
    now = now.astimezone(config.tz)
    began = time.monotonic()
    me = me or _me(config)
    journal = journal or Journal(config.state_file("journal"))
    tables = workbook.read()
    if not dry_run:
        tables, busy = _take_lease(config, workbook, tables, me, now, SETTLE if settle is None else settle)
        if busy:
            return Summary(busy=busy)
    require_columns(tables.values(), FIX)
    book = absorb(parse_book(tables, config.tz, now, config.id_prefix, config.managers), config, now)
    book, settled = _settle_pending(book, journal)
    emails = Counter() if emails is None else emails
    summary = Summary(emails, dry_run=dry_run, absorbed=len(book.new_touches), notes=list(book.notes))
    summary.unconfirmed = sum(t.status is Status.UNCONFIRMED for t in book.log)
    renderer = Renderer(config)
    first = plan(book, config, now)
    outgoing, problems, summary.waiting = _render(first, book, renderer, now)
    book, outgoing = _not_again(book, outgoing, journal, summary)
    if dry_run:
        summary.outgoing = [f"{e.to}: {e.subject}" for _, e in outgoing]
        _count(summary, first, problems, book)
        return summary
    writes = [w for t in settled for w in _status_writes(t, config.locale)]
    if outgoing and not workbook.has_room([task.key for task in first.tasks]):
        summary.held, outgoing = len(outgoing), []
    if outgoing:
        journal.prune(now)
        book, writes = _send(book, outgoing, workbook, transport, journal, config, now, writes, summary, stopping)
    final = _with_problems(plan(book, config, now, earlier=first), problems)
    scripts = {t.key: renderer.script(t) for t in final.tasks}
    changes = changes_for(tables, book, final, compute_kpi(book, final, config, now), scripts, config.locale, config.tz)
    changes.cells += writes
    summary.written = not changes.empty
    _count(summary, final, problems, book)
    finished = now + timedelta(seconds=time.monotonic() - began)
    report = RunReport(
        now,
        finished,
        Message("mail_down", reason=summary.mail_down).said(config.locale) if summary.mail_down else "ok",
        summary.emails[Status.SENT],
        summary.waiting + summary.held + summary.unsent,
        summary.tasks,
        summary.overdue,
        summary.problem_rows,
    )
    changes.status = _status(report, me, config)
    del book, first, final, outgoing  # the write needs none of them: their memory serves its answer
    workbook.write(changes)
    return summary


def report_failure(
    config: Config, workbook: Workbook, now: datetime, reason: str, me: str = "", emails_sent: int = 0
) -> None:
    """Say on the Status tab that a run failed, and why (best effort: the sheet may be what failed),
    with the emails it sent before. Another host's lease that still holds stays as it is: a failed
    run takes nobody's place."""
    me = me or _me(config)
    try:
        tables = workbook.read()
        when = now.astimezone(config.tz)
        lease = lease_of(tables["Status"], config.tz)
        report = RunReport(when, when, f"failed: {reason}", emails_sent)
        kept = lease if not may_run(lease, me, when) else None
        workbook.write(Changes(status=_status(report, me, config, kept)))
    except Exception as e:  # noqa: BLE001 - the run already failed; its own error is what the person needs
        if str(e) != reason:  # the same error again is said once, by the caller
            logger.warning("could not record the failure on the Status tab: %s", e)


def _me(config: Config) -> str:
    """This host and the folder of its lock: runs sharing that lock never overlap on this host."""
    return lease_holder(socket.gethostname(), str(config.state_file("lock").parent.resolve()))


def _status(report: RunReport, me: str, config: Config, lease: Lease | None = None) -> list[list[Any]]:
    """The Status tab after `report`, with this host's lease renewed (or `lease` kept as it is)."""
    lease = lease or Lease(me, report.finished + timedelta(minutes=config.worker.lease_minutes))
    grid = status_grid(report, lease, config.locale)
    return [[cell_value(v, config.locale, config.tz) for v in row] for row in grid]


def _take_lease(
    config: Config, workbook: Workbook, tables: dict[str, Table], me: str, now: datetime, settle: float
) -> tuple[dict[str, Table], str]:
    """Go ahead at once while this host's lease holds. When it is free or expired (even this host's
    own: another host may be taking it right now): write it, give a run that wrote it at the same
    moment time to show, read it back."""
    lease = lease_of(tables["Status"], config.tz)
    if lease.holder == me and lease.until is not None and lease.until > now:
        return tables, ""
    if not may_run(lease, me, now):
        return tables, f"another run ({lease.holder}) holds the sheet until {lease.until:%Y-%m-%d %H:%M}"
    claim = RunReport(now, now, "running")
    workbook.write(Changes(status=_status(claim, me, config)))
    time.sleep(settle)
    tables = workbook.read()
    holder = lease_of(tables["Status"], config.tz).holder
    return tables, "" if holder == me else f"another run ({holder}) took the sheet at the same moment"


def _settle_pending(book: Book, journal: Journal) -> tuple[Book, list[Touch]]:
    """A `pending` touch at the start of a run was left by a run that died mid-send, or is a second
    copy of a row Google wrote late (an append that timed out and was made again): that one is
    `skipped`, so each email counts once (or `retry` with its first, when the email never went)."""
    stale = [t for t in book.log if t.status is Status.PENDING]
    if not stale:
        return book, []
    found = journal.settle([t.key for t in stale])
    first = {t.key: t.row for t in book.log if t.key and t.status not in (Status.PENDING, Status.RETRY)}
    settled = {}
    for t in stale:
        row = first.setdefault(t.key, t.row)
        outcome = found[t.key]
        if row != t.row and outcome.status is not Status.RETRY:  # a copy of one never sent still asks for it
            outcome = Settled(Status.SKIPPED, Message("second_copy", row=row))
        settled[t.row] = dataclasses.replace(t, status=outcome.status, note=outcome.note)
    log = [settled.get(t.row, t) if t.status is Status.PENDING else t for t in book.log]
    return dataclasses.replace(book, log=log), list(settled.values())


def _render(
    first: Plan, book: Book, renderer: Renderer, now: datetime
) -> tuple[list[tuple[EmailTouch, Email]], dict[str, list[str]], int]:
    """The emails to send, in order, as many as the caps leave room for; what could not be written
    (for the leads' Problem cells), and how many wait for a later run. An email that cannot be
    written, or that the log already holds, takes no room: it would hold the others back every run."""
    outgoing: list[tuple[EmailTouch, Email]] = []
    problems: dict[str, list[str]] = {}
    logged = _logged(book, first.emails)
    for n, touch in enumerate(first.emails):
        if len(outgoing) == first.room:
            return outgoing, problems, len(first.emails) - n
        try:
            email = renderer.email(touch, now)
        except RenderProblem as e:
            problems.setdefault(touch.lead.id, []).append(e.args[0])
            continue
        if email.key in logged:
            message = Message("email_on_log", row=logged[email.key], email_key=email.key)
            problems.setdefault(touch.lead.id, []).append(message)
            continue
        outgoing.append((touch, email))
    return outgoing, problems, 0


def _logged(book: Book, emails: tuple[EmailTouch, ...]) -> dict[str, int]:
    """The emails the Touch log still holds under their key (sent, refused, skipped...), yet the
    calendar owes again: a person changed that row's Step or Lead ID. They are not sent again; the
    lead's row says which log row to put back. (A row set to `retry` asks for the email again.)"""
    if not emails:
        return {}
    planned = {email.key for email in emails}
    return {t.key: t.row for t in book.log if t.key in planned and t.status is not Status.RETRY}


def _not_again(
    book: Book, outgoing: list[tuple[EmailTouch, Email]], journal: Journal, summary: Summary
) -> tuple[Book, list[tuple[EmailTouch, Email]]]:
    """An email this host already handed over is planned again when the Touch log lost its row
    (an old copy of the workbook saved over it, a row made unreadable): it is not sent again, and
    its row is written back from the journal, so the lead moves on. A row the log still has is
    what counts: a person who set it to `retry` asked for the email again."""
    handed = journal.handed_over([email.key for _, email in outgoing]) if outgoing else {}
    if handed:
        for touch in book.log:
            handed.pop(touch.key, None)
    if not handed:
        return book, outgoing
    restored = []
    for touch, email in outgoing:
        if email.key in handed:
            at, settled = handed[email.key]
            note = Message("written_back", note=settled.note or email.subject)
            restored.append(dataclasses.replace(_pending(touch, email, at), status=settled.status, note=note))
    summary.notes.append(
        f"Touch log: {len(restored)} email row(s) this host had handed over were missing: written back, not sent again"
    )
    book = dataclasses.replace(book, log=book.log + restored, new_touches=book.new_touches + restored)
    return book, [(touch, email) for touch, email in outgoing if email.key not in handed]


def _send(
    book: Book,
    outgoing: list[tuple[EmailTouch, Email]],
    workbook: Workbook,
    transport: Transport,
    journal: Journal,
    config: Config,
    now: datetime,
    writes: list[CellWrite],
    summary: Summary,
    stopping: Callable[[], bool],
) -> tuple[Book, list[CellWrite]]:
    """Connect, record every email as pending (with what the run has to append anyway), hand each
    over, then return the book as it now stands and the status cells to write. A server that cannot
    be reached, or refuses the login, leaves every email due and the Touch log as it was: a `retry`
    row per email and run would fill it while the server stays down."""
    try:
        transport.open()
    except MailError as e:
        summary.mail_down, summary.unsent = e.args[0], len(outgoing)
        logger.warning("mail not sent: %s", summary.mail_down)
        return book, writes
    try:
        run = uuid.uuid4().hex
        journal.claim(run, [email.key for _, email in outgoing], now)
        pending = [_pending(touch, email, now) for touch, email in outgoing]
        rows = [touch_row(t, config.locale, config.tz) for t in book.new_touches + pending]
        appended = workbook.write(Changes(cells=writes, appends={"Touch log": rows}))["Touch log"]
        pending = [dataclasses.replace(t, row=r) for t, r in zip(pending, appended[len(book.new_touches) :])]
        emails = [email for _, email in outgoing]
        finished = _hand_over(pending, emails, transport, journal, run, stopping, config.locale)
    finally:
        transport.close()
    summary.emails.update(t.status for t in finished)
    by_row = {t.row: t for t in finished}
    book = dataclasses.replace(book, log=book.log + [by_row[t.row] for t in pending], new_touches=[])
    return book, [w for t in finished for w in _status_writes(t, config.locale)]


def _hand_over(
    pending: list[Touch],
    emails: list[Email],
    transport: Transport,
    journal: Journal,
    run: str,
    stopping: Callable[[], bool],
    locale: str,
) -> list[Touch]:
    """Each pending touch with what became of its email, through the open `transport`. Once the
    server is down, or the worker is told to stop, the rest wait for the next run. The journal keeps
    each note as the sheet reads it (in `locale`): it may write the row back."""
    finished: list[Touch] = []
    down: str | None = None
    for touch, email in zip(pending, emails):
        if down is None and stopping():
            down = Message("worker_stopped")
        if down is None:
            journal.handing(run, touch.key)
            status, note = _hand_one(transport, email)
            if status is None:
                down = note
        if down is not None:
            status, note = Status.RETRY, Message("not_sent", reason=down)
        finished.append(dataclasses.replace(touch, status=status, note=note or touch.note))
        journal.outcome(run, touch.key, status, note_cell(note, locale))
    if down:
        logger.warning("mail not sent: %s", down)
    return finished


def _hand_one(transport: Transport, email: Email) -> tuple[Status | None, str]:
    """What became of one message; (None, why) when the server cannot be reached at all."""
    try:
        transport.send(email.message)
    except Refused as e:
        return Status.FAILED, Message("mail_refused", reason=e.args[0])
    except Deferred as e:
        return Status.RETRY, Message("not_sent", reason=e.args[0])
    except Unsure as e:
        return Status.UNCONFIRMED, Message("unconfirmed", reason=e.args[0])
    except MailError as e:
        return None, e.args[0]
    return Status.SENT, ""


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


def _status_writes(touch: Touch, locale: str) -> list[CellWrite]:
    """A settled email's Status, and its Note when something went wrong (the subject stays otherwise)."""
    writes = [CellWrite("Touch log", touch.row, "Status", value_label(touch.status, locale), ("Key", touch.key))]
    if touch.status is not Status.SENT:
        writes.append(CellWrite("Touch log", touch.row, "Note", note_cell(touch.note, locale), ("Key", touch.key)))
    return writes


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
