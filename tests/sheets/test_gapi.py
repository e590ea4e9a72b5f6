"""Reading Google's answers one range at a time."""

from __future__ import annotations

import pytest

from touchsheet.sheets.gapi import array_items, raw_value

# a values.batchUpdate answer as Google lays it out: indented, the totals around the responses
ANSWER = """{
  "spreadsheetId": "1abc",
  "totalUpdatedRows": 2,
  "responses": [
    {
      "updatedRange": "Leads!A2:C2",
      "updatedData": {"range": "Leads!A2:C2", "values": [["L-00001", "Anna", 46000.5]]}
    },
    {
      "updatedRange": "Leads!A3:B3",
      "updatedData": {"range": "Leads!A3:B3", "values": [["L-00002", "]}, \\"x\\""]]}
    }
  ],
  "totalUpdatedCells": 5
}"""


def test_the_items_of_an_answers_array_come_one_by_one_as_written():
    items = array_items(ANSWER, "responses")
    assert next(items)["updatedData"]["values"] == [["L-00001", "Anna", 46000.5]]
    assert next(items)["updatedData"]["values"] == [["L-00002", ']}, "x"']]
    assert list(items) == []


def test_an_answer_without_the_array_or_with_an_empty_one_has_no_items():
    assert list(array_items('{"spreadsheetId": "1abc"}', "responses")) == []
    assert list(array_items('{"responses": [], "spreadsheetId": "1abc"}', "responses")) == []
    assert list(array_items("{}", "responses")) == []


@pytest.mark.parametrize("broken", ["", "[]", '{"responses": [1 2]}', '{"responses": [1,', '{"responses": [1'])
def test_a_broken_answer_is_an_error_not_a_short_list(broken):
    with pytest.raises(ValueError):
        list(array_items(broken, "responses"))


def test_text_longer_than_a_google_cell_holds_is_cut_to_50000_characters():
    # Google refuses a whole write for one longer value: the rest of the run's cells must still land
    assert raw_value("x" * 50_001) == "x" * 50_000
    assert raw_value("x" * 50_000) == "x" * 50_000
