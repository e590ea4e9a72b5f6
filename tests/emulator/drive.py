"""The few Drive v3 files calls gspread makes: create, get, list, copy, rename, delete a spreadsheet.

>>> matches({"name": "Team CRM", "mimeType": SPREADSHEET}, "mimeType='%s' and name = 'Team CRM'" % SPREADSHEET)
True
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from . import fields
from .book import Spreadsheet
from .errors import ApiError

SPREADSHEET = "application/vnd.google-apps.spreadsheet"
_CLAUSE = re.compile(r"""\s*(\w+)\s*(=|!=|contains)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\w+))\s*""")


def file_resource(book: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
    """A spreadsheet as a Drive file; default fields unless `fields` asks for others."""
    full = {
        "kind": "drive#file",
        "id": book.key,
        "name": book.props["title"],
        "mimeType": SPREADSHEET,
        "createdTime": _stamp(book.created),
        "modifiedTime": _stamp(book.modified),
        "trashed": False,
    }
    if not query.get("fields"):
        return {k: full[k] for k in ("kind", "id", "name", "mimeType")}
    return fields.pick(full, fields.parse(query["fields"][0]))


def file_list(books: list[Spreadsheet], query: dict[str, list[str]]) -> dict[str, Any]:
    """files.list over the spreadsheets the caller can open, filtered by the simple clauses of `q`."""
    q = (query.get("q") or [""])[0]
    found = [b for b in books if matches({"name": b.props["title"], "mimeType": SPREADSHEET}, q)]
    found.sort(key=lambda b: b.modified, reverse=True)  # Drive's default order: most recently modified first
    plain = {k: v for k, v in query.items() if k != "fields"}
    listing = {"kind": "drive#fileList", "incompleteSearch": False, "files": [file_resource(b, plain) for b in found]}
    if query.get("fields"):
        listing["files"] = [file_resource(b, {"fields": ["*"]}) for b in found]
        return fields.pick(listing, fields.parse(query["fields"][0]))
    return listing


def matches(file: dict[str, str], q: str) -> bool:
    """True when a file passes every `name = '...'`, `name contains '...'` and `mimeType = '...'`
    clause of q; other clauses (trashed, parents...) are let through."""
    for clause in filter(None, re.split(r"\s+and\s+", q.strip())):
        match = _CLAUSE.fullmatch(clause)
        if not match or match[1] not in ("name", "mimeType"):
            continue
        value = next(v for v in match.groups()[2:] if v is not None).replace("\\'", "'")
        actual = file[match[1]]
        if (match[2] == "=" and actual != value) or (match[2] == "!=" and actual == value):
            return False
        if match[2] == "contains" and value.lower() not in actual.lower():
            return False
    return True


def not_found(file_id: str) -> ApiError:
    """Drive's 404, which has its own shape (an errors list, no status)."""
    message = f"File not found: {file_id}."
    where = {"location": "fileId", "locationType": "parameter"}
    return ApiError(404, message, errors=[{"message": message, "domain": "global", "reason": "notFound", **where}])


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
