"""A plan -> the cells to write, for any backend. Pure: only what differs from what was read.

Values are plain: str, int, float, bool, naive local datetime or date, None (empty). Enum values are
written as the sheet's words (English or Russian). Backends only place them.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from touchsheet.engine.cells import SERIAL_RANGE, from_serial, is_blank
from touchsheet.engine.kpi import Kpi
from touchsheet.engine.model import UNASSIGNED, LeadStatus, Task, Touch
from touchsheet.engine.parse import Book, DueRow
from touchsheet.engine.plan import Plan
from touchsheet.engine.table import Formula, Table
from touchsheet.schema import DUE_TODAY, LEADS, Owner, value_label
from touchsheet.sheets.kpi_sheet import Chart, KpiSheet, kpi_sheet
from touchsheet.words import Message, said

WORKER_LEAD_COLUMNS = tuple(c.name for c in LEADS.columns if c.owner is Owner.WORKER)
DUE_MANAGER_COLUMNS = tuple(c.name for c in DUE_TODAY.columns if c.owner is Owner.MANAGER)


@dataclass(frozen=True, slots=True)
class CellWrite:
    """One cell. `identity` is (column, value) that row must still hold, e.g. ("ID", "L-00012"):
    backends where people edit during a run check it so nothing lands on the wrong row."""

    tab: str
    row: int
    column: str
    value: Any
    identity: tuple[str, str] | None = None


@dataclass
class Changes:
    cells: list[CellWrite] = field(default_factory=list)
    appends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    due_today: list[dict[str, Any]] | None = None  # the whole tab; None: unchanged
    kpi: KpiSheet | None = None  # None: unchanged
    charts: list[Chart] = field(default_factory=list)  # the KPI tab's charts, changed or not (xlsx redraws them)
    status: list[list[Any]] | None = None  # the Status tab's cells; None: unchanged

    @property
    def empty(self) -> bool:
        return (
            not self.cells
            and not any(self.appends.values())
            and self.due_today is None
            and self.kpi is None
            and self.status is None
        )


def local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """What a sheet cell holds: local wall time, to the minute, no zone."""
    if moment is None:
        return None
    if moment.tzinfo is not tz:
        moment = moment.astimezone(tz)
    return datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute)  # quicker than replace()


def cell_value(value: Any, locale: str, tz: ZoneInfo) -> Any:
    if isinstance(value, enum.Enum):
        return value_label(value, locale)
    if isinstance(value, datetime):
        return local(value, tz) if value.tzinfo else value
    return value


def same(read: Any, new: Any) -> bool:
    """Whether a cell already holds `new` (so writing it would change nothing)."""
    if read.__class__ is new.__class__ is not Formula and read == new:  # most cells of a run: settled at once
        return True
    if is_blank(read) and is_blank(new):
        return True
    if isinstance(read, Formula) or read is None or new is None:
        return False
    if isinstance(new, bool) or isinstance(read, bool):
        return type(read) is type(new) and read == new
    if isinstance(new, date) and isinstance(read, (int, float)) and SERIAL_RANGE[0] <= read <= SERIAL_RANGE[1]:
        read = from_serial(read)  # a date cell read as its serial number (Google Sheets); other numbers are no date
    if isinstance(new, datetime) or isinstance(read, datetime):
        if not (isinstance(new, date) and isinstance(read, date)):
            return False
        return _minute(read) == _minute(new)
    if isinstance(new, date) or isinstance(read, date):
        return isinstance(read, date) and isinstance(new, date) and read == new
    if isinstance(new, (int, float)):  # a workbook keeps 15 significant digits of a float
        return isinstance(read, (int, float)) and math.isclose(float(read), float(new), rel_tol=1e-13, abs_tol=1e-13)
    return isinstance(read, str) and read == new


def _minute(value: date) -> datetime:
    """To the nearest minute: a date-time stored as a fraction of a day can come back as 09:59:59.999."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (value.replace(tzinfo=None) + timedelta(seconds=30)).replace(second=0, microsecond=0)


def lead_cells(status: LeadStatus, locale: str, tz: ZoneInfo) -> dict[str, Any]:
    nxt = status.next_touch
    return {
        "Next touch at": local(nxt.due_at, tz) if nxt else None,
        "Next channel": value_label(nxt.channel, locale) if nxt else None,
        "Next kind": value_label(nxt.kind, locale) if nxt else None,
        "Next reason": nxt.reason if nxt else None,
        "Touches": status.touches,
        "Last touch at": local(status.last_touch_at, tz),
        "Flags": ", ".join(said(f, locale) for f in status.flags) or None,
        "Problem": "; ".join(said(p, locale) for p in status.problems) or None,
    }


def touch_row(touch: Touch, locale: str, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "At": local(touch.at, tz),
        "Lead ID": touch.lead_id,
        "Channel": cell_value(touch.channel, locale, tz),
        "Kind": cell_value(touch.kind, locale, tz),
        "Step": touch.step,
        "Status": cell_value(touch.status, locale, tz),
        "Result": cell_value(touch.result, locale, tz),
        "Manager": _manager(touch.manager, locale),
        "Note": note_cell(touch.note, locale),
        "Key": touch.key,
    }


def note_cell(note: str, locale: str) -> str:
    """A Touch log Note the worker wrote (a Message) in the sheet's language; one a manager typed, or an
    email's subject, exactly as it is (`said` would turn a note reading like a flag into its translation)."""
    return note.said(locale) if isinstance(note, Message) else note


def _manager(name: str, locale: str) -> str:
    """A manager's name as typed; the lead without one in the sheet's words (tens of thousands of rows)."""
    return said(name, locale) if name == UNASSIGNED else name


