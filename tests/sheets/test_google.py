"""The Google Sheet backend against the local Sheets API emulator, through the real gspread client:
its layout, its API calls, its errors, and the managers editing while it runs."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from tests.builders import at
from tests.sheets.fixtures import GoogleSheet
from touchsheet.errors import SheetError
from touchsheet.mail.outbox import Outbox
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
    return run_once(sheet.config, sheet.backend(), outbox, at(when))


def calls_during(emulator, action):
    before = len(emulator.calls)
    action()
    return [f"{c.method} {c.path}" for c in emulator.calls[before:]]


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
    assert len(calls) == 3, calls  # batchGet, append (pending emails), batchUpdate
    assert "values:batchGet" in calls[0] and ":append" in calls[1] and "values:batchUpdate" in calls[2]
    before = len(emulator.calls)
    quiet = calls_during(emulator, lambda: sync(sheet, "2026-10-02 10:00", outbox))
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
    assert counts == {10: 3, 1_000: 3, 10_000: 3}


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


def test_a_sheet_not_shared_with_the_service_account_says_whom_to_share_with(sheet, emulator):
    emulator.unshare(sheet.key, "touchsheet@demo-project.iam.gserviceaccount.com")
    with pytest.raises(SheetError, match="share the sheet with touchsheet@demo-project.iam.gserviceaccount.com"):
        sheet.backend().read()


def test_a_wrong_key_is_a_clear_error(sheet):
    sheet.key = "no-such-sheet"
    with pytest.raises(SheetError, match="spreadsheet no-such-sheet not found. Fix: check workbook.spreadsheet"):
        sheet.backend().read()


def test_a_renamed_tab_is_found_again(sheet, emulator, tmp_path):
    sheet.put_rows("Leads", leads(2))
    sync(sheet, "2026-10-01 10:00", Outbox(tmp_path / "out"))
    emulator.rename_sheet(sheet.key, "Leads", "Клиенты")  # a Russian alias of Leads
    sync(sheet, "2026-10-01 11:00", Outbox(tmp_path / "out"))


def test_quota_errors_and_server_errors_are_retried_without_duplicates(sheet, emulator, tmp_path):
    sheet.put_rows("Leads", leads(30))
    emulator.faults(rate={429: 0.30, 500: 0.05}, seed=11)
    outbox = Outbox(tmp_path / "out")
    for hour in range(10, 16):
        sync(sheet, f"2026-10-02 {hour}:00", outbox)
    emulator.faults(rate={})
    log = sheet.rows("Touch log")
    keys = Counter(r["Key"] for r in log)
    assert keys and max(keys.values()) == 1, keys.most_common(3)  # no duplicate rows
    sent = {r["Key"] for r in log if r["Status"] == "sent"}
    emails = [p.name for p in outbox.folder.glob("*.eml")]
    assert len(emails) == len(sent) > 0  # each email once: one file per key the log says was sent
    assert [r["ID"] for r in sheet.rows("Leads")] == [f"L-{n:05d}" for n in range(1, 31)]


def test_persistent_quota_errors_stop_the_run_with_a_message(sheet, emulator):
    emulator.faults(rate={429: 1.0}, seed=1)
    with pytest.raises(SheetError, match="answered 429 to every try"):
        sheet.backend().read()


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
]


@pytest.mark.slow
@pytest.mark.parametrize("edit", EDITS)
def test_edits_between_any_two_calls_never_misplace_a_value_or_lose_an_edit(every_day, emulator, tmp_path, edit):
    """For each gap between two API calls of a run: the manager does `edit` there. Afterwards every
    lead's worker cells are exactly what a run without edits writes for that lead."""
    reference = _prepared(every_day, emulator, tmp_path / "reference")
    calls = calls_during(emulator, lambda: sync(reference, "2026-10-02 10:00", Outbox(tmp_path / "reference-out")))
    assert len(calls) == 3  # read, append the pending emails, write: two gaps between them
    expected = _worker_cells(reference), _due_keys(reference)
    for gap in range(2, len(calls) + 1):
        sheet = _prepared(every_day, emulator, tmp_path / f"{edit}-{gap}")
        done = {}
        first = len(emulator.calls)

        def manager(emu, n, sheet=sheet, first=first, gap=gap, done=done):
            if n == first + gap and not done:  # just before the run's call number `gap`
                done["edit"] = _edit(sheet, edit)

        emulator.between_calls = manager
        try:
            sync(sheet, "2026-10-02 10:00", Outbox(tmp_path / f"out-{edit}-{gap}"))
        finally:
            emulator.between_calls = None
        _check(sheet, expected, done.get("edit"))


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
    elif edit == "add a lead":
        emu.set_cell(key, "Leads", f"A{rows + 1}", "L-99999")
        emu.set_cell(key, "Leads", f"B{rows + 1}", "Typed During The Run")
        return ("added", "L-99999")
    return None


WORKER = ["Next touch at", "Next channel", "Next kind", "Next reason", "Touches", "Last touch at", "Flags", "Problem"]


def _worker_cells(sheet):
    return {r["ID"]: tuple(r[c] for c in WORKER) for r in sheet.rows("Leads") if r["ID"]}


def _due_keys(sheet):
    return sorted(tuple(str(r[c]) for c in ("Key", "Lead ID", "Step", "Script")) for r in sheet.rows("Due today"))


def _check(sheet, expected, edit):
    expected, due = expected
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
    if kind == "ticked":  # the tick survives the run and the next run records it
        assert any(r["Key"] == subject and r["Done"] is True for r in sheet.rows("Due today"))
        sync(sheet, "2026-10-02 10:05", Outbox(sheet.config.base_dir / "after"))
        assert any(r["Key"] == subject and r["Status"] == "done" for r in sheet.rows("Touch log"))
    assert not any(r["ID"] in (None, "") and any(r[c] not in (None, "") for c in WORKER) for r in rows)


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
