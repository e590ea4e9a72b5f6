"""Raw tabs -> a Book of typed leads, touches, due-today rows and costs, with every problem found.

A bad row is left alone and its problem is said on the row; every other row is still read.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from touchsheet.engine import cells
from touchsheet.engine.cells import BadCell
from touchsheet.engine.model import UNASSIGNED, Channel, Cost, Kind, Lead, Result, Stage, Status, Touch
from touchsheet.engine.table import Table
from touchsheet.engine.worktime import zone_named
from touchsheet.schema import LEADS, Owner
from touchsheet.words import MONTH_HINT, WORDS, Message

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
    # (Created at, Manager) of those whose Created at reads and whose ID repeats no other row's: leads
    # all the same, which came in then (the KPI's Leads in)
    left_alone_arrivals: list[tuple[datetime, str]] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # problems on other tabs (Messages): run summary, check
    ids: dict[int, str] = field(default_factory=dict)  # Leads row -> ID as read (for every read row)
    new_touches: list[Touch] = field(default_factory=list)  # to append to the Touch log
    kept: dict[str, DueRow] = field(default_factory=dict)  # Due today rows whose manager cells stay
    log_notes: list[Touch] = field(default_factory=list)  # logged touches whose Note grew on Due today since


class _Row:
    """Reads one row's cells by column name, collecting a message per bad cell instead of stopping.
    `values` is padded (see `_positions`) so that every column has a cell."""

    __slots__ = ("values", "at", "problems")

    def __init__(self, values: list[Any], at: dict[str, int]) -> None:
        self.values, self.at, self.problems = values, at, []

    def raw(self, column: str) -> Any:
        return self.values[self.at[column]]

    def get(self, column: str, read: Callable[[Any], T], default: T) -> T:
        try:
            return read(self.values[self.at[column]])
        except BadCell as e:
            self.problems.append(Message("cell", column=column, problem=e.message))
            return default


def _positions(table: Table) -> tuple[dict[str, int], int]:
    """Where each of the tab's columns is, and how long a row must be padded to: a column the sheet
    lacks points past the end of every row (past the team's own columns too), at a cell that is
    always empty."""
    width = max(table.columns.values(), default=-1) + 1
    if len(table.columns) < len(table.tab.columns):
        width = max([width, *map(len, table.rows)]) + 1
    return {c.name: table.columns.get(c.name, width - 1) for c in table.tab.columns}, width


def _padded(values: list[Any], width: int) -> list[Any]:
    return values + [None] * (width - len(values)) if len(values) < width else values


def parse_book(
    tables: dict[str, Table], tz: ZoneInfo, now: datetime, id_prefix: str, managers: Collection[str]
) -> Book:
    """The tabs read into leads, touches, Due today rows and costs; `managers`: the names in config."""
    named = _named(managers)
    leads, problems, skipped, arrivals, fills, ids = _parse_leads(tables["Leads"], tz, now, id_prefix)
    for lead in leads:
        lead.manager = named[lead.manager]
    arrivals = [(created, named[manager]) for created, manager in arrivals]
    log, log_notes = _parse_log(tables["Touch log"], tz, named)
    log_notes += _strays(log, set(ids.values()), tables["Touch log"].title)
    due = _parse_due(tables["Due today"], tz, named)
    costs, cost_notes = _parse_costs(tables["Costs"])
    return Book(leads, log, due, costs, problems, skipped, arrivals, fills, log_notes + cost_notes, ids)


def _named(managers: Collection[str]) -> cells.Words:
    """A Manager typed another way than config has it (another case, ё for е, a non-breaking or a
    double space, as pasted from a messenger) is that manager, by config's spelling, on Leads, the
    Touch log and Due today alike. A few names fill those tabs: each is looked up once."""
    spelled = {_manager_key(name): name for name in managers}
    return cells.Words(lambda name: spelled.get(_manager_key(name), name))


def _manager_key(name: str) -> str:
    return " ".join(cells.visible(name).split()).casefold().replace("ё", "е")


_MANAGER_COLUMNS = [c.name for c in LEADS.columns if c.owner is Owner.MANAGER]
_ESSENTIAL = ("ID", "Created at", "Stage")  # without these a row cannot be scheduled at all


def _parse_leads(table: Table, tz: ZoneInfo, now: datetime, prefix: str):
    leads: list[Lead] = []
    problems: dict[int, list[str]] = {}
    skipped: set[int] = set()
    fills: list[Fill] = []
    ids: dict[int, str] = {}
    unnamed: list[tuple[int, list[Any]]] = []
    first_row_of: dict[str, int] = {}
    pending: list[tuple[int, list[Any], str]] = []  # an unreadable ID is pending as ""
    left_alone: list[tuple[int, list[Any], str]] = []
    arrivals: list[tuple[datetime, str]] = []

    at, width = _positions(table)
    id_at = at["ID"]
    typed = operator.itemgetter(*(at[c] for c in _MANAGER_COLUMNS))
    for row, values in enumerate(table.rows, table.sheet_row(0)):
        if len(values) < width:
            values = _padded(values, width)
        try:
            lead_id = _lead_id(values[id_at])
        except BadCell:  # said when the row is read cell by cell, below
            ids[row] = ""
            pending.append((row, values, ""))
            continue
        if not lead_id:
            if all(map(cells.is_blank, typed(values))):
                continue
            ids[row] = ""
            unnamed.append((row, values))
            continue
        ids[row] = lead_id
        if lead_id in first_row_of:
            problems[row] = [Message("duplicate_id", id=lead_id, row=first_row_of[lead_id])]
            skipped.add(row)
            left_alone.append((row, values, lead_id))
            continue
        first_row_of[lead_id] = row
        pending.append((row, values, lead_id))

    if unnamed:  # new IDs follow the highest in use: a scan of every ID, only when a row needs one
        numbered = re.compile(re.escape(prefix) + r"(\d+)")
        next_number = 1 + max((int(m.group(1)) for i in first_row_of if (m := numbered.fullmatch(i))), default=0)
        for row, values in unnamed:
            lead_id = f"{prefix}{next_number:05d}"
            next_number += 1
            fills.append(Fill(row, lead_id, "ID", lead_id))
            pending.append((row, values, lead_id))
        pending.sort(key=operator.itemgetter(0))

    clean_lead = _clean_reader(at, tz)
    for row, values, lead_id in pending:
        if lead_id:
            try:
                leads.append(clean_lead(row, values, lead_id))
                continue
            except BadCell:  # read it again cell by cell, below, to say what is wrong
                pass
        reader = _Row(values, at)
        if lead_id:
            lead = _lead(row, reader, lead_id, tz, now, fills)
        else:  # the ID cannot be read: why is said on the row, which is left alone
            reader.get("ID", _lead_id, "")
            lead = None
        if reader.problems:
            problems[row] = reader.problems
        if lead is None:
            skipped.add(row)
            left_alone.append((row, values, lead_id))
            arrivals += _arrival(values, at, tz)
        else:
            leads.append(lead)
    return _opt_outs_spread(leads, left_alone, at, problems), problems, skipped, arrivals, fills, ids


def _arrival(values: list[Any], at: dict[str, int], tz: ZoneInfo) -> list[tuple[datetime, str]]:
    """When a row left alone came in, and its Manager as typed: none when its Created at cannot be read."""
    r = _Row(values, at)
    created = r.get("Created at", lambda v: cells.moment(v, tz), None)
    return [] if created is None else [(created, r.get("Manager", cells.text, ""))]


def _opt_outs_spread(
    leads: list[Lead], left_alone: list[tuple[int, list[Any], str]], at: dict[str, int], problems: dict[int, list[str]]
) -> list[Lead]:
    """Opt-outs are absolute: one set on any row, even a row left alone (its ID repeats another
    row's, a cell cannot be read), stops the touches of the lead with that ID and of every lead
    with that address, each told why on its row."""
    by_id: dict[str, int] = {}
    by_address: dict[str, int] = {}
    for row, values, lead_id in left_alone:
        if _opts_out(values[at["Opt out"]]):
            if lead_id:
                by_id.setdefault(lead_id, row)
            address = _address_or_blank(values[at["Email"]])
            if address:
                by_address.setdefault(address.lower(), row)
    for lead in leads:
        if lead.opt_out and lead.email:
            by_address.setdefault(lead.email.lower(), lead.row)
    if not by_id and not by_address:
        return leads
    spread = []
    for lead in leads:
        row = None
        if not lead.opt_out:
            row = by_id.get(lead.id) or (by_address.get(lead.email.lower()) if lead.email else None)
        if row is not None:
            problems.setdefault(lead.row, []).append(Message("opted_out_on_row", row=row))
            lead = replace(lead, opt_out=True)
        spread.append(lead)
    return spread


def _opts_out(value: Any) -> bool:
    """An unclear word, or a formula, counts as yes, as on a lead's own row."""
    try:
        return cells.flag(value) is not False
    except BadCell:
        return True


def _address_or_blank(value: Any) -> str:
    try:
        return cells.email_address(value)
    except BadCell:
        return ""


def _lead_id(value: Any) -> str:
    lead_id = cells.visible(value)
    if cells.has_control(lead_id):
        raise BadCell(Message("control"))
    return lead_id


def _lead(row: int, r: _Row, lead_id: str, tz: ZoneInfo, now: datetime, fills: list[Fill]) -> Lead | None:
    """The lead of a row with a cell that does not read cleanly, read cell by cell: what can be
    read, each problem said; none when an essential cell is unreadable."""
    before = len(r.problems)
    created = r.get("Created at", lambda v: cells.moment(v, tz), None)
    stage = r.get("Stage", lambda v: cells.choice(Stage, v), None)
    if len(r.problems) > before:  # an essential cell is unreadable: leave the row alone
        return None
    if created is None:
        created = now.replace(second=0, microsecond=0)
        fills.append(Fill(row, lead_id, "Created at", created))
    before = len(r.problems)
    opt_out = r.get("Opt out", cells.flag, None)
    if opt_out is None:  # opt-outs are absolute: an unclear word counts as yes, and so does a formula (said above)
        if len(r.problems) == before:
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


_CLEAN_COLUMNS = (
    *("Name", "Created at", "Stage", "Email", "Phone", "Manager", "Source", "Callback at", "Invoice at"),
    *("Invoice amount", "Paid at", "Last purchase at", "Birthday", "Opt out", "Time zone"),
)


def _clean_reader(at: dict[str, int], tz: ZoneInfo) -> Callable[[int, list[Any], str], Lead]:
    """Reads the lead of a row whose every cell reads cleanly, in one go (there are a hundred
    thousand); BadCell at the first cell that does not, or that the worker must fill or flag."""
    cells_of = operator.itemgetter(*(at[c] for c in _CLEAN_COLUMNS))
    moment, text, day, number = cells.moment, cells.text, cells.day, cells.number
    # A few words fill whole columns: each word is read once, then looked up.
    stage, manager, source = cells.Words(_stage), cells.Words(text), cells.Words(text)
    opted_out, zone = cells.Words(cells.flag), cells.Words(_zone_name)

    def clean_lead(row: int, values: list[Any], lead_id: str) -> Lead:
        (
            name,
            created,
            stage_,
            email,
            phone,
            manager_,
            source_,
            callback,
            invoice,
            amount,
            paid,
            purchase,
            birthday,
            opt_out_,
            zone_,
        ) = cells_of(values)
        created, opt_out = moment(created, tz), opted_out[opt_out_]
        if created is None or opt_out is None:
            raise BadCell("Created at to fill, or an unclear Opt out")
        return Lead(
            row,
            lead_id,
            text(name),
            created,
            stage[stage_],
            cells.email_address(email),
            text(phone),
            manager[manager_],
            source[source_],
            moment(callback, tz),
            moment(invoice, tz),
            number(amount),
            moment(paid, tz),
            moment(purchase, tz),
            day(birthday),
            opt_out,
            zone[zone_],
        )

    return clean_lead


def _stage(value: Any) -> Stage:
    return cells.choice(Stage, value) or Stage.NEW


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
    if zone_named(name) is None:
        raise BadCell(Message("bad_zone", value=name))
    return name


_LOG_COLUMNS = ("At", "Lead ID", "Channel", "Status", "Step", "Kind", "Result", "Manager", "Note", "Key")


def _parse_log(table: Table, tz: ZoneInfo, named: cells.Words) -> tuple[list[Touch], list[str]]:
    """The log is the largest tab (about ten rows a lead): a row that reads cleanly takes the
    quick way; one that does not is read again, cell by cell, to say what is wrong."""
    log: list[Touch] = []
    notes: list[str] = []
    where, width = _positions(table)
    cells_of = operator.itemgetter(*(where[c] for c in _LOG_COLUMNS))
    moment, text, visible, combine = cells.moment, cells.text, cells.visible, datetime.combine
    from_serial, epoch, (low, high) = cells.from_serial, cells.epoch_in(tz), cells.SERIAL_RANGE
    # Half a million rows hold a few words per column: each word is read once, then looked up.
    channel, kind, result = (cells.Words(functools.partial(cells.choice, k)) for k in (Channel, Kind, Result))
    status = cells.Words(_log_status)
    step, manager, note = cells.Words(text), _worker_managers(named), cells.Words(text)
    for row, values in enumerate(table.rows, table.sheet_row(0)):
        if len(values) < width:
            values = _padded(values, width)
        at, lead_id, channel_, status_, step_, kind_, result_, manager_, note_, key = cells_of(values)
        try:
            # Nearly every row's At is a date (a date cell on a workbook, a serial number on a Google
            # Sheet), its Lead ID and Key text: read here, not by a call each (a fifth of the log's
            # time), the same way `moment` and `visible` read them.
            if at.__class__ is datetime and at.tzinfo is None:
                at = combine(at, at.time(), tz)
            elif (at.__class__ is float or at.__class__ is int) and low <= at <= high:
                at = from_serial(at, epoch)
            else:
                at = moment(at, tz)
            lead_id = lead_id.strip() if lead_id.__class__ is str and lead_id.isprintable() else visible(lead_id)
            if at is None or not lead_id:
                raise BadCell("needs both At and Lead ID")
            touch = Touch(
                at,
                lead_id,
                channel[channel_],
                status[status_],
                step[step_],
                kind[kind_],
                result[result_],
                manager[manager_],
                note[note_],
                key.strip() if key.__class__ is str and key.isprintable() else visible(key),
                row,
            )
        except BadCell:
            if table.blank(values):
                continue
            found, problems = _log_row(table, _Row(values, where), row, tz, manager)
            notes.append(problems)
            if found is None:
                continue
            touch = found
        log.append(touch)
    return log, notes


def _strays(log: list[Touch], ids: set[str], title: str) -> list[str]:
    """Rows a manager added to the log by hand (no Key) whose Lead ID is on no row of Leads: the
    touch counts for no lead, so the run says where they are (a typo, or the lead's ID retyped)."""
    stray = [t for t in log if not t.key and t.lead_id not in ids]
    if not stray:
        return []
    rows = [Message("log_row", row=t.row, lead=t.lead_id) for t in stray[:5]]
    more = Message("more_rows", count=len(stray) - 5) if len(stray) > 5 else ""
    return [Message("stray_touches", tab=title, rows=rows, more=more)]


def _worker_managers(named: cells.Words) -> cells.Words:
    """Managers the worker wrote on the log or Due today (or a manager typed there), in the sheet's
    words: `(без менеджера)` is the lead without one, as `(no manager)` is; a name, as `named` reads it."""

    def manager(value: Any) -> str:
        name = cells.text(value)
        return UNASSIGNED if name == WORDS[UNASSIGNED] else named[name]

    return cells.Words(manager)


def _log_status(value: Any) -> Status:
    return cells.choice(Status, value) or Status.DONE  # a row a manager added by hand is a touch they made


def _log_row(table: Table, r: _Row, row: int, tz: ZoneInfo, managers: cells.Words) -> tuple[Touch | None, str]:
    """A log row with a cell that cannot be read: the touch without that cell (none without a
    date and a lead), and what is wrong."""
    at = r.get("At", lambda v: cells.moment(v, tz), None)
    lead_id = r.get("Lead ID", cells.visible, "")
    if at is None or not lead_id:
        r.problems.append(Message("needs_at_and_lead"))
    touch = Touch(
        at,  # type: ignore[arg-type]  # not used when None: see below
        lead_id,
        r.get("Channel", lambda v: cells.choice(Channel, v), None),
        r.get("Status", lambda v: cells.choice(Status, v), None) or Status.DONE,
        r.get("Step", cells.text, ""),
        r.get("Kind", lambda v: cells.choice(Kind, v), None),
        r.get("Result", lambda v: cells.choice(Result, v), None),
        r.get("Manager", managers.__getitem__, ""),
        r.get("Note", cells.text, ""),
        r.get("Key", cells.visible, ""),
        row,
    )
    note = Message("tab_row", tab=table.title, row=row, problems=r.problems)
    return (touch if at is not None and lead_id else None), note


_DUE_COLUMNS = ("Key", "Lead ID", "Manager", "Step", "Channel", "Kind", "Done", "Result", "Callback at", "Note")


def _parse_due(table: Table, tz: ZoneInfo, named: cells.Words) -> list[DueRow]:
    """Tens of thousands of rows on a busy day, nearly all as the worker wrote them: a row that reads
    cleanly takes the quick way; one that does not is read again, cell by cell, to say what is wrong."""
    rows: list[DueRow] = []
    at, width = _positions(table)
    names, places = list(table.columns), list(table.columns.values())
    cells_of = operator.itemgetter(*(at[c] for c in _DUE_COLUMNS))
    moment, text = cells.moment, cells.text
    # A few words fill whole columns: each word is read once, then looked up.
    managers, steps, notes = _worker_managers(named), cells.Words(text), cells.Words(text)
    channel, kind, result = (cells.Words(functools.partial(cells.choice, k)) for k in (Channel, Kind, Result))
    done = cells.Words(cells.flag)
    for index, values in enumerate(table.rows):
        if len(values) < width:
            values = _padded(values, width)
        key, lead_id, manager, step, channel_, kind_, done_, result_, callback, note = cells_of(values)
        try:
            key = cells.visible(key)
            if not key:
                if not any(map(_typed, (done_, result_, callback, note))):
                    continue
                raise BadCell("a manager's cells on a row without a Key")
            done_ = done[done_]
            if done_ is None:
                raise BadCell("neither yes nor no")
            due = DueRow(
                table.sheet_row(index),
                key,
                cells.visible(lead_id),
                managers[manager],
                steps[step],
                channel[channel_],
                kind[kind_],
                done_,
                result[result_],
                moment(callback, tz),
                notes[note],
                (),
                dict(zip(names, map(values.__getitem__, places))),  # the cells as read
            )
        except BadCell:
            found = _due_row(table, index, values, at, tz, managers)
            if found is None:
                continue
            due = found
        rows.append(due)
    return rows


def _due_row(
    table: Table, index: int, values: list[Any], at: dict[str, int], tz: ZoneInfo, managers: cells.Words
) -> DueRow | None:
    """A Due today row with a cell that cannot be read, cell by cell: what can be read, each problem
    said. A row without a key is none, unless a manager typed in it: it stays, saying why it
    cannot be recorded."""
    r = _Row(values, at)
    key = r.get("Key", cells.visible, "")
    if not key:
        if not any(_typed(r.raw(c)) for c in ("Done", "Result", "Callback at", "Note")):
            return None
        r.problems.append(Message("no_key"))
    before = len(r.problems)
    done = r.get("Done", cells.flag, None)
    if done is None and len(r.problems) == before:  # a word (a formula was said above)
        problem = Message("neither_yes_nor_no", value=cells.text(r.raw("Done")))
        r.problems.append(Message("cell", column="Done", problem=problem))
    return DueRow(
        row=table.sheet_row(index),
        key=key,
        lead_id=r.get("Lead ID", cells.visible, ""),
        manager=r.get("Manager", managers.__getitem__, ""),
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


def _typed(value: Any) -> bool:
    """Whether a manager put something in a cell of theirs (an unticked box is nothing)."""
    return not (cells.is_blank(value) or value is False)


def _parse_costs(table: Table) -> tuple[list[Cost], list[str]]:
    costs: list[Cost] = []
    notes: list[str] = []
    at, width = _positions(table)
    for index, values in enumerate(table.rows):
        if table.blank(values):
            continue
        r = _Row(_padded(values, width), at)
        month = r.get("Month", _month, None)
        amount = r.get("Amount", cells.number, None)
        if month is None or amount is None:
            r.problems.append(Message("needs_month_and_amount"))
        if r.problems:
            notes.append(Message("tab_row", tab=table.title, row=table.sheet_row(index), problems=r.problems))
            continue
        costs.append(Cost(month, r.get("Category", cells.text, ""), amount))  # type: ignore[arg-type]
    return costs, notes


_MONTH = re.compile(r"^(?:(\d{4})[-./](\d{1,2})|(\d{1,2})[-./](\d{4}))$")


def _month(value: Any) -> date | None:
    """'2026-11', '11.2026' or any date in the month -> the month's first day. A sheet with English
    settings keeps 11.2026 typed in a cell as a number: that is November too (`.4f` gives 11.2020
    back its zero)."""
    typed = f"{value:.4f}" if value.__class__ is float else value
    if isinstance(typed, str):
        match = _MONTH.match(typed.strip())
        if match:
            year, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            if 1 <= int(month) <= 12:
                return date(int(year), int(month), 1)
    try:
        found = cells.day(value)
    except BadCell as e:
        if e.message.key != "not_a_date":  # a formula, an error value: said as in any cell
            raise
        raise BadCell(Message("not_a_date", value=value, hint=MONTH_HINT)) from None
    return found.replace(day=1) if found else None
