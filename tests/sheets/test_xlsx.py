"""The local workbook: init, clear errors, atomic saves, formulas, and manager data that survives."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import datetime

import openpyxl
import openpyxl.drawing.image
import PIL.Image
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table as ExcelTable

from tests.builders import at
from tests.conftest import read_only
from tests.sheets.fixtures import XlsxSheet
from touchsheet.checks import check_all
from touchsheet.errors import SheetError
from touchsheet.mail.outbox import Outbox
from touchsheet.schema import DUE_TODAY, LEADS
from touchsheet.sheets.changes import CellWrite, Changes
from touchsheet.sheets.xlsx import XlsxWorkbook
from touchsheet.sync import run_once

IVAN = {"ID": "L-1", "Name": "Ivan Petrov", "Email": "ivan@example.com", "Created at": "02.11.2026 10:00"}


@pytest.fixture
def sheet(config):
    s = XlsxSheet(config)
    s.init()
    return s


def test_init_lays_out_every_tab_with_headers(sheet):
    book = openpyxl.load_workbook(sheet.path)
    assert book.sheetnames == ["Leads", "Touch log", "Due today", "KPI", "Costs", "Status"]
    assert sheet.headers("Leads") == [c.name for c in LEADS.columns]
    assert sheet.headers("Due today") == [c.name for c in DUE_TODAY.columns]
    assert book["Leads"].freeze_panes == "A2"
    assert book["Due today"].auto_filter.ref.startswith("A1:")


def test_init_makes_the_folder_the_workbook_goes_in(tmp_path):
    path = tmp_path / "sales" / "touchsheet.xlsx"  # ~/sales not made yet
    XlsxWorkbook(path).init()
    assert openpyxl.load_workbook(path).sheetnames[0] == "Leads"


def test_init_in_russian(make_config):
    s = XlsxSheet(make_config("config.ru.yaml"))
    s.init()
    assert openpyxl.load_workbook(s.path).sheetnames == [
        "Лиды",
        "Журнал касаний",
        "Задачи на сегодня",
        "KPI",
        "Расходы",
        "Статус",
    ]
    assert s.headers("Leads")[:3] == ["ID", "Имя", "Email"]


def test_init_adds_only_what_is_missing_and_keeps_data(sheet):
    book = openpyxl.load_workbook(sheet.path)
    leads = book["Leads"]
    leads.delete_cols(15)  # Opt out
    leads["A2"], leads["B2"] = "L-1", "Ivan"
    leads.cell(1, 30).value = "My notes"
    leads.cell(2, 30).value = "keep me"
    del book["Costs"]
    book.save(sheet.path)
    assert sheet.backend().init() == [
        "tab 'Leads': added column(s) Opt out",
        "added tab 'Costs'",
        "tab 'Costs': added column(s) Month, Category, Amount",
    ]
    book = openpyxl.load_workbook(sheet.path)
    assert book["Leads"].cell(1, 31).value == "Opt out"
    assert (book["Leads"]["A2"].value, book["Leads"].cell(2, 30).value) == ("L-1", "keep me")
    assert sheet.backend().init() == []


def test_init_puts_a_new_column_right_of_a_column_the_team_typed_in_without_a_header(sheet):
    book = openpyxl.load_workbook(sheet.path)
    leads = book["Leads"]
    leads.delete_cols(23, 2)  # an older layout, without Flags and Problem (W and X)...
    leads["A2"], leads["W2"] = "L-1", "VIP: call his wife, not him"  # ... and a column of the team's own in W
    book.save(sheet.path)
    assert sheet.backend().init() == ["tab 'Leads': added column(s) Flags, Problem"]
    leads = openpyxl.load_workbook(sheet.path)["Leads"]
    assert [leads["W1"].value, leads["X1"].value, leads["Y1"].value] == [None, "Flags", "Problem"]
    assert leads["W2"].value == "VIP: call his wife, not him"


def test_the_teams_own_channel_and_reason_columns_are_not_written_over(make_config, tmp_path):
    # A Russian team's Leads has its own "Канал" (where the lead came from) and "Повод" (what the
    # client asked for): the Russian headers touchsheet writes each lead's Next channel and Next
    # reason under. init adds nothing to the tab and says so; the run stops and says so too.
    config = make_config("config.ru.yaml")
    book = openpyxl.Workbook()
    book.active.title = "Лиды"
    book.active.append(["№", "Клиент", "Email", "Менеджер", "Дата заявки", "Канал", "Повод"])
    book.active.append([1, "Иван Петров", "ivan@example.com", "Анна Смирнова", "01.10.2026 09:00", "Авито", "Скидка"])
    book.save(config.workbook_path)
    said = (
        "Tab 'Лиды': columns F 'Канал' and G 'Повод' hold what your team typed, and touchsheet writes each "
        "lead's 'Next channel' and 'Next reason' there: rename yours, then run init to give touchsheet its own."
    )
    assert said in XlsxWorkbook(config.workbook_path, "ru").init()
    with pytest.raises(SheetError, match=re.escape(said)):
        run_once(config, XlsxWorkbook(config.workbook_path, "ru"), Outbox(tmp_path / "out"), at("2026-10-01 10:00"))
    leads = openpyxl.load_workbook(config.workbook_path)["Лиды"]
    assert (leads.max_column, leads["F2"].value, leads["G2"].value) == (7, "Авито", "Скидка")  # no column added


def test_a_column_of_touchsheets_deleted_after_a_run_is_added_back_and_the_others_stay_its_own(sheet, tmp_path):
    # after a run filled Ivan's Next channel and the rest, someone deleted the Flags column (W):
    # init adds it back, and does not take the columns the run wrote for the team's own
    sheet.put_rows("Leads", [IVAN])
    run_once(sheet.config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"), settle=0)
    book = openpyxl.load_workbook(sheet.path)
    book["Leads"].delete_cols(23)
    book.save(sheet.path)
    assert sheet.backend().init() == ["tab 'Leads': added column(s) Flags"]


def test_the_teams_own_kpi_and_tasks_tabs_are_not_wiped(make_config, tmp_path):
    # The team's workbook has its own "Показатели" (its plan for October) and "Задачи" (its to-do
    # list): alias names of the KPI and Due today tabs, which every run rewrites. init lays out
    # neither and says so; the run stops and says so too; both keep what the team typed.
    config = make_config("config.ru.yaml")
    book = openpyxl.Workbook()
    book.active.title = "Лиды"
    book.active.append(["№", "Клиент", "Email", "Менеджер", "Дата заявки"])
    book.create_sheet("Показатели").append(["Октябрь", 1500000])
    book.create_sheet("Задачи").append(["Задача", "Срок", "Клиент"])
    book["Задачи"].append(["Отправить договор", datetime(2026, 10, 2), "Иван Петров"])
    book.save(config.workbook_path)
    said = [
        "Tab 'Задачи' holds what your team typed, and touchsheet rewrites its Due today tab at every run: "
        "rename yours, then run init to make touchsheet's own 'Задачи на сегодня'.",
        "Tab 'Показатели' holds what your team typed, and touchsheet rewrites its KPI tab at every run: "
        "rename yours, then run init to make touchsheet's own 'KPI'.",
    ]
    assert XlsxWorkbook(config.workbook_path, "ru").init()[-2:] == said
    with pytest.raises(SheetError, match=re.escape(" ".join(said))):
        run_once(config, XlsxWorkbook(config.workbook_path, "ru"), Outbox(tmp_path / "out"), at("2026-10-01 10:00"))
    book = openpyxl.load_workbook(config.workbook_path)
    assert [c.value for c in book["Показатели"][1]] == ["Октябрь", 1500000]
    assert [[c.value for c in row] for row in book["Задачи"]] == [
        ["Задача", "Срок", "Клиент"],
        ["Отправить договор", datetime(2026, 10, 2), "Иван Петров"],
    ]


def test_a_lead_without_a_manager_is_said_in_russian_and_read_back_as_one(make_config, tmp_path):
    config = make_config("config.ru.yaml", working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    s = XlsxSheet(config)
    s.init()
    s.put_rows("Leads", [{"ID": "L-1", "Name": "Иван Петров", "Created at": "02.11.2026 10:00"}])
    outbox = Outbox(tmp_path / "out")
    run_once(config, s.backend(), outbox, at("2026-11-02 10:05"))
    (task,) = s.rows("Due today")
    assert task["Менеджер"] == "(без менеджера)"
    s.set("Due today", 2, "Done", True)  # the first call made, by whoever took it
    run_once(config, s.backend(), outbox, at("2026-11-02 10:20"))
    assert [row["Менеджер"] for row in s.rows("Touch log")] == ["(без менеджера)"]
    kpi = [cell for row in s.grid("KPI") for cell in row]
    assert kpi.count("(без менеджера)") == 1 and "(no manager)" not in kpi  # one row in the managers' table


def test_missing_columns_are_one_clear_error_naming_them_all_which_the_status_tab_shows(sheet, tmp_path):
    from touchsheet.sync import report_failure

    book = openpyxl.load_workbook(sheet.path)
    book["Leads"].delete_cols(7)  # Created at
    book["Due today"].delete_cols(17)  # Key
    book.save(sheet.path)
    message = "Tab 'Leads' has no column 'Created at'; Tab 'Due today' has no column 'Key'. Fix: run `python -m"
    with pytest.raises(SheetError, match=message) as stopped:
        run_once(sheet.config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"), settle=0)
    report_failure(sheet.config, sheet.backend(), at("2026-11-02 10:05"), str(stopped.value))
    assert dict(sheet.grid("Status"))["Result"] == f"failed: {stopped.value}"


def test_an_unsubscribed_tick_in_a_second_opt_out_column_stops_the_run_before_any_email(sheet, tmp_path):
    # Leads keeps its empty Opt out (O) and the team adds "Unsubscribed" (an alias of Opt out) in Y,
    # ticked for Ivan: only one column can be read, so the run stops rather than email him
    sheet.add_column("Leads", "Unsubscribed")
    sheet.put_rows("Leads", [{**IVAN, "Unsubscribed": "yes"}])
    message = "Tab 'Leads': columns O 'Opt out' and Y 'Unsubscribed' are each 'Opt out', and only the first is read"
    with pytest.raises(SheetError, match=message):
        run_once(sheet.config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"), settle=0)
    assert list((tmp_path / "out").glob("*.eml")) == []
    assert check_all(sheet.config, sheet.backend(), at("2026-11-02 10:05"))[-1].startswith(message)


def test_missing_tabs_are_one_clear_error_naming_them_all(sheet):
    book = openpyxl.load_workbook(sheet.path)
    del book["Touch log"]
    del book["Costs"]
    book.save(sheet.path)
    with pytest.raises(SheetError, match="has no tab 'Touch log', 'Costs'. Fix: run `python -m touchsheet init"):
        sheet.backend().read()


def test_a_second_leads_tab_is_said_not_left_unread_in_silence(sheet):
    # the team keeps its clients on a tab of their own, "Клиенты": a name of the Leads tab too
    book = openpyxl.load_workbook(sheet.path)
    book.create_sheet("Клиенты").append(["ID", "Name", "Email", "Created at"])
    book.save(sheet.path)
    said = (
        "Tabs 'Leads' and 'Клиенты' are each named as touchsheet's Leads tab, and only 'Leads' is read: "
        "merge them into one, or rename the others."
    )
    assert sheet.backend().init() == [said]
    with pytest.raises(SheetError, match=re.escape(said)):
        sheet.backend().read()


def test_a_workbook_open_in_libreoffice_or_excel_is_not_touched(sheet):
    for lock in (f".~lock.{sheet.path.name}#", f"~${sheet.path.name}"):
        (sheet.path.parent / lock).write_text("someone")
        with pytest.raises(SheetError, match="is open in LibreOffice or Excel"):
            sheet.backend().read()
        (sheet.path.parent / lock).unlink()


def test_a_lock_appearing_mid_run_stops_the_save(sheet):
    backend = sheet.backend()
    backend.read()
    before = sheet.path.read_bytes()
    (sheet.path.parent / f".~lock.{sheet.path.name}#").write_text("someone")
    with pytest.raises(SheetError, match="is open"):
        backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    assert sheet.path.read_bytes() == before


def test_a_read_only_workbook_is_a_clear_error(sheet):
    backend = sheet.backend()
    backend.read()
    before = sheet.path.read_bytes()
    with read_only(sheet.path), pytest.raises(SheetError, match="is read-only"):
        backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    assert sheet.path.read_bytes() == before


def test_a_folder_nobody_may_write_in_is_a_clear_error(sheet):
    backend = sheet.backend()
    backend.read()
    before = sheet.path.read_bytes()
    with read_only(sheet.path.parent), pytest.raises(SheetError, match="cannot write next to .*make the folder"):
        backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    assert sheet.path.read_bytes() == before


def test_a_failed_save_leaves_the_old_file_and_no_temporary(sheet, monkeypatch):
    backend = sheet.backend()
    backend.read()
    before = sheet.path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", disk_full)
    with pytest.raises(SheetError, match="No space left on device"):
        backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    assert sheet.path.read_bytes() == before
    assert sorted(p.name for p in sheet.path.parent.iterdir()) == ["book.xlsx", "config.yaml"]


@pytest.mark.parametrize("mode", [0o664, 0o640, 0o600])
def test_a_save_keeps_the_workbooks_permissions(sheet, mode):
    sheet.path.chmod(mode)
    backend = sheet.backend()
    backend.read()
    backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    assert sheet.backend().read()  # the save did happen, into a new file swapped in
    assert sheet.path.stat().st_mode & 0o7777 == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another owner")
def test_a_save_keeps_the_workbooks_owner_and_group(sheet):
    """A shared workbook, Anna's (uid 1234) and the sales group's (gid 4321), that the worker writes
    through the group: a file of the worker's own would take the managers' write access."""
    os.chown(sheet.path, 1234, 4321)
    backend = sheet.backend()
    backend.read()
    backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    assert (sheet.path.stat().st_uid, sheet.path.stat().st_gid) == (1234, 4321)


def test_a_save_is_on_the_disk_before_it_takes_the_workbooks_place(sheet, monkeypatch):
    """Otherwise a power cut just after a run can leave an empty workbook (ext4, XFS, btrfs)."""
    done = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(fd):
        done.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def recorded_replace(old, new):
        done.append(("replace", str(old)))
        replace(old, new)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)
    backend = sheet.backend()
    backend.read()
    backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))
    ((_, temporary),) = [step for step in done if step[0] == "replace"]
    assert done == [("fsync", temporary), ("replace", temporary), ("fsync", str(sheet.path.parent))]


def test_a_workbook_reached_through_a_link_is_written_in_the_teams_own_file(sheet, config, tmp_path):
    """workbook.path links to the team's file in a shared folder: the run writes that file, and the
    link stays (a copy of the worker's own in its place would never be seen by the managers)."""
    sheet.put_rows("Leads", [IVAN])
    team = tmp_path / "shared" / "team.xlsx"
    team.parent.mkdir()
    sheet.path.rename(team)
    sheet.path.symlink_to(team)
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    assert sheet.path.is_symlink()
    assert openpyxl.load_workbook(team)["Touch log"]["B2"].value == "L-1"  # Ivan's first email
    (team.parent / ".~lock.team.xlsx#").write_text("Anna, in LibreOffice")
    with pytest.raises(SheetError, match="team.xlsx is open in LibreOffice or Excel"):
        sheet.backend().read()


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_workbook_gets_the_permissions_any_new_file_gets(make_config, umask, mode):
    config = make_config()
    before = os.umask(umask)
    try:
        XlsxSheet(config).init()
    finally:
        os.umask(before)
    assert config.workbook_path.stat().st_mode & 0o7777 == mode


def test_text_that_looks_like_a_formula_is_written_as_text(sheet):
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "x", "Created at": datetime(2026, 11, 2, 10, 0)}])
    backend = sheet.backend()
    backend.read()
    backend.write(Changes(cells=[CellWrite("Leads", 2, "Problem", '=HYPERLINK("http://evil.example")')]))
    cell = openpyxl.load_workbook(sheet.path)["Leads"].cell(2, 24)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example")', "s")


