"""Fixtures for mail tests: a loopback SMTP server, a config pointing at it, a workbook, a run."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.builders import at
from tests.conftest import EVERY_DAY, merge
from tests.mail.server import PASSWORD, USER, SmtpServer, certificate
from tests.sheets.fixtures import XlsxSheet
from touchsheet.mail.smtp import Smtp
from touchsheet.sync import run_once


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


@pytest.fixture(params=["ssl", "starttls"])
def secure_server(request, tmp_path):
    """Start a mail server on loopback speaking `security: ssl` (then `starttls`) with a certificate
    for `host` from a throwaway CA, not trusted unless SSL_CERT_FILE names tmp_path/ca.pem."""
    started = []

    def start(host="127.0.0.1"):
        started.append(SmtpServer(request.param, certificate(tmp_path, host)).__enter__())
        return started[-1]

    yield start
    for running in started:
        running.__exit__(None, None, None)


@pytest.fixture
def mail_settings(server, monkeypatch):
    monkeypatch.setenv("TOUCHSHEET_TEST_SMTP", PASSWORD)
    return {
        "transport": "smtp",
        "smtp": {
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "user": USER,
            "password_env": "TOUCHSHEET_TEST_SMTP",
            "timeout_seconds": 5,
        },
        "unsubscribe_url": "https://northwind.example/unsubscribe?lead={lead_id}",
    }


@pytest.fixture
def make_mail_config(make_config, mail_settings):
    def make(mail=None, **overrides):
        values = {"working_days": EVERY_DAY, "holidays": {"country": None, "dates": []}}
        return make_config(**{**values, **overrides, "mail": merge(mail_settings, mail or {})})

    return make


@pytest.fixture
def mail_config(make_mail_config):
    return make_mail_config()


@pytest.fixture
def sheet(mail_config):
    s = XlsxSheet(mail_config)
    s.init()
    return s


@pytest.fixture
def run(sheet):
    def run_at(when: str, transport=None, config=None):
        config = config or sheet.config
        transport = transport or Smtp(config.mail.smtp, config.mail.sender)
        return run_once(config, sheet.backend(), transport, at(when))

    return run_at


def lead_row(number: int, **fields):
    row = {
        "ID": f"L-{number}",
        "Name": f"Lead{number} Petrov",
        "Email": f"lead{number}@example.com",
        "Manager": "Anna Smith",
        "Created at": datetime(2026, 11, 2, 10, 0),
    }
    row.update(fields)
    return row
