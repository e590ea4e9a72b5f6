"""Whole runs on a workbook: read, absorb, plan, send to the outbox, write back; each scenario on both
backends (the local .xlsx workbook and a Google Sheet on the local Sheets API emulator)."""

from __future__ import annotations

import email
import shutil
from collections import Counter
from datetime import datetime

import pytest

from tests.builders import at
from tests.sheets.fixtures import GoogleSheet, XlsxSheet
from touchsheet.engine.model import Status
from touchsheet.errors import SheetError
from touchsheet.mail.outbox import Outbox
from touchsheet.sync import report_failure, run_once


@pytest.fixture(params=["xlsx", pytest.param("google", marks=pytest.mark.server)])
def sheet(request, every_day):
    s = XlsxSheet(every_day) if request.param == "xlsx" else GoogleSheet(every_day, request.getfixturevalue("emulator"))
    s.init()
    return s


@pytest.fixture
def outbox(tmp_path):
    return Outbox(tmp_path / "outbox")


def sync(sheet, outbox, when, dry_run=False):
    return run_once(sheet.config, sheet.backend(), outbox, at(when), dry_run)


def sent(outbox):
    return sorted(p.name for p in outbox.folder.glob("*.eml")) if outbox.folder.exists() else []


IVAN = {
    "ID": "L-1",
    "Name": "Ivan Petrov",
    "Email": "ivan@example.com",
    "Phone": "+7 900 111-22-33",
    "Manager": "Anna Smith",
    "Created at": datetime(2026, 11, 2, 10, 0),
}
OLGA = {
    "ID": "L-2",
    "Name": "Olga Smirnova",
    "Email": "olga@example.com",
    "Manager": "Boris Clark",
    "Created at": "28.10.2026 15:00",
    "Stage": "contacted",
}


def test_a_run_sends_due_emails_lists_tasks_and_fills_the_worker_columns(sheet, outbox):
    sheet.put_rows("Leads", [IVAN, OLGA])
    summary = sync(sheet, outbox, "2026-11-02 10:05")
    # Ivan came in today: d0 email and a first contact. Olga is on day 5: d3 is her latest email
    # step (never sent), d5 her message for today.
    assert summary.lines()[:2] == ["emails sent: 2", "tasks due today: 2 (0 overdue)"]
    assert sent(outbox) == ["L-1_d0_2026-11-02.eml", "L-2_d3_2026-10-31.eml"]
    log = sheet.rows("Touch log")
    assert [(r["Lead ID"], r["Step"], r["Status"], r["Channel"], r["Key"]) for r in log] == [  # oldest due first
        ("L-2", "d3", "sent", "email", "L-2/d3/2026-10-31"),
        ("L-1", "d0", "sent", "email", "L-1/d0/2026-11-02"),
    ]
    due = sheet.rows("Due today")
    assert [(r["Manager"], r["Lead ID"], r["Step"], r["Channel"], r["Overdue"], r["Done"]) for r in due] == [
        ("Anna Smith", "L-1", "first-contact", "call", False, False),
        ("Boris Clark", "L-2", "d5", "messenger", False, False),
    ]
    assert due[0]["Script"].startswith("Hello Ivan, this is Anna Smith from Northwind Freight")
    ivan = sheet.rows("Leads")[0]
    assert (ivan["Next touch at"], ivan["Next channel"], ivan["Next kind"], ivan["Touches"], ivan["Flags"]) == (
        datetime(2026, 11, 2, 10, 0),
        "call",
        "closing",
        1,
        None,
    )
    assert ivan["Last touch at"] == datetime(2026, 11, 2, 10, 5)


