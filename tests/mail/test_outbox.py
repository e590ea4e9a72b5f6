"""The offline transport: one .eml file per email, whatever the lead's ID looks like."""

from __future__ import annotations

import email
from email import policy

from tests.builders import at
from tests.mail.conftest import lead_row
from tests.sheets.fixtures import XlsxSheet
from touchsheet.mail.outbox import Outbox
from touchsheet.sync import run_once


def outbox_after_a_run(config, tmp_path, leads):
    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", leads)
    folder = tmp_path / "outbox"
    summary = run_once(config, sheet.backend(), Outbox(folder), at("2026-11-02 10:05"))
    recipients = sorted(
        email.message_from_bytes(f.read_bytes(), policy=policy.default)["To"].addresses[0].addr_spec
        for f in folder.glob("*.eml")
    )
    return summary, recipients


def test_ids_that_differ_in_punctuation_get_a_file_each(every_day, tmp_path):
    # `2026/001` and `2026 001` both read `2026_001` as a file name: two emails sent, two files.
    leads = [lead_row(1, ID="2026/001"), lead_row(2, ID="2026 001")]
    summary, recipients = outbox_after_a_run(every_day, tmp_path, leads)
    assert summary.lines()[0] == "emails sent: 2"
    assert recipients == ["lead1@example.com", "lead2@example.com"]


def test_an_id_longer_than_a_file_name_may_be_still_gets_its_email(every_day, tmp_path):
    leads = [lead_row(1, ID="A" + "x" * 300), lead_row(2), lead_row(3)]
    summary, recipients = outbox_after_a_run(every_day, tmp_path, leads)
    assert summary.lines()[0] == "emails sent: 3"
    assert recipients == ["lead1@example.com", "lead2@example.com", "lead3@example.com"]
