"""One measure, run in a fresh process so its peak memory is its own:

    python -m bench.measure NAME FOLDER [ARGUMENTS-AS-JSON]

prints one JSON line: what was measured, and `peak_mib`, the process's peak resident memory
(getrusage ru_maxrss: the interpreter and libraries included). FOLDER holds the measure's
config.yaml; ARGUMENTS name the emulator's URL and the moment of the run.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import bases
from touchsheet.cli import open_transport, open_workbook
from touchsheet.config import Config, load
from touchsheet.engine.absorb import absorb
from touchsheet.engine.kpi import compute_kpi
from touchsheet.engine.model import Status
from touchsheet.engine.parse import parse_book
from touchsheet.engine.plan import plan
from touchsheet.sheets import Workbook
from touchsheet.sync import cycle_collection_paused, run_once


def sync(folder: Path, when: str, url: str = "") -> dict[str, Any]:
    """One whole run (read, plan, send, write back), timed from the call to its return."""
    config = load(folder / "config.yaml")
    workbook, transport = _workbook(config, url), open_transport(config)
    began = time.perf_counter()
    summary = run_once(config, workbook, transport, _moment(config, when), me=bases.HOST)
    wall = time.perf_counter() - began
    return {
        "wall": wall,
        "emails": summary.emails[Status.SENT],
        "tasks": summary.tasks,
        "problem_rows": summary.problem_rows,
        "file_bytes": config.workbook_path.stat().st_size if not url else None,
    }


def engine(folder: Path, when: str, url: str = "") -> dict[str, Any]:
    """The pure engine alone on the tabs as the backend reads them: parse (cells -> leads and
    touches), absorb (Due today results -> touches), plan (touches owed, emails, tasks, the worker's
    columns), KPI (the owner's numbers), as a run does it (the cyclic garbage collector paused). The
    read is not timed."""
    config = load(folder / "config.yaml")
    tables = _workbook(config, url).read()
    now = _moment(config, when)
    with cycle_collection_paused():
        began = time.perf_counter()
        book = parse_book(tables, config.tz, now, config.id_prefix, config.managers)
        parsed = time.perf_counter()
        book = absorb(book, config, now)
        absorbed = time.perf_counter()
        planned_run = plan(book, config, now)
        planned = time.perf_counter()
        compute_kpi(book, planned_run, config, now)
        counted = time.perf_counter()
    return {
        "parse": parsed - began,
        "absorb": absorbed - parsed,
        "plan": planned - absorbed,
        "kpi": counted - planned,
        "engine": counted - began,
    }


def floor(folder: Path, writes: str, url: str) -> dict[str, Any]:
    """What the same data costs with no logic at all: one batchGet of the ranges the run read and
    one values batchUpdate of the cells it wrote (more if they do not fit one request, as the run's),
    through the same HTTP client."""
    from touchsheet.sheets.gapi import SheetsApi, fitting, load_credentials, update_body

    config = load(folder / "config.yaml")
    requests = json.loads(Path(writes).read_text(encoding="utf-8"))
    data = requests["data"]
    credentials = load_credentials(config.resolve(config.workbook.credentials_file), "")
    with cycle_collection_paused():  # as a run is: the cells read are not walked by the collector
        began = time.perf_counter()
        api = SheetsApi(config.workbook.spreadsheet_key, credentials, url)
        api.batch_get(requests["ranges"])
        for _, _, body in fitting(len(data), lambda start, stop: update_body(data[start:stop], echo=False)):
            api.update(body)
        wall = time.perf_counter() - began
    return {"wall": wall}


def xlsx_base(folder: Path, leads: int) -> dict[str, Any]:
    """Set-up, not a measure: the local workbook holding the base."""
    config = load(folder / "config.yaml")
    base = bases.base_of(config, leads)
    bases.write_workbook(config, bases.grids(config, base))
    return bases.describe(base)


def _workbook(config: Config, url: str) -> Workbook:
    if not url:
        return open_workbook(config)
    from touchsheet.sheets.gapi import load_credentials
    from touchsheet.sheets.google import GoogleWorkbook

    settings = config.workbook
    return GoogleWorkbook(
        settings.spreadsheet_key,
        lambda: load_credentials(config.resolve(settings.credentials_file), settings.credentials_env),
        config.locale,
        url,
        cache=config.state_file("tabs.json"),
    )


def _moment(config: Config, when: str) -> datetime:
    return bases.moment(config, datetime.fromisoformat(when))


MEASURES = {"sync": sync, "engine": engine, "floor": floor, "xlsx_base": xlsx_base}


def main(argv: list[str]) -> None:
    from bench import mail, naive

    measures = MEASURES | {"naive": naive.naive, "mail": mail.send_due}
    name, folder = argv[0], Path(argv[1])
    arguments = json.loads(argv[2]) if len(argv) > 2 else {}
    found = measures[name](folder, **arguments)
    found["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(found), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