def test_a_control_character_in_a_value_cannot_stop_the_save(sheet):
    # openpyxl refuses \x01 (a mail server's odd reply quoted in a Problem): it is written as U+FFFD,
    # the rest of the text as it is
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "x", "Created at": datetime(2026, 11, 2, 10, 0)}])
    backend = sheet.backend()
    backend.read()
    backend.write(Changes(cells=[CellWrite("Leads", 2, "Problem", "550 unknown user\x01\nsee\tlog")]))
    assert sheet.rows("Leads")[0]["Problem"] == "550 unknown user\ufffd\nsee\tlog"


def test_manager_cells_and_unknown_columns_survive_a_sync_cell_for_cell(sheet, config, tmp_path):
    sheet.add_column("Leads", "My notes")
    sheet.put_rows(
        "Leads",
        [
            {
                "ID": "L-1",
                "Name": "Ivan Petrov",
                "Email": "ivan@example.com",
                "Phone": 79161234567,
                "Manager": "Anna Smith",
                "Source": '=HYPERLINK("x")',
                "Created at": "02.11.2026 10:00",
                "Stage": "Новый",
                "Birthday": datetime(1990, 5, 17),
                "Invoice amount": "12 500,50",
                "My notes": "VIP",
            },
            {"Name": "No ID yet", "Created at": datetime(2026, 11, 2, 11, 0), "My notes": 42},
            {"ID": "L-3", "Name": "Bad row", "Created at": "31.02.2026", "Stage": "lost", "My notes": "x"},
        ],
    )
    book = openpyxl.load_workbook(sheet.path)
    book["Leads"]["F3"] = "=A3&B3"  # a real formula in a manager column
    book["Leads"]["F3"].font = openpyxl.styles.Font(bold=True, color="FF0000")
    book.save(sheet.path)
    before = _manager_cells(sheet.path)
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 12:00"))
    after = _manager_cells(sheet.path)
    row3_id = after.pop(("Leads", 3, 1))
    assert row3_id == ("L-00004", "s")  # assigned: the one cell the worker filled
    assert before.pop(("Leads", 3, 1)) == (None, "n")
    assert after == before
    font = openpyxl.load_workbook(sheet.path)["Leads"]["F3"].font
    assert font.bold and font.color.rgb.endswith("FF0000")


