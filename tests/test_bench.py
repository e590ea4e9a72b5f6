"""The benchmark command, end to end at tiny sizes, so that it cannot rot. Its timings are not
checked here (they belong to docs/benchmarks.md): only that it runs, writes every table, and that
a run costs the same API calls at either size, three at the most."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.server]

TABLES = (
    "Targets",
    "The bases",
    "Wall time of a run (seconds)",
    "API calls per run",
    "Peak memory of the process that runs (MiB)",
    "Against the floor (Google, next day)",
    "The naive way (gspread, same emulator, same base)",
    "Email over SMTP (one run, loopback aiosmtpd server)",
    "How it is measured",
)


def test_the_benchmark_writes_its_doc_and_a_run_costs_the_same_calls_at_any_size(tmp_path):
    out = tmp_path / "benchmarks.md"
    command = [sys.executable, "-m", "bench", "--quick", "--sizes", "200,400", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    doc = out.read_text(encoding="utf-8")
    assert [title for title in TABLES if f"## {title}" not in doc] == []
    assert "cores" in doc and "Python 3." in doc  # the machine
    assert out.with_suffix(".json").exists()
    calls = rows(doc, "API calls per run")  # leads -> first run, next day, 10 minutes later, floor
    assert set(calls) == {"200", "400"}
    assert calls["200"] == calls["400"]
    first, next_day, later, floor = (int(n) for n in calls["200"])
    assert first <= 3 and next_day <= 3 and later <= 3 and floor == 2


def rows(doc: str, title: str) -> dict[str, list[str]]:
    """A table of the doc: its first column -> the other cells, for each data row."""
    lines = doc.split(f"## {title}\n\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return {row[0]: row[1:] for row in cells}
