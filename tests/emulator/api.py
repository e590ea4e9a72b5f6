"""Routing: each request is counted, maybe faulted, authenticated, then served under the emulator's lock.

>>> match("GET", "/v4/spreadsheets/1abc/values/%27Touch%20log%27%21A1%3AJ")[1]
['1abc', "'Touch log'!A1:J"]
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from . import batch_update, drive, fields, metadata, values
from .auth import GrantError
from .book import Spreadsheet
from .errors import ApiError, bad_request, quota_exceeded, unimplemented
from .server import DROPPED, Request, Response

if TYPE_CHECKING:
    from .emulator import SheetsEmulator

Handler = Callable[["SheetsEmulator", str, list[str], Request, Any], Any]
PAYLOAD_LIMIT = 10_485_760  # bytes of a request's body: Google answers a larger one 400, whatever it is

_GATEWAY_ERROR = (
    b"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 502 (Server Error)!!1</title>\n"
    b"  <p><b>502.</b> <ins>That\xe2\x80\x99s an error.</ins>\n  <p>The server encountered a temporary error and "
    b"could not complete your request.<p>Please try again in 30 seconds.  <ins>That\xe2\x80\x99s all we know.</ins>\n"
)


@dataclass
class Call:
    """One request the emulator received: method, decoded path, query, JSON (or form) body, answer
    status, and the bytes of the request's body and of the answer's (what a benchmark counts)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 0
    received: int = 0
    sent: int = 0


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    drive: bool = False  # a Drive call (Drive scopes apply)
    writes: bool = False  # changes state: runs all or nothing
    own_fields: bool = False  # applies `fields` itself


@dataclass
class Faults:
    """Injected failures: a status for given call numbers, or statuses drawn at random from a seed."""

    by_call: dict[int, int] = field(default_factory=dict)
    rate: dict[int, float] = field(default_factory=dict)
    draw: Callable[[], float] = lambda: 1.0
    dropped_tokens: frozenset[int] = frozenset()  # token requests (1-based) left without an answer

    def status(self, n: int) -> int | None:
        roll = self.draw() if self.rate else 1.0  # one draw per call, so a seed replays the same story
        if n in self.by_call:
            return self.by_call[n]
        total = 0.0
        for status, probability in self.rate.items():
            total += probability
            if roll < total:
                return status
        return None


def dispatch(emu: SheetsEmulator, request: Request) -> Response:
    """Answer one HTTP request."""
    if request.path == "/token":
        return _token(emu, request)
    body = _json(request.body)
    n, call = emu._record(Call(request.method, unquote(request.path), request.query, body, received=len(request.body)))
    try:
        if emu.between_calls is not None:
            emu.between_calls(emu, n)
        fault = emu._faults.status(n)
        response = _fault(fault, request.method) if fault else _serve(emu, request)
    except ApiError as error:
        response = _error(error)
    call.status, call.sent = response.status, len(response.body)
    return response


def _serve(emu: SheetsEmulator, request: Request) -> Response:
    if len(request.body) > PAYLOAD_LIMIT:
        raise bad_request(f"Request payload size exceeds the limit: {PAYLOAD_LIMIT} bytes.")
    route, params = match(request.method, request.path)
    if route is None:
        if request.path.startswith("/v4/") or request.path.startswith("/drive/"):
            raise unimplemented(f"{request.method} {unquote(request.path)}")
        raise ApiError(404, "Method not found.")
    body = _json(request.body, strict=True)
    caller = emu._accounts.caller(request.headers.get("authorization"), route.drive, request.method != "GET")
    metadata.check_fields(request.query)
    with emu._lock:
        result = route.handler(emu, caller, params, request, body)
    if result is None:
        return Response(204)
    if request.query.get("fields") and not route.own_fields:
        result = fields.pick(result, fields.parse(request.query["fields"][0]))
    return Response(200, json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode())


def match(method: str, path: str) -> tuple[Route | None, list[str]]:
    """The route for a request and its path parameters, decoded."""
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found and route.method == method:
            return route, [unquote(p) for p in found.groups()]
    return None, []


