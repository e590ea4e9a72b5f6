"""Cells as people type them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.builders import MSK, at
from touchsheet.engine import cells
from touchsheet.engine.cells import BadCell
from touchsheet.engine.model import Result, Stage
from touchsheet.engine.table import ErrorValue, Formula


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("25.11.2026", "2026-11-25 00:00"),
        ("25.11.2026 14:30", "2026-11-25 14:30"),
        ("5.1.2026 9:05", "2026-01-05 09:05"),
        ("25.11.26", "2026-11-25 00:00"),
        ("2026-11-25", "2026-11-25 00:00"),
        ("2026-11-25 14:30", "2026-11-25 14:30"),
        ("2026-11-25T14:30:00", "2026-11-25 14:30"),
        ("2026-11-25 14.30", "2026-11-25 14:30"),  # a dot for the colon, as after 25.11.2026 (it read 14:00)
        ("2026-11-25 9:30", "2026-11-25 09:30"),  # a one-digit hour, as after 25.11.2026 (it was refused)
        ("2026-11-25  14:30", "2026-11-25 14:30"),  # two spaces
        (" 25.11.2026 ", "2026-11-25 00:00"),
        ("25.11.2026\u00a014:30", "2026-11-25 14:30"),  # a non-breaking space, pasted from a web page
        (datetime(2026, 11, 25, 14, 30), "2026-11-25 14:30"),
        (date(2026, 11, 25), "2026-11-25 00:00"),
        (46351, "2026-11-25 00:00"),  # an Excel serial
        (46351.6041666667, "2026-11-25 14:30"),
    ],
)
def test_dates_as_people_type_them(typed, expected):
    assert cells.moment(typed, MSK) == at(expected)


def test_a_date_with_an_offset_is_moved_into_the_business_zone():
    assert cells.moment("2026-11-25T10:00:00+00:00", MSK) == at("2026-11-25 13:00")


@pytest.mark.parametrize(
    "typed", ["31.02.2026", "tomorrow", "25/11/2026", "2026-13-01", "2026-11-25 14,30", "25.11.2026 14,30", 12, True]
)
def test_what_is_not_a_date_says_how_to_type_one(typed):
    with pytest.raises(BadCell, match="25.11.2026"):
        cells.moment(typed, MSK)


def test_empty_cells_are_empty():
    assert cells.moment(None, MSK) is None
    assert cells.moment("  ", MSK) is None
    assert (
        cells.day(
            "",
        )
        is None
    )
    assert cells.text(None) == ""


def test_a_formula_is_never_taken_for_a_value():
    with pytest.raises(BadCell, match="formula"):
        cells.moment(Formula("=TODAY()"), MSK)
    with pytest.raises(BadCell, match="formula"):
        cells.text(Formula("=A1&B1"))


def test_an_error_a_lookup_left_pasted_as_a_value_is_never_a_name():
    with pytest.raises(BadCell, match="^holds the error #N/A a formula gave: type the value itself$"):
        cells.text(ErrorValue("#N/A"))


def test_phones_typed_as_numbers_lose_the_decimal_point():
    assert cells.text(79161234567.0) == "79161234567"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("12 500,50 ₽", 12500.5),
        (45000, 45000.0),
        ("7800 руб.", 7800.0),
        ("12,5", 12.5),  # the Russian decimal comma
        ("12,500", 12500.0),  # pasted from an English web page or CSV: thousands, not twelve and a half
        ("1,250,000", 1250000.0),
        ("$1,250.00", 1250.0),
        ("1.250,00 €", 1250.0),
        ("-2,500", -2500.0),
    ],
)
def test_amounts(typed, expected):
    assert cells.number(typed) == expected


# what a table pasted from pandas or a script's CSV shows for a missing amount, and an amount too
# big for any number: float() reads each as a number, but none is an amount a sheet can be sent
@pytest.mark.parametrize("typed", ["NaN", "nan", "inf", "-Infinity", "1e999", float("nan"), float("inf")])
def test_an_amount_that_is_no_number_says_how_to_type_one(typed):
    with pytest.raises(BadCell) as raised:
        cells.number(typed)
    assert raised.value.message == f"'{typed}' is not a number (type it like 12500 or 12 500,50)"


def test_words_in_either_language_and_any_case():
    assert cells.choice(Stage, "Встреча") is Stage.MEETING
    assert cells.choice(Stage, "  PROPOSAL ") is Stage.PROPOSAL
    assert cells.choice(Stage, "Счёт") is Stage.INVOICE
    assert cells.choice(Stage, "счет") is Stage.INVOICE
    assert cells.choice(Result, "no answer") is Result.NO_ANSWER
    assert cells.choice(Result, "недозвон") is Result.NO_ANSWER
    with pytest.raises(BadCell, match="'thinking' is not one of: new, contacted"):
        cells.choice(Stage, "thinking")


def test_an_unknown_word_lists_the_allowed_words_in_the_sheets_language():
    with pytest.raises(BadCell) as raised:
        cells.choice(Stage, "думает")
    assert raised.value.message == "'думает' is not one of: new, contacted, meeting, proposal, invoice, won, lost"
    assert raised.value.message.said("ru") == (
        "«думает» — нет такого значения, можно: новый, в работе, встреча, КП, счёт, клиент, отказ"
    )
    with pytest.raises(BadCell) as raised:
        cells.choice(Result, "может быть")
    assert raised.value.message.said("ru") == (
        "«может быть» — нет такого значения, можно: дозвонился, не ответил, перезвонить, встреча, счёт, оплатил, отказ"
    )


@pytest.mark.parametrize(
    "typed, expected",
    [(True, True), ("да", True), ("x", True), ("х", True), ("", False), ("нет", False), (None, False), ("maybe", None)],
)
def test_yes_no(typed, expected):
    assert cells.flag(typed) is expected


@pytest.mark.parametrize(
    "typed",
    [
        "ivan@",
        "ivan@example",
        "two@at@example.com",
        "a b@example.com",
        "ivan@example.com\r\nBcc: x@evil.example",
        "<ivan@example.com>",
    ],
)
def test_bad_emails(typed):
    with pytest.raises(BadCell, match="not a valid email address"):
        cells.email_address(typed)


def test_good_emails():
    assert cells.email_address(" ivan.petrov+crm@example.co.uk ") == "ivan.petrov+crm@example.co.uk"


@pytest.mark.parametrize("typed", ["ivan@example.com\u200e", "\ufeffivan@example.com", "ivan@example.com\u00a0\u200b"])
def test_an_address_pasted_with_an_invisible_mark_is_that_address(typed):
    # a left-to-right mark (copied from an RTL messenger), a BOM, a zero-width space: the cell reads
    # ivan@example.com on screen, so that is where the email goes
    assert cells.email_address(typed) == "ivan@example.com"


def test_a_domain_in_cyrillic_is_sent_to_as_mail_servers_spell_it():
    # пример.рф in IDNA, as registrars and `host` spell it
    assert cells.email_address("ivan@пример.рф") == "ivan@xn--e1afmkfd.xn--p1ai"


@pytest.mark.parametrize("typed", ["иван@example.com", "josé@example.com"])
def test_letters_outside_ascii_before_the_at_are_refused_with_a_reason(typed):
    with pytest.raises(BadCell, match="before the @ that mail servers refuse"):
        cells.email_address(typed)


def test_a_domain_with_an_empty_label_in_another_script_is_not_an_address():
    with pytest.raises(BadCell, match="not a valid email address"):
        cells.email_address("ivan@пример..рф")


def test_a_columns_words_read_once_read_as_each_cell_alone_would():
    step = cells.Words(cells.text)
    assert [step[c] for c in (" d4", " d4", None, 1, True, 1.0, "d4 ")] == ["d4", "d4", "", "1", "True", "1", "d4"]
    result = cells.Words(lambda v: cells.choice(Result, v))
    assert result["недозвон"] is Result.NO_ANSWER
    for _ in range(2):  # a word that cannot be read is said every time it is met
        with pytest.raises(BadCell, match="'pigeon' is not one of"):
            result["pigeon"]


# \x85 (NEL) and \x1c break a line for Python's email package (str.splitlines) like \n; \x85 is the "…" of a
# Windows-1252 CSV read as Latin-1
@pytest.mark.parametrize("typed", ["L-1\r\n", "a\tb", "x\x7f", "a\u2028b", "\x00", "L-1\x85A", "a\x1cb"])
def test_control_characters_are_found(typed):
    assert cells.has_control(typed) is True


@pytest.mark.parametrize("typed", ["Иван Петров", "L-00007", "soft\u00adhyphen", "zero\u200bwidth", ""])
def test_unprintable_letters_that_are_not_control_characters_pass(typed):
    assert cells.has_control(typed) is False


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("L-1\u200b", "L-1"),  # a zero-width space, pasted from a web page
        ("\ufeffL-1", "L-1"),  # a BOM, from a file saved by Notepad
        ("Anna Smith\u200e", "Anna Smith"),  # a left-to-right mark, from an RTL messenger
        (" L-1\u00a0\u2060 ", "L-1"),  # a non-breaking space with a word joiner behind it: both go
        ("Иван\u00a0Петров", "Иван\u00a0Петров"),  # only invisible marks go: a space inside stays
        (12, "12"),
    ],
)
def test_what_reads_the_same_on_screen_is_the_same(typed, expected):
    assert cells.visible(typed) == expected
