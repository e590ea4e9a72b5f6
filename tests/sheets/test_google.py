"""The Google Sheet backend against the local Sheets API emulator, through the real gspread client:
its layout, its API calls, its errors, and the managers editing while it runs."""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest

from tests.builders import MSK, at
from tests.sheets.fixtures import GoogleSheet
from touchsheet.engine.model import Status
from touchsheet.engine.parse import parse_book
from touchsheet.engine.table import column_letter
from touchsheet.errors import SheetError
from touchsheet.mail.outbox import Outbox
from touchsheet.sheets.gapi import Patience
from touchsheet.sheets.google import GoogleWorkbook
from touchsheet.sync import run_once

pytestmark = pytest.mark.server
WRITES = ("values:batchUpdate", ":append", ":batchUpdate")


@pytest.fixture
def sheet(every_day, emulator):
    s = GoogleSheet(every_day, emulator)
    s.init()
    return s


def leads(count: int, start: datetime = datetime(2026, 10, 1, 10, 0)):
    """`count` leads at every stage of the calendar: one new lead a day, going back from `start`."""
    return [
        {
            "ID": f"L-{n:05d}",
            "Name": f"Lead{n} Petrov",
            "Email": f"lead{n}@example.com",
            "Manager": "Anna Smith",
            "Created at": start - timedelta(hours=7 * n),
            "Stage": "contacted" if n % 3 else "new",
        }
        for n in range(1, count + 1)
    ]


def sync(sheet, when, outbox):
    return run_once(sheet.config, sheet.backend(), outbox, at(when), journal=sheet.journal())


def calls_during(emulator, action):
    before = len(emulator.calls)
    action()
    return [f"{c.method} {c.path}" for c in emulator.calls[before:]]


def methods(calls):
    """Each call's API method: values:batchGet, values:append, values:batchUpdate, spreadsheets:batchUpdate."""
    return [("values:" if "/values" in c else "spreadsheets:") + c.rsplit(":", 1)[1] for c in calls]


def test_init_makes_the_sheet_look_like_a_tool(sheet, emulator):
    leads_tab = emulator.sheet(sheet.key, "Leads")
    assert leads_tab.frozen_rows == 1
    assert sheet.headers("Leads")[:3] == ["ID", "Name", "Email"]
    due = emulator.sheet(sheet.key, "Due today")
    assert due.basic_filter is not None
    kinds = {rule["condition"]["type"] for _, rule in due.validations}
    assert {"BOOLEAN", "ONE_OF_LIST"} <= kinds  # the Done checkbox, the Result dropdown
    assert any("=TRUE" in str(rule) for rule in due.conditional_formats)  # overdue rows in red
    assert leads_tab.protected_ranges and all(p["warningOnly"] for p in leads_tab.protected_ranges)
    assert any("DATE_TIME" in str(f) for f in leads_tab.number_formats.values())
    assert sheet.backend().init() == []  # nothing twice


def test_init_makes_each_tab_as_wide_as_its_columns(sheet, emulator):
    # Google counts every cell of every tab against its 10 million, empty or not
    widths = {tab: emulator.sheet(sheet.key, tab).column_count for tab in ("Leads", "Touch log", "Due today", "Costs")}
    assert widths == {"Leads": 24, "Touch log": 10, "Due today": 17, "Costs": 3}


def test_init_widens_a_tab_for_a_column_it_adds(sheet, emulator):
    emulator.delete_columns(sheet.key, "Touch log", "J")  # Key, the last column: the tab is 9 wide now
    assert sheet.backend().init() == ["tab 'Touch log': added column(s) Key"]
    assert sheet.headers("Touch log")[-1] == "Key"
    assert emulator.sheet(sheet.key, "Touch log").column_count == 10


def test_a_run_reads_in_one_call_and_writes_in_one_or_two(sheet, emulator, tmp_path):
    sheet.put_rows("Leads", leads(5))
    outbox = Outbox(tmp_path / "out")
    sync(sheet, "2026-10-01 10:00", outbox)  # the first run also looks the tabs up
    calls = calls_during(emulator, lambda: sync(sheet, "2026-10-02 10:00", outbox))
    # A day later this host's lease has run out: it claims the sheet (a write) and reads it back first.
    assert [c.rsplit(":", 1)[-1] for c in calls] == ["batchGet", "batchUpdate", "batchGet", "append", "batchUpdate"]
    sheet.put_rows("Leads", [{**leads(1)[0], "ID": "L-00006", "Created at": datetime(2026, 10, 2, 10, 5)}])
    calls = calls_during(emulator, lambda: sync(sheet, "2026-10-02 10:10", outbox))
    assert [c.rsplit(":", 1)[-1] for c in calls] == ["batchGet", "append", "batchUpdate"]  # its lease holds
    before = len(emulator.calls)
    quiet = calls_during(emulator, lambda: sync(sheet, "2026-10-02 10:10", outbox))
    assert len(quiet) == 2 and "values:batchGet" in quiet[0]  # nothing new: only the Status tab is written
    written = {data["range"].split("!")[0] for data in emulator.calls[before + 1].body["data"]}
    assert written == {"'Status'"}


@pytest.mark.slow
def test_the_number_of_api_calls_does_not_grow_with_the_base(every_day, emulator, tmp_path):
    counts = {}
    for size in (10, 1_000, 10_000):
        sheet = GoogleSheet(every_day, emulator)
        sheet.init()
        emulator.set_values(sheet.key, "Leads", [sheet.headers("Leads")] + _grid(sheet, leads(size)))
        outbox = Outbox(tmp_path / f"out{size}")
        sync(sheet, "2026-10-01 10:00", outbox)
        counts[size] = len(calls_during(emulator, lambda s=sheet, o=outbox: sync(s, "2026-10-02 10:00", o)))
    assert counts == {10: 5, 1_000: 5, 10_000: 5}  # claim the sheet, read it back, read, append, write


@pytest.mark.slow
def test_the_first_run_on_15000_leads_writes_them_in_requests_google_takes(sheet, emulator, tmp_path):
    # every worker cell of every lead, and Due today: 11.4 MB of JSON, over the 10,485,760 bytes
    # Google takes in one request (the emulator refuses more, as Google does): two requests
    emulator.set_values(sheet.key, "Leads", [sheet.headers("Leads")] + _grid(sheet, leads(15_000)))
    before = len(emulator.calls)
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    writes = [c.received for c in emulator.calls[before:] if c.path.endswith("values:batchUpdate")]
    assert len(writes) == 3 and max(writes) <= 10_000_000  # claim the sheet, then the run's write in two
    assert sheet.rows("Leads")[-1]["Next touch at"] is not None  # the last lead is written


def _grid(sheet, rows):
    from tests.sheets.fixtures import _typed

    headers = sheet.headers("Leads")
    return [[_typed(row.get(h)) if row.get(h) is not None else "" for h in headers] for row in rows]


def test_rows_pasted_since_init_do_not_make_a_run_grow_the_tab(sheet, emulator, tmp_path):
    # init remembered a 1,000-row Leads tab; the team pasted 1,500 leads since (the grid grew to 1,501)
    emulator.set_values(sheet.key, "Leads", [sheet.headers("Leads")] + _grid(sheet, leads(1_500)))
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    assert emulator.sheet(sheet.key, "Leads").row_count == 1_501
    assert sheet.rows("Leads")[1_499]["Next touch at"] is not None  # the last lead was written all the same


def test_a_run_that_must_grow_due_today_sends_its_emails_in_the_next_one_and_each_makes_three_calls(
    sheet, emulator, tmp_path
):
    """Growing a tab is a call of its own: a run that sends emails has spent its three (read, append,
    write), so one that must make room on Due today first sends them ten minutes later, each once."""
    outbox = Outbox(tmp_path / "out")
    sync(sheet, "2026-10-02 09:55", outbox)  # an empty sheet: this host takes the lease, nothing to do
    sheet.put_rows("Leads", leads(12))  # 12 leads of the last 4 days: each owes its d0, d2 or d3 email today
    emulator.delete_rows(sheet.key, "Due today", 3, 998)  # room for one task
    summary = {}
    calls = calls_during(emulator, lambda: summary.setdefault("grow", sync(sheet, "2026-10-02 10:00", outbox)))
    assert methods(calls) == ["values:batchGet", "spreadsheets:batchUpdate", "values:batchUpdate"]
    assert summary["grow"].held == 12 and not list(outbox.folder.glob("*.eml"))
    assert dict(sheet.grid("Status"))["Emails waiting"] == 12
    due = sheet.rows("Due today")
    assert len(due) == summary["grow"].tasks > 1 and emulator.sheet(sheet.key, "Due today").row_count > len(due)
    calls = calls_during(emulator, lambda: summary.setdefault("send", sync(sheet, "2026-10-02 10:10", outbox)))
    assert methods(calls) == ["values:batchGet", "values:append", "values:batchUpdate"]
    sent = sorted(p.name.split("_")[0] for p in outbox.folder.glob("*.eml"))
    assert summary["send"].emails[Status.SENT] == 12 and sent == [f"L-{n:05d}" for n in range(1, 13)]