def _manager_cells(path):
    """Every manager-owned and unknown cell (value, type) on Leads and Costs, by position."""
    book = openpyxl.load_workbook(path)
    found = {}
    sheet = book["Leads"]
    headers = [c.value for c in sheet[1]]
    worker = {c.name for c in LEADS.columns if c.owner.value == "worker"}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if headers[cell.column - 1] not in worker:
                found[("Leads", cell.row, cell.column)] = (cell.value, cell.data_type)
    return found


def test_the_kpi_charts_survive_every_save_and_are_never_doubled(sheet, tmp_path):
    """openpyxl reads back the charts of a workbook it loads; the worker replaces its own at each save."""
    outbox = Outbox(tmp_path / "out")
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "Ivan", "Created at": datetime(2026, 11, 2, 10, 0)}])
    run_once(sheet.config, sheet.backend(), outbox, at("2026-11-02 10:30"))
    first = sheet.charts("KPI")
    assert [c["title"] for c in first] == ["Funnel", "Leads in and new clients per week", "Discipline per week"]
    sheet.put_rows("Leads", [{"ID": "L-2", "Name": "Olga", "Created at": datetime(2026, 11, 3, 10, 0)}])  # a save
    run_once(sheet.config, sheet.backend(), outbox, at("2026-11-03 11:00"))
    assert sheet.charts("KPI") == first  # the same three, over the same cells


