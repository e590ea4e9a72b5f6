"""SheetsEmulator: a local Google Sheets API v4 (and the Drive v3 calls gspread needs) for tests.

>>> with SheetsEmulator() as emu:
...     info = emu.service_account(email="touchsheet@demo-project.iam.gserviceaccount.com")
...     key = emu.create_spreadsheet("Team CRM", tabs={"Leads": [["ID", "Name"], ["L-1", "Ivan"]]},
...                                  share_with=[info["client_email"]])
...     emu.values(key, "Leads")
[['ID', 'Name'], ['L-1', 'Ivan']]

Point the real clients at it: the key file's token_uri is emu.url + "/token", and emu.rewrite(url)
maps Google's hosts to emu.url (a requests session subclass can call it on every request).
"""

from __future__ import annotations

import copy
import random
import string
import threading
from collections.abc import Callable, Iterable
from typing import Any

from . import a1, values
from .api import Call, Faults, dispatch
from .auth import Accounts
from .book import DEFAULT_COLUMNS, DEFAULT_ROWS, Spreadsheet
from .cells import stored
from .entry import enter
from .errors import denied, not_found
from .server import Server
from .views import CellView, SheetView, cell_view, sheet_view

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com", "https://oauth2.googleapis.com")
_ID_CHARS = string.ascii_letters + string.digits + "-_"


