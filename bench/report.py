"""The results as docs/benchmarks.md: the machine, a table per measure, and each target against
what was measured."""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path
from typing import Any

from bench import bases
from bench.run import Scale

QUOTA = 60  # requests a minute a user may make to the Sheets API
GOOGLE_CELLS = 10_000_000  # cells a spreadsheet may hold, every cell of every tab counted
GIB = 1024  # MiB


def machine() -> dict[str, str]:
    return {
        "cpu": _proc("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU",
        "cores": str(os.cpu_count()),
        "ram": f"{int(_proc('/proc/meminfo', 'MemTotal').split()[0]) / 1024**2:.1f} GiB"
        if _proc("/proc/meminfo", "MemTotal")
        else "unknown",
        "python": platform.python_version(),
        "os": platform.platform(),
        "date": date.today().isoformat(),
    }


def _proc(path: str, key: str) -> str:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "")


def markdown(results: dict[str, Any], scale: Scale, command: str) -> str:
    sizes = results["sizes"]
    m = results["machine"]
    parts = [
        HEADER.format(command=command),
        f"Measured on {m['date']}: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['os']}, Python {m['python']}.",
        _targets(results),
        _bases(sizes),
        _wall(sizes),
        _engine(sizes),
        _calls(sizes),
        _bytes(sizes),
        _memory(sizes),
        _floor(sizes),
        _naive(sizes),
        _mail(results["mail"]),
        METHOD.format(
            first=bases.FIRST_RUN,
            next_day=bases.NEXT_DAY,
            later=bases.TEN_MINUTES_LATER,
            touches=bases.TOUCHES_PER_LEAD,
            seed=bases.SEED,
            row=scale.naive_rows["row"],
            cell=scale.naive_rows["cell"],
        ),
    ]
    return "\n\n".join(parts) + "\n"


HEADER = """# Benchmarks

What one touchsheet run costs as the client base grows: on a Google Sheet (the local Sheets API
emulator, over loopback HTTP, in a process of its own) and on the local workbook; next to the floor
(the same read and write with no logic at all) and to the naive way (a gspread script that writes
row by row or cell by cell). How each figure is measured is at the end.

Re-run: `{command}` (it writes this file, and every raw figure in benchmarks.json beside it)."""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def _size(count: int) -> str:
    return f"{count / 1e3:.0f} kB" if count < 1e6 else f"{count / 1e6:.1f} MB"


def _calls(sizes: dict[int, Any]) -> str:
    rows = []
    for size, r in sizes.items():
        g = r["google"]
        rows.append([_n(size)] + [_count(g[run]) for run in ("first", "daily", "quiet", "floor")])
    return (
        "## API calls per run\n\n"
        + _table(["leads", "first run", "next day", "10 minutes later", "floor"], rows)
        + "\n\n"
        + _call_names(sizes)
    )


def _count(found: dict[str, Any]) -> str:
    return str(found["traffic"]["count"])


def _call_names(sizes: dict[int, Any]) -> str:
    google = sizes[max(sizes)]["google"]
    said = {run: ", ".join(google[run]["traffic"]["calls"]) for run in ("first", "daily", "quiet")}
    return (
        f"The calls at {_n(max(sizes))} leads: first run {said['first']}; next day {said['daily']}; "
        f"ten minutes later {said['quiet']}."
    )


GRID = f"grid cells of the Google Sheet (its limit: {GOOGLE_CELLS:,})"


def _bases(sizes: dict[int, Any]) -> str:
    rows = []
    for size, r in sizes.items():
        base, daily = r["google"]["base"], r["google"]["daily"]
        rows.append(
            [
                _n(size),
                _n(base["log_rows"]),
                _n(base["cells"]),
                _n(r["google"]["grid_cells"]),
                _size(r["xlsx"]["first"]["file_bytes"]),
                _n(daily["tasks"]),
                _n(daily["emails"]),
                _n(daily["problem_rows"]),
            ]
        )
    header = [
        *("leads", "Touch log rows", "cells", GRID, "workbook file"),
        *("tasks due (next day)", "emails a run", "rows with a problem"),
    ]
    return "## The bases\n\n" + _table(header, rows)


RUNS = (("google", "first"), ("google", "daily"), ("google", "quiet"), ("xlsx", "first"), ("xlsx", "daily"))
RUN_NAMES = [
    "Google: first run",
    "Google: next day",
    "Google: 10 minutes later",
    "workbook: first run",
    "workbook: next day",
]


def _by_run(sizes: dict[int, Any], title: str, shown: Any) -> str:
    """A table of one figure of each run (Google's three, the workbook's two) at each size."""
    rows = [[_n(size)] + [shown(r[backend][run]) for backend, run in RUNS] for size, r in sizes.items()]
    return f"## {title}\n\n" + _table(["leads", *RUN_NAMES], rows)