def test_pictures_and_charts_people_add_survive_syncs(sheet, tmp_path):
    """openpyxl keeps the pictures of a workbook it loads only when Pillow is there to read them."""
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "Ivan", "Created at": datetime(2026, 11, 2, 10, 0)}])
    sheet.put_rows("Costs", [{"Month": "2026-11", "Category": "ads", "Amount": 1000}])
    logo = tmp_path / "logo.png"
    PIL.Image.new("RGB", (60, 30), "navy").save(logo)
    book = openpyxl.load_workbook(sheet.path)
    book[sheet.title("Leads")].add_image(openpyxl.drawing.image.Image(logo), "Z2")
    costs = book[sheet.title("Costs")]
    chart = BarChart()
    chart.title = "Our costs"
    chart.add_data(Reference(costs, min_col=3, min_row=1, max_row=2), titles_from_data=True)
    costs.add_chart(chart, "E2")
    book.save(sheet.path)
    outbox = Outbox(tmp_path / "out")
    run_once(sheet.config, sheet.backend(), outbox, at("2026-11-02 10:30"))
    run_once(sheet.config, sheet.backend(), outbox, at("2026-11-03 11:00"))
    with zipfile.ZipFile(sheet.path) as z:
        assert [z.read(n) for n in z.namelist() if n.startswith("xl/media/")] == [logo.read_bytes()]
    (picture,) = openpyxl.load_workbook(sheet.path)[sheet.title("Leads")]._images
    assert (picture.anchor._from.col, picture.anchor._from.row) == (25, 1)  # Z2, where it was put
    assert [c["title"] for c in sheet.charts("Costs")] == ["Our costs"]
    assert len(sheet.charts("KPI")) == 3


