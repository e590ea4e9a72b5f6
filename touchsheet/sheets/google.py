"""The Google Sheet backend (gspread): a few API calls per run, safe while managers edit.

A run reads every tab in one values batchGet and writes its changes in one values batchUpdate
while they fit one request (Google takes 10,485,760 bytes; a day's changes on 100,000 leads are
8.8 MB): three calls at most. The first run on a large sheet writes every lead's worker cells (40 MB
at 100,000 leads), in as few values batchUpdates as hold them (five there; see gapi.fitting), and
Touch log rows too many for one append go likewise. The third call is the append to the Touch log
(the emails it sends, the ticked tasks it records), or, in a run with nothing to append, a spreadsheets
batchUpdate when tabs or formats must change: a run whose Due today tab must grow sends its emails
in the next run, and a new KPI layout (the first, or tables that moved) waits for a run with a call
to spare. Ticked tasks never wait: recording some while Due today must grow takes a fourth call.
Only changed cells are written, as RAW values.

Managers sort, insert, delete and type while a run works, so rows are found by their ID (Key on
the log and on Due today), never trusted by position: each written range also covers the row's
ID cell, left as it is (a `null` in the request), and Google answers with the range as it stands
after the write. A row that no longer holds the expected ID is repaired at once: the lead's
values go to where it now is, and the row written by mistake gets its own values back. The header
cells of the columns written go with the write the same way: when a column was inserted or deleted
meanwhile, the cells that landed in other columns get their values back and the write goes again by
column name. Rows still due on Due today stay where they are, with the managers' cells never
written over, so a tick made during a run is never lost; a row the run clears is read in the same
write just before, and when a sort brought another task there, or a manager ticked it meanwhile,
that task and those cells are put back.
A write in several requests checks each the same way; rows moved between two of them carried away
what the earlier ones wrote, which goes again with the repair.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from google.oauth2 import service_account

from touchsheet.engine.cells import SERIAL_RANGE, from_serial, is_blank
from touchsheet.engine.table import Table, column_letter, held_by_team, table_from_grid
from touchsheet.errors import SheetError
from touchsheet.schema import COSTS, TABS, TOUCH_LOG, Tab, norm, tab_keys
from touchsheet.sheets import FIX, one_tab_each, teams_tab
from touchsheet.sheets.a1 import quote
from touchsheet.sheets.changes import DUE_MANAGER_COLUMNS, CellWrite, Changes, empty_row, same
from touchsheet.sheets.gapi import (
    GOOGLE,
    Patience,
    SheetsApi,
    StaleTabs,
    append_body,
    fitting,
    raw_value,
    responses,
    row_span,
    update_body,
)
from touchsheet.sheets.google_format import chart_ids, chart_requests, date_format, init_requests, kpi_format_requests
from touchsheet.sheets.google_repair import (
    RowWrite,
    plain,
    put_back,
    relocated,
    require_written,
    restores_due,
    row_identity,
    uncovered,
)

logger = logging.getLogger(__name__)

REPAIR_ROUNDS = 3
PATIENCE = Patience()


class GoogleWorkbook:
    def __init__(
        self,
        key: str,
        credentials: Callable[[], service_account.Credentials],
        locale: str = "en",
        endpoint: str = GOOGLE,
        patience: Patience = PATIENCE,
        cache: Path | None = None,
    ) -> None:
        self.key, self.locale, self.cache = key, locale, cache
        self._credentials, self._endpoint, self._patience = credentials, endpoint, patience
        self._api: SheetsApi | None = None
        self._tabs: dict[str, dict[str, Any]] = {}  # tab name -> {"title", "id", "rows", "columns", "charts"}
        self._tables: dict[str, Table] = {}  # where rows are, as last read
        self._snapshot: dict[str, Table] = {}  # what the run read first: the values to restore
        self._appended: dict[int, dict[str, Any]] = {}  # the Touch log rows this run appended (its third call)

    @property
    def api(self) -> SheetsApi:
        """Connected on first use: constructing a backend does no I/O."""
        if self._api is None:
            self._api = SheetsApi(self.key, self._credentials(), self._endpoint, self._patience)
        return self._api

    # reading

    def read(self) -> dict[str, Table]:
        """One values batchGet of every tab (tab names come from a local cache, refreshed from the
        sheet's metadata when a tab was renamed, so a usual run spends no call on them)."""
        cached = self._cached_tabs()
        self._tabs = cached or self._look_up_tabs()
        try:
            grids = self._get([tab.name for tab in TABS])
        except (StaleTabs, SheetError) as e:
            if not cached or (not isinstance(e, StaleTabs) and "has no tab" not in str(e)):
                raise
            self._tabs = self._look_up_tabs()
            grids = self._get([tab.name for tab in TABS])
        words: dict[str, str] = {}  # one for every tab: the Touch log's Lead IDs become the Leads' own strings
        self._tables = {
            tab.name: _as_read(table_from_grid(tab, self._tabs[tab.name]["title"], grids[tab.name]), words)
            for tab in TABS
        }
        theirs = one_tab_each(self._titles()) + [
            line for table in self._tables.values() for line in teams_tab(table, self.locale)
        ]
        if theirs:
            raise SheetError(" ".join(theirs))
        self._snapshot = dict(self._tables)
        self._appended = {}
        return self._tables

    def _get(self, names: list[str]) -> dict[str, list[list[Any]]]:
        missing = [f"'{t.label(self.locale)}'" for t in TABS if t.name in names and t.name not in self._tabs]
        if missing:
            raise SheetError(f"the spreadsheet has no tab {', '.join(missing)}. Fix: {FIX}")
        ranges = self.api.batch_get([quote(self._tabs[n]["title"]) for n in names])
        for name, found in zip(names, ranges):  # a whole tab's range ends at its last row: 'Leads'!A1:Z1000
            if "range" in found:
                self._tabs[name]["rows"] = row_span(found["range"])[1]  # rows pasted since the tabs were looked up
        return {name: found.get("values", []) for name, found in zip(names, ranges)}

    def _look_up_tabs(self) -> dict[str, dict[str, Any]]:
        sheets = self.api.metadata("sheets(properties(sheetId,title,gridProperties),charts.chartId)")["sheets"]
        found: dict[str, dict[str, Any]] = {}
        for sheet in sheets:
            properties = sheet["properties"]
            for tab in TABS:
                if norm(properties["title"]) not in tab_keys(tab):
                    continue
                if tab.name in found:  # a second tab by one of its names: only the first is read
                    found[tab.name].setdefault("also", []).append(properties["title"])
                    continue
                grid = properties.get("gridProperties", {})
                found[tab.name] = {
                    "title": properties["title"],
                    "id": properties["sheetId"],
                    "rows": grid.get("rowCount", 1000),
                    "columns": grid.get("columnCount", 26),
                    "charts": [c["chartId"] for c in sheet.get("charts", [])],
                }
        self._remember(found)
        return found

    def _cached_tabs(self) -> dict[str, dict[str, Any]] | None:
        """The tabs as last looked up; none while two tabs went by one of touchsheet's (each run
        looks them up again, to see the one renamed)."""
        try:
            found = json.loads(self.cache.read_text()) if self.cache else None
        except (OSError, ValueError):
            return None
        if not isinstance(found, dict) or found.get("key") != self.key or not found.get("tabs"):
            return None
        return None if any("also" in tab for tab in found["tabs"].values()) else found["tabs"]

    def _titles(self) -> dict[Tab, list[str]]:
        """The titles of the tabs each of touchsheet's goes by, the one read first."""
        return {tab: [self._tabs[tab.name]["title"], *self._tabs[tab.name].get("also", [])] for tab in TABS}

    def _remember(self, tabs: dict[str, dict[str, Any]]) -> None:
        if self.cache is not None:
            self.cache.write_text(json.dumps({"key": self.key, "tabs": tabs}))

    # writing

    def write(self, changes: Changes) -> dict[str, list[int]]:
        appended: dict[str, list[int]] = {name: [] for name in changes.appends}
        rows = changes.appends.get("Touch log")
        if rows:
            appended["Touch log"] = self._append_log(rows)
            self._appended.update(zip(appended["Touch log"], rows))
        writes = self._lead_writes(changes.cells) + self._log_writes(changes.cells)
        if changes.due_today is not None:
            writes += self._due_writes(self._tables["Due today"], changes.due_today)
        grids = {
            name: self._grid(name, rows)
            for name, rows in (("KPI", changes.kpi and changes.kpi.rows), ("Status", changes.status))
            if rows is not None
        }
        self._lay_out(self._grow(writes, grids), changes, spare=not self._appended)
        if writes or grids:
            self._write_and_verify(writes, grids, changes)
        return appended

    def _append_log(self, rows: list[dict[str, Any]]) -> list[int]:
        """The rows added below the Touch log, in one values.append while they fit a request; the
        sheet rows they landed on."""
        table = self._tables["Touch log"]
        width = max(table.columns.values()) + 1
        values = [[raw_value(row.get(name)) if name else "" for name in _names(table, width)] for row in rows]
        sheet_rows: list[int] = []
        for start, stop, body in fitting(len(values), lambda first, last: append_body(values[first:last])):
            sheet_rows += self._append(table, rows[start:stop], body)
        self._tabs["Touch log"]["rows"] += len(rows)  # Google inserted a row for each: no need to grow it
        return sheet_rows

    def _append(self, table: Table, rows: list[dict[str, Any]], body: bytes) -> list[int]:
        stamps = [tuple(plain(raw_value(row.get(c))) for c in _STAMP) for row in rows]

        def landed() -> list[int] | None:
            """Where the rows are, if Google wrote them: each known by its key, moment and status, and
            not one the run read (a `retry` row sent again has the key of the row appended for it)."""
            fresh = self._fresh("Touch log")
            read = Counter(_stamp(table, values) for values in table.rows)
            where: dict[tuple[Any, ...], int] = {}
            for index, values in enumerate(fresh.rows):
                stamp = _stamp(fresh, values)
                if read[stamp]:
                    read[stamp] -= 1
                else:
                    where.setdefault(stamp, fresh.sheet_row(index))
            found = [where.get(s) for s in stamps]
            return None if None in found else [r for r in found if r is not None]

        return self.api.append(f"{quote(table.title)}!A{table.header_row}", body, landed)

    def _lead_writes(self, cells: list[CellWrite]) -> list[RowWrite]:
        table = self._tables["Leads"]
        by_row: dict[int, RowWrite] = {}
        for write in cells:
            if write.tab != "Leads":
                continue
            rw = by_row.get(write.row)
            if rw is None:
                values = table.rows[write.row - table.header_row - 1]
                expect = {"ID": table.cell(values, "ID"), "Name": table.cell(values, "Name")}
                rw = by_row[write.row] = RowWrite("Leads", write.row, {}, expect, row_identity(table, values, "ID"))
            rw.cells[write.column] = write.value
            if write.column == "ID":
                rw.expect["ID"] = write.value
        return list(by_row.values())

    def _log_writes(self, cells: list[CellWrite]) -> list[RowWrite]:
        by_row: dict[int, RowWrite] = {}
        for write in cells:
            if write.tab == "Touch log":
                rw = by_row.get(write.row)
                if rw is None:
                    rw = by_row[write.row] = self._log_row(write.row, write.identity[1] if write.identity else "")
                rw.cells[write.column] = write.value
        return list(by_row.values())

    def _log_row(self, row: int, key: str) -> RowWrite:
        """A write on a Touch log row. Keys repeat on the log (a `retry` row and the row of its resend
        share one): a row this run appended is known by its moment too, and is the last with its key."""
        appended = self._appended.get(row)
        if appended is None:
            return RowWrite("Touch log", row, {}, {"Key": key}, key)
        return RowWrite("Touch log", row, {}, {"Key": key, "At": appended["At"]}, key, rank=-1)

    def has_room(self, due_keys: list[str]) -> bool:
        below = _due_places(self._tables["Due today"], due_keys)[1]
        return max((row for _, row in below), default=0) <= self._tabs["Due today"]["rows"]

    def _due_writes(self, table: Table, wanted: list[dict[str, Any]]) -> list[RowWrite]:
        """Rows still due stay where they are; finished rows are cleared; new rows fill rows that
        were empty, then go below. Managers' cells of a row still due are never written."""
        by_key = {row["Key"]: row for row in wanted if not is_blank(row.get("Key"))}
        keyless = [row for row in wanted if is_blank(row.get("Key"))]
        kept, new = _due_places(table, list(by_key))
        writes: list[RowWrite] = []
        # the run's own columns of a row still due, each with where it is: looked up once for every row
        ours = [(c, p) for c, p in table.columns.items() if c not in DUE_MANAGER_COLUMNS and c != "Key"]
        for index, values in enumerate(table.rows):
            key = kept.get(index)
            if key is not None:
                due, size = by_key[key], len(values)
                changed = {c: due.get(c) for c, p in ours if not same(values[p] if p < size else None, due.get(c))}
                if changed:
                    writes.append(RowWrite("Due today", table.sheet_row(index), changed, {"Key": key}))
            elif not empty_row(table, values):
                typed = [table.cell(values, c) for c in DUE_MANAGER_COLUMNS]
                stays = _take_match(keyless, table, values) if is_blank(table.cell(values, "Key")) else None
                if stays is not None:  # typed on a row without a key: it stays, saying why it is not recorded
                    if not same(table.cell(values, "Problem"), stays.get("Problem")):
                        expect = dict(zip(DUE_MANAGER_COLUMNS, typed))
                        writes.append(
                            RowWrite("Due today", table.sheet_row(index), {"Problem": stays.get("Problem")}, expect)
                        )
                    continue
                recorded = any(not is_blank(v) and v is not False for v in typed)
                cleared = {c: None for c in table.columns if recorded or c not in DUE_MANAGER_COLUMNS}
                expect = {} if recorded else {c: table.cell(values, c) for c in DUE_MANAGER_COLUMNS}
                row, key = table.sheet_row(index), table.cell(values, "Key")
                # First the cells the clear blanks that say whose row it is and what a manager typed,
                # read through: Google answers each range of a write as it leaves the row, so this one
                # shows the row as the clear found it, and the repair puts back another task a sort
                # brought there, or a tick made since the read. (Answered with the whole write's result,
                # it would show the clear's blanks: the clear is let be, as it always was.)
                blanked = {c: table.cell(values, c) for c in ("Key", *DUE_MANAGER_COLUMNS) if c in cleared}
                writes.append(RowWrite("Due today", row, {}, blanked, key))
                writes.append(RowWrite("Due today", row, cleared, expect, key))
        for key, row in new:
            due = by_key[key]
            cells = {c: due.get(c) for c in table.columns if c not in DUE_MANAGER_COLUMNS or c == "Done"}
            # an unticked box, as on the workbook; Result and Note must still be empty when it lands
            expect = {c: None for c in DUE_MANAGER_COLUMNS if c != "Done"}
            writes.append(RowWrite("Due today", row, cells, expect))
        return writes

    def _grid(self, name: str, rows: list[list[Any]]) -> list[list[Any]]:
        """A grid tab's (KPI, Status) cells, padded with blanks over what was there before."""
        old = self._tables[name].rows
        height = max(len(old), len(rows))
        width = max([len(r) for r in old] + [len(r) for r in rows] + [1])
        grid = [list(r) + [None] * (width - len(r)) for r in rows]
        grid += [[None] * width for _ in range(height - len(grid))]
        return [[raw_value(v) for v in row] for row in grid]

    def _write_and_verify(self, writes: list[RowWrite], grids: dict[str, list[list[Any]]], changes: Changes) -> None:
        for round_ in range(REPAIR_ROUNDS + 1):
            wrong: list[RowWrite] = []
            moved: set[str] = set()
            requests = 0
            for part, headers, body in self._requests(writes, grids):
                requests += 1
                answers = responses(self.api.update(body))
                held = [self._holds(w, answer) for w, answer in zip(part, answers)]
                shifted = {
                    tab
                    for (tab, places), answer in zip(headers.items(), answers)
                    if not self._same_headers(tab, places, answer)
                }
                wrong += [w for w, ok in zip(part, held) if not ok or w.tab in shifted]
                moved |= shifted
            if not wrong:
                return
            if requests > 1:
                wrong = _with_landed(writes, wrong)
            if round_ == REPAIR_ROUNDS:
                break
            logger.warning("the sheet changed during the run: repairing %d row(s)", len(wrong))
            writes, grids = self._repairs(wrong, changes, moved), {}
            if not writes:
                return
        raise SheetError("the sheet kept changing while the run wrote to it; the next run will finish the job")

    def _requests(
        self, writes: list[RowWrite], grids: dict[str, list[list[Any]]]
    ) -> Iterator[tuple[list[RowWrite], dict[str, list[int]], bytes]]:
        """The writes in as few values.batchUpdate requests as Google takes (see `fitting`), in
        order, the grids with the first; each with the header cells of its writes' tabs, so a column
        moved before any request shows in its answer. The ranges are freed before an answer is decoded."""
        headers = self._header_cells(writes)

        def body(start: int, stop: int) -> bytes:
            part = writes[start:stop]
            return update_body(self._data(part, _of_tabs(headers, part), grids if start == 0 else {}), echo=True)

        for start, stop, encoded in fitting(len(writes), body):
            yield writes[start:stop], _of_tabs(headers, writes[start:stop]), encoded

    def _header_cells(self, writes: list[RowWrite]) -> dict[str, list[int]]:
        """The columns each tab's writes place cells in by the headers read: those header cells go
        with the write, read through, and tell whether a column was inserted or deleted meanwhile."""
        names: dict[str, set[str]] = {}
        spots: dict[str, set[int]] = {}
        for w in writes:
            found = names.setdefault(w.tab, set())
            found.update(w.cells)
            found.update(w.expect)
            spots.setdefault(w.tab, set()).update(w.spots)
        return {tab: sorted({self._tables[tab].columns[c] for c in found} | spots[tab]) for tab, found in names.items()}

    def _data(
        self, writes: list[RowWrite], headers: dict[str, list[int]], grids: dict[str, list[list[Any]]]
    ) -> list[dict[str, Any]]:
        data = [self._range(w) for w in writes]
        for name, places in headers.items():
            table = self._tables[name]
            low, high, row = places[0], places[-1], table.header_row
            data.append(
                {
                    "range": f"{quote(table.title)}!{column_letter(low)}{row}:{column_letter(high)}{row}",
                    "values": [[None] * (high - low + 1)],
                }
            )
        return data + [{"range": f"{quote(self._tables[n].title)}!A1", "values": grid} for n, grid in grids.items()]

    def _range(self, write: RowWrite) -> dict[str, Any]:
        table = self._tables[write.tab]
        columns = [table.columns[c] for c in (*write.cells, *write.expect)] + list(write.spots)
        low, high = min(columns), max(columns)
        values: list[Any] = [None] * (high - low + 1)  # None: read through
        for name, value in write.cells.items():
            values[table.columns[name] - low] = raw_value(value)
        for position, value in write.spots.items():
            values[position - low] = raw_value(value)
        return {
            "range": f"{quote(table.title)}!{column_letter(low)}{write.row}:{column_letter(high)}{write.row}",
            "values": [values],
        }

    def _same_headers(self, tab: str, places: list[int], answer: dict[str, Any]) -> bool:
        """Whether the header cells at `places` still say what the run placed its cells by."""
        headers, low = self._tables[tab].headers, places[0]
        echoed = (answer.get("updatedData", {}).get("values") or [[]])[0]
        return all(
            plain(echoed[p - low] if p - low < len(echoed) else None) == plain(headers[p] if p < len(headers) else None)
            for p in places
        )

    def _holds(self, write: RowWrite, answer: dict[str, Any]) -> bool:
        table = self._tables[write.tab]
        low = min([table.columns[c] for c in (*write.cells, *write.expect)] + list(write.spots))
        echoed = (answer.get("updatedData", {}).get("values") or [[]])[0]
        for name, expected in write.expect.items():
            position = table.columns[name] - low
            value = echoed[position] if position < len(echoed) else None
            if not same(value, raw_value(expected) if not isinstance(expected, (datetime, date)) else expected):
                return write.reads_only and _was_empty(write, table, low, echoed)
        return True

    def _repairs(self, wrong: list[RowWrite], changes: Changes, moved: set[str]) -> list[RowWrite]:
        """After rows moved under the run: the writes again, where their rows now are, and the old
        values back on rows written by mistake. On a tab whose columns `moved`, the cells written
        into other columns get their own values back first, and the writes go again by column name."""
        tabs = sorted({w.tab for w in wrong})
        placed = {name: self._tables[name] for name in tabs}  # the columns the writes were placed by
        fresh = {name: self._fresh(name) for name in tabs}
        self._tables.update(fresh)
        repairs: list[RowWrite] = []
        for name in tabs:
            mine = [w for w in wrong if w.tab == name]
            require_written(fresh[name], mine)
            snapshot, key = self._snapshot[name], "ID" if name == "Leads" else "Key"
            undone = put_back(mine, placed[name], fresh[name], key) if name in moved else []
            if name == "Due today":
                # where columns moved, a check read other cells than it meant: put_back gives back what it hit
                hit = [w for w in mine if name not in moved or w.found is None]
                restored, kept = restores_due(hit, snapshot, fresh[name], changes.due_today or [])
                redone = restored + self._due_writes(fresh[name], (changes.due_today or []) + kept)
            else:
                redone = relocated(mine, snapshot, fresh[name], key)
            repairs += uncovered(undone, redone, fresh[name]) + redone
        return repairs

    def _fresh(self, name: str) -> Table:
        grid = self._get([name])[name]
        tab = next(t for t in TABS if t.name == name)
        return _as_read(table_from_grid(tab, self._tabs[name]["title"], grid))

    def _grow(self, writes: list[RowWrite], grids: dict[str, list[list[Any]]]) -> list[dict[str, Any]]:
        """Values writes cannot go past a tab's last row: add rows first when a write needs them."""
        need = {name: len(grid) for name, grid in grids.items()}
        for write in writes:
            need[write.tab] = max(need.get(write.tab, 0), write.row)
        requests = []
        for name, rows in need.items():
            tab = self._tabs[name]
            if rows > tab["rows"]:
                extra = rows - tab["rows"] + max(500, rows // 4)  # room to grow before it must grow again
                requests.append({"appendDimension": {"sheetId": tab["id"], "dimension": "ROWS", "length": extra}})
                tab["rows"] += extra
        return requests

    def _lay_out(self, grow: list[dict[str, Any]], changes: Changes, spare: bool) -> None:
        """One spreadsheets batchUpdate, and only when the layout must change. A new KPI layout goes
        with a tab's growth, or in a run with a call to `spare` (it appended nothing): a run that
        sends emails has spent its three calls, and the formats wait for the next quiet run. The KPI
        charts to replace are the ones remembered with the tabs; when one was deleted by hand
        meanwhile, Google refuses the request, and it is sent once more with the charts looked up again."""
        kpi = self._kpi_layout(changes) if grow or spare else []
        if not grow and not kpi:
            return
        try:
            self.api.format(grow + kpi)
        except SheetError:
            if not kpi:
                raise
            self._tabs["KPI"]["charts"] = self._look_up_tabs()["KPI"]["charts"]
            self.api.format(grow + self._kpi_layout(changes, force=True))
        self._remember(self._tabs)

    def _kpi_layout(self, changes: Changes, force: bool = False) -> list[dict[str, Any]]:
        """The KPI tab's number formats and charts, sent again only when its layout changed."""
        if changes.kpi is None:
            return []
        kpi, tab = changes.kpi, self._tabs["KPI"]
        signature = json.dumps(
            [sorted((list(k), v) for k, v in kpi.units.items()), sorted(kpi.bold), [repr(c) for c in changes.charts]]
        )
        if tab.get("layout") == signature and not force:
            return []
        drawn = tab.get("charts", [])
        tab["layout"], tab["charts"] = signature, chart_ids(changes.charts)
        return kpi_format_requests(tab["id"], kpi, self.locale) + chart_requests(tab["id"], changes.charts, drawn)

    # init

    def init(self) -> list[str]:
        metadata = self.api.metadata("sheets.properties(sheetId,title,gridProperties)")
        titles = {norm(s["properties"]["title"]): s["properties"] for s in metadata["sheets"]}
        done: list[str] = []
        add = [tab for tab in TABS if not tab_keys(tab) & set(titles)]
        if add:
            self.api.format([{"addSheet": {"properties": _new_tab(tab, self.locale)}} for tab in add])
            done += [f"added tab '{tab.label(self.locale)}'" for tab in add]
        self._tabs = self._look_up_tabs()
        grids = self._get([tab.name for tab in TABS])
        data, fresh, layout = [], [], []
        theirs = one_tab_each(self._titles())  # what the team keeps where touchsheet would write: left as it is
        for tab in TABS:
            table = table_from_grid(tab, self._tabs[tab.name]["title"], grids[tab.name])
            held = teams_tab(table, self.locale) + held_by_team(table)
            theirs += held
            if held or not tab.columns:
                continue
            header_row = table.header_row or 1
            # right of every column in use: a column of the team's own may have no header
            used = (table.headers, *table.rows)
            start = max((i + 1 for row in used for i, v in enumerate(row) if not is_blank(v)), default=0)
            added = [c for c in tab.columns if c.name not in table.columns]
            labels = [c.label(self.locale) for c in added]
            if labels:
                data.append({"range": f"{quote(table.title)}!{column_letter(start)}{header_row}", "values": [labels]})
                done.append(f"tab '{table.title}': added column(s) {', '.join(labels)}")
                layout += _wider(self._tabs[tab.name], start + len(labels))
            if not any(not is_blank(h) for h in table.headers):
                fresh.append(tab)
            else:  # a tab in use is not dressed, but the dates the run writes in the columns added show as dates
                sheet = self._tabs[tab.name]["id"]
                dated = [(start + i, c.type) for i, c in enumerate(added) if c.type in ("date", "datetime")]
                layout += [date_format(sheet, index, kind, self.locale) for index, kind in dated]
        if layout:
            self.api.format(layout)
        if data:
            self.api.update(update_body(data, echo=False))
        if fresh:
            self._tables = {
                t.name: table_from_grid(t, self._tabs[t.name]["title"], g)
                for t, g in ((t, self._get([t.name])[t.name]) for t in fresh)
            }
            self.api.format(init_requests(self._tabs, self._tables, self.locale))
        return done + theirs


def _new_tab(tab: Tab, locale: str) -> dict[str, Any]:
    """A tab exactly as wide as its columns: Google counts every cell of every tab, empty or not,
    against its 10 million (a 500,000-row Touch log 26 columns wide would take 13 million)."""
    properties: dict[str, Any] = {"title": tab.label(locale)}
    if tab.columns:
        properties["gridProperties"] = {"columnCount": len(tab.columns)}
    return properties


def _wider(tab: dict[str, Any], columns: int) -> list[dict[str, Any]]:
    """Columns for headers past a tab's last column (values cannot be written outside the grid)."""
    if columns <= tab["columns"]:
        return []
    extra, tab["columns"] = columns - tab["columns"], columns
    return [{"appendDimension": {"sheetId": tab["id"], "dimension": "COLUMNS", "length": extra}}]


def _due_places(table: Table, keys: list[str]) -> tuple[dict[int, str], list[tuple[str, int]]]:
    """Where today's tasks go on Due today: the rows (by index) of those still on it, and the sheet
    rows of the new ones, which fill the empty rows first, then go below."""
    wanted = set(keys)
    kept: dict[int, str] = {}
    holes: list[int] = []
    for index, values in enumerate(table.rows):
        key = table.cell(values, "Key")
        if key in wanted:
            wanted.discard(key)  # the same task twice on the tab: the first row keeps it, the other is cleared
            kept[index] = key
        elif empty_row(table, values):
            holes.append(table.sheet_row(index))
    placed = set(kept.values())
    below = table.sheet_row(len(table.rows))
    rows = iter(holes + list(range(below, below + len(keys))))
    return kept, [(key, next(rows)) for key in keys if key not in placed]


def _was_empty(check: RowWrite, table: Table, low: int, echoed: list[Any]) -> bool:
    """Whether the row a check read before a clear was empty then: its task had moved away, and
    the clear lost nothing (nor when Google answered with the cells the whole write left). What
    it held otherwise stays on the check, for the repair to put back."""
    found = {name: echoed[p] if (p := table.columns[name] - low) < len(echoed) else None for name in check.expect}
    if all(is_blank(v) or v is False for v in found.values()):
        return True
    check.found = found
    return False


def _take_match(rows: list[dict[str, Any]], table: Table, values: list[Any]) -> dict[str, Any] | None:
    """The row of `rows` holding the cells `values` holds (each matched once), taken out of `rows`."""
    for i, row in enumerate(rows):
        if all(same(table.cell(values, c), row.get(c)) for c in table.columns if c != "Problem"):
            return rows.pop(i)
    return None


_STAMP = ("Key", "At", "Status")  # a Touch log row appended by a run: its key, the run's moment, the status


def _stamp(table: Table, values: list[Any]) -> tuple[Any, ...]:
    return tuple(plain(table.cell(values, c)) for c in _STAMP)


# Columns whose few words fill thousands of rows (JSON gives every cell a string of its own), and
# the leads' IDs, which the Touch log and Due today repeat.
_REPEATED = frozenset(
    {"Manager", "Source", "Stage", "Opt out", "Time zone", "Next channel", "Next kind", "Next reason", "Flags"}
    | {"Problem", "Lead ID", "Channel", "Kind", "Step", "Status", "Result", "Note", "Reason", "Overdue", "Done"}
    | {"ID"}
)

# Tabs whose dates the engine reads itself: the Touch log's half a million, and Costs' Month, where
# 11.2026 (a number, on a sheet with English settings) is November, not a day of 1900.
_AS_TYPED = (TOUCH_LOG, COSTS)


def _as_read(table: Table, words: dict[str, str] | None = None) -> Table:
    """Google's cells as the engine takes them, as xlsx has them: dates (serial numbers) as
    datetimes in date columns; and one string for each word a column repeats (a hundred thousand
    leads would hold millions of copies of a few words), shared by the tabs read together through
    `words`: a lead's ID is then one string on every tab, as in a workbook's shared strings, and
    the engine's lookups by ID need not compare the characters (0.2 of its 3.8 s at 100,000 leads).
    The Touch log's half a million dates stay serial numbers: only the engine reads them, and it
    reads those as they are."""
    dated = [] if table.tab in _AS_TYPED else [c.name for c in table.tab.columns if c.type in ("date", "datetime")]
    positions = [table.columns[name] for name in dated if name in table.columns]
    repeated = [table.columns[name] for name in _REPEATED if name in table.columns]
    words = {} if words is None else words
    low, high = SERIAL_RANGE
    for values in table.rows:
        size = len(values)
        for position in positions:
            # JSON: not a bool. A number no date stands for (20261125 typed for a date, 0.6 for a time
            # alone) stays a number: the engine says on its row that it is not a date, as on a workbook.
            if position < size and values[position].__class__ in (int, float) and low <= values[position] <= high:
                values[position] = from_serial(values[position])
        for position in repeated:
            if position < size and values[position].__class__ is str:
                values[position] = words.setdefault(values[position], values[position])
    return table


def _with_landed(writes: list[RowWrite], wrong: list[RowWrite]) -> list[RowWrite]:
    """The `wrong` writes, and every write of their tabs that landed right in another request of
    the same write: rows moved between two requests carried those away, and a row a later request
    hit by mistake must get back the values an earlier one gave it, not the ones the run first read.
    Due today is laid out anew from the tab as it then stands."""
    again = {id(w) for w in wrong}
    tabs = {w.tab for w in wrong} - {"Due today"}
    return [w for w in writes if id(w) in again or w.tab in tabs]


def _of_tabs(headers: dict[str, list[int]], writes: list[RowWrite]) -> dict[str, list[int]]:
    """The header cells of the tabs `writes` write on."""
    tabs = {w.tab for w in writes}
    return {tab: places for tab, places in headers.items() if tab in tabs}


def _names(table: Table, width: int) -> list[str | None]:
    names = {position: name for name, position in table.columns.items()}
    return [names.get(i) for i in range(width)]
