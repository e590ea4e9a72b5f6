"""The Status tab: is the worker alive, how did its last run go, and who may run now (the lease).

Two hosts (or two config folders on one host) must never run at once: a run may go ahead when the
lease on the sheet is its own, or free, or expired (a host that died stops renewing it). Each run
renews its lease when it writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from touchsheet.engine.cells import BadCell, moment, text
from touchsheet.engine.table import Table

HOLDER, UNTIL = "Lease held by", "Lease until"
LABELS = {
    "en": {},
    "ru": {
        "Last run started": "Последний запуск",
        "Last run finished": "Завершён",
        "Result": "Результат",
        "Emails sent": "Писем отправлено",
        "Emails waiting": "Писем ждут",
        "Tasks due today": "Задач на сегодня",
        "Overdue tasks": "Просрочено",
        "Rows with a problem": "Строк с проблемой",
        HOLDER: "Запускает",
        UNTIL: "До",
    },
}


@dataclass(frozen=True)
class Lease:
    holder: str
    until: datetime | None


def lease_of(table: Table, tz: ZoneInfo) -> Lease:
    """The lease as the Status tab shows it (labels in either language)."""
    found: dict[str, Any] = {}
    names = {label: name for name in (HOLDER, UNTIL) for label in (name, LABELS["ru"][name])}
    for row in table.rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0] in names:
            found[names[row[0]]] = row[1]
    try:
        until = moment(found.get(UNTIL), tz)
    except BadCell:
        until = None  # a lease nobody can read has no hold
    return Lease(text(found.get(HOLDER)), until)


def lease_holder(host: str, folder: str) -> str:
    """Who runs, as the lease names it: the host and a short id of the folder holding its lock and
    journal (`crm-box:3f9c2a`). Two config folders on one host lock apart: the lease tells them
    apart as it does two hosts."""
    return f"{host}:{hashlib.sha256(folder.encode()).hexdigest()[:6]}"


def may_run(lease: Lease, me: str, now: datetime) -> bool:
    """A lease naming the host alone was written before leases named the folder: this host takes
    it over at once, through a claim and a read-back (another of its folders may claim it too)."""
    named_before = lease.holder == me.partition(":")[0]
    return not lease.holder or lease.holder == me or named_before or lease.until is None or lease.until <= now


@dataclass(frozen=True)
class RunReport:
    started: datetime
    finished: datetime
    result: str  # "ok", "mail down: <why>" (no email could be sent) or "failed: <why>"
    emails_sent: int = 0
    emails_waiting: int = 0
    tasks: int = 0
    overdue: int = 0
    problem_rows: int = 0


def status_grid(report: RunReport, lease: Lease, locale: str) -> list[list[Any]]:
    """The Status tab's cells: one line per fact, the lease last."""
    rows = [
        ("Last run started", _shown(report.started)),
        ("Last run finished", _shown(report.finished)),
        ("Result", report.result),
        ("Emails sent", report.emails_sent),
        ("Emails waiting", report.emails_waiting),
        ("Tasks due today", report.tasks),
        ("Overdue tasks", report.overdue),
        ("Rows with a problem", report.problem_rows),
        (HOLDER, lease.holder),
        (UNTIL, _shown(lease.until) if lease.until else ""),
    ]
    labels = LABELS.get(locale, {})
    return [[labels.get(name, name), value] for name, value in rows]


def _shown(moment: datetime) -> str:
    """Times on the Status tab are text, so every sheet shows them as times without a format."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")