def test_what_managers_typed_on_the_other_tabs_survives_syncs(sheet, config, tmp_path):
    """The Touch log rows typed by hand, Costs, a Due today row a manager is still working on, and
    a tab of the team's own (with a merged range and a cell comment) are as they were, cell for cell."""
    lead = {"ID": "L-1", "Name": "Ivan Petrov", "Email": "ivan@example.com", "Created at": "02.11.2026 10:00"}
    sheet.put_rows("Leads", [lead, {**lead, "ID": "L-2", "Email": "olga@example.com", "Name": "Olga Smirnova"}])
    typed = {"At": "02.11.2026 10:03", "Lead ID": "L-2", "Channel": "звонок", "Result": "reached", "Note": "by hand"}
    sheet.put_rows("Touch log", [typed])
    sheet.put_rows("Costs", [{"Month": "11.2026", "Category": "ads", "Amount": "12 000"}])
    book = openpyxl.load_workbook(sheet.path)
    own = book.create_sheet("Our notes")
    own.append(["plan", datetime(2026, 11, 30), 3.5, "=C1*2"])
    own.merge_cells("A3:B4")
    own["A1"].comment = openpyxl.comments.Comment("ask Boris", "Anna")
    book.save(sheet.path)
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    due = sheet.rows("Due today")
    row = 2 + next(i for i, r in enumerate(due) if r["Lead ID"] == "L-1")
    sheet.set("Due today", row, "Note", "calling after lunch")  # no tick yet: work in progress
    before = _cells(sheet.path, ["Touch log", "Costs", "Our notes"]), _manager_due_cells(sheet.path)
    run_once(config, sheet.backend(), outbox, at("2026-11-02 11:00"))
    run_once(config, sheet.backend(), outbox, at("2026-11-02 12:00"))
    log, costs, notes = _cells(sheet.path, ["Touch log", "Costs", "Our notes"])
    assert log[: len(before[0][0])] == before[0][0]  # the Touch log only grows below
    assert [costs, notes] == before[0][1:]
    assert _manager_due_cells(sheet.path) == before[1]
    assert before[1]["L-1/first-contact/2026-11-02"] == (False, None, None, "calling after lunch")
    book = openpyxl.load_workbook(sheet.path)
    assert book["Our notes"].merged_cells.ranges and book["Our notes"]["A1"].comment.text == "ask Boris"


def _cells(path, tabs):
    book = openpyxl.load_workbook(path)
    return [[[(c.value, c.data_type, c.number_format) for c in row] for row in book[tab].iter_rows()] for tab in tabs]


def _manager_due_cells(path):
    """Done, Result, Callback at and Note of each Due today row, by its Key."""
    book = openpyxl.load_workbook(path)
    rows = list(book["Due today"].iter_rows(values_only=True))
    at = {name: rows[0].index(name) for name in ("Key", "Done", "Result", "Callback at", "Note")}
    return {
        r[at["Key"]]: tuple(r[at[c]] for c in ("Done", "Result", "Callback at", "Note"))
        for r in rows[1:]
        if r[at["Key"]]
    }


def test_a_workbook_saved_by_someone_during_the_run_is_not_overwritten(sheet, config, tmp_path):
    """A manager opens the workbook while the emails go out, types, saves and closes it before the
    run writes: the run must not put back the workbook it read, wiping what they typed."""
    sheet.put_rows(
        "Leads", [{"ID": "L-1", "Name": "Ivan Petrov", "Email": "i@example.com", "Created at": "02.11.2026 10:00"}]
    )

    class ManagerSavesMeanwhile(Outbox):
        def send(self, message):
            super().send(message)
            sheet.set("Leads", 2, "Source", "typed while the run sent its emails")

    with pytest.raises(SheetError, match="changed while this run worked"):
        run_once(config, sheet.backend(), ManagerSavesMeanwhile(tmp_path / "out"), at("2026-11-02 10:05"))
    assert sheet.rows("Leads")[0]["Source"] == "typed while the run sent its emails"
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:10"))  # the next run
    (ivan,) = sheet.rows("Leads")
    assert ivan["Source"] == "typed while the run sent its emails" and ivan["Touches"] == 1
    assert [(r["Key"], r["Status"]) for r in sheet.rows("Touch log")] == [("L-1/d0/2026-11-02", "sent")]


def test_ticks_and_opt_outs_saved_by_libreoffice_read_as_yes_and_no(sheet, config, tmp_path):
    """LibreOffice saves every TRUE or FALSE cell as the formula =TRUE() or =FALSE() (with its value)."""
    ivan = {"ID": "L-1", "Name": "Ivan Petrov", "Email": "ivan@example.com", "Created at": "02.11.2026 10:00"}
    olga = {**ivan, "ID": "L-2", "Name": "Olga Smirnova", "Email": "olga@example.com", "Opt out": "=TRUE()"}
    sheet.put_rows("Leads", [{**ivan, "Opt out": "=FALSE()"}, olga])
    outbox = Outbox(tmp_path / "out")
    summary = run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    assert summary.lines()[0] == "emails sent: 1"  # Ivan's first email; Olga opted out
    assert [r["Problem"] for r in sheet.rows("Leads")] == [None, None]
    assert [r["Lead ID"] for r in sheet.rows("Due today")] == ["L-1"]  # his first call, on row 2
    sheet.set("Due today", 2, "Done", "=TRUE()")
    sheet.set("Due today", 2, "Result", "meeting")
    summary = run_once(config, sheet.backend(), outbox, at("2026-11-02 10:30"))
    assert "results recorded from Due today: 1" in summary.lines()
    assert sheet.rows("Leads")[0]["Stage"] == "meeting"