def test_text_is_written_raw_and_dates_as_dates(sheet, emulator, tmp_path):
    sheet.put_rows("Leads", [{**leads(3)[2], "Name": '=HYPERLINK("http://evil.example","click")'}])
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    due = sheet.rows("Due today")
    assert due[0]["Lead"] == '=HYPERLINK("http://evil.example","click")'
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[sheet.headers("Due today").index("Lead")]
    assert emulator.cell(sheet.key, "Due today", f"{column}2").formula is None  # stored as text
    row = emulator.values(sheet.key, "Leads")[1]
    next_touch = row[sheet.headers("Leads").index("Next touch at")]
    assert isinstance(next_touch, float)  # a serial date number, shown as a date by the column's format


def test_an_email_thread_pasted_into_two_date_cells_gets_a_readable_problem_and_the_run_writes(sheet, tmp_path):
    # 30,002 characters in each of Birthday and Last purchase at: each fits a Google cell (50,000),
    # but a Problem quoting both in full would not, and Google would refuse the run's whole write
    pasted = "Re: our offer " * 2_143
    sheet.put_rows("Leads", [{**leads(1)[0], "Birthday": pasted, "Last purchase at": pasted}, leads(2)[1]])
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    first, second = sheet.rows("Leads")
    start = "Re: our offer Re: our offer Re: our offer Re: our offer Re: our offer Re: our of…"  # the first 80
    assert first["Problem"].count(f"'{start}' is not a date") == 2 and len(first["Problem"]) < 400
    assert second["Next touch at"] is not None  # the other leads are written too


def test_a_lead_id_read_is_one_string_on_every_tab(sheet, tmp_path):
    # JSON gives every cell a string of its own; read as one, a lead's touches and tasks are looked
    # up by the very string of its Leads row (the engine's lookups by ID are quicker so)
    sheet.put_rows("Leads", leads(3))
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))  # logs the emails sent, lists the calls due
    tables = sheet.backend().read()
    ids = {lead_id: lead_id for lead_id in (tables["Leads"].cell(row, "ID") for row in tables["Leads"].rows)}
    named = [table.cell(row, "Lead ID") for table in (tables["Touch log"], tables["Due today"]) for row in table.rows]
    assert len(ids) == 3 and len(named) > 3
    assert all(lead_id is ids[lead_id] for lead_id in named)


def test_a_cost_month_typed_11_2026_on_an_english_google_sheet_is_november(sheet, emulator):
    # Google keeps 11.2026 typed in an English sheet as the number 11.2026: as a day, that would be
    # 10 January 1900, and the 30,000 would count for no month the KPI shows. A date in the month
    # (Google's serial number) is its month, as before.
    for cell, typed in (("A2", "11.2026"), ("C2", "30000"), ("A3", "2026-10-15"), ("C3", "500")):
        emulator.set_cell(sheet.key, "Costs", cell, typed, user_entered=True)
    book = parse_book(sheet.backend().read(), MSK, at("2026-11-24 12:00"), "L-", ())
    assert [(c.month.isoformat(), c.amount) for c in book.costs] == [("2026-11-01", 30_000), ("2026-10-01", 500)]
    assert book.notes == []


def test_a_sheet_not_shared_with_the_service_account_says_whom_to_share_with(sheet, emulator):
    emulator.unshare(sheet.key, "touchsheet@demo-project.iam.gserviceaccount.com")
    with pytest.raises(SheetError, match="share the sheet with touchsheet@demo-project.iam.gserviceaccount.com"):
        sheet.backend().read()


def test_a_wrong_key_is_a_clear_error(sheet):
    sheet.key = "no-such-sheet"
    with pytest.raises(SheetError, match="spreadsheet no-such-sheet not found. Fix: check workbook.spreadsheet"):
        sheet.backend().read()


def _signed_in_anew(sheet, emulator, **key_file):
    """The sheet's backend with credentials of its own, as a new `sync` process has: its first call
    fetches a token. `key_file`: fields of the JSON key file changed."""
    from google.oauth2 import service_account

    from touchsheet.sheets.gapi import SCOPES

    info = {**emulator.service_account("touchsheet@demo-project.iam.gserviceaccount.com"), **key_file}
    credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    quick = Patience(attempts=3, first_wait=0.001, max_wait=0.005, timeout=20)
    return GoogleWorkbook(sheet.key, lambda: credentials, "en", emulator.url, quick)


def test_a_deleted_key_stops_the_run_with_one_message_saying_how_to_make_a_new_one(sheet, emulator):
    # a key of the account deleted in the Cloud console since: Google's token service refuses it
    backend = _signed_in_anew(sheet, emulator, private_key_id="0" * 40)
    with pytest.raises(SheetError) as refused:
        backend.read()
    assert str(refused.value).startswith(
        "Google refused the key of the service account touchsheet@demo-project.iam.gserviceaccount.com "
        f"(key id {'0' * 40}) when the run asked for a token (invalid_grant: "
    )
    assert "create a new JSON key" in str(refused.value) and "set this host's clock right" in str(refused.value)


def test_a_line_that_drops_while_the_run_gets_its_token_is_tried_again_then_is_the_usual_try_again_later(
    sheet, emulator
):
    tokens = len(emulator.token_calls)
    emulator.faults(dropped_tokens={tokens + 1})  # the first try of the next token fetch
    assert "Leads" in _signed_in_anew(sheet, emulator).read()
    assert len(emulator.token_calls) == tokens + 2
    emulator.faults(dropped_tokens=range(tokens + 3, tokens + 6))  # the three tries of the next
    with pytest.raises(SheetError) as down:
        _signed_in_anew(sheet, emulator).read()
    emulator.faults()
    assert str(down.value) == "cannot reach Google Sheets to read the sheet's tabs (TransportError): try again later"


def test_a_renamed_tab_is_found_again(sheet, emulator, tmp_path):
    sheet.put_rows("Leads", leads(2))
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    emulator.rename_sheet(sheet.key, "Leads", "Клиенты")  # a Russian alias of Leads
    sync(sheet, "2026-10-01 11:00", Outbox(tmp_path / "out"))


def test_quota_errors_and_server_errors_are_retried_without_duplicates(sheet, emulator):
    from tests.mail.server import SmtpServer
    from touchsheet.config import SmtpConfig
    from touchsheet.mail.smtp import Smtp

    sheet.put_rows("Leads", leads(30))
    emulator.faults(rate={429: 0.30, 500: 0.05}, seed=11)
    with SmtpServer() as server:  # a real mail server counts every message handed over, even the same one twice
        smtp = SmtpConfig(host="127.0.0.1", port=server.port, security="none")
        for hour in range(10, 16):
            sync(sheet, f"2026-10-02 {hour}:00", Smtp(smtp, sheet.config.mail.sender))
    emulator.faults(rate={})
    log = sheet.rows("Touch log")
    keys = Counter(r["Key"] for r in log)
    assert keys and max(keys.values()) == 1, keys.most_common(3)  # no duplicate rows
    received = Counter(server.recorder.keys())
    assert received and max(received.values()) == 1, received.most_common(3)  # no email twice
    assert set(received) == {r["Key"] for r in log if r["Status"] == "sent"}  # and the log says so
    assert [r["ID"] for r in sheet.rows("Leads")] == [f"L-{n:05d}" for n in range(1, 31)]


def test_persistent_quota_errors_stop_the_run_with_a_message(sheet, emulator):
    emulator.faults(rate={429: 1.0}, seed=1)
    with pytest.raises(SheetError, match="answered 429 to every try"):
        sheet.backend().read()


def test_google_out_of_quota_for_the_append_is_tried_six_times_in_all_not_six_times_six(sheet, emulator, tmp_path):
    """Every append answered 429 (the write quota is spent): a 429 surely wrote nothing, so the run
    neither looks for its rows on the Touch log nor starts over its own retries: six tries of the
    append in all (the backend's patience here is 6), then the usual message."""
    sheet.put_rows("Leads", leads(2))
    patience = Patience(attempts=6, first_wait=0.001, max_wait=0.002, timeout=20)
    backend = GoogleWorkbook(sheet.key, lambda: sheet.credentials, "en", emulator.url, patience)

    def out_of_quota(emu, n):
        if emu.calls[n - 1].path.endswith(":append"):
            emu.faults({n: 429})

    emulator.between_calls = out_of_quota
    first = len(emulator.calls)
    try:
        with pytest.raises(SheetError, match="answered 429 to every try to append to the Touch log"):
            run_once(sheet.config, backend, Outbox(tmp_path / "out"), at("2026-10-01 10:00"))
    finally:
        emulator.between_calls = None
        emulator.faults()
    appends = [c.path.endswith(":append") for c in emulator.calls[first:]]
    assert appends[appends.index(True) :] == [True] * 6  # from the first try on: no read of the log, no seventh


