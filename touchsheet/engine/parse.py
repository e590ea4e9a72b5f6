"""Raw tabs -> a Book of typed leads, touches, due-today rows and costs, with every problem found.

A bad row is left alone and its problem is said on the row; every other row is still read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from touchsheet.engine import cells
from touchsheet.engine.cells import BadCell
from touchsheet.engine.model import Channel, Cost, Kind, Lead, Result, Stage, Status, Touch
from touchsheet.engine.table import Table
from touchsheet.schema import LEADS, Owner
from touchsheet.words import Message

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fill:
    """A manager-owned Leads cell the worker fills: it was empty (ID, Created at) or a manager
    recorded a result on Due today that implies it (Stage, Paid at...). Backends write it only
    if the cell still holds what was read at the start of the run."""

    row: int
    lead_id: str
    column: str
    value: Any


@dataclass(frozen=True, slots=True)
class DueRow:
    """A row of Due today as the manager left it."""

    row: int
    key: str
    lead_id: str
    manager: str
    step: str
    channel: Channel | None
    kind: Kind | None
    done: bool
    result: Result | None
    callback_at: datetime | None
    note: str
    problems: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)  # cells as read

    @property
    def recorded(self) -> bool:
        """The manager said something happened: ticked Done or picked a result."""
        return self.done or self.result is not None


@dataclass
class Book:
    """Everything read from the workbook, typed."""

    leads: list[Lead]
    log: list[Touch]
    due: list[DueRow]
    costs: list[Cost]
    problems: dict[int, list[str]] = field(default_factory=dict)  # Leads row -> messages
    skipped: set[int] = field(default_factory=set)  # Leads rows left alone
    fills: list[Fill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # problems on other tabs, for the run summary
    ids: dict[int, str] = field(default_factory=dict)  # Leads row -> ID as read (for every read row)
    new_touches: list[Touch] = field(default_factory=list)  # to append to the Touch log
    kept: dict[str, DueRow] = field(default_factory=dict)  # Due today rows whose manager cells stay


class _Row:
    """Reads one row's cells, collecting a message per bad cell instead of stopping."""

    def __init__(self, table: Table, values: list[Any]) -> None:
        self.table, self.values, self.problems = table, values, []

    def raw(self, column: str) -> Any:
        return self.table.cell(self.values, column)

    def get(self, column: str, read: Callable[[Any], T], default: T) -> T:
        try:
            return read(self.raw(column))
        except BadCell as e:
            self.problems.append(Message("cell", column=column, problem=e.message))
            return default


def parse_book(tables: dict[str, Table], tz: ZoneInfo, now: datetime, id_prefix: str) -> Book:
    leads, problems, skipped, fills, ids = _parse_leads(tables["Leads"], tz, now, id_prefix)
    log, log_notes = _parse_log(tables["Touch log"], tz)
    due = _parse_due(tables["Due today"], tz)
    costs, cost_notes = _parse_costs(tables["Costs"])
    return Book(leads, log, due, costs, problems, skipped, fills, log_notes + cost_notes, ids)


_MANAGER_COLUMNS = [c.name for c in LEADS.columns if c.owner is Owner.MANAGER]
_ESSENTIAL = ("ID", "Created at", "Stage")  # without these a row cannot be scheduled at all


def _parse_leads(table: Table, tz: ZoneInfo, now: datetime, prefix: str):
    leads: list[Lead] = []
    problems: dict[int, list[str]] = {}
    skipped: set[int] = set()
    fills: list[Fill] = []
    ids: dict[int, str] = {}
    unnamed: list[tuple[int, _Row]] = []
    first_row_of: dict[str, int] = {}
    pending: list[tuple[int, _Row, str]] = []

    for index, values in enumerate(table.rows):
        row = table.sheet_row(index)
        reader = _Row(table, values)
        if all(cells.is_blank(reader.raw(c)) for c in _MANAGER_COLUMNS):
            continue
        lead_id = reader.get("ID", _lead_id, "")
        ids[row] = lead_id
        if not lead_id and not reader.problems:
            unnamed.append((row, reader))
            continue
        if lead_id in first_row_of:
            reader.problems.append(Message("duplicate_id", id=lead_id, row=first_row_of[lead_id]))
            skipped.add(row)
            problems[row] = reader.problems
            continue
        if lead_id:
            first_row_of[lead_id] = row
        pending.append((row, reader, lead_id))

    next_number = 1 + max((_number_of(i, prefix) for i in first_row_of), default=0)
    for row, reader in unnamed:
        lead_id = f"{prefix}{next_number:05d}"
        next_number += 1
        fills.append(Fill(row, lead_id, "ID", lead_id))
        pending.append((row, reader, lead_id))
    pending.sort()

    for row, reader, lead_id in pending:
        lead = _lead(row, reader, lead_id, tz, now, fills) if lead_id else None
        if reader.problems:
            problems[row] = reader.problems
        if lead is None:
            skipped.add(row)
        else:
            leads.append(lead)
    return leads, problems, skipped, fills, ids