def test_a_formula_typed_on_due_today_stays_there_with_a_problem(sheet, config, tmp_path):
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "Ivan Petrov", "Created at": "02.11.2026 10:00"}])
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    sheet.set("Due today", 2, "Result", "callback")
    sheet.set("Due today", 2, "Callback at", "=TODAY()+1")  # "call him tomorrow"
    summary = run_once(config, sheet.backend(), outbox, at("2026-11-02 10:30"))
    assert summary.lines()[-1] == "workbook updated"
    (row,) = sheet.rows("Due today")  # not recorded: the formula is reported, not guessed at
    assert (row["Result"], row["Callback at"]) == ("callback", "=TODAY()+1")
    assert openpyxl.load_workbook(sheet.path)["Due today"]["N2"].data_type == "f"  # still a formula
    assert row["Problem"] == "Callback at: holds a formula (=TODAY()+1): type the value itself"


def test_an_array_formula_in_name_is_said_like_any_formula_and_no_email_goes(sheet, config, tmp_path):
    """Excel 365 saves its formulas (LibreOffice a Ctrl+Shift+Enter one) as array formulas:
    openpyxl hands them over as objects, not as '=...' text."""
    sheet.put_rows("Leads", [IVAN])
    sheet.set("Leads", 2, "Name", ArrayFormula("B2", '=PROPER("ivan petrov")'))
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    assert not (tmp_path / "out").exists()  # no "<openpyxl...ArrayFormula object>, thank you for your request"
    assert sheet.rows("Leads")[0]["Problem"].startswith('Name: holds a formula (=PROPER("ivan petrov"))')


def test_an_error_a_lookup_left_in_name_is_said_and_no_email_goes(sheet, config, tmp_path):
    """A VLOOKUP that failed, pasted as values: the cell holds the error #N/A, not the text."""
    sheet.put_rows("Leads", [IVAN])
    book = openpyxl.load_workbook(sheet.path)
    book["Leads"]["B2"].value, book["Leads"]["B2"].data_type = "#N/A", "e"
    book.save(sheet.path)
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    assert not (tmp_path / "out").exists()  # no "#N/A, thank you for your request"
    assert sheet.rows("Leads")[0]["Problem"].startswith("Name: holds the error #N/A a formula gave")


def test_an_array_formula_in_a_note_moves_with_its_task_over_its_own_cell(sheet, config, tmp_path):
    olga = {**IVAN, "ID": "L-2", "Name": "Olga Smirnova", "Email": "olga@example.com"}
    sheet.put_rows("Leads", [{**IVAN, "Manager": "Anna Smith"}, {**olga, "Manager": "Anna Smith"}])
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    sheet.set("Due today", 3, "Note", ArrayFormula("O3", '=UPPER("call at 5")'))  # on Olga's first call
    sheet.set("Due today", 2, "Done", True)  # Ivan's call made: Olga's task moves up to row 2
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:20"))
    (task,) = sheet.rows("Due today")
    assert (task["Lead ID"], task["Note"].ref, task["Note"].text) == ("L-2", "O2", '=UPPER("call at 5")')
    assert task["Problem"] == 'Note: holds a formula (=UPPER("call at 5")): type the value itself'


def test_a_date_typed_as_a_serial_number_in_a_mac_excel_workbook_is_read_on_its_calendar(sheet, config, tmp_path):
    """Mac Excel's 1904 calendar counts from 1904-01-01, 1462 days after the 1899-12-30 of the 1900 one."""
    sheet.put_rows("Leads", [{**IVAN, "Created at": 44866 + 10 / 24}])  # 2026-11-02 10:00: 46328 - 1462 days
    book = openpyxl.load_workbook(sheet.path)
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.save(sheet.path)
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    (task,) = sheet.rows("Due today")  # his first call, due on the day; not overdue since 2022-11-01
    assert (task["Step"], task["Due at"], task["Overdue"]) == ("first-contact", datetime(2026, 11, 2, 10, 0), False)


def test_a_word_a_manager_made_bold_inside_a_cell_is_read_as_text_and_stays_bold(sheet, config, tmp_path):
    name = CellRichText([TextBlock(InlineFont(b=True), "Ivan"), " Petrov"])
    sheet.put_rows("Leads", [{**IVAN, "Name": name}])
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    (email,) = (tmp_path / "out").glob("*.eml")
    assert "To: Ivan Petrov <ivan@example.com>" in email.read_text()
    assert openpyxl.load_workbook(sheet.path, rich_text=True)["Leads"]["B2"].value == name  # "Ivan" still bold


def _format_as_table(path, tab, name, ref, totals=False):
    book = openpyxl.load_workbook(path)
    table = ExcelTable(displayName=name, ref=ref, totalsRowCount=1 if totals else None)
    table._initialise_columns()
    book[tab].add_table(table)
    book.save(path)


