"""Reading Google's answers one range at a time."""

from __future__ import annotations

import pytest

from touchsheet.sheets.gapi import array_items, fitting, raw_value

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


def _parts(sizes, limit, monkeypatch):
    """The runs `fitting` cuts items of these sizes (bytes of JSON) into, for requests of `limit` bytes."""
    monkeypatch.setattr("touchsheet.sheets.gapi.REQUEST_BYTES", limit)
    return [(start, stop) for start, stop, _ in fitting(len(sizes), lambda a, b: b"x" * sum(sizes[a:b]))]


def test_what_fits_one_request_goes_in_one(monkeypatch):
    assert _parts([10] * 10, 100, monkeypatch) == [(0, 10)]
    assert _parts([], 100, monkeypatch) == [(0, 0)]  # nothing but what goes with the first (the Status tab)


def test_what_does_not_fit_goes_in_as_few_requests_as_hold_it(monkeypatch):
    # 100 bytes in requests of 40: each takes as many items as it holds (4, 4, 2)
    assert _parts([10] * 10, 40, monkeypatch) == [(0, 4), (4, 8), (8, 10)]
    # the big items at the end (Due today's rows are bigger than a lead's): 80 bytes, then 100
    assert _parts([10] * 8 + [50, 50], 100, monkeypatch) == [(0, 8), (8, 10)]


def test_an_item_too_big_for_a_request_goes_alone(monkeypatch):
    assert _parts([10, 500, 10], 100, monkeypatch) == [(0, 1), (1, 2), (2, 3)]


def test_many_items_measured_in_pieces_still_fill_requests_that_fit(monkeypatch):
    # 100,000 items of a byte, measured in pieces of 19 (a fiftieth of a request of 1,000 bytes),
    # and among them ten of 500 bytes in a row: the piece holding them (5,000 bytes) is cut again
    sizes = [1] * 50_000 + [500] * 10 + [1] * 50_000
    parts = _parts(sizes, 1_000, monkeypatch)
    assert [start for start, _ in parts[1:]] == [stop for _, stop in parts[:-1]]  # in order, none left out
    assert (parts[0][0], parts[-1][1]) == (0, len(sizes))
    assert max(sum(sizes[start:stop]) for start, stop in parts) <= 1_000
    # the fewest is 105 (50 of a thousand small ones on each side, 5 of two big ones); filled piece
    # by piece, a request holds 988 small ones (52 pieces): 51 a side, and a few where the big ones are
    assert len(parts) <= 110
