"""The benchmark's bases, on either backend, and the config every measure runs with.

Every measure starts from the same deterministic base (bench/generate.py, seed 1) and the shipped
config.yaml, with three changes: the workbook is the benchmark's, emails go to the outbox, and the
daily cap is lifted so each run sends its per-run cap (200), as a team with a mailing service would.
The Status tab already shows the benchmark host's lease, as after any earlier run of that host.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from bench.generate import Base, generate
from touchsheet.config import Config
from touchsheet.engine.status import Lease, RunReport, status_grid
from touchsheet.schema import TABS
from touchsheet.sheets.changes import cell_value
from touchsheet.sheets.xlsx import XlsxWorkbook

ROOT = Path(__file__).resolve().parent.parent
FIRST_RUN = datetime(2026, 11, 24, 11, 0)  # a Tuesday morning in the config's time zone
NEXT_DAY = FIRST_RUN + timedelta(days=1)  # the first run of the next day: Due today rebuilt
TEN_MINUTES_LATER = NEXT_DAY + timedelta(minutes=10)  # a quiet run
HOST = "bench"
TOUCHES_PER_LEAD = 5  # about 4.9 log rows a lead: 100,000 leads hold 7.3 million cells, under Google's 10 million
SEED = 1
DAILY_CAP = 1_000_000
# A host syncing every 10 minutes always finds its own lease still held; the measured runs are a day
# apart, so the lease is made to last two days (a run that must claim the sheet makes two calls more).
LEASE_MINUTES = 2 * 24 * 60
WORKBOOK_FILE = "touchsheet.xlsx"
ACCOUNT_FILE = "service-account.json"


def write_config(folder: Path, backend: str, key: str = "", mail: dict[str, Any] | None = None) -> Path:
    """config.yaml for a measure in `folder`: the shipped one, on this workbook, mail to the outbox
    (or as `mail` says)."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["templates_dir"] = str(ROOT / "templates")
    outbox = {"transport": "outbox", "outbox_dir": "outbox", "daily_cap": DAILY_CAP}
    data["mail"] = {**data["mail"], **(mail or outbox)}
    data["worker"] = {**data.get("worker", {}), "lease_minutes": LEASE_MINUTES}
    if backend == "google":
        data["workbook"] = {"backend": "google", "spreadsheet": key, "credentials_file": ACCOUNT_FILE}
    else:
        data["workbook"] = {"backend": "xlsx", "path": WORKBOOK_FILE}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def moment(config: Config, naive: datetime) -> datetime:
    return naive.replace(tzinfo=config.tz)


def base_of(config: Config, leads: int) -> Base:
    return generate(config, moment(config, FIRST_RUN), leads, TOUCHES_PER_LEAD, SEED)


def grids(config: Config, base: Base) -> dict[str, list[list[Any]]]:
    """Every tab's cells (header first) by English tab name: the base, and the host's lease."""
    return {"Leads": base.leads, "Touch log": base.log, "Costs": base.costs, "Status": lease(config)}


def lease(config: Config) -> list[list[Any]]:
    """The Status tab as the benchmark host's last run left it: the host holds the sheet."""
    report = RunReport(moment(config, FIRST_RUN), moment(config, FIRST_RUN), "ok")
    until = report.finished + timedelta(minutes=config.worker.lease_minutes)
    grid = status_grid(report, Lease(HOST, until), config.locale)
    return [[cell_value(v, config.locale, config.tz) for v in row] for row in grid]


def describe(base: Base) -> dict[str, int]:
    return {"leads": len(base.leads) - 1, "log_rows": len(base.log) - 1, "cells": base.cells}


def write_workbook(config: Config, tabs: dict[str, list[list[Any]]]) -> None:
    """The local workbook as `init` lays it out, holding these tabs' rows (headers first, as init
    writes them, except on the grid tab Status)."""
    XlsxWorkbook(config.workbook_path, config.locale).init()
    book = openpyxl.load_workbook(config.workbook_path)
    for tab in TABS:
        sheet = book[tab.label(config.locale)]
        for row in tabs.get(tab.name, [])[1 if tab.columns else 0 :]:
            sheet.append(row)
    book.save(config.workbook_path)
