"""The local Sheets API emulator in a process of its own, holding a benchmark base, so that a process
that syncs measures only its own time and memory.

    python -m bench.sheets_server FOLDER LEADS

FOLDER holds the measure's config.yaml (google backend); the service account's key file is written
beside it. The spreadsheet is laid out by touchsheet's own `init`, then filled with the base. The
process prints {"url": ..., "base": {...}} as one line, then answers one command per line on stdin
with one JSON line:

    mark          count from here
    traffic       {"count": 3, "calls": ["values.batchGet", ...], "received": bytes, "sent": bytes} since the mark
    writes PATH   save the ranges of the last batchGet and the data of the values batchUpdates
                  after it (the run's write) to PATH (what the floor replays)
    grid          {"cells": rows x columns of every tab}: what Google counts against its 10 million

The process stops when its stdin closes.
"""

from __future__ import annotations

import gc
import itertools
import json
import sys
from pathlib import Path
from typing import Any

from bench import bases
from tests.emulator import SheetsEmulator
from touchsheet.config import load
from touchsheet.schema import TABS
from touchsheet.sheets.google import GoogleWorkbook

ACCOUNT = "touchsheet@bench.iam.gserviceaccount.com"


def serve(folder: Path, leads: int) -> None:
    config = load(folder / "config.yaml")
    with SheetsEmulator() as emu:
        info = emu.service_account(ACCOUNT)
        (folder / bases.ACCOUNT_FILE).write_text(json.dumps(info), encoding="utf-8")
        key = config.workbook.spreadsheet_key
        emu.create_spreadsheet("Team CRM", tabs={}, share_with=[ACCOUNT], key=key)
        GoogleWorkbook(
            key, lambda: _credentials(info), config.locale, emu.url, cache=config.state_file("tabs.json")
        ).init()
        base = _fill(emu, key, config, leads)
        # The emulator stands in for Google's servers: a pass of its cycle collector over millions of
        # cells would take seconds, in whichever call (the run's or the floor's) it happened to fall.
        gc.disable()
        _answer({"url": emu.url, "base": base})
        mark = 0
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "mark":
                mark = len(emu.calls)
                _answer({"ok": True})
            elif command == "traffic":
                _answer(_traffic(emu.calls[mark:]))
            elif command == "writes":
                Path(argument).write_text(json.dumps(_last_writes(emu.calls[mark:])), encoding="utf-8")
                _answer({"ok": True})
            elif command == "grid":
                views = [emu.sheet(key, tab.label(config.locale)) for tab in TABS]
                _answer({"cells": sum(view.row_count * view.column_count for view in views)})


def _credentials(info: dict[str, str]) -> Any:
    from google.oauth2 import service_account

    from touchsheet.sheets.gapi import SCOPES

    return service_account.Credentials.from_service_account_info(info, scopes=SCOPES)


def _fill(emu: SheetsEmulator, key: str, config: Any, leads: int) -> dict[str, int]:
    """Paste the base into the spreadsheet, as a team moving its client base in would."""
    base = bases.base_of(config, leads)
    titles = {tab.name: tab.label(config.locale) for tab in TABS}
    for name, grid in bases.grids(config, base).items():
        emu.set_values(key, titles[name], grid)
    return bases.describe(base)


def _traffic(calls: list[Any]) -> dict[str, Any]:
    """How many calls, which in order ("values.update x2000" for a run of the same), and the bytes."""
    runs = [(name, len(list(same))) for name, same in itertools.groupby(_method(c) for c in calls)]
    return {
        "count": len(calls),
        "calls": [name if times == 1 else f"{name} x{times}" for name, times in runs],
        "received": sum(c.received for c in calls),
        "sent": sum(c.sent for c in calls),
    }


def _method(call: Any) -> str:
    """The API method a call was, by Google's name: values.batchGet, spreadsheets.batchUpdate..."""
    path = call.path
    for ending, name in ((":append", "values.append"), ("/values:batchGet", "values.batchGet")):
        if path.endswith(ending):
            return name
    if path.endswith("/values:batchUpdate"):
        return "values.batchUpdate"
    if path.endswith(":batchUpdate"):
        return "spreadsheets.batchUpdate"
    if "/values/" in path:
        return "values.update" if call.method == "PUT" else "values.get"
    return "spreadsheets.get"


def _last_writes(calls: list[Any]) -> dict[str, Any]:
    read = max(i for i, c in enumerate(calls) if _method(c) == "values.batchGet")
    data = [item for c in calls[read:] if _method(c) == "values.batchUpdate" for item in c.body["data"]]
    return {"ranges": calls[read].query["ranges"], "data": data}


def _answer(value: dict[str, Any]) -> None:
    print(json.dumps(value), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
