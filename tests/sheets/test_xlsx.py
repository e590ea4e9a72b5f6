"""The local workbook: init, clear errors, atomic saves, formulas, and manager data that survives."""

from __future__ import annotations

import os
from datetime import datetime

import openpyxl
import pytest

from tests.builders import at
from tests.sheets.fixtures import XlsxSheet
from touchsheet.errors import SheetError
from touchsheet.mail.outbox import Outbox
from touchsheet.schema import DUE_TODAY, LEADS
from touchsheet.sheets.changes import CellWrite, Changes
from touchsheet.sync import run_once


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


def test_a_missing_column_is_one_clear_error(sheet):
    book = openpyxl.load_workbook(sheet.path)
    book["Leads"].delete_cols(7)  # Created at
    book.save(sheet.path)
    with pytest.raises(SheetError, match="Tab 'Leads' has no column 'Created at'. Fix: run `python -m touchsheet init"):
        sheet.backend().read()


def test_a_missing_tab_is_one_clear_error(sheet):
    book = openpyxl.load_workbook(sheet.path)
    del book["Touch log"]
    book.save(sheet.path)
    with pytest.raises(SheetError, match="has no tab 'Touch log'"):
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


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_workbook_is_a_clear_error(sheet):
    backend = sheet.backend()
    backend.read()
    sheet.path.chmod(0o444)
    with pytest.raises(SheetError, match="is read-only"):
        backend.write(Changes(appends={"Costs": [{"Month": "2026-11", "Amount": 1}]}))


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


def test_text_that_looks_like_a_formula_is_written_as_text(sheet):
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "x", "Created at": datetime(2026, 11, 2, 10, 0)}])
    backend = sheet.backend()
    backend.read()
    backend.write(Changes(cells=[CellWrite("Leads", 2, "Problem", '=HYPERLINK("http://evil.example")')]))
    cell = openpyxl.load_workbook(sheet.path)["Leads"].cell(2, 24)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example")', "s")


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
    """openpyxl drops the charts of a workbook it loads; the worker draws its own again at each save."""
    outbox = Outbox(tmp_path / "out")
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "Ivan", "Created at": datetime(2026, 11, 2, 10, 0)}])
    run_once(sheet.config, sheet.backend(), outbox, at("2026-11-02 10:30"))
    first = sheet.charts("KPI")
    assert [c["title"] for c in first] == ["Funnel", "Leads in and new clients per week", "Discipline per week"]
    sheet.put_rows("Leads", [{"ID": "L-2", "Name": "Olga", "Created at": datetime(2026, 11, 3, 10, 0)}])  # a save
    run_once(sheet.config, sheet.backend(), outbox, at("2026-11-03 11:00"))
    assert sheet.charts("KPI") == first  # the same three, over the same cells