def test_the_email_is_personal_and_has_both_parts(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    message = email.message_from_bytes((outbox.folder / "L-1_d0_2026-11-02.eml").read_bytes())
    assert message["To"] == "Ivan Petrov <ivan@example.com>"
    assert message["Subject"] == "Ivan, thank you for your request"
    assert message["Reply-To"] == "Anna Smith <anna@northwind.example>"
    text, html = [part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()]
    assert text.startswith("Ivan, thank you for contacting Northwind Freight!")
    assert "<p>" not in text and "Anna Smith, account manager" in text
    assert html.lstrip().startswith("<!doctype html>") and '<a href="https://northwind.example">' in html


def test_a_second_run_at_the_same_moment_changes_nothing(sheet, outbox):
    sheet.put_rows("Leads", [IVAN, OLGA])
    sync(sheet, outbox, "2026-11-02 10:05")
    before, emails = sheet.data(), sent(outbox)
    summary = sync(sheet, outbox, "2026-11-02 10:05")
    assert summary.lines()[0] == "emails sent: 0"
    assert summary.lines()[-1] == "workbook unchanged but for the Status tab"
    assert sheet.data() == before  # only the Status tab says a run happened
    assert sent(outbox) == emails


def test_a_ticked_task_is_recorded_and_moves_the_lead(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Due today", 2, "Done", True)
    sheet.set("Due today", 2, "Result", "встреча")  # either language
    sheet.set("Due today", 2, "Note", "meeting Thursday 11:00")
    summary = sync(sheet, outbox, "2026-11-02 10:30")
    assert "results recorded from Due today: 1" in summary.lines()
    log = sheet.rows("Touch log")
    assert [(r["Step"], r["Status"], r["Result"], r["Note"]) for r in log][-1] == (
        "first-contact",
        "done",
        "meeting",
        "meeting Thursday 11:00",
    )
    assert sheet.rows("Leads")[0]["Stage"] == "meeting"
    assert sheet.rows("Due today") == []


class Killed(BaseException):
    """kill -9, a power cut."""


def test_a_result_recorded_by_a_run_killed_while_sending_still_moves_the_lead(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Due today", 2, "Done", True)
    sheet.set("Due today", 2, "Result", "callback")
    sheet.set("Due today", 2, "Callback at", "04.11.2026 15:00")
    petr = {**IVAN, "ID": "L-2", "Name": "Petr Sidorov", "Email": "petr@example.com", "Created at": "02.11.2026 10:20"}
    sheet.put_rows("Leads", [petr])  # a new lead: the next run sends his first email

    class KilledWhileSending(Outbox):  # after the run saved the Touch log, before it saved the leads
        def send(self, message):
            raise Killed()

    with pytest.raises(Killed):
        run_once(sheet.config, sheet.backend(), KilledWhileSending(outbox.folder), at("2026-11-02 10:30"))
    sync(sheet, outbox, "2026-11-02 10:40")
    ivan = sheet.rows("Leads")[0]
    assert (ivan["Stage"], ivan["Callback at"]) == ("contacted", datetime(2026, 11, 4, 15, 0))
    assert [r["Result"] for r in sheet.rows("Touch log")].count("callback") == 1  # recorded once


def test_a_result_that_cannot_be_read_stays_with_its_problem(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Due today", 2, "Result", "maybe later")
    sync(sheet, outbox, "2026-11-02 10:30")
    (row,) = sheet.rows("Due today")
    assert row["Result"] == "maybe later"
    assert row["Problem"].startswith("Result: 'maybe later' is not one of: reached, no answer")
    assert len(sheet.rows("Touch log")) == 1  # only the d0 email


def test_a_note_typed_without_the_tick_is_kept(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Due today", 2, "Note", "calling after lunch")
    sync(sheet, outbox, "2026-11-02 12:00")
    assert [r["Note"] for r in sheet.rows("Due today")] == ["calling after lunch"]


def test_a_result_typed_on_a_row_without_a_key_stays_with_its_problem(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    typed = {"Lead ID": "L-1", "Channel": "call", "Done": True, "Result": "reached", "Note": "he called us"}
    sheet.put_rows("Due today", [typed])  # a call the manager added by hand, below the task
    for when in ("2026-11-02 10:15", "2026-11-02 10:25"):
        sync(sheet, outbox, when)
        due = sheet.rows("Due today")
        assert [(r["Step"], r["Key"], r["Note"], r["Result"]) for r in due] == [
            ("first-contact", "L-1/first-contact/2026-11-02", None, None),
            (None, None, "he called us", "reached"),
        ]
        assert due[1]["Problem"] == (
            "Key is empty, so this row cannot be tied to its touch: record it in the Touch log by hand, "
            "then clear the row"
        )
        assert [r["Step"] for r in sheet.rows("Touch log")] == ["d0"]  # not recorded
        assert sheet.rows("Leads")[0]["Stage"] is None  # still new


def test_a_bad_row_gets_its_problem_and_the_others_still_work(sheet, outbox):
    sheet.put_rows("Leads", [{**IVAN, "Created at": "31.02.2026"}, OLGA])
    summary = sync(sheet, outbox, "2026-11-02 10:05")
    ivan, olga = sheet.rows("Leads")
    assert ivan["Problem"].startswith("Created at: '31.02.2026' is not a date")
    assert ivan["Next touch at"] is None
    assert olga["Next touch at"] is not None and olga["Problem"] is None
    assert "rows with a problem: 1 (see the Problem column)" in summary.lines()


def test_a_date_typed_as_one_number_or_a_time_alone_in_callback_at_is_said_and_the_others_still_work(sheet, outbox):
    # 20261125 (a date typed without dots) and 14:30 typed alone (a sheet keeps 0.6041..., a time on
    # no day) are numbers no date stands for. A Google Sheet read the first as a date too far off to
    # exist, which stopped every run, and the second as a callback on 30 December 1899, long missed.
    sheet.put_rows("Leads", [{**IVAN, "Callback at": 20261125}, {**OLGA, "Callback at": 14.5 / 24}])
    sync(sheet, outbox, "2026-11-02 10:05")
    ivan, olga = sheet.rows("Leads")
    assert ivan["Problem"].startswith("Callback at: '20261125' is not a date")
    assert olga["Problem"].startswith("Callback at: '0.6041") and "callback missed" not in (olga["Flags"] or "")
    assert ivan["Next touch at"] is not None and olga["Next touch at"] is not None
    assert not any(r["Step"].startswith("callback@") for r in sheet.rows("Due today"))


def test_a_callback_recorded_with_a_time_alone_waits_for_its_day_then_replaces_a_number_on_the_lead(sheet, outbox):
    sheet.put_rows("Leads", [{**IVAN, "Callback at": 20261125}])  # a date typed without dots: no date
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Due today", 2, "Result", "callback")
    sheet.set("Due today", 2, "Callback at", 15 / 24)  # 15:00 typed alone: a sheet keeps 0.625
    sync(sheet, outbox, "2026-11-02 10:30")
    assert sheet.rows("Due today")[0]["Problem"].startswith("Callback at: '0.625' is not a date")
    assert sheet.rows("Leads")[0]["Callback at"] == 20261125  # not 30 December 1899 15:00
    sheet.set("Due today", 2, "Callback at", datetime(2026, 11, 4, 15, 0))
    sync(sheet, outbox, "2026-11-02 10:40")
    assert sheet.rows("Leads")[0]["Callback at"] == datetime(2026, 11, 4, 15, 0)


def test_a_lead_pasted_twice_with_an_invisible_mark_after_the_id_gets_one_email_and_one_call(sheet, outbox):
    # the second copy came from a web page: a zero-width space after the ID, which reads L-1 on screen
    sheet.put_rows("Leads", [IVAN, {**IVAN, "ID": "L-1\u200b"}])
    sync(sheet, outbox, "2026-11-02 10:05")
    assert sent(outbox) == ["L-1_d0_2026-11-02.eml"]
    assert [r["Lead ID"] for r in sheet.rows("Due today")] == ["L-1"]
    assert sheet.rows("Leads")[1]["Problem"] == (
        "ID L-1 is also on row 2: give this row its own ID (or clear the cell and one will be assigned)"
    )


def test_an_address_in_another_script_is_sent_to_or_said_and_the_others_still_get_theirs(sheet, outbox):
    sheet.put_rows("Leads", [{**IVAN, "Email": "ivan@пример.рф"}, {**OLGA, "Email": "ольга@example.com"}])
    sync(sheet, outbox, "2026-11-02 10:05")
    assert sent(outbox) == ["L-1_d0_2026-11-02.eml"]
    message = email.message_from_bytes((outbox.folder / "L-1_d0_2026-11-02.eml").read_bytes())
    assert message["To"] == "Ivan Petrov <ivan@xn--e1afmkfd.xn--p1ai>"
    ivan, olga = sheet.rows("Leads")
    assert ivan["Problem"] is None
    assert olga["Problem"] == (
        "Email: 'ольга@example.com' has letters before the @ that mail servers refuse: type the address in "
        "Latin letters; no emails go to this lead until it is fixed"
    )
    assert olga["Next channel"] == "messenger"  # d5, her touch for today, still comes


def test_a_fixed_row_loses_its_problem(sheet, outbox):
    sheet.put_rows("Leads", [{**IVAN, "Created at": "31.02.2026"}])
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Leads", 2, "Created at", "02.11.2026 10:00")
    sync(sheet, outbox, "2026-11-02 10:30")
    assert sheet.rows("Leads")[0]["Problem"] is None


def test_a_dry_run_writes_and_sends_nothing(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    before = sheet.data(), sheet.grid("Status")
    summary = sync(sheet, outbox, "2026-11-02 10:05", dry_run=True)
    assert summary.lines()[:2] == [
        "emails that would be sent: 1",
        "  ivan@example.com: Ivan, thank you for your request",
    ]
    assert (sheet.data(), sheet.grid("Status")) == before
    assert sent(outbox) == []


def test_kpi_tab_is_filled_and_charted(sheet, outbox):
    sheet.put_rows("Leads", [IVAN, OLGA])
    sync(sheet, outbox, "2026-11-02 10:30")
    sync(sheet, outbox, "2026-11-02 10:40")  # nothing to send: on a Google Sheet, the run that formats and charts
    grid = sheet.grid("KPI")
    assert grid[0][:2] == ("KPI", datetime(2026, 11, 2, 10, 40))
    figures: dict = {}
    for row in grid:  # the first rows that name a figure hold its values (its definition is at the bottom)
        if row and row[0]:
            figures.setdefault(row[0], row[1:4])
    # This week (from Monday 2 November), this month, the last 12 weeks. Ivan came in today and his
    # first contact is past its 10:15 deadline; Olga came on 28 October and was contacted before
    # touchsheet knew. The run sent Ivan's d0 and Olga's d3 emails.
    assert figures["Leads in"] == (1, 1, 2)
    assert figures["First contact within deadline"] == (0, 0, 0)
    assert figures["Touches"] == (2, 2, 2)
    assert figures["Tasks due today"][0] == 2 and figures["Overdue tasks"][0] == 1
    charts = sheet.charts("KPI")
    assert [(c["title"], c["kind"]) for c in charts] == [
        ("Funnel", "bar"),
        ("Leads in and new clients per week", "line"),
        ("Discipline per week", "line"),
    ]
    stages = next(i for i, row in enumerate(grid) if row and row[0] == "Stage") + 2  # "new", 1-based
    assert (charts[0]["labels"], charts[0]["series"]) == (
        f"'KPI'!$A${stages}:$A${stages + 5}",
        [f"'KPI'!$B${stages}:$B${stages + 5}"],
    )
    weeks = next(i for i, row in enumerate(grid) if row and row[0] == "Week of") + 2
    assert charts[1]["series"] == [f"'KPI'!$B${weeks}:$B${weeks + 11}", f"'KPI'!$C${weeks}:$C${weeks + 11}"]
    assert charts[2]["series"] == [f"'KPI'!$D${weeks}:$D${weeks + 11}", f"'KPI'!$E${weeks}:$E${weeks + 11}"]


def test_an_email_sent_whose_log_row_was_made_unreadable_is_not_sent_again_and_its_row_comes_back(sheet, outbox):
    sheet.put_rows("Leads", [IVAN])
    sync(sheet, outbox, "2026-11-02 10:05")
    sheet.set("Touch log", 2, "At", "this morning")  # someone typed over the date of the d0 email
    summary = sync(sheet, outbox, "2026-11-02 10:15")
    assert sent(outbox) == ["L-1_d0_2026-11-02.eml"]  # still the one email
    assert summary.lines()[0] == "emails sent: 0"
    assert "note: Touch log: 1 email row(s) this host had handed over were missing: written back, not sent again" in (
        summary.lines()
    )
    log = sheet.rows("Touch log")
    assert [(r["At"], r["Step"], r["Status"], r["Key"]) for r in log] == [
        ("this morning", "d0", "sent", "L-1/d0/2026-11-02"),
        (datetime(2026, 11, 2, 10, 5), "d0", "sent", "L-1/d0/2026-11-02"),  # when it was handed over
    ]
    assert log[1]["Note"] == "Ivan, thank you for your request (written back from this host's journal: not sent again)"
    assert sync(sheet, outbox, "2026-11-02 10:25").lines()[0] == "emails sent: 0"
    assert len(sheet.rows("Touch log")) == 2


class _SavedOverOnFirstSend(Outbox):
    """A manager's copy of the workbook, opened before the run, saved over it as the first email goes out."""

    def __init__(self, folder, sheet, copy):
        super().__init__(folder)
        self.sheet, self.copy = sheet, copy

    def send(self, message):
        if not self.folder.exists() or not any(self.folder.iterdir()):
            shutil.copy(self.copy, self.sheet.path)
        super().send(message)


def test_an_old_copy_saved_over_the_workbook_while_emails_go_out_does_not_make_them_go_again(every_day, tmp_path):
    sheet = XlsxSheet(every_day)
    sheet.init()
    sheet.put_rows("Leads", [IVAN, {**IVAN, "ID": "L-2", "Name": "Olga Smirnova", "Email": "olga@example.com"}])
    shutil.copy(sheet.path, tmp_path / "copy.xlsx")
    outbox = _SavedOverOnFirstSend(tmp_path / "outbox", sheet, tmp_path / "copy.xlsx")
    with pytest.raises(SheetError, match="was changed while this run worked"):
        run_once(sheet.config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    assert sheet.rows("Touch log") == []  # the copy knows nothing of the run
    assert sync(sheet, outbox, "2026-11-02 10:15").lines()[0] == "emails sent: 0"
    assert sent(outbox) == ["L-1_d0_2026-11-02.eml", "L-2_d0_2026-11-02.eml"]
    log = sheet.rows("Touch log")
    assert [(r["Lead ID"], r["Step"], r["Status"], r["At"]) for r in log] == [
        ("L-1", "d0", "sent", datetime(2026, 11, 2, 10, 5)),
        ("L-2", "d0", "sent", datetime(2026, 11, 2, 10, 5)),
    ]


def test_a_run_that_fails_after_its_emails_went_says_on_the_status_tab_how_many_went(every_day, tmp_path):
    # Ivan's and Olga's welcome emails go; an old copy saved over the workbook as the first goes out
    # makes the run's last save fail. The Status tab says the run failed and that its 2 emails went
    # (sheets_schema.md: "Emails the mail server took in that run"), not 0.
    sheet = XlsxSheet(every_day)
    sheet.init()
    sheet.put_rows("Leads", [IVAN, {**IVAN, "ID": "L-2", "Name": "Olga Smirnova", "Email": "olga@example.com"}])
    shutil.copy(sheet.path, tmp_path / "copy.xlsx")
    outbox = _SavedOverOnFirstSend(tmp_path / "outbox", sheet, tmp_path / "copy.xlsx")
    emails = Counter()
    with pytest.raises(SheetError, match="was changed while this run worked") as failed:
        run_once(sheet.config, sheet.backend(), outbox, at("2026-11-02 10:05"), emails=emails)
    assert len(sent(outbox)) == 2
    report_failure(
        sheet.config, sheet.backend(), at("2026-11-02 10:05"), str(failed.value), emails_sent=emails[Status.SENT]
    )
    status = dict(sheet.grid("Status"))
    assert (status["Result"], status["Emails sent"]) == (f"failed: {failed.value}", 2)


def _due_row_of(sheet, lead_id):
    return next(n for n, r in enumerate(sheet.rows("Due today"), start=2) if r["Lead ID"] == lead_id)


def test_a_result_recorded_while_its_leads_row_cannot_be_read_waits_for_the_row(sheet, outbox):
    # L-1 came in on 2 November: 6 November is day 4, a call. The manager records "call back on
    # Monday at 15:00" and, the same minute, mistypes the lead's Stage: the row cannot be read.
    lead = {"ID": "L-1", "Name": "Ivan Petrov", "Email": "ivan@example.com", "Stage": "contacted"}
    sheet.put_rows("Leads", [{**lead, "Manager": "Anna Smith", "Created at": datetime(2026, 11, 2, 10, 0)}])
    sync(sheet, outbox, "2026-11-06 10:00")
    row = _due_row_of(sheet, "L-1")
    sheet.set("Due today", row, "Done", True)
    sheet.set("Due today", row, "Result", "callback")
    sheet.set("Due today", row, "Callback at", datetime(2026, 11, 9, 15, 0))
    sheet.set("Leads", 2, "Stage", "contaced")
    sync(sheet, outbox, "2026-11-06 10:10")
    assert [r for r in sheet.rows("Touch log") if r["Status"] == "done"] == []  # not yet: nothing of it lost
    (waiting,) = [r for r in sheet.rows("Due today") if r["Lead ID"] == "L-1"]
    assert waiting["Result"] == "callback" and waiting["Problem"].startswith("no lead L-1 on Leads whose row")
    sheet.set("Leads", 2, "Stage", "contacted")  # the typo fixed
    sync(sheet, outbox, "2026-11-06 10:20")
    done = [r["Result"] for r in sheet.rows("Touch log") if r["Status"] == "done"]
    assert done == ["callback"]
    assert sheet.rows("Leads")[0]["Callback at"] == datetime(2026, 11, 9, 15, 0)