def test_a_stop_asked_while_google_fails_ends_the_wait_and_the_tries(sheet, emulator):
    # systemd and docker kill a worker some seconds after SIGTERM: it must not wait a minute to retry
    stop = threading.Event()
    slow = Patience(first_wait=60, max_wait=60, timeout=20, stop=stop)
    backend = GoogleWorkbook(sheet.key, lambda: sheet.credentials, sheet.config.locale, emulator.url, slow)
    emulator.faults(rate={429: 1.0}, seed=1)

    class StopWhenItWaits(logging.Handler):  # the stop comes as the first wait of a minute begins
        def emit(self, record: logging.LogRecord) -> None:
            if "retrying" in record.getMessage():
                stop.set()

    handler = StopWhenItWaits()
    logging.getLogger("touchsheet.sheets.gapi").addHandler(handler)
    before, began = len(emulator.calls), time.monotonic()
    try:
        with pytest.raises(SheetError, match="answered 429 to a try to read the sheet's tabs .*asked to stop"):
            backend.read()
    finally:
        logging.getLogger("touchsheet.sheets.gapi").removeHandler(handler)
    assert time.monotonic() - began < 30  # the minute's wait ended with the stop
    assert len(emulator.calls) - before == 2  # the try before the wait, the one it ended on; no more


# Managers editing between every pair of API calls of a run.

EDITS = [
    "sort by name",
    "sort by created",
    "insert a row",
    "delete a lead",
    "edit a manager cell",
    "tick a task",
    "add a lead",
    "sort due today",
    "sort the touch log",
]


