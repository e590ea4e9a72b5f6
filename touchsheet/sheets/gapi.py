"""The Google Sheets API through gspread's HTTP client, with bounded retries and clear errors.

gspread's BackOffHTTPClient would retry forever (and sleep up to two minutes a time): here every
call is retried a few times with exponential backoff and jitter on 429 and 5xx and on dropped
connections (the token's fetch included), each with a timeout, and then fails with a message a
person can act on. 403 names the service account to share the sheet with; a key Google refuses
says how to make a new one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
import tenacity
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEET_VALUES_APPEND_URL, SPREADSHEET_VALUES_BATCH_UPDATE_URL
from gspread.utils import quote

from touchsheet.engine.cells import to_serial
from touchsheet.errors import SheetError

logger = logging.getLogger(__name__)

GOOGLE = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
TRANSIENT = frozenset({429, 500, 502, 503, 504})
CELL_LIMIT = 50_000  # characters: Google refuses a longer value, and the whole write with it (400)
# The bytes of JSON one request carries at most. Google refuses a body over 10,485,760 bytes, whatever
# it is: 400 "Request payload size exceeds the limit: 10485760 bytes." (the first run on 100,000 leads
# writes 40 MB). Measured on the very bytes sent; a little under the limit all the same.
REQUEST_BYTES = 10_000_000
UNREACHABLE = (requests.ConnectionError, requests.Timeout, TransportError)  # TransportError: fetching a token
T = TypeVar("T")
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class Patience:
    """How hard to retry one call: `attempts` in all, waits growing from `first_wait` to `max_wait`
    seconds. Once `stop` is set (a worker asked to stop: systemd or docker kill it soon after) a wait
    ends at once and a failed call is not tried again."""

    attempts: int = 6
    first_wait: float = 1.0
    max_wait: float = 32.0
    timeout: float = 60.0
    stop: threading.Event = field(default_factory=threading.Event)


class StaleTabs(SheetError):
    """A tab name touchsheet remembered is gone (renamed or deleted): look the tabs up again."""


def fitting(count: int, body: Callable[[int, int], bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Items 0 to `count` in as few runs (start, stop) as keep each request's `body(start, stop)`
    within REQUEST_BYTES, in order, each with its body: all in one while they fit. Otherwise the
    items are measured in pieces of about a fiftieth of a request (rows differ in size: a lead's, a
    task's), and each request takes as many pieces as it holds; a piece too big alone is cut the same
    way, and an item too big alone goes alone (Google refuses it). A body is built as its request goes."""

    def runs(first: int, last: int) -> Iterator[tuple[int, int, bytes]]:
        encoded = body(first, last)
        if len(encoded) <= REQUEST_BYTES or last - first < 2:
            yield first, last, encoded
            return
        step = max(1, (last - first) * REQUEST_BYTES // 50 // len(encoded))
        del encoded  # tens of megabytes, not kept while the requests go
        start, filled = first, 0
        for piece in range(first, last, step):
            size = len(body(piece, min(piece + step, last)))
            if filled + size > REQUEST_BYTES and piece > start:
                yield from runs(start, piece)
                start, filled = piece, 0
            filled += size
        yield from runs(start, last)

    return runs(0, count)


def update_body(data: list[dict[str, Any]], echo: bool) -> bytes:
    """A values.batchUpdate of the ranges `data`, RAW (text is never taken for a formula); with
    `echo`, each range's values as they stand after the write come back, in one atomic answer."""
    body: dict[str, Any] = {"valueInputOption": "RAW", "data": data}
    if echo:
        body |= {
            "includeValuesInResponse": True,
            "responseValueRenderOption": "UNFORMATTED_VALUE",
            "responseDateTimeRenderOption": "SERIAL_NUMBER",
        }
    return _encoded(body)


def append_body(rows: list[list[Any]]) -> bytes:
    return _encoded({"values": rows})


def _encoded(body: dict[str, Any]) -> bytes:
    """A request's body, as requests would send it; JSON has no NaN or Infinity (ValueError)."""
    return json.dumps(body, allow_nan=False).encode()


def row_span(a1: str) -> tuple[int, int]:
    """ "'Touch log'!A12:J14" -> (12, 14)."""
    first, _, last = a1.rsplit("!", 1)[-1].partition(":")
    return int(re.sub(r"[A-Z]+", "", first)), int(re.sub(r"[A-Z]+", "", last or first))


def rows_of(a1: str) -> list[int]:
    """ "'Touch log'!A12:J14" -> [12, 13, 14]."""
    start, end = row_span(a1)
    return list(range(start, end + 1))


def responses(answer: bytes) -> Iterator[dict[str, Any]]:
    """A values.batchUpdate answer's ranges, decoded one at a time as they are looked at: the answer
    to a write of 100,000 rows takes 200 MB more as one Python structure."""
    return array_items(answer.decode(), "responses")  # JSON is UTF-8


def array_items(text: str, key: str) -> Iterator[Any]:
    """The items of the array under `key` in the JSON object `text`, each decoded as it is asked for."""
    at = _space(text, 0, "{")
    while not text.startswith("}", at):
        name, at = _DECODER.raw_decode(text, at)
        at = _space(text, at, ":")
        if name == key:
            at = _space(text, at, "[")
            while not text.startswith("]", at):
                item, at = _DECODER.raw_decode(text, at)
                yield item
                at = _space(text, at, ",]")
            return
        _, at = _DECODER.raw_decode(text, at)
        at = _space(text, at, ",}")


def _space(text: str, at: int, expected: str) -> int:
    """Past the whitespace at `at`, past one of the `expected` punctuation marks, and past the
    whitespace after it; a closing bracket is not passed (the caller looks at it)."""
    at = _SPACE.match(text, at).end()
    mark = text[at : at + 1]
    if not mark or mark not in expected:
        raise ValueError(f"Google Sheets answered with broken JSON at character {at}")
    return at if mark in "]}" else _SPACE.match(text, at + 1).end()


def load_credentials(file: Path | None, env: str) -> service_account.Credentials:
    """A service account from `file`, or from the variable `env` holding a path or the JSON itself."""
    source = str(file) if file else os.environ.get(env, "")
    if not source:
        raise SheetError(
            f"no Google service account: set workbook.credentials_file in config.yaml, or the environment "
            f"variable {env} to the JSON key file (or its contents). See README, 'Google Sheets setup'."
        )
    # the variable may hold the key itself: a message names where it came from, never what it holds
    where = str(file) if file else f"the environment variable {env}"
    try:
        info = json.loads(source) if source.lstrip().startswith("{") else json.loads(Path(source).read_text())
        return service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except OSError as e:
        raise SheetError(
            f"the Google service account key in {where} could not be read ({e.strerror}): "
            "give the path of the JSON key file, or the JSON itself"
        ) from None
    except (ValueError, KeyError) as e:  # their messages name what is wrong, never the key's text
        raise SheetError(
            f"the Google service account key in {where} could not be read ({e}): use the JSON key file"
        ) from None


def _moved(url: str, endpoint: str) -> str:
    """A Google API URL pointed at `endpoint` instead (a local emulator in tests)."""
    if endpoint == GOOGLE:
        return url
    return re.sub(r"^https://(sheets|www|iamcredentials)\.googleapis\.com", endpoint, url)


class _Moved(requests.Session):
    """The session google-auth makes its own calls with (tokens, the regional access boundary lookup
    after a token), pointed where the API calls go."""

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.endpoint = endpoint

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        return super().request(method, _moved(url, self.endpoint), *args, **kwargs)


class _Session(AuthorizedSession):
    """Google's authorised session, optionally pointed at another host."""

    def __init__(self, credentials: service_account.Credentials, endpoint: str) -> None:
        super().__init__(credentials, auth_request=Request(session=_Moved(endpoint)))
        self.endpoint = endpoint

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        return super().request(method, _moved(url, self.endpoint), *args, **kwargs)


class SheetsApi:
    """The handful of calls a run makes, each one HTTP request (retries aside), counted."""

    def __init__(
        self,
        key: str,
        credentials: service_account.Credentials,
        endpoint: str = GOOGLE,
        patience: Patience = Patience(),
    ) -> None:
        self.key = key
        self.account, self.key_id = credentials.service_account_email, credentials.signer.key_id
        self.patience = patience
        self.http = HTTPClient(auth=None, session=_Session(credentials, endpoint))  # type: ignore[arg-type]
        self.http.set_timeout(patience.timeout)
        self.calls = 0

    def metadata(self, fields: str) -> dict[str, Any]:
        return self._call("read the sheet's tabs", self.http.fetch_sheet_metadata, self.key, {"fields": fields})

    def batch_get(self, ranges: list[str]) -> list[dict[str, Any]]:
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
        found = self._call("read the tabs", self.http.values_batch_get, self.key, ranges, params)
        return found.get("valueRanges", [])

    def update(self, body: bytes) -> bytes:
        """values.batchUpdate of an `update_body`. The answer as it came (JSON), for `responses`."""
        return self._call("write the changes", self._post, SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.key, body)

    def append(self, range_: str, body: bytes, landed: Callable[[], list[int] | None]) -> list[int]:
        """values.append of an `append_body`, RAW, inserting rows after the table (rows people add
        meanwhile are never overwritten); the sheet rows written. An append is not idempotent: after
        an error that may have landed (5xx, a dropped line) `landed()` looks for the rows before trying
        again; a 429 surely did not land. The tries share one budget of `attempts`."""
        params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
        unsure = False  # whether the last try may have landed

        def once() -> list[int]:
            nonlocal unsure
            if unsure:
                logger.warning("Google Sheets: an append may or may not have landed; looking before trying again")
                already = landed()
                if already is not None:
                    return already
            try:
                url = SPREADSHEET_VALUES_APPEND_URL % (self.key, quote(range_))
                found = json.loads(self._post(url, body, params))
            except APIError as e:
                unsure = e.code != 429
                raise
            except (requests.ConnectionError, requests.Timeout):
                unsure = True
                raise
            return rows_of(found["updates"]["updatedRange"])

        return self._call("append to the Touch log", once)

    def format(self, requests_: list[dict[str, Any]]) -> dict[str, Any]:
        """spreadsheets.batchUpdate: tabs, formats, charts. One request: they grow with the tabs and the
        KPI tab, not with the leads (54 kB at 100,000 leads, far under REQUEST_BYTES)."""
        return self._call("lay out the tabs", self.http.batch_update, self.key, {"requests": requests_})

    def _post(self, url: str, body: bytes, params: dict[str, str] | None = None) -> bytes:
        """The answer's bytes alone."""
        headers = {"Content-Type": "application/json"}
        return self.http.request("post", url, params=params, data=body, headers=headers).content

    def _call(self, what: str, call: Callable[..., T], *args: Any) -> T:
        """One API call with retries."""

        def transient(error: BaseException) -> bool:
            if isinstance(error, APIError):
                return error.code in TRANSIENT
            return isinstance(error, UNREACHABLE) or (isinstance(error, RefreshError) and error.retryable)

        def log_retry(state: tenacity.RetryCallState) -> None:
            logger.warning("Google Sheets: %s failed (%s); retrying", what, state.outcome.exception())

        patience = self.patience
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(transient),
            stop=tenacity.stop_after_attempt(patience.attempts) | tenacity.stop_when_event_set(patience.stop),
            wait=tenacity.wait_random_exponential(multiplier=patience.first_wait, max=patience.max_wait),
            sleep=patience.stop.wait,  # a sleep that a stop ends
            before_sleep=log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self.calls += 1
                    return call(*args)
        except APIError as e:
            raise self._explain(what, e) from None
        except (*UNREACHABLE, RefreshError) as e:
            if isinstance(e, RefreshError) and not e.retryable:
                raise self._refused_key(e) from None
            raise SheetError(
                f"cannot reach Google Sheets to {what} ({e.__class__.__name__}): try again later"
            ) from None
        raise AssertionError("unreachable")

    def _refused_key(self, error: RefreshError) -> SheetError:
        """Google's token service refused the key file: a run on any host with it fails the same way."""
        return SheetError(
            f"Google refused the key of the service account {self.account} (key id {self.key_id}) when the run "
            f"asked for a token ({error.args[0] if error.args else error}). Fix: if that key was deleted or "
            "disabled in the Google Cloud console, create a new JSON key for the account and point "
            "workbook.credentials_file (or its environment variable) at it; if Google speaks of the time "
            "('iat', 'exp', 'short-lived token'), set this host's clock right (NTP)"
        )

    def _explain(self, what: str, error: APIError) -> SheetError:
        message = error.error.get("message", "")
        if error.code == 403:
            return SheetError(
                f"the service account cannot open the spreadsheet. Fix: share the sheet with {self.account} "
                f"(as Editor), or check workbook.spreadsheet in config.yaml ({message})"
            )
        if error.code == 404:
            return SheetError(f"spreadsheet {self.key} not found. Fix: check workbook.spreadsheet in config.yaml")
        if error.code == 401:
            return SheetError(f"Google refused the service account's key ({message}): create a new key")
        if error.code == 400 and "Unable to parse range" in message:
            return StaleTabs(f"a tab was renamed or deleted ({message})")
        if error.code in TRANSIENT and self.patience.stop.is_set():
            return SheetError(
                f"Google Sheets answered {error.code} to a try to {what} ({message}), and the worker was asked "
                "to stop: it did not try again; the next run starts over"
            )
        if error.code in TRANSIENT:
            return SheetError(
                f"Google Sheets answered {error.code} to every try to {what} ({message}): the run stopped "
                "before writing anything more; the next run starts over"
            )
        return SheetError(f"Google Sheets refused to {what}: {message}")


def raw_value(value: Any) -> Any:
    """A cell value as the Sheets API takes it (RAW): dates as serial numbers, nothing as "", text
    cut to what a cell holds."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value if len(value) <= CELL_LIMIT else value[:CELL_LIMIT]
    if isinstance(value, (datetime, date)):
        return to_serial(value)
    return value
