"""Secrets (the SMTP password, the service account's key, Google's access tokens) never appear in the
logs, not even with --verbose, nor anywhere on the sheet; --verbose logs one line per event."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from datetime import datetime

import pytest

from tests.builders import at
from tests.conftest import ROOT
from tests.mail.server import PASSWORD, USER, SmtpServer
from tests.sheets.fixtures import GoogleSheet
from touchsheet.config import SmtpConfig
from touchsheet.errors import SheetError
from touchsheet.mail.smtp import Smtp
from touchsheet.schema import TABS
from touchsheet.sheets.gapi import load_credentials
from touchsheet.sync import run_once

pytestmark = pytest.mark.server
LEADS = [
    {"ID": f"L-{n}", "Name": f"Lead{n} X", "Email": f"l{n}@example.com", "Created at": datetime(2026, 11, 2, 10, 0)}
    for n in range(1, 4)
]
ONE_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: \S")


def _everything_on(sheet) -> str:
    return "\n".join(str(cell) for tab in TABS for row in sheet.grid(tab.name) for cell in row)


def test_no_secret_in_the_debug_log_or_on_the_google_sheet(every_day, emulator, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)  # what --verbose shows, from every library
    monkeypatch.setenv("TOUCHSHEET_SMTP_PASSWORD", PASSWORD)
    sheet = GoogleSheet(every_day, emulator)
    sheet.init()
    sheet.put_rows("Leads", LEADS)
    with SmtpServer() as server:
        smtp = SmtpConfig(host="127.0.0.1", port=server.port, security="none", user=USER)
        run_once(every_day, sheet.backend(), Smtp(smtp, every_day.mail.sender), at("2026-11-02 10:05"))
        assert len(server.recorder.received) == 3
        monkeypatch.setenv("TOUCHSHEET_SMTP_PASSWORD", "wrong-Secret-987")  # a refused login says so, not what
        sheet.put_rows("Leads", [{**LEADS[0], "ID": "L-9", "Email": "l9@example.com"}])
        emulator.expire_tokens()  # a second token is fetched: more secrets in flight
        run_once(every_day, sheet.backend(), Smtp(smtp, every_day.mail.sender), at("2026-11-02 10:10"))
    secrets = [PASSWORD, "wrong-Secret-987", *emulator._accounts.tokens]
    secrets += [call.body["assertion"] for call in emulator.token_calls]  # the signed JWT: a credential too
    key = next(iter(emulator._accounts.accounts.values())).info["private_key"]
    secrets += key.strip().splitlines()[1:-1]  # every line of the service account's private key
    assert len(emulator._accounts.tokens) == 2
    assert "the mail server refused the login for sales@northwind.example" in _everything_on(sheet)
    shown = caplog.text + _everything_on(sheet)
    assert [s for s in secrets if s in shown] == []


def test_verbose_logs_one_line_per_event_and_never_the_password(mail_config, sheet, server):
    sheet.put_rows("Leads", LEADS)
    path = str(mail_config.base_dir / "config.yaml")

    def sync(*flags, when):
        done = subprocess.run(  # the password is in the environment it inherits (see mail_settings)
            [sys.executable, "-m", "touchsheet", "sync", "--config", path, "--now", when, *flags],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done

    quiet = sync(when="2026-11-02T10:05")
    assert quiet.stdout.startswith("emails sent: 3") and quiet.stderr == ""
    sheet.put_rows("Leads", [{**LEADS[0], "ID": "L-9", "Email": "l9@example.com"}])
    verbose = sync("--verbose", when="2026-11-02T10:10")
    assert verbose.stdout.startswith("emails sent: 1")
    lines = verbose.stderr.splitlines()
    assert [line for line in lines if not ONE_LINE.match(line)] == []
    assert any(f"touchsheet.mail.smtp: connected to 127.0.0.1:{server.port}" in line for line in lines)
    assert any("touchsheet.sheets.xlsx: saved " in line for line in lines)
    assert PASSWORD not in verbose.stderr + verbose.stdout + _everything_on(sheet)


@pytest.mark.parametrize(
    "mistyped",
    [
        '\'{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv0secret"}\'',
        "eyJ0eXBlIjogInNlcnZpY2VfYWNjb3VudCIsICJwcml2YXRlX2tleSI6ICJNSUlFdjBzZWNyZXQifQ==",  # base64 of the JSON
    ],
)
def test_a_key_variable_that_is_neither_json_nor_a_path_is_not_echoed(monkeypatch, mistyped):
    monkeypatch.setenv("TEST_GOOGLE_KEY", mistyped)
    with pytest.raises(SheetError) as error:
        load_credentials(None, "TEST_GOOGLE_KEY")
    assert "TEST_GOOGLE_KEY" in str(error.value)
    assert "MIIEv0secret" not in str(error.value) and "eyJ0eXBl" not in str(error.value)