@pytest.mark.slow
@pytest.mark.parametrize("edit", EDITS)
def test_edits_between_any_two_calls_never_misplace_a_value_or_lose_an_edit(every_day, emulator, tmp_path, edit):
    """For each gap between two API calls of a run, from its last read on: the manager does `edit`
    there. Afterwards every lead's worker cells are exactly what a run without edits writes for that lead."""
    reference = _prepared(every_day, emulator, tmp_path / "reference")
    calls = calls_during(emulator, lambda: sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out")))
    # claim the sheet, read it back, append the pending emails, write. An edit before the read back
    # is simply read; the gaps after it are the ones that matter.
    assert [c.rsplit(":", 1)[-1] for c in calls] == ["batchGet", "batchUpdate", "batchGet", "append", "batchUpdate"]
    expected = _worker_cells(reference), _due_keys(reference), _log(reference)
    for gap in range(4, len(calls) + 1):
        sheet = _prepared(every_day, emulator, tmp_path / f"{edit}-{gap}")
        _check(sheet, expected, _sync_editing(sheet, edit, gap, Outbox(tmp_path / f"out-{edit}-{gap}")))


def _sync_editing(sheet, edit, gap, outbox):
    """A run at 2026-10-02 10:00 during which the manager does `edit` (a name from EDITS, or a
    function) just before its call number `gap`."""
    done = {}
    first = len(sheet.emu.calls)

    def manager(emu, n):
        if n == first + gap and not done:
            done["edit"] = edit() if callable(edit) else _edit(sheet, edit)

    sheet.emu.between_calls = manager
    try:
        sync(sheet, "2026-10-02 10:00", outbox)
    finally:
        sheet.emu.between_calls = None
    return done.get("edit")


def _prepared(config, emulator, folder):
    folder.mkdir(parents=True, exist_ok=True)
    sheet = GoogleSheet(config, emulator)
    sheet.init()
    sheet.put_rows("Leads", leads(12))
    sync(sheet, "2026-10-01 10:00", Outbox(folder / "out"))  # a first run: there is a Due today to tick
    return sheet


def _edit(sheet, edit):
    emu, key, rnd = sheet.emu, sheet.key, random.Random(edit)
    rows = len(emu.values(key, "Leads"))
    if edit == "sort by name":
        emu.sort(key, "Leads", column="B", first_row=2, descending=True)
    elif edit == "sort by created":
        emu.sort(key, "Leads", column="G", first_row=2)
    elif edit == "insert a row":
        emu.insert_rows(key, "Leads", before_row=rnd.randint(2, rows), count=1)
    elif edit == "delete a lead":
        row = rnd.randint(2, rows)
        gone = emu.values(key, "Leads")[row - 1][0]
        emu.delete_rows(key, "Leads", row=row, count=1)
        return ("deleted", gone)
    elif edit == "edit a manager cell":
        row = rnd.randint(2, rows)
        lead_id = emu.values(key, "Leads")[row - 1][0]
        emu.set_cell(key, "Leads", f"F{row}", "referral (edited during the run)")
        return ("edited", lead_id)
    elif edit == "tick a task":
        due = emu.values(key, "Due today")
        row = rnd.randint(2, len(due))
        emu.set_cell(key, "Due today", f"L{row}", True)
        emu.set_cell(key, "Due today", f"M{row}", "no answer")
        return ("ticked", due[row - 1][16])
    elif edit == "sort due today":  # a manager sorts the tab by name to find their tasks
        column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[sheet.headers("Due today").index("Lead")]
        emu.sort(key, "Due today", column=column, first_row=2, descending=True)
    elif edit == "sort the touch log":  # by lead, to read one client's history
        emu.sort(key, "Touch log", column="B", first_row=2, descending=True)
    elif edit == "add a lead":
        emu.set_cell(key, "Leads", f"A{rows + 1}", "L-99999")
        emu.set_cell(key, "Leads", f"B{rows + 1}", "Typed During The Run")
        return ("added", "L-99999")
    return None


WORKER = ["Next touch at", "Next channel", "Next kind", "Next reason", "Touches", "Last touch at", "Flags", "Problem"]


def _worker_cells(sheet):
    return {r["ID"]: tuple(r[c] for c in WORKER) for r in sheet.rows("Leads") if r["ID"]}


def _due_keys(sheet):
    """The tasks on Due today, in whatever order; the rows finished tasks left empty are not tasks."""
    rows = (tuple(str(r[c]) for c in ("Key", "Lead ID", "Step", "Script")) for r in sheet.rows("Due today"))
    return sorted(row for row in rows if row != ("None",) * 4)


def _log(sheet):
    """The Touch log as a set of rows, in whatever order a manager sorted it."""
    return sorted(
        tuple(str(r[c]) for c in ("Key", "Lead ID", "Step", "Status", "Note")) for r in sheet.rows("Touch log")
    )


def _check(sheet, expected, edit):
    expected, due, log = expected
    found = _worker_cells(sheet)
    kind, subject = edit or (None, None)
    for lead_id, cells in expected.items():
        if kind == "deleted" and lead_id == subject:
            assert lead_id not in found
            continue
        assert found[lead_id] == cells, (lead_id, found[lead_id], cells)
    rows = sheet.rows("Leads")
    if kind == "edited":
        assert next(r for r in rows if r["ID"] == subject)["Source"] == "referral (edited during the run)"
    if kind == "added":
        added = next(r for r in rows if r["ID"] == subject)
        assert added["Name"] == "Typed During The Run" and all(added[c] is None for c in WORKER)
    if kind != "deleted":
        assert _due_keys(sheet) == due  # every task listed once, with its own lead's script
    assert _log(sheet) == log  # every touch once, with its own status
    if kind == "ticked":  # the tick survives the run and the next run records it
        assert any(r["Key"] == subject and r["Done"] is True for r in sheet.rows("Due today"))
        sync(sheet, "2026-10-02 10:05", Outbox(sheet.config.base_dir / "after"))
        assert any(r["Key"] == subject and r["Status"] == "done" for r in sheet.rows("Touch log"))
    assert not any(r["ID"] in (None, "") and any(r[c] not in (None, "") for c in WORKER) for r in rows)


def _insert_comment_column(sheet, tab, before):
    """A manager inserts a column of their own, and names it."""
    sheet.emu.insert_columns(sheet.key, tab, before=before)
    sheet.emu.set_cell(sheet.key, tab, f"{before}1", "Comment")


@pytest.mark.parametrize(
    "edit",
    [
        ("Leads", lambda sheet: _insert_comment_column(sheet, "Leads", "C")),  # left of Email
        ("Leads", lambda sheet: sheet.emu.delete_columns(sheet.key, "Leads", "P")),  # Time zone, left of ours
        ("Due today", lambda sheet: _insert_comment_column(sheet, "Due today", "O")),  # left of Note
    ],
    ids=["insert left of Email", "delete Time zone", "insert left of Due today's Note"],
)
def test_a_column_inserted_or_deleted_during_a_run_loses_no_managers_cell(every_day, emulator, tmp_path, edit):
    """Just before the run's final write, a manager inserts a column, or deletes one, left of the
    run's columns: every cell moves under the write. Each lead and task still gets exactly the
    cells a run without the edit gives it, and every cell a manager typed stays: the lead's Source
    and Time zone, the team's own column at the end of Leads, a note on a task."""
    tab, change = edit

    def prepared(folder):
        sheet = _prepared(every_day, emulator, folder)
        sheet.add_column("Leads", "Our notes")
        for row in range(2, 14):
            sheet.set("Leads", row, "Source", f"fair {row}")
            sheet.set("Leads", row, "Time zone", "Europe/Moscow")
            sheet.set("Leads", row, "Our notes", f"note {row}")
        sheet.set("Due today", 2, "Note", "call after lunch")
        return sheet

    reference = prepared(tmp_path / "reference")
    sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out"))
    expected = _worker_cells(reference), _due_keys(reference), _log(reference)
    sheet = prepared(tmp_path / "edited")
    # claim the sheet, read it back, read, append: the edit comes just before the write
    _sync_editing(sheet, lambda: change(sheet), 5, Outbox(tmp_path / "out"))
    _check(sheet, expected, None)
    typed = {r["ID"]: (r["Source"], r.get("Time zone", "Europe/Moscow"), r["Our notes"]) for r in sheet.rows("Leads")}
    assert typed == {f"L-{n:05d}": (f"fair {n + 1}", "Europe/Moscow", f"note {n + 1}") for n in range(1, 13)}
    notes = [(r["Key"], r["Note"]) for r in sheet.rows("Due today") if r["Note"]]
    assert notes == [(r["Key"], r["Note"]) for r in reference.rows("Due today") if r["Note"]]
    assert len(notes) == 1
    if tab == "Due today":
        assert not any(r["Comment"] for r in sheet.rows("Due today"))


def test_a_sort_of_due_today_during_the_run_keeps_each_note_and_tick_with_its_task(every_day, emulator, tmp_path):
    """Due today after the 10-01 run, rows 2-6: the first contacts of L-00012, L-00009, L-00006 and
    L-00003, then L-00012's d4 call of 10-01. L-00003's call is ticked done and L-00006's carries a
    note. The 10-02 run records L-00003's call and clears rows 5 and 6 (that call, and the d4 call
    whose day passed). Just before it writes, a manager sorts the tab by lead, A to Z: Lead12 (both
    rows), Lead3, Lead6, Lead9, so rows 5 and 6 now hold the first contacts of L-00006 and L-00009,
    both still due; then ticks L-00006's as a meeting. Both tasks stay, L-00006's with its note and
    its tick, which the next run records."""

    def prepared(folder):
        sheet = _prepared(every_day, emulator, folder)
        sheet.set("Due today", 5, "Done", True)
        sheet.set("Due today", 5, "Result", "reached")
        sheet.set("Due today", 4, "Note", "call after lunch")
        return sheet

    reference = prepared(tmp_path / "reference")
    sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out"))
    sheet = prepared(tmp_path / "sorted")
    lead = column_letter(sheet.headers("Due today").index("Lead"))

    def sort_and_tick():
        emulator.sort(sheet.key, "Due today", column=lead, first_row=2)
        assert [r["Key"] for r in sheet.rows("Due today")][3:] == [
            "L-00006/first-contact/2026-09-29",
            "L-00009/first-contact/2026-09-29",
        ]
        sheet.set("Due today", 5, "Done", True)
        sheet.set("Due today", 5, "Result", "meeting")
        return True

    # claim the sheet, read it back, read, append: the manager sorts just before the write
    assert _sync_editing(sheet, sort_and_tick, 5, Outbox(tmp_path / "out"))
    assert _due_keys(sheet) == _due_keys(reference)
    six = next(r for r in sheet.rows("Due today") if r["Key"] == "L-00006/first-contact/2026-09-29")
    assert (six["Note"], six["Done"], six["Result"], six["Lead"]) == (
        "call after lunch",
        True,
        "meeting",
        "Lead6 Petrov",
    )
    logged = [(r["Key"], r["Status"], r["Result"]) for r in sheet.rows("Touch log") if r["Status"] == "done"]
    assert logged == [("L-00003/first-contact/2026-09-30", "done", "reached")]
    sync(sheet, "2026-10-02 10:05", Outbox(tmp_path / "out"))
    logged = [(r["Key"], r["Result"], r["Note"]) for r in sheet.rows("Touch log") if r["Status"] == "done"]
    assert logged[1:] == [("L-00006/first-contact/2026-09-29", "meeting", "call after lunch")]
    assert next(r for r in sheet.rows("Leads") if r["ID"] == "L-00006")["Stage"] == "meeting"


@pytest.mark.parametrize(
    "tab,column,renamed",
    [("Leads", "Flags", "Flags (auto)"), ("Due today", "Note", "Notes"), ("Touch log", "Status", "State")],
)
def test_a_column_renamed_while_the_run_writes_stops_it_with_a_message_the_status_tab_shows(
    every_day, emulator, tmp_path, tab, column, renamed
):
    """Just before the run's final write a manager renames a column it writes in (the leads' Flags,
    the sent emails' Status) or checks (the Note a new task must find empty): the run stops with a
    message naming the column and its tab, and the Status tab says so."""
    from touchsheet.sync import report_failure

    sheet = _prepared(every_day, emulator, tmp_path / "sheet")
    header = f"{column_letter(sheet.headers(tab).index(column))}1"
    message = f"Tab '{tab}' lost its column '{column}' while the run wrote to it \\(renamed or deleted\\)"
    with pytest.raises(SheetError, match=message) as stopped:
        # claim the sheet, read it back, read, append: the manager renames it just before the write
        _sync_editing(sheet, lambda: emulator.set_cell(sheet.key, tab, header, renamed), 5, Outbox(tmp_path / "out"))
    report_failure(sheet.config, sheet.backend(), at("2026-10-02 10:00"), str(stopped.value))
    assert dict(sheet.grid("Status"))["Result"] == f"failed: {stopped.value}"


def test_a_note_typed_on_a_ticked_task_while_the_run_logs_it_reaches_the_touch_log(every_day, emulator, tmp_path):
    """L-00003's first contact is ticked reached. The 10-02 run reads the tick and logs the call;
    just before it writes, Anna types a note on that row. The run's clear finds the note and leaves
    the row; the next run puts the note on the call's Touch log row and clears it."""
    sheet = _prepared(every_day, emulator, tmp_path)
    key = "L-00003/first-contact/2026-09-30"
    row = [r["Key"] for r in sheet.rows("Due today")].index(key) + 2
    sheet.set("Due today", row, "Done", True)
    sheet.set("Due today", row, "Result", "reached")

    def type_note():
        sheet.set("Due today", row, "Note", "wants the price list by Friday")
        return True

    assert _sync_editing(sheet, type_note, 5, Outbox(tmp_path / "out"))
    logged = [(r["Key"], r["Result"], r["Note"]) for r in sheet.rows("Touch log") if r["Status"] == "done"]
    assert logged == [(key, "reached", None)]
    assert [(r["Key"], r["Note"]) for r in sheet.rows("Due today") if r["Note"]] == [
        (key, "wants the price list by Friday")
    ]
    sync(sheet, "2026-10-02 10:05", Outbox(tmp_path / "out"))
    logged = [(r["Key"], r["Result"], r["Note"]) for r in sheet.rows("Touch log") if r["Status"] == "done"]
    assert logged == [(key, "reached", "wants the price list by Friday")]
    assert key not in _due_keys(sheet)


def _request_bytes(monkeypatch, limit):
    """Google's 10 MB a request brought down to a sheet of a dozen leads."""
    monkeypatch.setattr("touchsheet.sheets.gapi.REQUEST_BYTES", limit)


def test_a_write_too_big_for_one_request_goes_in_several_that_each_fit(every_day, emulator, tmp_path, monkeypatch):
    reference = _prepared(every_day, emulator, tmp_path / "reference")
    sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out"))
    expected = _worker_cells(reference), _due_keys(reference), _log(reference)
    # the next day's write is 14.5 kB (the KPI tab alone 8.8 kB): in two requests of at most 12 kB
    _request_bytes(monkeypatch, 12_000)
    sheet = _prepared(every_day, emulator, tmp_path / "split")
    before = len(emulator.calls)
    sync(sheet, "2026-10-02 10:00", Outbox(tmp_path / "out"))
    calls = emulator.calls[before:]
    assert methods([f"{c.method} {c.path}" for c in calls]) == [
        "values:batchGet",
        "values:batchUpdate",  # claim the sheet
        "values:batchGet",
        "values:append",
        "values:batchUpdate",
        "values:batchUpdate",
    ]
    assert max(c.received for c in calls) <= 12_000
    _check(sheet, expected, None)  # every cell as one request writes it


def test_the_rows_appended_to_the_touch_log_go_in_several_requests_when_they_do_not_fit_one(
    sheet, emulator, tmp_path, monkeypatch
):
    sheet.put_rows("Leads", leads(9, start=datetime(2026, 10, 1, 9, 0)))
    # nine welcome emails: a Touch log row is about 180 bytes of JSON, nine take 1.7 kB
    _request_bytes(monkeypatch, 1_000)
    before = len(emulator.calls)
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    appends = [c for c in emulator.calls[before:] if c.path.endswith(":append")]
    assert len(appends) == 2 and max(c.received for c in appends) <= 1_000
    log = sheet.rows("Touch log")
    assert sorted(r["Lead ID"] for r in log) == [f"L-{n:05d}" for n in range(1, 10)]  # each once
    assert {r["Status"] for r in log} == {"sent"}  # and each marked sent, on its own row


@pytest.mark.slow
@pytest.mark.parametrize(
    "edit",
    [
        lambda sheet: _insert_comment_column(sheet, "Leads", "C"),
        lambda sheet: _insert_comment_column(sheet, "Due today", "O"),
        lambda sheet: _edit(sheet, "sort by name"),
        lambda sheet: _edit(sheet, "sort due today"),
        lambda sheet: _edit(sheet, "tick a task"),
    ],
    ids=["insert left of Email", "insert left of Due today's Note", "sort by name", "sort due today", "tick a task"],
)
def test_edits_between_the_requests_of_a_split_write_never_misplace_a_value(
    every_day, emulator, tmp_path, monkeypatch, edit
):
    """The write in five requests (Google's limit brought down to 3 kB; the first holds the KPI tab,
    9.7 kB alone): a manager inserts a column or moves rows between any two of them. The requests
    sent before landed where they belong; each one after finds out by its own ID and header cells,
    and is put right, and what the earlier ones wrote stays, wherever its rows moved."""
    reference = _prepared(every_day, emulator, tmp_path / "reference")
    sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out"))
    expected = _worker_cells(reference), _due_keys(reference), _log(reference)
    _request_bytes(monkeypatch, 3_000)
    # claim the sheet, read it back, read, append, then the write's requests: 5 to 9
    for gap in range(6, 10):
        sheet = _prepared(every_day, emulator, tmp_path / f"edited-{gap}")
        _check(sheet, expected, _sync_editing(sheet, lambda s=sheet: edit(s), gap, Outbox(tmp_path / f"out-{gap}")))


@pytest.mark.parametrize("hole", [False, True], ids=["below the tasks", "on an empty row among them"])
def test_a_note_typed_where_a_new_task_lands_stays_there_with_that_task(every_day, emulator, tmp_path, hole):
    """A manager types a note on an empty row of Due today just before the run writes one of
    today's new tasks there: the run finishes, every task is listed once, and the note stays on
    that row, with the task that landed on it, in the next run too."""
    reference = _prepared(every_day, emulator, tmp_path / "reference")
    sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out"))
    sheet = _prepared(every_day, emulator, tmp_path / "typed")
    before = {r["Key"] for r in sheet.rows("Due today")}
    if hole:  # new tasks fill the empty rows first
        emulator.insert_rows(sheet.key, "Due today", before_row=3)
    row = 3 if hole else 2 + len(before)
    headers = sheet.headers("Due today")
    typed = "call back after lunch"

    def type_note():
        emulator.set_cell(sheet.key, "Due today", f"{column_letter(headers.index('Note'))}{row}", typed)
        return True

    # claim the sheet, read it back, read, append: the manager types just before the write
    assert _sync_editing(sheet, type_note, 5, Outbox(tmp_path / "out"))
    assert _due_keys(sheet) == _due_keys(reference)
    landed = dict(zip(headers, emulator.values(sheet.key, "Due today")[row - 1]))
    assert landed["Note"] == typed and landed["Key"] not in before
    assert [r["Note"] for r in sheet.rows("Due today") if r["Note"]] == [typed]
    sync(sheet, "2026-10-02 10:05", Outbox(tmp_path / "out"))
    assert [(r["Key"], r["Note"]) for r in sheet.rows("Due today") if r["Note"]] == [(landed["Key"], typed)]


def test_the_row_a_finished_task_leaves_is_taken_by_a_new_task_and_a_second_run_leaves_it_alone(
    every_day, emulator, tmp_path
):
    """Row 6 holds L-00012's d4 call of 10-01. The 10-02 run takes it off Due today (its day has
    passed), which leaves only the unticked Done box on row 6 (a manager may be ticking it while
    the run clears the row). That row is free: a second run at the same moment writes nothing on
    Due today, and the 10-03 run puts one of its new tasks there rather than below the others."""
    sheet = _prepared(every_day, emulator, tmp_path / "sheet")
    headers = sheet.headers("Due today")
    assert dict(zip(headers, emulator.values(sheet.key, "Due today")[5]))["Key"] == "L-00012/d4/2026-10-01"
    sync(sheet, "2026-10-02 10:00", Outbox(tmp_path / "out"))
    assert [v for v in emulator.values(sheet.key, "Due today")[5] if v not in ("", None)] == [False]
    before = len(emulator.calls)
    summary = sync(sheet, "2026-10-02 10:00", Outbox(tmp_path / "out"))
    assert summary.lines()[-1] == "workbook unchanged but for the Status tab"
    calls = emulator.calls[before:]  # a read, and a write of the Status tab alone
    assert len(calls) == 2 and [d["range"] for d in calls[1].body["data"]] == ["'Status'!A1"]
    sync(sheet, "2026-10-03 10:00", Outbox(tmp_path / "out"))
    landed = dict(zip(headers, emulator.values(sheet.key, "Due today")[5]))
    assert landed["Key"].endswith("/2026-10-03") and landed["Done"] is False


def test_a_failed_run_says_why_on_the_status_tab(sheet, emulator, tmp_path):
    from touchsheet.sync import report_failure

    sheet.put_rows("Leads", leads(3))
    first = len(emulator.calls) + 1
    emulator.faults({n: 503 for n in range(first + 1, first + 20)})  # the read works; every write fails
    with pytest.raises(SheetError, match="answered 503 to every try") as failed:
        sync(sheet, "2026-10-02 10:00", Outbox(tmp_path / "out"))
    emulator.faults()
    report_failure(sheet.config, sheet.backend(), at("2026-10-02 10:00"), str(failed.value), me="host-a")
    status = dict(sheet.grid("Status"))
    assert status["Result"].startswith("failed: Google Sheets answered 503 to every try")
    assert status["Last run started"] == "2026-10-02 10:00:00"
    assert sheet.rows("Touch log") == [] and sheet.rows("Due today") == []  # nothing half-written
    assert not list((tmp_path / "out").glob("*.eml"))  # no email goes out before its pending row is on the sheet


def test_the_kpi_charts_are_added_once_and_replaced_when_the_tables_move(sheet, emulator, tmp_path):
    outbox = Outbox(tmp_path / "out")
    sheet.put_rows("Leads", leads(3))
    sync(sheet, "2026-10-01 10:00", outbox)  # it sends their first emails: read, append, write, no call to spare
    assert len(list(outbox.folder.glob("*.eml"))) == 3 and sheet.charts("KPI") == []
    calls = calls_during(emulator, lambda: sync(sheet, "2026-10-01 10:10", outbox))  # nothing to send
    assert methods(calls) == ["values:batchGet", "spreadsheets:batchUpdate", "values:batchUpdate"]
    first = sheet.charts("KPI")
    assert [(c["title"], c["kind"]) for c in first] == [
        ("Funnel", "bar"),
        ("Leads in and new clients per week", "line"),
        ("Discipline per week", "line"),
    ]
    calls = calls_during(emulator, lambda: sync(sheet, "2026-10-02 10:00", outbox))
    assert not any(c.endswith(":batchUpdate") and "values" not in c for c in calls)  # same layout: no call
    assert sheet.charts("KPI") == first
    # A manager nobody configured shows up: the managers' table grows a row, the trend moves down one.
    sheet.put_rows("Leads", [{**leads(1)[0], "ID": "L-99", "Manager": "Dmitry Orlov"}])
    calls = calls_during(emulator, lambda: sync(sheet, "2026-10-02 11:00", outbox))  # L-99's first email goes
    assert not any(c.endswith(":batchUpdate") and "values" not in c for c in calls)  # it waits for a call to spare
    assert sheet.charts("KPI") == first
    calls = calls_during(emulator, lambda: sync(sheet, "2026-10-02 11:10", outbox))  # nothing to send
    assert sum(c.endswith(":batchUpdate") and "values" not in c for c in calls) == 1  # the charts it drew are known
    assert not any(c.startswith("GET") and "values" not in c for c in calls)  # no metadata call
    moved = sheet.charts("KPI")
    assert [c["title"] for c in moved] == [c["title"] for c in first]  # replaced, not added beside
    assert moved[0] == first[0]  # the funnel stays where it was
    assert [_shift(s, 1) for s in first[1]["series"]] == moved[1]["series"]
    # Someone deletes a chart by hand; the next new layout still replaces the others, none doubled.
    emulator.delete_chart(sheet.key, sheet.title("KPI"), "Funnel")
    sheet.put_rows("Leads", [{**leads(1)[0], "ID": "L-98", "Manager": "Olga Petrova"}])
    sync(sheet, "2026-10-02 12:00", outbox)
    sync(sheet, "2026-10-02 12:10", outbox)
    again = sheet.charts("KPI")
    assert [c["title"] for c in again] == [c["title"] for c in first]
    assert [_shift(s, 1) for s in moved[1]["series"]] == again[1]["series"]
    # A tab cache that does not know the charts (written before it kept them): still none doubled.
    cache = sheet.config.base_dir / f".touchsheet-{sheet.key}.tabs.json"
    saved = json.loads(cache.read_text())
    del saved["tabs"]["KPI"]["charts"], saved["tabs"]["KPI"]["layout"]
    cache.write_text(json.dumps(saved))
    sync(sheet, "2026-10-02 13:00", outbox)
    assert [c["title"] for c in sheet.charts("KPI")] == [c["title"] for c in first]


def _shift(a1: str, rows: int) -> str:
    """An A1 range like 'KPI'!$B$60:$B$71, moved down `rows` rows."""
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + rows}", a1)