def test_the_rows_a_run_writes_go_into_the_teams_tables_on_the_touch_log_and_due_today(sheet, config, tmp_path):
    """Format as Table: Excel takes a row typed right below a table in; the run's rows must go in
    too, or the table's filter and the team's Log[Lead ID] formulas never see them."""
    olga = {**IVAN, "ID": "L-2", "Name": "Olga Smirnova", "Email": "olga@example.com"}
    petr = {**IVAN, "ID": "L-3", "Name": "Petr Sidorov", "Email": "petr@example.com"}
    sheet.put_rows("Leads", [IVAN, olga, petr])
    sheet.put_rows("Touch log", [{"At": "02.11.2026 09:00", "Lead ID": "L-3", "Channel": "call", "Note": "by hand"}])
    _format_as_table(sheet.path, "Touch log", "Log", "A1:J2")  # the header and the row typed by hand
    _format_as_table(sheet.path, "Due today", "Tasks", "A1:Q2")  # the header and one empty row
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    book = openpyxl.load_workbook(sheet.path)
    assert book["Touch log"].tables["Log"].ref == "A1:J5"  # the three first emails: rows 3 to 5
    assert book["Due today"].tables["Tasks"].ref == "A1:Q3"  # Ivan's and Olga's first calls (Petr's was made)


def test_a_table_with_a_totals_row_on_the_touch_log_is_said_not_broken(sheet, config, tmp_path, caplog):
    sheet.put_rows("Leads", [IVAN])
    sheet.put_rows("Touch log", [{"At": "02.11.2026 09:00", "Lead ID": "L-1", "Channel": "call"}, {"Note": "1"}])
    _format_as_table(sheet.path, "Touch log", "Log", "A1:J3", totals=True)  # row 3: the totals, a count
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    assert openpyxl.load_workbook(sheet.path)["Touch log"].tables["Log"].ref == "A1:J3"
    assert "the rows this run wrote are outside table 'Log', below its totals row" in caplog.text


# an extension that links to a part of the file openpyxl drops
X14_SLICER = (
    '<ext uri="{A8765BA9-456A-4dab-B4F3-ACF838C121DE}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:slicerList><x14:slicer r:id="rId9"/></x14:slicerList></ext>'
)


