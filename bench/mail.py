"""Email at volume: one run owing `count` emails (each a new lead's day-0 thank-you) sends them through
the Smtp transport to the real aiosmtpd server of tests/mail/server.py on loopback, with the caps
raised to `count`. The run is timed whole (read, render, send, write back) and the server counts
its connections."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import bases
from tests.mail.server import PASSWORD, USER, SmtpServer
from touchsheet.config import load
from touchsheet.engine.model import Status
from touchsheet.mail.smtp import Smtp
from touchsheet.schema import LEADS
from touchsheet.sheets.xlsx import XlsxWorkbook
from touchsheet.sync import run_once

PASSWORD_ENV = "TOUCHSHEET_BENCH_SMTP_PASSWORD"


def send_due(folder: Path, count: int) -> dict[str, Any]:
    os.environ[PASSWORD_ENV] = PASSWORD
    with SmtpServer() as server:
        mail = {
            "transport": "smtp",
            "smtp": {"host": "127.0.0.1", "port": server.port, "security": "none", "user": USER},
            "daily_cap": count,
            "per_run_cap": count,
        }
        mail["smtp"]["password_env"] = PASSWORD_ENV
        config = load(bases.write_config(folder, "xlsx", mail=mail))
        bases.write_workbook(config, {"Leads": _new_leads(config, count), "Status": bases.lease(config)})
        now = bases.moment(config, bases.FIRST_RUN)
        began = time.perf_counter()
        summary = run_once(
            config, XlsxWorkbook(config.workbook_path), Smtp(config.mail.smtp, config.mail.sender), now, me=bases.HOST
        )
        wall = time.perf_counter() - began
        recorder = server.recorder
        return {
            "due": count,
            "sent": summary.emails[Status.SENT],
            "received": len(recorder.received),
            "connections": recorder.connections,
            "logins": recorder.logins,
            "wall": wall,
        }


def _new_leads(config: Any, count: int) -> list[list[Any]]:
    """`count` leads who asked five minutes before the run: each is owed the day-0 email now."""
    asked = bases.FIRST_RUN - timedelta(minutes=5)
    managers = list(config.managers)
    rows = [[c.name for c in LEADS.columns]]
    for number in range(1, count + 1):
        lead = {
            "ID": f"L-{number:05d}",
            "Name": f"Lead{number} Petrov",
            "Email": f"lead{number}@example.com",
            "Manager": managers[number % len(managers)],
            "Created at": asked,
            "Stage": "new",
        }
        rows.append([lead.get(c.name) for c in LEADS.columns])
    return rows
