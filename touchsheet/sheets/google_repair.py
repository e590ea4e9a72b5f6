"""Putting a Google run's writes right when managers moved rows or columns under it.

Each write goes with the cells that tell its row (its ID or Key) and the headers of its columns,
read through; when Google's answer shows they moved, these work out where each write belongs now
and what the rows and columns hit by mistake get back (what the run first read on them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any

from touchsheet.engine.table import Table, is_blank
from touchsheet.errors import SheetError
from touchsheet.schema import LEADS, Owner, norm
from touchsheet.sheets import FIX
from touchsheet.sheets.changes import DUE_MANAGER_COLUMNS, same
from touchsheet.sheets.gapi import raw_value


@dataclass
class RowWrite:
    """Cells to write on one row, what the row must hold afterwards to be the right one, and who
    the row is (its ID or Key; for a lead without an ID yet, its name, email, phone and request time)."""

    tab: str
    row: int
    cells: dict[str, Any]
    expect: dict[str, Any] = field(default_factory=dict)  # read through, never written
    identity: Any = None
    rank: int | None = None  # which of the rows with its identity (0: the first, -1: the last); None: as first read
    spots: dict[int, Any] = field(default_factory=dict)  # cells by position: put back after columns moved
    found: dict[str, Any] | None = None  # what a check held, when not what it expects (for the repair)

    @property
    def reads_only(self) -> bool:
        """A check: the row's cells read through, written by the next write (a clear on Due today)."""
        return not self.cells and not self.spots


def require_written(table: Table, writes: list[RowWrite]) -> None:
    """Stop the run when the tab, read again, has lost a column the writes place cells by: a
    manager renamed or deleted it while the run wrote. Its cells cannot go anywhere else, and the
    next run names the column until it is back."""
    lost = sorted({c for w in writes for c in (*w.cells, *w.expect)} - table.columns.keys())
    if lost:
        raise SheetError(
            f"Tab '{table.title}' lost its column {', '.join(map(repr, lost))} while the run wrote to it"
            f" (renamed or deleted). Fix: name it back, or {FIX}"
        )


def restores_due(
    wrong: list[RowWrite], snapshot: Table, fresh: Table, due: list[dict[str, Any]]
) -> tuple[list[RowWrite], list[dict[str, Any]]]:
    """Due today rows cleared by mistake, put back: a row that held another task when the clear
    landed (a sort brought it there), or one a manager ticked or typed on since the run read it.
    Each gets back its task's Key and the managers' cells as its check read them just before the
    clear, and a task no longer `due` its other cells as the run first read them: it stays as it
    is (returned, as a row to keep), for the next run to record. A task still due is written
    there again as any other. `fresh` is left as the tab will then stand. A new task's row a
    manager typed on is no such row: the task landed there, beside what they typed."""
    found = {w.row: w.found for w in wrong if w.found is not None}
    for write in wrong:
        clears = "Key" in write.cells and is_blank(write.cells["Key"])
        # typed on as the tab now stands (not a column that moved under the write): its own task, ticked since
        if clears and write.row not in found and write.expect and not _holds_now(fresh, write.row, write.expect):
            found[write.row] = {"Key": write.identity}
    wanted = {row["Key"] for row in due if not is_blank(row.get("Key"))}
    first = {snapshot.cell(values, "Key"): values for values in reversed(snapshot.rows)}
    restores, kept = [], []
    for row, seen in found.items():
        index = row - fresh.header_row - 1
        if not 0 <= index < len(fresh.rows):
            continue  # deleted since
        key = seen.get("Key")
        typed = {c: seen[c] if c in seen else fresh.cell(fresh.rows[index], c) for c in DUE_MANAGER_COLUMNS}
        own = first.get(key) if not is_blank(key) else None
        untouched = own is not None and all(same(snapshot.cell(own, c), v) for c, v in typed.items())
        if key in wanted:
            cells = dict(seen)
        elif untouched or not any(not is_blank(v) and v is not False for v in typed.values()):
            continue  # a finished task as the run read it, or nothing: that clear was due anyway
        else:
            others = [c for c in snapshot.columns if c not in DUE_MANAGER_COLUMNS and c != "Key"]
            cells = {**seen, **{c: snapshot.cell(own, c) for c in others}} if own is not None else dict(seen)
        values = fresh.rows[index] + [None] * (max(fresh.columns.values()) + 1 - len(fresh.rows[index]))
        for column, value in cells.items():
            values[fresh.columns[column]] = value
        fresh.rows[index] = values
        restores.append(RowWrite("Due today", row, cells, {}))
        if key not in wanted:
            kept.append({c: fresh.cell(values, c) for c in fresh.columns})
    return restores, kept