def _wall(sizes: dict[int, Any]) -> str:
    return _by_run(sizes, "Wall time of a run (seconds)", lambda found: _s(found["wall"]))


def _engine(sizes: dict[int, Any]) -> str:
    rows = []
    for size, r in sizes.items():
        g, x = r["google"]["engine"], r["xlsx"]["engine"]
        parts = [_s(g[part]) for part in ("parse", "absorb", "plan", "kpi")]
        rows.append([_n(size), *parts, _s(g["engine"]), _s(x["engine"])])
    header = ["leads", "parse", "absorb", "plan", "KPI", "engine (Google tabs)", "engine (workbook tabs)"]
    return "## Time in the pure engine (seconds): parse + absorb + plan + KPI, next day\n\n" + _table(header, rows)


def _bytes(sizes: dict[int, Any]) -> str:
    rows = []
    for size, r in sizes.items():
        g = r["google"]
        rows.append(
            [_n(size)]
            + [
                f"{_size(g[k]['traffic']['received'])} / {_size(g[k]['traffic']['sent'])}"
                for k in ("first", "daily", "quiet", "floor")
            ]
        )
    header = ["leads", "first run", "next day", "10 minutes later", "floor"]
    return "## Bytes sent / received by the run (request / answer bodies)\n\n" + _table(header, rows)


def _memory(sizes: dict[int, Any]) -> str:
    return _by_run(sizes, "Peak memory of the process that runs (MiB)", lambda found: _n(found["peak_mib"]))


def _floor(sizes: dict[int, Any]) -> str:
    rows = []
    for size, r in sizes.items():
        g = r["google"]
        ratio = g["daily"]["wall"] / g["floor"]["wall"]
        rows.append([_n(size), _s(g["floor"]["wall"]), _s(g["daily"]["wall"]), f"{ratio:.2f}"])
    header = ["leads", "floor: batchGet + batchUpdate (s)", "run, next day (s)", "run / floor"]
    return "## Against the floor (Google, next day)\n\n" + _table(header, rows)


def _naive(sizes: dict[int, Any]) -> str:
    rows = []
    for size, r in sizes.items():
        for mode, found in r["google"]["naive"].items():
            per_call = found["write_seconds"] / max(found["writes"], 1)
            calls = found["traffic"]["count"] - found["writes"] + size * found["per_row"]
            rows.append(
                [
                    _n(size),
                    "row by row (`update`)" if mode == "row" else "cell by cell (`update_cell`)",
                    _n(found["rows"]),
                    _n(found["traffic"]["count"]),
                    f"{found['write_seconds']:.1f}",
                    f"{per_call * 1000:.1f}",
                    _n(calls),
                    _duration(calls * per_call),
                    _duration(calls / QUOTA * 60),
                ]
            )
    header = [
        "leads",
        "naive way",
        "rows written",
        "calls made",
        "seconds writing",
        "ms a call",
        "calls for every lead (extrapolated)",
        "time for every lead on loopback (extrapolated)",
        f"time at {QUOTA} requests a minute",
    ]
    return "## The naive way (gspread, same emulator, same base)\n\n" + _table(header, rows) + "\n\n" + NAIVE


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


NAIVE = """The naive script stops after the rows shown; the calls for every lead are extrapolated (its
reads, plus one call per lead row, or eight per row cell by cell: the eight worker columns), and so
are the times, from the measured time a call. On loopback a call takes milliseconds; against Google
each takes a round trip, and the quota allows 60 a minute per user, so the last column is the least
such a script needs. touchsheet's run makes the calls of the table above whatever the size."""


def _mail(found: dict[str, Any]) -> str:
    row = [
        _n(found["due"]),
        _n(found["sent"]),
        _n(found["received"]),
        found["connections"],
        found["logins"],
        _s(found["wall"]),
        _n(found["peak_mib"]),
    ]
    header = ["emails due", "sent", "received by the server", "connections", "logins", "run (s)", "peak memory (MiB)"]
    return "## Email over SMTP (one run, loopback aiosmtpd server)\n\n" + _table(header, [row])