def _json(raw: bytes, strict: bool = False) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError):
        if strict:
            raise bad_request("Invalid JSON payload received. Unexpected token.") from None
        return raw.decode(errors="replace")


def _not_json(constant: str) -> Any:
    """NaN and Infinity, which Python's json takes and Google's parser (JSON itself) does not."""
    raise ValueError(constant)


def _error(error: ApiError) -> Response:
    return Response(error.code, json.dumps(error.body(), ensure_ascii=False).encode())


def _fault(status: int, method: str) -> Response:
    """An injected failure, with the body Google sends for that status."""
    if status == 502:  # Google's front end answers this one with an HTML page
        return Response(502, _GATEWAY_ERROR, "text/html; charset=UTF-8")
    if status == 429:
        return _error(quota_exceeded(write=method != "GET"))
    return _error(ApiError(status))


def _token(emu: SheetsEmulator, request: Request) -> Response:
    form = {k: v[0] for k, v in parse_qs(request.body.decode(errors="replace")).items()}
    call = Call(request.method, request.path, request.query, form)
    with emu._lock:
        emu.token_calls.append(call)
        if len(emu.token_calls) in emu._faults.dropped_tokens:
            return DROPPED
        try:
            answer, call.status = emu._accounts.grant(form, emu.url + "/token"), 200
        except GrantError as error:
            answer, call.status = {"error": error.args[0], "error_description": error.args[1]}, 400
    return Response(call.status, json.dumps(answer).encode())


# --- handlers -------------------------------------------------------------------------------------