def task_row(task: Task, key: str, script: str, kept: DueRow | None, locale: str, tz: ZoneInfo) -> dict[str, Any]:
    o = task.occurrence
    row = {
        "Manager": _manager(task.manager, locale),
        "Due at": local(o.due_at, tz),
        "Overdue": task.overdue,
        "Lead ID": task.lead.id,
        "Lead": task.lead.name,
        "Phone": task.lead.phone,
        "Channel": value_label(o.channel, locale),
        "Kind": value_label(o.kind, locale),
        "Step": o.step,
        "Reason": o.reason,
        "Script": script,
        "Done": False,
        "Result": None,
        "Callback at": None,
        "Note": None,
        "Problem": None,
        "Key": key,
    }
    if kept is not None:  # the manager's cells stay exactly as typed
        row.update({c: kept.raw.get(c) for c in DUE_MANAGER_COLUMNS})
        row["Problem"] = "; ".join(said(p, locale) for p in kept.problems) or None
    return row


def orphan_row(kept: DueRow, locale: str) -> dict[str, Any]:
    """A row the manager wrote on whose task is no longer due: kept as it is until they finish it."""
    row = dict(kept.raw)
    problems = kept.problems or (Message("no_longer_due"),)
    row["Problem"] = "; ".join(said(p, locale) for p in problems)
    return row


def changes_for(
    tables: dict[str, Table], book: Book, plan: Plan, kpi: Kpi, scripts: dict[str, str], locale: str, tz: ZoneInfo
) -> Changes:
    changes = Changes()
    changes.cells = _lead_writes(tables["Leads"], book, plan, locale, tz)
    changes.cells += [CellWrite("Touch log", t.row, "Note", t.note, ("Key", t.key)) for t in book.log_notes]
    changes.appends["Touch log"] = [touch_row(t, locale, tz) for t in book.new_touches]
    keys = [task.key for task in plan.tasks]  # each spelled out once (a key is built anew each time it is asked for)
    due_keys = set(keys)
    rows = [task_row(t, k, scripts.get(k, ""), book.kept.get(k), locale, tz) for t, k in zip(plan.tasks, keys)]
    rows += [orphan_row(kept, locale) for key, kept in book.kept.items() if key not in due_keys]
    if not _table_holds(tables["Due today"], rows):
        changes.due_today = rows
    sheet = kpi_sheet(kpi, locale, tz)
    changes.charts = sheet.charts
    if not grid_holds(tables["KPI"], sheet.rows):
        changes.kpi = sheet
    return changes


def _lead_writes(table: Table, book: Book, plan: Plan, locale: str, tz: ZoneInfo) -> list[CellWrite]:
    writes: list[CellWrite] = []
    first, columns = table.sheet_row(0), table.columns

    def put(row: int, cells: dict[str, Any]) -> None:
        """The cells of one lead's row that it does not hold yet (the row looked up once for them all;
        each cell read in place, not through `table.cell`: a hundred thousand leads have 800,000)."""
        values, identity = table.rows[row - first], ("ID", book.ids.get(row, ""))
        size = len(values)
        for column, value in cells.items():
            position = columns.get(column)
            if position is not None and not same(values[position] if position < size else None, value):
                writes.append(CellWrite("Leads", row, column, value, identity))

    for fill in book.fills:
        value = cell_value(fill.value, locale, tz)
        if LEADS.column(fill.column).type == "date" and isinstance(value, datetime):
            value = value.date()
        put(fill.row, {fill.column: value})
    for status in plan.statuses:
        put(status.lead.row, lead_cells(status, locale, tz))
    for row in sorted(book.skipped):
        problem = "; ".join(said(p, locale) for p in book.problems.get(row, ()))
        put(row, {"Problem": problem or None})
    return writes


def _table_holds(table: Table, rows: list[dict[str, Any]]) -> bool:
    """Whether Due today already shows exactly these rows (in the columns touchsheet knows), each
    task found by its Key, in whatever order: a Google Sheet keeps a task on its row, new ones
    below, and a manager may have sorted the tab."""
    existing = [r for r in table.rows if not empty_row(table, r)]
    if len(existing) != len(rows):
        return False
    by_key = {table.cell(old, "Key"): old for old in existing}
    keyless = iter([old for old in existing if is_blank(table.cell(old, "Key"))])
    for new in rows:
        old = next(keyless, None) if is_blank(new.get("Key")) else by_key.get(new["Key"])
        if old is None or not all(same(table.cell(old, column), new.get(column)) for column in table.columns):
            return False
    return True


def empty_row(table: Table, values: list[Any]) -> bool:
    """Nothing on a Due today row but, perhaps, an unticked Done box: a Google Sheet's finished task
    leaves the one the run wrote there (its row is cleared around it, as a manager may be ticking it)."""
    if not is_blank(table.cell(values, "Key")):
        return False
    done = table.columns.get("Done")
    return all(is_blank(v) or (v is False and p == done) for p, v in enumerate(values))


def grid_holds(table: Table, grid: list[list[Any]]) -> bool:
    """Whether a tab laid out as a grid (KPI, Status) already shows exactly `grid`."""
    existing = [r for r in table.rows]
    while existing and all(is_blank(v) for v in existing[-1]):
        existing.pop()
    if len(existing) != len(grid):
        return False
    for old, new in zip(existing, grid):
        width = max(len(old), len(new))
        old = list(old) + [None] * (width - len(old))
        new = list(new) + [None] * (width - len(new))
        if not all(same(a, b) for a, b in zip(old, new)):
            return False
    return True
