"""The emulator refuses what Google refuses, whole, with Google's 400: a request body over 10 MiB, a
cell over 50,000 characters, and NaN or Infinity, which JSON does not have. Its recordings hold no
such request; the messages are Google's own (quoted in gspread's and other clients' issues)."""

from __future__ import annotations

import json

import pytest
from google.oauth2 import service_account

from tests.emulator import SheetsEmulator
from touchsheet.sheets.gapi import SCOPES, _Session

pytestmark = pytest.mark.server


@pytest.fixture
def book(emulator: SheetsEmulator):
    """A session signed in as a service account, and the key of a spreadsheet shared with it."""
    info = emulator.service_account()
    key = emulator.create_spreadsheet("Team CRM", tabs={"Leads": [["ID", "Name"]]}, share_with=[info["client_email"]])
    credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    return _Session(credentials, emulator.url), key


def _write(book, body: bytes):
    """A values.batchUpdate, RAW, with the body as given."""
    session, key = book
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{key}/values:batchUpdate"
    return session.post(url, data=body, headers={"Content-Type": "application/json"})


def _body(*values) -> bytes:
    data = [{"range": "Leads!A2", "values": [list(values)]}]
    return json.dumps({"valueInputOption": "RAW", "data": data}).encode()


def _refused(answer, message: str) -> None:
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}


def test_a_request_over_ten_mebibytes_is_refused_whole(book, emulator):
    # 10,485,760 bytes of body: Google's limit, whatever the request is
    text = "x" * 40_000
    rows = 10_485_760 // len(json.dumps(text)) + 1
    body = json.dumps(
        {"valueInputOption": "RAW", "data": [{"range": f"Leads!B2:B{rows + 1}", "values": [[text]] * rows}]}
    )
    answer = _write(book, body.encode())
    _refused(answer, "Request payload size exceeds the limit: 10485760 bytes.")
    assert emulator.values(book[1], "Leads") == [["ID", "Name"]]  # nothing written
    # just under the limit, the same write goes
    assert _write(
        book, json.dumps({**json.loads(body), "data": [{"range": "Leads!B2", "values": [[text]]}]}).encode()
    ).ok


def test_a_cell_over_fifty_thousand_characters_is_refused_with_the_whole_write(book, emulator):
    answer = _write(book, _body("L-00001", "x" * 50_001))
    _refused(answer, "Your input contains more than the maximum of 50000 characters in a single cell.")
    assert emulator.values(book[1], "Leads") == [["ID", "Name"]]  # the ID beside it is not written either
    assert _write(book, _body("L-00001", "x" * 50_000)).ok  # 50,000 fit


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_in_a_body_is_not_json(book, emulator, number):
    answer = _write(book, _body("L-00001", 1.5).replace(b"1.5", number.encode()))
    _refused(answer, "Invalid JSON payload received. Unexpected token.")
    assert emulator.values(book[1], "Leads") == [["ID", "Name"]]
