"""The demo workbook opens in LibreOffice (headless) with every tab filled."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from touchsheet.cli import cli

SOFFICE = shutil.which("soffice")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")]
ALL_SHEETS_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def test_libreoffice_reads_every_tab_of_the_demo(tmp_path):
    folder = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--dir", str(folder), "--now", "2026-11-23T10:30"]).exit_code == 0
    out = tmp_path / "csv"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            ALL_SHEETS_AS_CSV,
            "--outdir",
            str(out),
            str(folder / "touchsheet.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    tabs = {}
    for name in ("Leads", "Touch log", "Due today", "KPI", "Costs"):
        with open(out / f"touchsheet-{name}.csv", encoding="utf-8") as f:
            tabs[name] = list(csv.reader(f))
    assert tabs["Leads"][0][:3] == ["ID", "Name", "Email"]
    assert len(tabs["Leads"]) > 200
    assert len(tabs["Touch log"]) > 500
    assert len(tabs["Due today"]) > 10 and tabs["Due today"][0][0] == "Manager"
    assert tabs["KPI"][0][0] == "KPI" and tabs["KPI"][3][:2] == ["Leads", "197"]
    assert len(tabs["Costs"]) == 25