def relocated(wrong: list[RowWrite], snapshot: Table, fresh: Table, key_column: str) -> list[RowWrite]:
    """On each row a write hit by mistake, that row's own values back (as the run first read them)
    where our value still is; then each write again on the row that now holds its lead (or log row).
    A row is known by its key; where the key is empty, or is one this run wrote there by mistake, by
    the cells this run did not write on it. Rows repeating a key (one of them the lead) are told
    apart by their order: the n-th stays the n-th."""
    hit = {w.row: w for w in wrong}
    original, first, twins = _ranked(snapshot, key_column)

    def who(index: int, values: list[Any]) -> tuple[Any, list[Any] | None]:
        """The identity of the fresh row at `index`, and the row it was in the run's first read when
        its cells tell (otherwise its identity and rank do)."""
        write = hit.get(fresh.sheet_row(index))
        if write is not None and (key_column in write.cells or is_blank(fresh.cell(values, key_column))):
            own = _same_row(snapshot, fresh, values, set(write.cells))
            return (row_identity(snapshot, own, key_column), own) if own is not None else (None, None)
        return row_identity(fresh, values, key_column), None

    where: dict[Any, list[int]] = {}  # identity -> the fresh rows holding it, in order
    ranks: dict[int, tuple[Any, int]] = {}  # a fresh row -> (identity, rank)
    for index, values in enumerate(fresh.rows):
        identity = who(index, values)[0]
        if identity is not None:
            rows = where.setdefault(identity, [])
            ranks[fresh.sheet_row(index)] = (identity, len(rows))
            rows.append(fresh.sheet_row(index))
    moved: dict[int, RowWrite] = {}
    for w in wrong:
        rows = where.get(w.identity, [])
        wanted = first.get(w.row, 0) if w.rank is None else w.rank
        rank = _rank(w, wanted + len(rows) if wanted < 0 else wanted, rows, fresh, moved)  # -1: the last
        if 0 <= rank < len(rows):  # none: the row was deleted meanwhile, and its write with it
            moved[rows[rank]] = replace(w, row=rows[rank], rank=rank)
    restores = []
    for write in wrong:
        index = write.row - fresh.header_row - 1
        victim = fresh.rows[index] if 0 <= index < len(fresh.rows) else []
        if not victim:
            continue
        identity, own = who(index, victim)
        if own is None:  # its own first read, not the lead's
            own = _own(original, twins, ranks.get(write.row), snapshot, fresh, victim, set(write.cells))
        rewritten = moved[write.row].cells if write.row in moved else {}  # the victim's own new values win
        back = {
            c: (snapshot.cell(own, c) if own is not None else None)
            for c, v in write.cells.items()
            if c not in rewritten
            and same(fresh.cell(victim, c), v)
            and (own is not None or fresh.tab.column(c).owner is Owner.WORKER)  # a manager's cell: never blanked
        }
        if back:
            expect = {key_column: back.get(key_column, fresh.cell(victim, key_column))}
            rank = ranks.get(write.row, (identity, 0))[1]
            restores.append(RowWrite(write.tab, write.row, back, expect, identity, rank))
    return restores + list(moved.values())  # a row's own key back first, then what belongs on it


def put_back(wrong: list[RowWrite], placed: Table, fresh: Table, key_column: str) -> list[RowWrite]:
    """Columns were inserted, deleted or moved under the writes, placed by the headers of `placed`:
    the writes undone, each cell they wrote getting back the value of the column now there, as
    `placed` has it (nothing, in a column inserted since); `fresh` is left as the tab will then
    stand, for the writes to go again by column name. A row that moved as well is left to the
    repair of moved rows."""
    was = _columns_then(placed, fresh)
    puts = []
    for write in wrong:
        index, then_index = write.row - fresh.header_row - 1, write.row - placed.header_row - 1
        if not 0 <= index < len(fresh.rows):
            continue
        now, then = fresh.rows[index], placed.rows[then_index] if 0 <= then_index < len(placed.rows) else []
        cells = [(placed.columns[c], v) for c, v in write.cells.items()] + list(write.spots.items())
        back: dict[int, Any] = {}
        for p, v in cells:
            if p < len(now) and same(raw_value(now[p]), raw_value(v)):  # what the write put there is there
                q = was.get(p)
                back[p] = then[q] if q is not None and q < len(then) else None
        restored = now + [None] * (max(back, default=0) + 1 - len(now))
        for p, v in back.items():
            restored[p] = v
        if back and same(fresh.cell(restored, key_column), placed.cell(then, key_column)):
            fresh.rows[index] = restored
            puts.append(RowWrite(write.tab, write.row, {}, {key_column: fresh.cell(restored, key_column)}, spots=back))
    return puts