def _lead_id(value: Any) -> str:
    lead_id = cells.text(value)
    if cells.has_control(lead_id):
        raise BadCell(Message("control"))
    return lead_id


def _number_of(lead_id: str, prefix: str) -> int:
    match = re.fullmatch(re.escape(prefix) + r"(\d+)", lead_id)
    return int(match.group(1)) if match else 0


def _lead(row: int, r: _Row, lead_id: str, tz: ZoneInfo, now: datetime, fills: list[Fill]) -> Lead | None:
    before = len(r.problems)
    created = r.get("Created at", lambda v: cells.moment(v, tz), None)
    stage = r.get("Stage", lambda v: cells.choice(Stage, v), None)
    if len(r.problems) > before:  # an essential cell is unreadable: leave the row alone
        return None
    if created is None:
        created = now.replace(second=0, microsecond=0)
        fills.append(Fill(row, lead_id, "Created at", created))
    opt_out = r.get("Opt out", cells.flag, None)
    if opt_out is None:  # opt-outs are absolute: an unclear word counts as yes
        r.problems.append(Message("unclear_opt_out", value=cells.text(r.raw("Opt out"))))
        opt_out = True
    return Lead(
        row=row,
        id=lead_id,
        name=r.get("Name", cells.text, ""),
        created_at=created,
        stage=stage or Stage.NEW,
        email=_email(r),
        phone=r.get("Phone", cells.text, ""),
        manager=r.get("Manager", cells.text, ""),
        source=r.get("Source", cells.text, ""),
        callback_at=r.get("Callback at", lambda v: cells.moment(v, tz), None),
        invoice_at=r.get("Invoice at", lambda v: cells.moment(v, tz), None),
        invoice_amount=r.get("Invoice amount", cells.number, None),
        paid_at=r.get("Paid at", lambda v: cells.moment(v, tz), None),
        last_purchase_at=r.get("Last purchase at", lambda v: cells.moment(v, tz), None),
        birthday=r.get("Birthday", cells.day, None),
        opt_out=opt_out,
        timezone=r.get("Time zone", _zone_name, ""),
    )


def _email(r: _Row) -> str:
    try:
        return cells.email_address(r.raw("Email"))
    except BadCell as e:
        r.problems.append(Message("no_emails", problem=Message("cell", column="Email", problem=e.message)))
        return ""


def _zone_name(value: Any) -> str:
    name = cells.text(value)
    if not name:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadCell(Message("bad_zone", value=name)) from None
    return name


_LOG_COLUMNS = ("At", "Lead ID", "Channel", "Status", "Step", "Kind", "Result", "Manager", "Note", "Key")


def _parse_log(table: Table, tz: ZoneInfo) -> tuple[list[Touch], list[str]]:
    """The log is the largest tab (about ten rows a lead): a row that reads cleanly takes the
    quick way; one that does not is read again, cell by cell, to say what is wrong."""
    log: list[Touch] = []
    notes: list[str] = []
    at_, lead_, channel_, status_, step_, kind_, result_, manager_, note_, key_ = (
        table.columns[c] for c in _LOG_COLUMNS
    )
    width = max(table.columns.values()) + 1
    moment, text, choice = cells.moment, cells.text, cells.choice
    done = Status.DONE
    for index, values in enumerate(table.rows):
        if len(values) < width:
            values = list(values) + [None] * (width - len(values))
        try:
            at, lead_id = moment(values[at_], tz), text(values[lead_])
            if at is None or not lead_id:
                raise BadCell("needs both At and Lead ID")
            touch = Touch(
                at,
                lead_id,
                choice(Channel, values[channel_]),
                choice(Status, values[status_]) or done,  # a row a manager added by hand is a touch they made
                text(values[step_]),
                choice(Kind, values[kind_]),
                choice(Result, values[result_]),
                text(values[manager_]),
                text(values[note_]),
                text(values[key_]),
                table.sheet_row(index),
            )
        except BadCell:
            if all(cells.is_blank(v) for v in values):
                continue
            found, note = _log_row(table, values, index, tz)
            notes.append(note)
            if found is None:
                continue
            touch = found
        log.append(touch)
    return log, notes