def test_the_kpi_numbers_are_numbers_with_their_formats(sheet, emulator, tmp_path):
    sheet.put_rows("Leads", leads(3))
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    sync(sheet, "2026-10-01 10:10", Outbox(tmp_path / "out"))  # nothing to send: it lays the KPI tab out
    grid = sheet.grid("KPI")
    row = {r[0]: i + 1 for i, r in reversed(list(enumerate(grid))) if r and r[0]}  # the figures, not definitions

    def cell(figure, column="B"):
        return emulator.cell(sheet.key, "KPI", f"{column}{row[figure]}")

    assert cell("Leads in", "D").value == 3 and cell("Leads in", "D").number_format["type"] == "NUMBER"
    assert cell("First contact within deadline", "D").number_format == {"type": "PERCENT", "pattern": "0%"}
    assert cell("Revenue", "C").number_format == {"type": "NUMBER", "pattern": "#,##0"}
    assert cell("Unpaid amount").value == 0


def test_an_append_google_took_but_answered_500_is_not_appended_twice(sheet, emulator, tmp_path):
    """Google wrote the pending rows, then the answer was lost (a 500): the run finds its rows on the
    Touch log and goes on, instead of appending them again."""
    sheet.put_rows("Leads", leads(3))
    first = len(emulator.calls)

    def google_took_it(emu, n):
        call = emu.calls[n - 1]
        if n > first and call.path.endswith(":append") and not google_took_it.done:
            google_took_it.done = True
            below = len(emu.values(sheet.key, "Touch log"))
            for offset, row in enumerate(call.body["values"]):
                for column, value in enumerate(row):
                    if value != "":
                        emu.set_cell(sheet.key, "Touch log", f"{column_letter(column)}{below + 1 + offset}", value)
            emu.faults({n: 500})

    google_took_it.done = False
    emulator.between_calls = google_took_it
    outbox = Outbox(tmp_path / "out")
    try:
        sync(sheet, "2026-10-02 10:00", outbox)
    finally:
        emulator.between_calls = None
        emulator.faults()
    assert google_took_it.done
    log = sheet.rows("Touch log")
    # L-00001 came in at 03:00 on 1 Oct (its d0 at opening); the others on 30 Sep, so d2 is due today.
    assert sorted((r["Key"], r["Status"]) for r in log) == [
        ("L-00001/d0/2026-10-01", "sent"),
        ("L-00002/d2/2026-10-02", "sent"),
        ("L-00003/d2/2026-10-02", "sent"),
    ]
    assert sorted(p.name for p in outbox.folder.glob("*.eml")) == [
        "L-00001_d0_2026-10-01.eml",
        "L-00002_d2_2026-10-02.eml",
        "L-00003_d2_2026-10-02.eml",
    ]