def uncovered(undone: list[RowWrite], redone: list[RowWrite], table: Table) -> list[RowWrite]:
    """The cells put back, but those the writes after them set anew."""
    covered = {(w.row, table.columns[c]) for w in redone for c in w.cells} | {
        (w.row, p) for w in redone for p in w.spots
    }
    kept = [replace(w, spots={p: v for p, v in w.spots.items() if (w.row, p) not in covered}) for w in undone]
    return [w for w in kept if w.spots]


def _columns_then(before: Table, now: Table) -> dict[int, int]:
    """Where each column of the tab `now` was `before` (by position): a known column by its name,
    the team's own by their headers in order; a column inserted since is not there."""
    found = {p: before.columns[c] for c, p in now.columns.items() if c in before.columns}
    then, later = ([norm(h) if not is_blank(h) else "" for h in t.headers] for t in (before, now))
    for block in SequenceMatcher(None, then, later, autojunk=False).get_matching_blocks():
        for offset in range(block.size):
            found.setdefault(block.b + offset, block.a + offset)
    return found


def _ranked(table: Table, key_column: str) -> tuple[dict[tuple[Any, int], list[Any]], dict[int, int], Counter[Any]]:
    """Each row of `table` by its identity and rank (0: the first row with that identity), each
    sheet row's rank, and how many rows have each identity."""
    rows: dict[tuple[Any, int], list[Any]] = {}
    ranks: dict[int, int] = {}
    seen: Counter[Any] = Counter()
    for index, values in enumerate(table.rows):
        identity = row_identity(table, values, key_column)
        ranks[table.sheet_row(index)] = rank = seen[identity]
        rows[identity, rank] = values
        seen[identity] += 1
    return rows, ranks, seen


def _own(
    original: dict[tuple[Any, int], list[Any]],
    twins: Counter[Any],
    ranked: tuple[Any, int] | None,
    snapshot: Table,
    fresh: Table,
    values: list[Any],
    written: set[str],
) -> list[Any] | None:
    """A fresh row's own values as first read, by its identity and rank; where rows repeat its
    identity (a `retry` row and the row of its resend), the one whose other cells it holds, since a
    sort may have changed their order."""
    if ranked is None:
        return None
    identity, rank = ranked
    if twins[identity] == 1 and rank == 0:
        return original[identity, 0]
    among = [original[identity, r] for r in range(twins[identity])]
    found = _same_row(snapshot, fresh, values, written, among) if among else None
    return original.get(ranked) if found is None else found


def _rank(write: RowWrite, rank: int, rows: list[int], fresh: Table, taken: dict[int, RowWrite]) -> int:
    """Which of `rows` (the fresh rows with the write's identity) is the write's: the one of its
    `rank`, unless a sort swapped them: then the first one not `taken` that holds what the write
    expects (a lead's name)."""
    if len(rows) < 2:
        return rank
    free = [i for i in (rank, *range(len(rows))) if i < len(rows) and rows[i] not in taken]
    return next((i for i in free if _holds_now(fresh, rows[i], write.expect)), rank)


def _holds_now(table: Table, row: int, expect: dict[str, Any]) -> bool:
    index = row - table.header_row - 1
    values = table.rows[index] if 0 <= index < len(table.rows) else []
    return all(same(table.cell(values, c), v) for c, v in expect.items())


def _same_row(
    snapshot: Table, fresh: Table, values: list[Any], written: set[str], among: list[list[Any]] | None = None
) -> list[Any] | None:
    """The row of the run's first read (or of `among` its rows) that holds what `values` holds
    outside the `written` columns ([] when those are empty: the row was; None when no one row matches)."""
    columns = [c.name for c in fresh.tab.columns if c.name not in written and c.name in snapshot.columns]
    mine = [plain(fresh.cell(values, c)) for c in columns]
    if all(v == "" for v in mine):
        return []
    found = [
        r for r in (snapshot.rows if among is None else among) if [plain(snapshot.cell(r, c)) for c in columns] == mine
    ]
    return found[0] if len(found) == 1 else None


def row_identity(table: Table, values: list[Any], key_column: str) -> Any:
    """A row's key; for a lead whose ID cell is empty, what else tells it apart (its name, email,
    phone and request time)."""
    key = table.cell(values, key_column)
    if table.tab is LEADS and is_blank(key):
        return tuple(plain(table.cell(values, c)) for c in ("Name", "Email", "Phone", "Created at"))
    return key


def plain(value: Any) -> Any:
    """An empty cell reads as None or "" depending on where it is in the row: the same nothing."""
    return "" if is_blank(value) else value