def _values_write(operation: Callable[[Spreadsheet, list[str], Request, Any], Any]) -> Handler:
    """A values write: all or nothing, refused where a protected range keeps the caller out."""

    def handler(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> Any:
        book = emu._open(params[0], caller)
        state = book.snapshot()
        try:
            answer = operation(book, params[1:], request, body)
            _check_protection(book, caller, _written_ranges(answer))
        except BaseException:
            book.restore(state)
            raise
        book.touch()
        return answer

    return handler


def _written_ranges(answer: dict[str, Any]) -> list[str]:
    found = [answer.get("updatedRange"), answer.get("clearedRange"), (answer.get("updates") or {}).get("updatedRange")]
    found += [r.get("updatedRange") for r in answer.get("responses", [])] + answer.get("clearedRanges", [])
    return [text for text in found if text]


def _check_protection(book: Spreadsheet, caller: str, written: list[str]) -> None:
    for text in written:
        sheet, span = book.resolve(text)
        area = {"startRowIndex": span.r0, "endRowIndex": span.r1 or span.r0 + 1}
        area |= {"startColumnIndex": span.c0, "endColumnIndex": span.c1 or span.c0 + 1}
        for protected in sheet.protected_ranges:
            users = [u.lower() for u in protected.get("editors", {}).get("users", [])]
            locked = not protected.get("warningOnly") and caller.lower() not in users
            if locked and batch_update.ranges.intersects(protected["range"], area):
                raise bad_request(
                    "You are trying to edit a protected cell or object. Please contact the spreadsheet owner "
                    "to remove protection if you need to edit."
                )


def _get_values(emu, caller, params, request, body):
    return values.get(emu._open(params[0], caller), params[1], request.query)


def _batch_get(emu, caller, params, request, body):
    return values.batch_get(emu._open(params[0], caller), request.query)


def _get_spreadsheet(emu, caller, params, request, body):
    return metadata.spreadsheet(emu._open(params[0], caller), request.query)


def _batch_update(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> Any:
    book = emu._open(params[0], caller)
    answer = batch_update.apply(batch_update.Context(book, caller, emu._new_id), body)
    if body.get("includeSpreadsheetInResponse"):
        query = {
            "ranges": body.get("responseRanges") or [],
            "includeGridData": [str(body.get("responseIncludeGridData"))],
        }
        answer["updatedSpreadsheet"] = metadata.spreadsheet(book, query)
    book.touch()
    return answer


def _create_spreadsheet(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> Any:
    body = body or {}
    props = body.get("properties") or {}
    tabs = {s["properties"]["title"]: [] for s in body.get("sheets") or [] if s.get("properties", {}).get("title")}
    key = emu._new_book(
        props.get("title") or "Untitled spreadsheet", tabs, [caller], props.get("locale"), props.get("timeZone")
    )
    return metadata.spreadsheet(emu._books[key], {})


def _drive_create(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> Any:
    body = body or {}
    if body.get("mimeType") != drive.SPREADSHEET:
        raise unimplemented(f"Drive files of type {body.get('mimeType')}")
    key = emu._new_book(body.get("name") or "Untitled spreadsheet", {}, [caller], None, None)
    return drive.file_resource(emu._books[key], request.query)


def _drive_file(emu: SheetsEmulator, caller: str, key: str) -> Spreadsheet:
    try:
        return emu._open(key, caller)
    except ApiError:
        raise drive.not_found(key) from None


def _drive_get(emu, caller, params, request, body):
    return drive.file_resource(_drive_file(emu, caller, params[0]), request.query)


def _drive_list(emu, caller, params, request, body):
    return drive.file_list([b for b in emu._books.values() if caller.lower() in b.readers], request.query)


def _drive_delete(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> None:
    _drive_file(emu, caller, params[0])
    del emu._books[params[0]]


def _drive_rename(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> Any:
    book = _drive_file(emu, caller, params[0])
    if (body or {}).get("name"):
        book.props["title"] = body["name"]
        book.touch()
    return drive.file_resource(book, request.query)


def _drive_copy(emu: SheetsEmulator, caller: str, params: list[str], request: Request, body: Any) -> Any:
    source = _drive_file(emu, caller, params[0])
    name = (body or {}).get("name") or f"Copy of {source.props['title']}"
    key = emu._copy_book(source, name, caller)
    return drive.file_resource(emu._books[key], request.query)


def _route(method: str, pattern: str, handler: Handler, **options: bool) -> Route:
    return Route(method, re.compile(pattern), handler, **options)


_ID = r"([^/:]+)"
ROUTES = [
    _route("POST", r"/v4/spreadsheets", _create_spreadsheet, own_fields=True),
    _route("GET", rf"/v4/spreadsheets/{_ID}", _get_spreadsheet, own_fields=True),
    _route("POST", rf"/v4/spreadsheets/{_ID}:batchUpdate", _batch_update),
    _route("GET", rf"/v4/spreadsheets/{_ID}/values:batchGet", _batch_get),
    _route(
        "POST",
        rf"/v4/spreadsheets/{_ID}/values:batchUpdate",
        _values_write(lambda b, p, r, body: values.batch_update(b, body)),
    ),
    _route(
        "POST",
        rf"/v4/spreadsheets/{_ID}/values:batchClear",
        _values_write(lambda b, p, r, body: values.batch_clear(b, body)),
    ),
    _route(
        "POST",
        rf"/v4/spreadsheets/{_ID}/values/(.+):append",
        _values_write(lambda b, p, r, body: values.append(b, p[0], body, r.query)),
    ),
    _route(
        "POST", rf"/v4/spreadsheets/{_ID}/values/(.+):clear", _values_write(lambda b, p, r, body: values.clear(b, p[0]))
    ),
    _route("GET", rf"/v4/spreadsheets/{_ID}/values/(.+)", _get_values),
    _route(
        "PUT",
        rf"/v4/spreadsheets/{_ID}/values/(.+)",
        _values_write(lambda b, p, r, body: values.update(b, p[0], body, r.query)),
    ),
    _route("POST", r"/drive/v3/files", _drive_create, drive=True, own_fields=True),
    _route("GET", r"/drive/v3/files", _drive_list, drive=True, own_fields=True),
    _route("GET", r"/drive/v3/files/([^/]+)", _drive_get, drive=True, own_fields=True),
    _route("PATCH", r"/drive/v3/files/([^/]+)", _drive_rename, drive=True, own_fields=True),
    _route("DELETE", r"/drive/v3/files/([^/]+)", _drive_delete, drive=True),
    _route("POST", r"/drive/v3/files/([^/]+)/copy", _drive_copy, drive=True, own_fields=True),
]