def _smtp(sheet, port):
    from touchsheet.config import SmtpConfig
    from touchsheet.mail.smtp import Smtp

    return Smtp(SmtpConfig(host="127.0.0.1", port=port, security="none"), sheet.config.mail.sender)


def test_an_email_sent_on_a_retry_is_not_sent_twice_when_google_loses_its_pending_row(sheet, emulator):
    """L-00001's first email could not go out at 10:00 (the mail server deferred it): its log row
    says `retry`. At 10:10 Google answers 500 to the append of its new pending row, having written
    nothing, and 503 to every try of the final write. The email went out at 10:10, once; the run
    must have looked for its own pending row, not taken the 10:00 row with the same key for it, so
    the 10:20 run knows the email went out and sends nothing."""
    from tests.mail.server import SmtpServer

    def google_fails(emu, n):
        path = emu.calls[n - 1].path
        if path.endswith(":append") and not google_fails.appended:
            google_fails.appended = True
            emu.faults({n: 500})  # nothing written
        elif path.endswith("values:batchUpdate") and google_fails.appended:
            emu.faults({n: 503})

    google_fails.appended = False
    sheet.put_rows("Leads", leads(1))  # came in at 03:00 on 1 Oct: its thank-you is due at 10:00
    with SmtpServer() as server:
        server.recorder.defer.add("lead1@example.com")
        sync(sheet, "2026-10-01 10:00", _smtp(sheet, server.port))
        assert [(r["Key"], r["Status"]) for r in sheet.rows("Touch log")] == [("L-00001/d0/2026-10-01", "retry")]
        server.recorder.defer.clear()
        emulator.between_calls = google_fails
        try:
            with pytest.raises(SheetError, match="answered 503 to every try"):
                sync(sheet, "2026-10-01 10:10", _smtp(sheet, server.port))
        finally:
            emulator.between_calls = None
            emulator.faults()
        assert server.recorder.keys() == ["L-00001/d0/2026-10-01"]
        sync(sheet, "2026-10-01 10:20", _smtp(sheet, server.port))
        assert server.recorder.keys() == ["L-00001/d0/2026-10-01"]


def test_sent_goes_on_the_row_of_the_email_sent_when_the_log_is_sorted_newest_first_meanwhile(sheet, emulator):
    """L-00001's first email could not go out at 10:00 (the mail server deferred it): its log row
    says `retry`. At 10:10 the run appends a new pending row (row 3) for it and sends it; before the
    run writes `sent`, a manager sorts the Touch log newest first, so row 3 now holds the 10:00 row,
    with the same key. `sent` goes on the 10:10 row; the 10:00 row keeps `retry` and why."""
    from tests.mail.server import SmtpServer

    def sort_newest_first(emu, n):
        if emu.calls[n - 1].path.endswith("values:batchUpdate") and sort_newest_first.appended:
            sort_newest_first.appended = False
            emu.sort(sheet.key, "Touch log", column="A", first_row=2, descending=True)
        sort_newest_first.appended |= emu.calls[n - 1].path.endswith(":append")

    sort_newest_first.appended = False
    sheet.put_rows("Leads", leads(1))
    with SmtpServer() as server:
        server.recorder.defer.add("lead1@example.com")
        sync(sheet, "2026-10-01 10:00", _smtp(sheet, server.port))
        server.recorder.defer.clear()
        emulator.between_calls = sort_newest_first
        try:
            sync(sheet, "2026-10-01 10:10", _smtp(sheet, server.port))
        finally:
            emulator.between_calls = None
        assert server.recorder.keys() == ["L-00001/d0/2026-10-01"]
    log = [(r["At"].strftime("%H:%M"), r["Status"], r["Note"].startswith("not sent")) for r in sheet.rows("Touch log")]
    assert log == [("10:10", "sent", False), ("10:00", "retry", True)]


@pytest.mark.slow
@pytest.mark.parametrize("edit", ["sort by name", "sort by created", "insert a row", "delete a lead"])
def test_cells_the_run_fills_for_managers_land_on_their_own_rows_when_rows_move(every_day, emulator, tmp_path, edit):
    """A run also writes some managers' cells: the ID of a row typed without one, its Created at, the
    Stage a recorded result moves. Rows moving under the run must not take those to other leads."""

    def prepared(folder):
        sheet = _prepared(every_day, emulator, folder)
        sheet.put_rows("Leads", [{"Name": "Typed Without Id", "Email": "new@example.com"}])
        due = sheet.rows("Due today")
        row = 2 + next(i for i, r in enumerate(due) if r["Lead ID"] == "L-00003")
        sheet.set("Due today", row, "Done", True)
        sheet.set("Due today", row, "Result", "meeting")
        return sheet

    reference = prepared(tmp_path / "reference")
    calls = calls_during(emulator, lambda: sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out")))
    expected = _rows_by_id(reference)
    assert expected["L-00003"]["Stage"] == "meeting" and expected["L-00013"]["Name"] == "Typed Without Id"
    for gap in range(4, len(calls) + 1):  # after the run's last read
        sheet = prepared(tmp_path / f"{edit}-{gap}")
        kind, subject = _sync_editing(sheet, edit, gap, Outbox(tmp_path / f"out-{edit}-{gap}")) or (None, None)
        found = _rows_by_id(sheet)
        if kind == "deleted":
            assert subject not in found
            found[subject] = expected[subject]
        assert found == expected, gap


def _rows_by_id(sheet):
    """Every cell of every lead, by ID ("" for a row with no ID: there must be none)."""
    return {r["ID"] or "": r for r in sheet.rows("Leads")}


def test_init_dresses_each_column_as_the_schema_says(sheet, emulator):
    """Cell by cell, in the English layout (Leads: A ID ... H Stage ... O Opt out, P Time zone,
    Q Next touch at ... X Problem; Due today: L Done, M Result, N Callback at)."""
    leads, due, log = (emulator.sheet(sheet.key, tab) for tab in ("Leads", "Due today", "Touch log"))
    for tab in ("Leads", "Touch log", "Due today", "Costs"):
        assert emulator.sheet(sheet.key, tab).frozen_rows == 1, tab
    assert emulator.sheet(sheet.key, "Leads").format("A1")["textFormat"]["bold"] is True

    def words(view, cell):
        rule = view.validation(cell)
        return [v["userEnteredValue"] for v in rule["condition"]["values"]] if rule else None

    assert words(leads, "H2") == ["new", "contacted", "meeting", "proposal", "invoice", "won", "lost"]
    assert words(leads, "H5000") == words(leads, "H2")  # the whole column, not only the first row
    assert words(leads, "O2") == ["yes", "no"]
    assert words(leads, "R2") == ["email", "call", "messenger", "sms", "video", "letter", "gift"]  # Next channel
    assert leads.validation("H1") is None and leads.validation("B2") is None  # headers and free text stay free
    assert due.validation("L2")["condition"] == {"type": "BOOLEAN"}  # Done: a checkbox
    assert words(due, "M2") == ["reached", "no answer", "callback", "meeting", "invoice", "paid", "refused"]
    assert words(log, "F2") == ["done", "sent", "pending", "unconfirmed", "failed", "retry", "skipped"]
    assert leads.number_formats["G"] == {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}  # Created at
    assert leads.number_formats["J"] == {"type": "DATE", "pattern": "yyyy-mm-dd"}  # Invoice at
    assert due.number_formats["B"] == {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}  # Due at
    problem = [r for r in leads.conditional_formats if r["ranges"][0].get("startColumnIndex") == 23]
    assert [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in problem] == ["=LEN($X2)>0"]
    formulas = sorted(r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in due.conditional_formats)
    assert formulas == ["=$C2=TRUE", "=LEN($P2)>0"]  # the whole overdue row red; a problem cell red
    assert due.basic_filter["range"].get("startRowIndex", 0) == 0  # the filter starts at the header row
    protected = sorted(p["range"]["startColumnIndex"] for p in leads.protected_ranges)
    assert protected == list(range(16, 24)) and all(p["warningOnly"] for p in leads.protected_ranges)  # Q..X
    assert log.protected_ranges == []  # managers add rows to the log by hand


def test_the_service_account_comes_from_a_file_a_path_in_the_environment_or_the_json_itself(
    emulator, tmp_path, monkeypatch
):
    import json

    from touchsheet.sheets.gapi import load_credentials

    info = emulator.service_account(email="bot@demo-project.iam.gserviceaccount.com")
    key_file = tmp_path / "service-account.json"
    key_file.write_text(json.dumps(info))
    monkeypatch.setenv("KEY_PATH", str(key_file))
    monkeypatch.setenv("KEY_JSON", json.dumps(info))
    for found in (
        load_credentials(key_file, "UNSET_VARIABLE"),
        load_credentials(None, "KEY_PATH"),
        load_credentials(None, "KEY_JSON"),
    ):
        assert found.service_account_email == "bot@demo-project.iam.gserviceaccount.com"
    with pytest.raises(SheetError, match="no Google service account: set workbook.credentials_file"):
        load_credentials(None, "UNSET_VARIABLE")


def test_a_call_google_answers_too_late_is_tried_again_and_a_late_copy_is_marked(sheet, emulator, tmp_path):
    """Each request has a timeout: a read that hangs is tried again. An append that hangs is looked
    for on the Touch log, not found yet, and tried again; then Google writes the first one after
    all. The next run marks that late copy `skipped` (it sent nothing): each email counts once."""
    from touchsheet.sheets.gapi import Patience
    from touchsheet.sheets.google import GoogleWorkbook

    sheet.put_rows("Leads", leads(3))
    first = len(emulator.calls)
    slow = set()

    def hang(emu, n):
        call = emu.calls[n - 1].path
        kind = "read" if call.endswith("batchGet") else "append" if call.endswith(":append") else ""
        if n > first and kind and kind not in slow:
            slow.add(kind)
            time.sleep(1.5)  # past the client's timeout; then Google serves it anyway

    emulator.between_calls = hang
    patience = Patience(attempts=4, first_wait=0.001, max_wait=0.005, timeout=0.5)
    cache = sheet.config.base_dir / f".touchsheet-{sheet.key}.tabs.json"
    workbook = GoogleWorkbook(sheet.key, lambda: sheet.credentials, "en", emulator.url, patience, cache)
    outbox = Outbox(tmp_path / "out")
    try:
        run_once(sheet.config, workbook, outbox, at("2026-10-02 10:00"))
        deadline = time.monotonic() + 10
        while any(c.status == 0 for c in emulator.calls) and time.monotonic() < deadline:
            time.sleep(0.05)  # the calls that hung are served by now, late
    finally:
        emulator.between_calls = None
    assert slow == {"read", "append"}
    sync(sheet, "2026-10-02 10:10", outbox)
    keys = ["L-00001/d0/2026-10-01", "L-00002/d2/2026-10-02", "L-00003/d2/2026-10-02"]
    log = sheet.rows("Touch log")
    assert sorted((r["Key"], r["Status"]) for r in log) == sorted(
        [(k, "sent") for k in keys] + [(k, "skipped") for k in keys]
    )
    assert all(r["Note"].startswith("a second copy of Touch log row ") for r in log if r["Status"] == "skipped")
    assert [r["Touches"] for r in sheet.rows("Leads")] == [1, 1, 1]
    assert len(list(outbox.folder.glob("*.eml"))) == 3


def test_a_log_row_a_manager_deletes_while_its_email_goes_out_costs_its_status_not_the_run(sheet, emulator, tmp_path):
    """L-00001's d0 is due: the run appends its pending row (row 2) and sends it; before the run
    writes `sent` there, a manager deletes that row. The status has nowhere to go; the run finishes,
    and leaves no stray cell where the row was."""
    sheet.put_rows("Leads", leads(1))
    outbox = Outbox(tmp_path / "out")
    appended = []

    def delete_the_new_log_row(emu, n):
        if appended and not appended[-1] and emu.calls[n - 1].path.endswith("values:batchUpdate"):
            appended[-1] = True
            emu.delete_rows(sheet.key, "Touch log", 2)
        if emu.calls[n - 1].path.endswith(":append"):
            appended.append(False)

    emulator.between_calls = delete_the_new_log_row
    try:
        run_once(sheet.config, sheet.backend(), outbox, at("2026-10-01 10:05"), journal=sheet.journal())
    finally:
        emulator.between_calls = None
    assert appended == [True]
    assert len(list(outbox.folder.glob("*.eml"))) == 1
    assert sheet.rows("Touch log") == []
    assert sheet.rows("Leads")[0]["Next touch at"] is not None  # the run's last write went through


def test_init_on_a_sheet_with_data_adds_only_what_is_missing(every_day, emulator):
    from touchsheet.schema import LEADS

    headers = [c.name for c in LEADS.columns if c.name != "Opt out"] + ["My notes"]
    row = ["L-1", "Ivan Petrov", "ivan@example.com", "", "Anna Smith", "site", 46328.4166666667, "contacted"]
    sheet = GoogleSheet(every_day, emulator)
    sheet.key = emulator.create_spreadsheet(
        "Our CRM",
        tabs={"Лиды": [headers, row + [""] * (len(headers) - len(row) - 1) + ["VIP"]]},
        share_with=["touchsheet@demo-project.iam.gserviceaccount.com"],
    )
    before = emulator.values(sheet.key, "Лиды")
    done = sheet.backend().init()
    assert sorted(done) == sorted(
        ["tab 'Лиды': added column(s) Opt out"]
        + [f"added tab '{tab}'" for tab in ("Touch log", "Due today", "KPI", "Costs", "Status")]
        + [
            "tab 'Touch log': added column(s) At, Lead ID, Channel, Kind, Step, Status, Result, Manager, Note, Key",
            "tab 'Due today': added column(s) Manager, Due at, Overdue, Lead ID, Lead, Phone, Channel, Kind, Step, "
            "Reason, Script, Done, Result, Callback at, Note, Problem, Key",
            "tab 'Costs': added column(s) Month, Category, Amount",
        ]
    )
    after = emulator.values(sheet.key, "Лиды")
    assert after[0] == before[0] + ["Opt out"]  # the new column goes right of the team's own
    assert after[1:] == before[1:]  # data untouched, cell for cell
    assert emulator.sheet(sheet.key, "Лиды").validations == []  # a tab in use is not re-dressed
    assert sheet.backend().init() == []


def test_the_teams_own_channel_and_reason_columns_are_not_written_over(make_config, emulator, tmp_path):
    # A Russian team's Leads has its own "Канал" (where the lead came from) and "Повод" (what the
    # client asked for): the Russian headers touchsheet writes each lead's Next channel and Next
    # reason under. init adds nothing to the tab and says so; the run stops and says so too.
    sheet = GoogleSheet(make_config("config.ru.yaml"), emulator)
    typed = [
        ["№", "Клиент", "Email", "Менеджер", "Дата заявки", "Канал", "Повод"],
        [1, "Иван Петров", "ivan@example.com", "Анна Смирнова", "01.10.2026 09:00", "Авито", "Скидка"],
    ]
    sheet.key = emulator.create_spreadsheet(
        "Our CRM", tabs={"Лиды": typed}, share_with=["touchsheet@demo-project.iam.gserviceaccount.com"]
    )
    said = (
        "Tab 'Лиды': columns F 'Канал' and G 'Повод' hold what your team typed, and touchsheet writes each "
        "lead's 'Next channel' and 'Next reason' there: rename yours, then run init to give touchsheet its own."
    )
    assert said in sheet.backend().init()
    with pytest.raises(SheetError, match=re.escape(said)):
        sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    assert emulator.values(sheet.key, "Лиды") == typed


def test_the_teams_own_metrics_tab_is_not_wiped(every_day, emulator, tmp_path):
    # "Metrics" is an alias of the KPI tab, which every run rewrites whole; this one is the team's
    # own (its plan for October): init leaves it as it is and says so, and the run stops saying so
    sheet = GoogleSheet(every_day, emulator)
    sheet.key = emulator.create_spreadsheet(
        "Our CRM",
        tabs={"Leads": [["ID", "Name", "Email"]], "Metrics": [["October plan", 150000]]},
        share_with=["touchsheet@demo-project.iam.gserviceaccount.com"],
    )
    said = (
        "Tab 'Metrics' holds what your team typed, and touchsheet rewrites its KPI tab at every run: "
        "rename yours, then run init to make touchsheet's own 'KPI'."
    )
    assert sheet.backend().init()[-1] == said
    with pytest.raises(SheetError, match=re.escape(said)):
        sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    assert emulator.values(sheet.key, "Metrics") == [["October plan", 150000]]


def test_a_second_leads_tab_stops_the_run_until_it_is_renamed(every_day, emulator, tmp_path):
    # the team keeps its clients on "Клиенты", a name of the Leads tab too: the run says only one
    # is read; once the team renamed it, the next run goes on
    sheet = GoogleSheet(every_day, emulator)
    sheet.key = emulator.create_spreadsheet(
        "Our CRM",
        tabs={"Leads": [["ID", "Name", "Email"]], "Клиенты": [["ID", "Name", "Email"]]},
        share_with=["touchsheet@demo-project.iam.gserviceaccount.com"],
    )
    said = (
        "Tabs 'Leads' and 'Клиенты' are each named as touchsheet's Leads tab, and only 'Leads' is read: "
        "merge them into one, or rename the others."
    )
    assert said in sheet.backend().init()
    with pytest.raises(SheetError, match=re.escape(said)):
        sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    emulator.rename_sheet(sheet.key, "Клиенты", "Clients")
    sync(sheet, "2026-10-01 10:05", Outbox(tmp_path / "out"))


def test_init_puts_a_new_column_right_of_a_column_the_team_typed_in_without_a_header(every_day, emulator):
    from touchsheet.schema import LEADS

    headers = [c.name for c in LEADS.columns if c.name != "Opt out"]
    row = ["L-1", "Ivan Petrov"] + [""] * (len(headers) - 2) + ["VIP: call his wife, not him"]
    sheet = GoogleSheet(every_day, emulator)
    sheet.key = emulator.create_spreadsheet(
        "Our CRM", tabs={"Leads": [headers, row]}, share_with=["touchsheet@demo-project.iam.gserviceaccount.com"]
    )
    sheet.backend().init()
    after = emulator.values(sheet.key, "Leads")
    # the team's note sits in the column after the last header, with none of its own: Opt out goes after it
    assert after[0][len(headers) :] == ["", "Opt out"]
    assert after[1][len(headers)] == "VIP: call his wife, not him"


def test_the_dates_a_run_writes_in_columns_init_added_to_a_tab_in_use_show_as_dates(every_day, emulator, tmp_path):
    """A team's own client tab with the managers' columns only: `init` adds the run's columns right
    of them, and the run's Next touch at and Last touch at then read as dates, not 46296.375."""
    from touchsheet.schema import LEADS

    headers = [c.name for c in LEADS.columns if c.owner.name == "MANAGER"]
    lead = {"ID": "L-1", "Name": "Ivan Petrov", "Email": "ivan@example.com", "Manager": "Anna Smith"}
    lead["Created at"] = 46295.625  # 2026-09-30 15:00, typed in
    sheet = GoogleSheet(every_day, emulator)
    sheet.key = emulator.create_spreadsheet(
        "Our CRM",
        tabs={"Leads": [headers, [lead.get(h, "") for h in headers]]},
        share_with=["touchsheet@demo-project.iam.gserviceaccount.com"],
    )
    sheet.init()
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    after = sheet.headers("Leads")

    def shown(column):
        return emulator.cell(sheet.key, "Leads", f"{column_letter(after.index(column))}2").formatted

    # the first call was due as the request came in (overdue now); the thank-you email went at 10:00
    assert (shown("Next touch at"), shown("Last touch at")) == ("2026-09-30 15:00", "2026-10-01 10:00")


def test_the_touch_log_shows_when_each_touch_happened_as_a_date(sheet, emulator, tmp_path):
    # the rows the run appends are inserted below the header, then below the last row
    sheet.put_rows("Leads", leads(2))  # L-00001 and L-00002 came in on 1 Oct: their thank-yous go at 10:00
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    sheet.put_rows("Leads", [{**leads(1)[0], "ID": "L-00003", "Created at": datetime(2026, 10, 1, 10, 5)}])
    sync(sheet, "2026-10-01 10:10", Outbox(tmp_path / "out"))
    shown = [emulator.cell(sheet.key, "Touch log", f"A{row}").formatted for row in (2, 3, 4)]
    assert shown == ["2026-10-01 10:00", "2026-10-01 10:00", "2026-10-01 10:10"]


@pytest.mark.parametrize("edit", ["insert a row", "sort by name"])
def test_a_lead_and_a_row_repeating_its_id_each_keep_their_own_cells_when_rows_move(
    every_day, emulator, tmp_path, edit
):
    """Row 15 repeats L-00005's ID: the run writes L-00005's cells on row 6 and says the problem on
    row 15. When both rows move before the write (a row inserted above them, or a sort that puts the
    repeat first), each still gets its own."""

    def prepared(folder):
        sheet = _prepared(every_day, emulator, folder)
        sheet.put_rows("Leads", [{"ID": "L-00005", "Name": "Zed Repeated", "Email": "zed@example.com"}])
        return sheet

    reference = prepared(tmp_path / "reference")
    sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out"))
    expected = sorted(reference.rows("Leads"), key=lambda r: r["Name"])
    lead, repeat = (r for r in expected if r["ID"] == "L-00005")
    assert lead["Name"] == "Lead5 Petrov" and lead["Next touch at"] is not None
    assert repeat["Problem"].startswith("ID L-00005 is also on row 6") and repeat["Next touch at"] is None
    sheet = prepared(tmp_path / "edited")
    _sync_editing(sheet, edit, 5, Outbox(tmp_path / "out"))  # claim, read back, read, append: then the edit
    assert sorted(sheet.rows("Leads"), key=lambda r: r["Name"]) == expected