class SheetsEmulator:
    """The emulator and its control API; thread-safe with the server it runs in the background."""

    def __init__(self, *, seed: int = 0) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._books: dict[str, Spreadsheet] = {}
        self._accounts = Accounts()
        self._faults = Faults()
        self._server = Server(lambda request: dispatch(self, request))
        self.calls: list[Call] = []  # every Sheets and Drive call, in order
        self.token_calls: list[Call] = []  # every POST /token
        # called as between_calls(emu, n) before API call n (1-based) is handled: a test acting as a manager
        self.between_calls: Callable[[SheetsEmulator, int], None] | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    def __enter__(self) -> SheetsEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1 (see url)."""
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        """Where the emulator listens: "http://127.0.0.1:PORT"."""
        return self._server.url

    def rewrite(self, url: str) -> str:
        """A Google API URL moved onto the emulator; other URLs unchanged.

        rewrite("https://sheets.googleapis.com/v4/spreadsheets/x") == emu.url + "/v4/spreadsheets/x"
        """
        for host in GOOGLE_HOSTS:
            if url.startswith(host + "/"):
                return self.url + url[len(host) :]
        return url

    # --- accounts and files -------------------------------------------------------------------------

    def service_account(self, email: str = "touchsheet@demo-project.iam.gserviceaccount.com") -> dict[str, str]:
        """A service-account key file (dict) google-auth accepts; its token_uri is this emulator's."""
        with self._lock:
            return self._accounts.create(email, self.url + "/token")

    def expire_tokens(self) -> None:
        """Expire every access token issued so far (the next call gets 401 and the client must refresh)."""
        with self._lock:
            self._accounts.expire()

    def create_spreadsheet(
        self,
        title: str,
        tabs: dict[str, list[list[Any]]] | None = None,
        share_with: Iterable[str] = (),
        *,
        key: str | None = None,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
    ) -> str:
        """A spreadsheet with these tabs and rows (values stored as typed: str stays str, dates become
        date cells); at least 1000 x 26 like a new Google sheet. Returns its id."""
        with self._lock:
            return self._new_book(title, tabs or {"Sheet1": []}, share_with, locale, time_zone, key)

    def share(self, key: str, email: str) -> None:
        """Give an account access (editor) to a spreadsheet."""
        with self._lock:
            self._books[key].readers.add(email.lower())

    def unshare(self, key: str, email: str) -> None:
        with self._lock:
            self._books[key].readers.discard(email.lower())

    # --- what is in a sheet --------------------------------------------------------------------------

    def values(self, key: str, tab: str, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """The tab's values as the API would render them, trimmed ("" for empty cells in the middle)."""
        with self._lock:
            book, sheet = self._tab(key, tab)
            area = (0, sheet.row_count, 0, sheet.col_count)
            return values.render_area(book, sheet, area, render, "SERIAL_NUMBER", "ROWS")

    def cell(self, key: str, tab: str, a1_name: str) -> CellView:
        """One cell: its value, formula (if it holds one), formatted text, number format and note."""
        with self._lock:
            book, sheet = self._tab(key, tab)
            row, col = self._cell_at(a1_name)
            return cell_view(book, sheet, row, col)

    def sheet(self, key: str, tab: str) -> SheetView:
        """A read-only view of a tab's features: frozen rows, validations, filters, protections, charts..."""
        with self._lock:
            _, sheet = self._tab(key, tab)
            return sheet_view(sheet)

    # --- a manager at work ---------------------------------------------------------------------------

    def set_cell(self, key: str, tab: str, a1_name: str, value: Any, user_entered: bool = False) -> None:
        """Type into a cell. The value is stored as given ("=x" stays text); user_entered=True parses it
        as the Sheets UI does in the spreadsheet's locale (formulas, numbers, dates)."""
        with self._lock:
            book, sheet = self._tab(key, tab)
            row, col = self._cell_at(a1_name)
            if user_entered and value is not None:
                cell = enter(value, True, book.locale, sheet.number_format(row, col))
            else:
                cell = stored(value)
            if row >= sheet.row_count or col >= sheet.col_count:
                sheet.resize(max(sheet.row_count, row + 1), max(sheet.col_count, col + 1))
            sheet.write(row, col, [[cell]])
            book.touch()

    def set_values(self, key: str, tab: str, rows: list[list[Any]]) -> None:
        """Paste a block of values at A1 (stored as typed, like set_cell), growing the grid to fit: a
        quick way to fill a tab with thousands of rows."""
        with self._lock:
            book, sheet = self._tab(key, tab)
            width = max((len(row) for row in rows), default=0)
            sheet.resize(max(sheet.row_count, len(rows)), max(sheet.col_count, width))
            sheet.write(0, 0, [_stored_row(row) for row in rows])
            book.touch()

    def rename_sheet(self, key: str, tab: str, title: str) -> None:
        """Rename a tab, as double-clicking its name does."""
        self._edit(key, tab, lambda book, sheet: sheet.props.update(title=title))

    def insert_rows(self, key: str, tab: str, before_row: int, count: int = 1) -> None:
        """Insert empty rows above row `before_row` (1-based), as right-click > Insert rows above."""
        self._edit(key, tab, lambda book, sheet: book.insert(sheet, "ROWS", before_row - 1, count))

    def delete_rows(self, key: str, tab: str, row: int, count: int = 1) -> None:
        """Delete `count` rows from row `row` (1-based)."""
        self._edit(key, tab, lambda book, sheet: book.delete(sheet, "ROWS", row - 1, row - 1 + count))

    def insert_columns(self, key: str, tab: str, before: str, count: int = 1) -> None:
        """Insert empty columns left of column `before` ("C")."""
        start = a1.column_index(before)
        self._edit(key, tab, lambda book, sheet: book.insert(sheet, "COLUMNS", start, count))

    def delete_columns(self, key: str, tab: str, column: str, count: int = 1) -> None:
        """Delete `count` columns from column `column` ("C")."""
        start = a1.column_index(column)
        self._edit(key, tab, lambda book, sheet: book.delete(sheet, "COLUMNS", start, start + count))

    def delete_chart(self, key: str, tab: str, title: str) -> None:
        """Select a chart and press Delete."""
        self._edit(
            key,
            tab,
            lambda book, sheet: sheet.charts.remove(next(c for c in sheet.charts if c["spec"]["title"] == title)),
        )

    def sort(self, key: str, tab: str, column: str, first_row: int = 2, descending: bool = False) -> None:
        """Data > Sort range over whole rows from `first_row` down (the header above stays), blanks last."""
        col = a1.column_index(column)
        self._edit(
            key,
            tab,
            lambda book, sheet: book.sort(
                sheet, (first_row - 1, sheet.row_count, 0, sheet.col_count), [(col, descending)]
            ),
        )

    # --- failures -------------------------------------------------------------------------------------

    def faults(
        self,
        status_by_call: dict[int, int] | None = None,
        *,
        rate: dict[int, float] | None = None,
        seed: int = 0,
        dropped_tokens: Iterable[int] = (),
    ) -> None:
        """Answer API call n (1-based, as counted in emu.calls) with a status and Google's error body
        instead of serving it; or fail calls at random with these probabilities, reproducibly; and
        drop the line, unanswered, on the token requests numbered in `dropped_tokens` (1-based, as
        counted in emu.token_calls). faults() with no arguments stops injecting."""
        with self._lock:
            self._faults = Faults(
                dict(status_by_call or {}), dict(rate or {}), random.Random(seed).random, frozenset(dropped_tokens)
            )

    # --- internals used by the API layer ---------------------------------------------------------------

    def _record(self, call: Call) -> tuple[int, Call]:
        with self._lock:
            self.calls.append(call)
            return len(self.calls), call

    def _open(self, key: str, caller: str) -> Spreadsheet:
        """A spreadsheet the caller may use: 404 when there is none, 403 when it is not shared."""
        book = self._books.get(key)
        if book is None:
            raise not_found()
        if caller.lower() not in book.readers:
            raise denied()
        return book

    def _new_id(self) -> int:
        return self._rng.randint(1, 2**31 - 1)

    def _new_book(
        self,
        title: str,
        tabs: dict[str, list[list[Any]]],
        share_with: Iterable[str],
        locale: str | None,
        time_zone: str | None,
        key: str | None = None,
    ) -> str:
        key = key or "1" + "".join(self._rng.choice(_ID_CHARS) for _ in range(43))
        book = Spreadsheet(key, title, locale or "en_US", time_zone or "Etc/GMT")
        for i, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
            width = max((len(row) for row in rows), default=0)
            grid = {"rowCount": max(DEFAULT_ROWS, len(rows)), "columnCount": max(DEFAULT_COLUMNS, width)}
            sheet = book.add_sheet({"title": tab, "gridProperties": grid}, 0 if i == 0 else self._new_id())
            sheet.rows = [_stored_row(row) for row in rows]
        book.readers = {email.lower() for email in share_with}
        self._books[key] = book
        return key

    def _copy_book(self, source: Spreadsheet, title: str, owner: str) -> str:
        key = self._new_book(title, {}, [owner], source.props["locale"], source.props["timeZone"])
        copied = self._books[key]
        copied.props = {**copy.deepcopy(source.props), "title": title}
        copied.sheets = [sheet.clone() for sheet in source.sheets]
        copied.named_ranges = copy.deepcopy(source.named_ranges)
        return key

    def _tab(self, key: str, tab: str) -> tuple[Spreadsheet, Any]:
        book = self._books[key]
        sheet = book.find(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in {key}")
        return book, sheet

    @staticmethod
    def _cell_at(a1_name: str) -> tuple[int, int]:
        span = a1.parse_ref(a1_name)
        if not span.cell:
            raise ValueError(f"not a single cell: {a1_name}")
        return span.r0, span.c0

    def _edit(self, key: str, tab: str, change: Callable[[Spreadsheet, Any], None]) -> None:
        with self._lock:
            book, sheet = self._tab(key, tab)
            change(book, sheet)
            book.touch()


def _stored_row(row: list[Any]) -> list[Any]:
    cells = [v if v.__class__ is str and v else stored(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells
