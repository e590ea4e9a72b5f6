"""The emulator answers as Google does: every recorded request of ../shared/sheets-recordings (real
Sheets and Drive traffic, recorded by gspread's own tests) is replayed on a fresh emulator through
google-auth's authorised session, and each answer's status and JSON shape (values too, for the
values endpoints) is compared with what Google answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.oauth2 import service_account

from tests.emulator import SheetsEmulator
from tests.emulator.replay import replay, shape_differences
from touchsheet.sheets.gapi import _Session

pytestmark = pytest.mark.server
RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "sheets-recordings"
CASSETTES = sorted(RECORDINGS.glob("*.json")) if RECORDINGS.is_dir() else []
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
# The recordings the README calls most useful: what a touchsheet run relies on. Each is replayed whole.
KEY = (
    "WorksheetTest.test_get_all_values_date_time_render_options.json",
    "SpreadsheetTest.test_values_batch_get.json",
    "WorksheetTest.test_batch_update.json",
    "WorksheetTest.test_append_row.json",
    "ClientTest.test_access_non_existing_spreadsheet.json",
)


def _replayed(path: Path):
    with SheetsEmulator() as emu:
        info = emu.service_account()
        credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        return replay(emu, _Session(credentials, emu.url), path, info["client_email"])


@pytest.mark.skipif(not CASSETTES, reason=f"no recorded Google traffic in {RECORDINGS}")
@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_the_emulator_answers_each_recorded_request_as_google_did(path):
    outcome = _replayed(path)
    assert outcome.mismatches == []
    assert outcome.compared > 0


@pytest.mark.skipif(not CASSETTES, reason=f"no recorded Google traffic in {RECORDINGS}")
@pytest.mark.parametrize("name", KEY)
def test_the_recordings_a_run_relies_on_are_replayed_whole(name):
    outcome = _replayed(RECORDINGS / name)
    assert (outcome.skipped, outcome.mismatches) == (0, [])


def test_the_comparison_sees_a_shape_google_would_not_give():
    google = {"values": [["a", 1]], "range": "Sheet1!A1:B1"}
    assert list(shape_differences({"values": [["a", 1]], "range": "Sheet1!A1:B1"}, google)) == []
    assert list(shape_differences({"values": [["a", "1"]], "range": "Sheet1!A1:B1"}, google)) == [
        "values[][]. is str, Google has number"
    ]
    assert list(shape_differences({"values": [["a", 1]]}, google)) == ["range is missing (Google has it)"]
    assert list(shape_differences({"values": [], "range": "x", "majorDimension": "ROWS"}, google)) == [
        "majorDimension is not in Google's answer"
    ]