@pytest.mark.filterwarnings("ignore:Data Validation extension is not supported")  # openpyxl, reading it back
def test_a_dropdown_excel_saved_from_a_list_on_another_tab_survives_every_run(sheet, config, tmp_path, caplog):
    sheet.put_rows("Leads", [IVAN])
    sheet.add_excel_manager_dropdown(X14_SLICER)
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:30"))
    xml = sheet.sheet_xml("Leads")
    assert xml.count("<xm:f>Lists!$A$1:$A$3</xm:f>") == 1 and 'xr:uid="{5D3A8B2C' in xml
    assert openpyxl.load_workbook(sheet.path)["Lists"]["A1"].value == "Anna Smith"  # a workbook openpyxl opens
    assert "x14:slicer" not in xml  # its slicer is gone with the part it linked to, and the run says so
    assert "tab 'Leads': a slicer or timeline Excel saved is lost" in caplog.text
    with zipfile.ZipFile(sheet.path) as z:
        assert {info.compress_type for info in z.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_heading_merged_across_leads_is_unmerged_so_the_run_can_write(sheet, config, tmp_path):
    ivan = {"ID": "L-1", "Name": "Ivan Petrov", "Email": "ivan@example.com", "Created at": "02.11.2026 10:00"}
    sheet.put_rows("Leads", [ivan, {**ivan, "ID": "L-2", "Name": "Olga Smirnova", "Email": "olga@example.com"}])
    book = openpyxl.load_workbook(sheet.path)
    book["Leads"].insert_rows(3)
    book["Leads"]["A3"] = "November"
    book["Leads"].merge_cells("A3:X3")  # across every column, the worker's too
    book.save(sheet.path)
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    leads = sheet.rows("Leads")
    # the heading is in the ID column, so it is read as a lead: its row gets the worker's values too
    assert [(r["ID"], r["Next touch at"] is not None) for r in leads] == [
        ("L-1", True),
        ("November", True),
        ("L-2", True),
    ]
    assert not openpyxl.load_workbook(sheet.path)["Leads"].merged_cells.ranges


def _merged_down(sheet, column, rows):
    """The team's way of grouping leads: one value typed in the first row, merged down over `rows`."""
    book = openpyxl.load_workbook(sheet.path)
    leads = book["Leads"]
    letter = openpyxl.utils.get_column_letter([c.value for c in leads[1]].index(column) + 1)
    leads.merge_cells(f"{letter}{rows[0]}:{letter}{rows[-1]}")
    book.save(sheet.path)


def test_a_manager_merged_down_over_a_group_of_leads_is_the_manager_of_each(sheet, config, tmp_path):
    lead = {"Email": "lead@example.com", "Created at": "02.11.2026 10:00", "Phone": "+7 900 111-22-33"}
    sheet.put_rows("Leads", [{**lead, "ID": f"L-{n}", "Name": f"Lead{n} Petrov"} for n in (1, 2, 3)])
    sheet.set("Leads", 2, "Manager", "Boris Clark")
    _merged_down(sheet, "Manager", [2, 3, 4])
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    # on screen all three are Boris's: so are their first-contact calls (none to "(no manager)")
    assert sorted((r["Lead"], r["Manager"]) for r in sheet.rows("Due today")) == [
        ("Lead1 Petrov", "Boris Clark"),
        ("Lead2 Petrov", "Boris Clark"),
        ("Lead3 Petrov", "Boris Clark"),
    ]


def test_a_stage_the_run_writes_under_a_merged_group_leaves_the_others_their_stage(sheet, config, tmp_path):
    lead = {"Email": "lead@example.com", "Created at": "02.11.2026 10:00", "Manager": "Anna Smith"}
    sheet.put_rows("Leads", [{**lead, "ID": f"L-{n}", "Name": f"Lead{n} Petrov"} for n in (1, 2, 3)])
    sheet.set("Leads", 2, "Stage", "new")
    _merged_down(sheet, "Stage", [2, 3, 4])
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    row = next(n for n, r in enumerate(sheet.rows("Due today"), 2) if r["Lead"] == "Lead2 Petrov")
    sheet.set("Due today", row, "Result", "meeting")
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 11:05"))
    # the range is unmerged so L-2's stage lands; L-1 and L-3 still read "new", as they showed
    assert [(r["ID"], r["Stage"]) for r in sheet.rows("Leads")] == [("L-1", "new"), ("L-2", "meeting"), ("L-3", "new")]


def test_the_log_grows_right_below_its_last_row_beside_a_formula_of_the_teams_filled_down(sheet, tmp_path):
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "Ivan", "Email": "i@example.com", "Created at": "02.11.2026 10:00"}])
    sheet.add_column("Touch log", "Week")
    book = openpyxl.load_workbook(sheet.path)
    for row in range(2, 102):  # column K, filled down ahead of the data
        book["Touch log"].cell(row, 11).value = f'=IF(A{row}="","",WEEKNUM(A{row}))'
    book.save(sheet.path)
    summary = run_once(sheet.config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    assert not [line for line in summary.lines() if "Touch log row" in line]  # no row "needs both At and Lead ID"
    log = sheet.grid("Touch log")
    assert (log[1][1], log[1][10]) == ("L-1", '=IF(A2="","",WEEKNUM(A2))')  # Ivan's first email, on row 2


def test_a_note_in_a_column_of_the_teams_own_on_due_today_moves_with_its_task(sheet, config, tmp_path):
    ivan = {"ID": "L-1", "Name": "Ivan Petrov", "Manager": "Anna Smith", "Created at": "02.11.2026 10:00"}
    olga = {**ivan, "ID": "L-2", "Name": "Olga Smirnova", "Manager": "Boris Clark"}
    sheet.put_rows("Leads", [ivan, olga])
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    assert [r["Lead ID"] for r in sheet.rows("Due today")] == ["L-1", "L-2"]  # their first calls
    sheet.add_column("Due today", "My notes")
    sheet.set("Due today", 2, "Done", True)  # Ivan's call is made: his row goes
    sheet.set("Due today", 3, "My notes", "Olga: angry last time, be careful")
    sheet.set("Due today", 5, "My notes", "team meeting at 17:00")  # on a row of no task
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:20"))
    assert [(r["Lead ID"], r["My notes"]) for r in sheet.rows("Due today")] == [
        ("L-2", "Olga: angry last time, be careful"),  # up a row, with her task
        (None, "team meeting at 17:00"),  # below the tasks
    ]


def test_a_note_whose_task_moves_onto_a_formula_of_the_teams_own_goes_below_the_tasks(sheet, config, tmp_path):
    ivan = {"ID": "L-1", "Name": "Ivan Petrov", "Manager": "Anna Smith", "Created at": "02.11.2026 10:00"}
    sheet.put_rows("Leads", [ivan, {**ivan, "ID": "L-2", "Name": "Olga Smirnova"}])
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    sheet.add_column("Due today", "Ours")
    sheet.set("Due today", 2, "Ours", "=LEN(D2)")  # the team's formula on row 2 stays there
    sheet.set("Due today", 3, "Ours", "Olga: call her wife, not her")
    sheet.set("Due today", 2, "Done", True)  # Ivan's call is made: Olga's task moves up onto the formula's row
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:20"))
    rows = sheet.rows("Due today")
    assert [(r["Lead ID"], r["Ours"]) for r in rows] == [("L-2", "=LEN(D2)"), (None, "Olga: call her wife, not her")]


def test_a_filter_saved_on_due_today_hides_no_task_after_a_run(sheet, config, tmp_path):
    ivan = {"ID": "L-1", "Name": "Ivan Petrov", "Manager": "Anna Smith", "Created at": "02.11.2026 10:00"}
    sheet.put_rows("Leads", [ivan, {**ivan, "ID": "L-2", "Name": "Olga Smirnova", "Manager": "Boris Clark"}])
    outbox = Outbox(tmp_path / "out")
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:05"))
    book = openpyxl.load_workbook(sheet.path)
    due = book["Due today"]
    due.auto_filter.add_filter_column(0, ["Anna Smith"])  # Anna shows only her tasks ...
    due.row_dimensions[3].hidden = True  # ... so Boris's, on row 3, is hidden
    book.save(sheet.path)
    petr = {**ivan, "ID": "L-3", "Name": "Petr Sidorov", "Created at": "02.11.2026 09:30"}
    sheet.put_rows("Leads", [petr])  # Anna's too, due first: her tasks now fill rows 2 and 3
    run_once(config, sheet.backend(), outbox, at("2026-11-02 10:20"))
    due = openpyxl.load_workbook(sheet.path)["Due today"]
    assert [due.cell(row, 4).value for row in (2, 3, 4)] == ["L-3", "L-1", "L-2"]
    assert not any(due.row_dimensions[row].hidden for row in (2, 3, 4))
    assert (due.auto_filter.ref.startswith("A1:"), due.auto_filter.filterColumn) == (True, [])  # the dropdowns stay