def _targets(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    largest = max(sizes)
    g = sizes[largest]["google"]
    lines = ["## Targets"]
    calls = {run: {r["google"][run]["traffic"]["count"] for r in sizes.values()} for run in RUN_KINDS}
    lines.append(
        "- API calls per run, constant in the number of leads, at most 3: "
        f"**{_verdict(max(calls['daily'] | calls['quiet']) <= 3)}** for the runs of a day (next day "
        f"{_counts(calls['daily'])}, ten minutes later {_counts(calls['quiet'])}, at every size); "
        f"**{_verdict(max(calls['first']) <= 3)}** for the first run on a sheet ({_counts(calls['first'])}): it "
        "writes every worker cell of every lead, and Google refuses a request over 10 MB (10,485,760 bytes), "
        "so past some 13,000 leads that write takes more than one request."
    )
    engine = g["engine"]["engine"]
    ratio = g["daily"]["wall"] / g["floor"]["wall"]
    at = f"at {_n(largest)} leads ({_n(g['base']['log_rows'])} Touch log rows, {_n(g['base']['cells'])} cells)"
    lines.append(f"- The engine plans in under 2 s {at}: **{_verdict(engine < 2)}** ({engine:.2f} s).")
    lines.append(f"- The whole emulated run within 2x its floor {at}: **{_verdict(ratio <= 2)}** ({ratio:.2f}x).")
    daily, quiet, first = (g[run]["peak_mib"] for run in ("daily", "quiet", "first"))
    lines.append(
        f"- Peak memory under 1 GiB {at}: **{_verdict(max(daily, quiet) < GIB)}** for the runs of a day (next day "
        f"{daily:,.0f} MiB, ten minutes later {quiet:,.0f} MiB); the first run on a sheet, which writes every "
        f"worker cell of every lead and reads them back, {first:,.0f} MiB: **{_verdict(first < GIB)}**."
    )
    grid = g["grid_cells"]
    said = f"{_n(grid)} grid cells of {_n(GOOGLE_CELLS)}"
    lines.append(f"- The Google Sheet holds it {at}: **{_verdict(grid <= GOOGLE_CELLS)}** ({said}).")
    mail = results["mail"]
    ok = mail["connections"] == 1 and mail["wall"] < 10 and mail["received"] == mail["due"]
    lines.append(
        f"- {_n(mail['due'])} due emails over one connection in under 10 s: **{_verdict(ok)}** "
        f"({mail['connections']} connection, {_s(mail['wall'])} s)."
    )
    return "\n".join(lines)


RUN_KINDS = ("first", "daily", "quiet")


def _counts(found: set[int]) -> str:
    return " or ".join(map(str, sorted(found)))


def _verdict(holds: bool) -> str:
    return "holds" if holds else "missed"


METHOD = """## How it is measured

- **The base** (bench/generate.py, seed {seed}): leads at every stage over two years, each with its
  touch history (the calendar's emails sent, most manual touches done, the last {touches} steps),
  invoices, purchases, costs, and a bad row in every two hundred (a date that does not exist, an
  unknown stage, a broken email, a duplicate ID, a missing ID). About 4.9 Touch log rows a lead: at
  100,000 leads that is 7.3 million cells, under Google's 10 million per spreadsheet (ten rows a
  lead would not fit). The shipped config.yaml, with the daily email cap lifted so each run sends
  its per-run cap (200) to the outbox, as a team with a mailing service would.
- **The runs**: the worker's first run on the base ({first}: every worker cell of every lead is
  written, Due today is built, the KPI tab laid out; on the Google Sheet, making room on Due today
  takes the run's third call, so its emails go in the next run); the first run of the next day ({next_day}: what
  changed since, and a new Due today); a quiet run ten minutes later ({later}). The Status tab
  already shows the benchmark host's lease, as after that host's earlier runs, and the lease lasts
  two days (`worker.lease_minutes`), as it never runs out for a host that syncs every 10 minutes: a
  run that finds the lease run out first claims the sheet, two calls more (a write and a read back).
- **Wall time**: `run_once` from its call to its return, in a fresh process (Python started and
  touchsheet imported before the clock starts).
- **Engine**: parse (cells -> leads and touches) + absorb (Due today results -> touches) + plan
  (what each lead is owed, emails, tasks, the worker's columns) + KPI (the owner's numbers), once, on the tabs as the
  backend read them, as a run does it (Python's cyclic garbage collector paused); the read is not
  timed. A run that sends emails plans again after sending, for the leads it emailed only.
- **Grid cells**: rows x columns of every tab of the emulated spreadsheet after the next-day run:
  what Google counts against its 10 million, empty cells included.
- **API calls and bytes**: counted by the emulator: every Sheets API request (token requests
  aside), and the bytes of request and answer bodies (uncompressed JSON; Google would gzip answers).
- **Peak memory**: `getrusage` ru_maxrss of the fresh process that ran (the interpreter, its
  libraries and the run); the emulator runs in a process of its own, with its cyclic garbage
  collector off (a pass over its millions of cells takes seconds, and would fall at random on the
  run's calls or the floor's).
- **Floor**: the ranges the next-day run read, in one values batchGet, and the cells it wrote, in one
  values batchUpdate (without asking for the values back), through the same HTTP client, in a fresh
  process, with the cyclic garbage collector paused as in a run: what the same data costs with no
  logic. The run's append of its emails' rows is not in it.
- **Naive way**: bench/naive.py, capped at {row} rows row by row and {cell} rows cell by cell.
- **Email**: bench/mail.py: a base of new leads each owed its day-0 email now, one run, the Smtp
  transport, the aiosmtpd server of tests/mail/server.py on loopback (in the same process)."""
