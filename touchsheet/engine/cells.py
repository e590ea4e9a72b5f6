"""Cell values as people type them -> typed values, or a `BadCell` saying what is wrong and how to type it."""

from __future__ import annotations

import enum
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from touchsheet.engine.table import ErrorValue, Formula, is_blank
from touchsheet.schema import NO, YES, allowed_words, norm, word_to_value
from touchsheet.words import DATE_HINT, DATETIME_HINT, Message


class BadCell(ValueError):
    """A cell that cannot be read; its message (args[0]) is written for the person who typed it."""

    @property
    def message(self) -> Message:
        return self.args[0]


_EXCEL_EPOCH = datetime(1899, 12, 30)
SERIAL_RANGE = (367, 73051)  # 1901-01-01 .. 2099-12-31: outside this a number is not a date
# a space of any kind between date and time: one pasted from a web page or a messenger is often non-breaking
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:[\sT,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$")
# the same times after 2026-11-25 (datetime.fromisoformat reads 14.30 as 14 hours and a fraction:
# 14:00), seconds' fractions dropped, and an offset (Z, +03:00) as a computer writes it
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[\sT,]+(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+$")
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\.]{2,}$")
# control characters (C0, DEL, C1) and the line and paragraph separators: they hold every character
# str.splitlines() breaks at (\x85 NEL among them), and the email package refuses each in a header
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _no_formula(value: Any) -> None:
    if isinstance(value, ErrorValue):
        raise BadCell(Message("error_value", error=value.text))
    if isinstance(value, Formula):
        raise BadCell(Message("formula", formula=value.text[:40]))


def text(value: Any) -> str:
    """Any cell as text; whole numbers lose their '.0' (phones typed as numbers)."""
    if type(value) is str:  # the common case first: this runs for millions of cells
        return value.strip()
    _no_formula(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def visible(value: Any) -> str:
    """A cell as `text` reads it, without the invisible format characters (Unicode Cf: zero-width
    space, left-to-right mark, BOM...) a paste from a web page or a messenger leaves: an ID, an
    address or a name that reads the same on screen is the same."""
    typed = text(value)
    if typed.isprintable():  # nearly always: one quick look, not one per character
        return typed
    return "".join(c for c in typed if unicodedata.category(c) != "Cf").strip()


def moment(value: Any, tz: ZoneInfo) -> datetime | None:
    """A date-time cell -> aware datetime in `tz`; a date alone means midnight."""
    if type(value) is datetime and value.tzinfo is None:  # a date cell: the common case
        return datetime.combine(value, value.time(), tz)  # five times quicker than value.replace(tzinfo=tz)
    if value is None:  # the next most common: most leads have no callback, no invoice...
        return None
    _no_formula(value)
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime.combine(value, time())
    elif isinstance(value, bool):
        raise BadCell(Message("not_a_date", value=value, hint=DATETIME_HINT))
    elif isinstance(value, (int, float)):
        found = _serial(value)
    else:
        found = _from_text(str(value).strip())
    if found.tzinfo is None:
        return found.replace(tzinfo=tz)
    return found.astimezone(tz)


def day(value: Any) -> date | None:
    """A date cell -> date; a time part, if any, is dropped."""
    if value is None:
        return None
    _no_formula(value)
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise BadCell(Message("not_a_date", value=value, hint=DATE_HINT))
    if isinstance(value, (int, float)):
        return _serial(value).date()
    try:
        return _from_text(str(value).strip()).date()
    except BadCell:
        raise BadCell(Message("not_a_date", value=value, hint=DATE_HINT)) from None


def _serial(number: float) -> datetime:
    if not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        raise BadCell(Message("not_a_date", value=number, hint=DATETIME_HINT))
    return from_serial(number)


def from_serial(number: float, epoch: datetime = _EXCEL_EPOCH) -> datetime:
    """A spreadsheet serial number (days since 1899-12-30) -> naive datetime, to the second; from an
    `epoch_in(tz)`, the same wall time in `tz`."""
    return epoch + timedelta(0, round(number * 86400))  # (days, seconds): quicker than keywords


def epoch_in(tz: ZoneInfo) -> datetime:
    return datetime.combine(_EXCEL_EPOCH, time(), tz)


def to_serial(value: date) -> float:
    """A naive date or datetime -> the spreadsheet serial number Google Sheets and Excel store."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (value - _EXCEL_EPOCH).total_seconds() / 86400


def _from_text(typed: str) -> datetime:
    try:
        if match := _DOTTED.match(typed):
            d, m, y, hh, mm, ss = match.groups()
            year = int(y) + (2000 if len(y) == 2 else 0)
            return datetime(year, int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        if match := _ISO.match(typed):
            y, m, d, hh, mm, ss, offset = match.groups()
            zone = datetime.strptime(offset, "%z").tzinfo if offset else None
            return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=zone)
    except ValueError:
        pass
    raise BadCell(Message("not_a_date", value=typed, hint=DATETIME_HINT))


def number(value: Any) -> float | None:
    """'12 500,50 ₽' -> 12500.5."""
    if value is None:
        return None
    _no_formula(value)
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise BadCell(Message("not_a_number", value=value))
    if isinstance(value, (int, float)):
        amount = float(value)
    else:
        cleaned = re.sub(r"[\s\u00a0₽$€£]|руб\.?|rub", "", str(value), flags=re.IGNORECASE)
        try:
            amount = float(_decimal_point(cleaned))
        except ValueError:
            amount = math.nan
    # float() also takes "NaN", "inf" and "1e999": no amount, and no number JSON (the Sheets API) can carry
    if not math.isfinite(amount):
        raise BadCell(Message("not_an_amount", value=value))
    return amount


def _decimal_point(typed: str) -> str:
    """The amount with a point for its decimal mark: of a comma and a point, the last one typed is the
    mark ('1.250,00', '1,250.00'); a comma before groups of three digits only groups thousands
    ('12,500' is a web page's 12500: no amount has tenths of a kopeck); any other comma is the mark."""
    if "," in typed and "." in typed:
        grouping = "." if typed.rfind(",") > typed.rfind(".") else ","
        return typed.replace(grouping, "").replace(",", ".")
    return typed.replace(",", "") if _THOUSANDS.match(typed) else typed.replace(",", ".")


def flag(value: Any) -> bool | None:
    """Yes/no cells: True, False, or None when the word is neither."""
    _no_formula(value)
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    key = norm(text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def choice(kind: type[enum.Enum], value: Any) -> Any:
    """A dropdown cell -> its enum value, None when empty; BadCell for an unknown word."""
    if type(value) is str:
        found = _word(kind, value)  # the same few words fill whole columns: looked up once each
        if found is not None:
            return found
    _no_formula(value)
    if is_blank(value):
        return None
    found = word_to_value(kind, text(value))
    if found is None:
        raise BadCell(Message("not_one_of", value=text(value), words=_allowed(kind)))
    return found


@functools.lru_cache(maxsize=16)
def _allowed(kind: type[enum.Enum]) -> dict[str, str]:
    """The words a choice column takes, in each language: the Problem cell says them in the sheet's."""
    return {locale: ", ".join(allowed_words(kind, locale)) for locale in ("en", "ru")}


@functools.lru_cache(maxsize=4096)
def _word(kind: type[enum.Enum], typed: str) -> Any:
    return word_to_value(kind, typed)


class Words(dict):
    """`read` for a whole column that repeats a few words in thousands of cells (channels, steps,
    managers...): `words[cell]` reads each word the first time it is seen, then only looks it up.

    Only text and empty cells are kept: 1, 1.0 and True are equal keys that read differently, so
    any other cell is read anew each time. A cell that cannot be read is never kept either: its
    BadCell is raised again for every such cell.
    """

    __slots__ = ("read",)

    def __init__(self, read: Callable[[Any], Any]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, value: Any) -> Any:
        found = self.read(value)
        if value is None or type(value) is str:
            self[value] = found
        return found


def email_address(value: Any) -> str:
    """A plausible single address, or BadCell. Control characters can never pass (header safety).
    A domain in another script (пример.рф) is given as mail servers take it (xn--e1afmkfd.xn--p1ai);
    letters outside ASCII before the @ are refused, as most mail servers refuse them."""
    address = visible(value)
    if not address:
        return ""
    if has_control(address) or not _EMAIL.match(address):
        raise BadCell(Message("bad_email", value=address[:60]))
    if address.isascii():
        return address
    local, domain = address.rsplit("@", 1)
    if not local.isascii():
        raise BadCell(Message("email_not_latin", value=address[:60]))
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        raise BadCell(Message("bad_email", value=address[:60])) from None


def has_control(value: str) -> bool:
    # Every control character is unprintable, and isprintable() is quicker than the search: it
    # runs for each of a hundred thousand IDs and addresses.
    return not value.isprintable() and bool(CONTROL.search(value))
