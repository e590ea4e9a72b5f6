"""The whole benchmark: every measure at every size, each in a fresh process, the Sheets API
emulator in a process of its own. Returns the results; report.py turns them into the doc."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import bases


@dataclass(frozen=True)
class Scale:
    """How much of the slow things to do: the naive script's rows, the emails of the mail measure."""

    naive_rows: dict[str, int]  # mode (row, cell) -> rows written before extrapolating
    emails: int


FULL = Scale(naive_rows={"row": 2000, "cell": 250}, emails=1000)
QUICK = Scale(naive_rows={"row": 20, "cell": 5}, emails=50)


def run(sizes: list[int], scale: Scale, progress: Any = print) -> dict[str, Any]:
    results: dict[str, Any] = {"sizes": {}}
    with tempfile.TemporaryDirectory(prefix="touchsheet-bench-") as work:
        for size in sizes:
            progress(f"{size} leads: Google Sheet (emulated)")
            google = _google(Path(work) / f"google-{size}", size, scale)
            progress(f"{size} leads: local workbook")
            xlsx = _xlsx(Path(work) / f"xlsx-{size}", size)
            results["sizes"][size] = {"google": google, "xlsx": xlsx}
        progress(f"{scale.emails} emails over SMTP")
        results["mail"] = measure("mail", Path(work) / "mail", count=scale.emails)
    return results


def _google(folder: Path, size: int, scale: Scale) -> dict[str, Any]:
    bases.write_config(folder, "google", key=f"1bench{size}")
    with Emulator(folder, size) as emu:
        found: dict[str, Any] = {"base": emu.base}
        found["first"] = emu.measured("sync", when=bases.FIRST_RUN.isoformat())
        found["engine"] = measure("engine", folder, when=bases.NEXT_DAY.isoformat(), url=emu.url)
        found["daily"] = emu.measured("sync", when=bases.NEXT_DAY.isoformat())
        emu.ask(f"writes {folder / 'writes.json'}")
        found["grid_cells"] = emu.ask("grid")["cells"]
        found["quiet"] = emu.measured("sync", when=bases.TEN_MINUTES_LATER.isoformat())
        found["floor"] = emu.measured("floor", writes=str(folder / "writes.json"))
        found["naive"] = {
            mode: emu.measured("naive", mode=mode, rows=min(rows, size)) for mode, rows in scale.naive_rows.items()
        }
    return found


def _xlsx(folder: Path, size: int) -> dict[str, Any]:
    bases.write_config(folder, "xlsx")
    found: dict[str, Any] = {"base": measure("xlsx_base", folder, leads=size)}
    found["first"] = measure("sync", folder, when=bases.FIRST_RUN.isoformat())
    found["engine"] = measure("engine", folder, when=bases.NEXT_DAY.isoformat())
    found["daily"] = measure("sync", folder, when=bases.NEXT_DAY.isoformat())
    return found


def measure(name: str, folder: Path, **arguments: Any) -> dict[str, Any]:
    """One measure in a fresh process (see measure.py)."""
    command = [sys.executable, "-m", "bench.measure", name, str(folder), json.dumps(arguments)]
    done = subprocess.run(command, cwd=bases.ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"measure {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Emulator:
    """bench/sheets_server.py running in its own process, asked for its traffic around each measure."""

    def __init__(self, folder: Path, size: int) -> None:
        self.folder, self.size = folder, size

    def __enter__(self) -> Emulator:
        command = [sys.executable, "-m", "bench.sheets_server", str(self.folder), str(self.size)]
        self.process = subprocess.Popen(
            command, cwd=bases.ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        started = self._answer()
        self.url, self.base = started["url"], started["base"]
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._answer()

    def measured(self, name: str, **arguments: Any) -> dict[str, Any]:
        """A measure against this emulator, with the API calls and bytes it made."""
        self.ask("mark")
        found = measure(name, self.folder, url=self.url, **arguments)
        found["traffic"] = self.ask("traffic")
        return found

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the emulator process stopped (exit status {self.process.wait()})")
        return json.loads(line)
