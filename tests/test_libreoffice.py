"""The demo workbook opens in LibreOffice (headless) with every tab filled, and the KPI tab's charts
render: the tab is exported to PDF and one page of it to pixels. What Excel saved that openpyxl
cannot read, carried over by a run, LibreOffice reads."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import at
from tests.sheets.fixtures import XlsxSheet
from touchsheet.cli import cli
from touchsheet.mail.outbox import Outbox
from touchsheet.sync import run_once

SOFFICE = shutil.which("soffice")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")]
ALL_SHEETS_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lo") / "demo"
    assert CliRunner().invoke(cli, ["demo", "--dir", str(folder), "--now", "2026-11-23T10:30"]).exit_code == 0
    return folder / "touchsheet.xlsx"


def _convert(workbook: Path, to: str, out: Path) -> None:
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{out}/profile", "--headless", "--convert-to", to, "--outdir", str(out)]
        + [str(workbook)],
        check=True,
        capture_output=True,
        timeout=180,
    )


def test_libreoffice_reads_every_tab_of_the_demo(demo, tmp_path):
    _convert(demo, ALL_SHEETS_AS_CSV, tmp_path)
    tabs = {}
    for name in ("Leads", "Touch log", "Due today", "KPI", "Costs"):
        with open(tmp_path / f"touchsheet-{name}.csv", encoding="utf-8") as f:
            tabs[name] = list(csv.reader(f))
    assert tabs["Leads"][0][:3] == ["ID", "Name", "Email"]
    assert len(tabs["Leads"]) > 200
    assert len(tabs["Touch log"]) > 500
    assert len(tabs["Due today"]) > 10 and tabs["Due today"][0][0] == "Manager"
    assert tabs["KPI"][0][:2] == ["KPI", "2026-11-23 10:30:00"]
    assert tabs["KPI"][2][:4] == ["Figure", "This week", "This month", "Last 12 weeks"]
    leads_in = tabs["KPI"][3]
    assert leads_in[0] == "Leads in" and all(v.isdigit() for v in leads_in[1:4])  # numbers, not text
    assert len(tabs["Costs"]) == 25


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_kpi_charts_render(demo, tmp_path):
    _convert(demo, "pdf", tmp_path)
    pdf = tmp_path / "touchsheet.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    kpi = next(i for i, text in enumerate(pages.stdout.split("\f")) if "What each figure means" in text) + 1
    text = pages.stdout.split("\f")[kpi - 1]
    assert "Leads in and new clients per week" in text and "Discipline per week" in text  # the charts' titles
    subprocess.run(
        ["pdftoppm", "-f", str(kpi), "-l", str(kpi), "-r", "40", str(pdf), str(tmp_path / "kpi")], check=True
    )
    pixels = _ppm(next(tmp_path.glob("kpi*.ppm")))
    coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 100)
    # Text and tables print black on white; only the charts' bars and lines are in colour.
    assert coloured > 300, coloured


@pytest.mark.filterwarnings("ignore:Data Validation extension is not supported")  # openpyxl, reading it back
def test_libreoffice_keeps_the_manager_dropdown_excel_saved_after_a_run(config, tmp_path):
    """Excel's dropdown fed from a list on another tab, carried over by a run (openpyxl drops it):
    LibreOffice reads it from the file the run saved and writes it out again."""
    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [{"ID": "L-1", "Name": "Ivan Petrov", "Created at": "02.11.2026 10:00"}])
    sheet.add_excel_manager_dropdown()
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    _convert(sheet.path, "xlsx", tmp_path / "lo")
    leads = openpyxl.load_workbook(tmp_path / "lo" / sheet.path.name)["Leads"]
    assert ("Lists!$A$1:$A$3", "E2:E1000") in [
        (v.formula1, str(v.sqref)) for v in leads.data_validations.dataValidation
    ]


def _ppm(path: Path) -> list[tuple[int, int, int]]:
    """The pixels of a binary PPM (P6) file, as pdftoppm writes it."""
    data = path.read_bytes()
    magic, width, height, depth, raster = data.split(maxsplit=4)
    assert magic == b"P6" and int(depth) == 255
    raster = raster[: int(width) * int(height) * 3]
    return [tuple(raster[i : i + 3]) for i in range(0, len(raster), 3)]