def _log_row(table: Table, values: list[Any], index: int, tz: ZoneInfo) -> tuple[Touch | None, str]:
    """A log row with a cell that cannot be read: the touch without that cell (none without a
    date and a lead), and what is wrong."""
    r = _Row(table, values)
    at = r.get("At", lambda v: cells.moment(v, tz), None)
    lead_id = r.get("Lead ID", cells.text, "")
    if at is None or not lead_id:
        r.problems.append("needs both At and Lead ID")
    touch = Touch(
        at,  # type: ignore[arg-type]  # not used when None: see below
        lead_id,
        r.get("Channel", lambda v: cells.choice(Channel, v), None),
        r.get("Status", lambda v: cells.choice(Status, v), None) or Status.DONE,
        r.get("Step", cells.text, ""),
        r.get("Kind", lambda v: cells.choice(Kind, v), None),
        r.get("Result", lambda v: cells.choice(Result, v), None),
        r.get("Manager", cells.text, ""),
        r.get("Note", cells.text, ""),
        r.get("Key", cells.text, ""),
        table.sheet_row(index),
    )
    note = f"{table.title} row {table.sheet_row(index)}: " + "; ".join(r.problems)
    return (touch if at is not None and lead_id else None), note


def _parse_due(table: Table, tz: ZoneInfo) -> list[DueRow]:
    rows: list[DueRow] = []
    for index, values in enumerate(table.rows):
        r = _Row(table, values)
        key = r.get("Key", cells.text, "")
        if not key:
            continue
        done = r.get("Done", cells.flag, None)
        if done is None:
            problem = Message("neither_yes_nor_no", value=cells.text(r.raw("Done")))
            r.problems.append(Message("cell", column="Done", problem=problem))
        rows.append(
            DueRow(
                row=table.sheet_row(index),
                key=key,
                lead_id=r.get("Lead ID", cells.text, ""),
                manager=r.get("Manager", cells.text, ""),
                step=r.get("Step", cells.text, ""),
                channel=r.get("Channel", lambda v: cells.choice(Channel, v), None),
                kind=r.get("Kind", lambda v: cells.choice(Kind, v), None),
                done=bool(done),
                result=r.get("Result", lambda v: cells.choice(Result, v), None),
                callback_at=r.get("Callback at", lambda v: cells.moment(v, tz), None),
                note=r.get("Note", cells.text, ""),
                problems=tuple(r.problems),
                raw={name: table.cell(values, name) for name in table.columns},
            )
        )
    return rows


def _parse_costs(table: Table) -> tuple[list[Cost], list[str]]:
    costs: list[Cost] = []
    notes: list[str] = []
    for index, values in enumerate(table.rows):
        if all(cells.is_blank(v) for v in values):
            continue
        r = _Row(table, values)
        month = r.get("Month", _month, None)
        amount = r.get("Amount", cells.number, None)
        if month is None or amount is None:
            r.problems.append("needs both Month and Amount")
        if r.problems:
            notes.append(f"{table.title} row {table.sheet_row(index)}: " + "; ".join(r.problems))
            continue
        costs.append(Cost(month, r.get("Category", cells.text, ""), amount))  # type: ignore[arg-type]
    return costs, notes


_MONTH = re.compile(r"^(?:(\d{4})[-./](\d{1,2})|(\d{1,2})[-./](\d{4}))$")


def _month(value: Any) -> date | None:
    """'2026-11', '11.2026' or any date in the month -> the month's first day."""
    if isinstance(value, str):
        match = _MONTH.match(value.strip())
        if match:
            year, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            if 1 <= int(month) <= 12:
                return date(int(year), int(month), 1)
    found = cells.day(value)
    return found.replace(day=1) if found else None
