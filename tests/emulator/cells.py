"""What a cell holds, stored compactly.

Most cells are plain Python values: str (text), int or float (a number), bool, or None (empty).
Two small classes cover the rest: a Formula (what was typed, evaluated when read) and a Typed
number that carries the number format Sheets gave it when it was typed ("2020-01-01" is the
number 43831 shown as a date).

>>> Typed(43831, {"type": "DATE", "pattern": "yyyy-mm-dd"}).value
43831
>>> to_serial(datetime(2020, 1, 1))
43831
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

EPOCH = datetime(1899, 12, 30)  # day 0 of Sheets' (and Lotus 1-2-3's) serial numbers
PLAIN = frozenset({str, int, float, bool})
DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})


class Formula:
    """A cell holding a formula, as typed: Formula("=SUM(A1:A3)")."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and other.text == self.text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


class Typed:
    """A number with the number format typing gave it: Typed(0.1, {"type": "PERCENT", "pattern": "0%"})."""

    __slots__ = ("value", "fmt")

    def __init__(self, value: int | float, fmt: dict[str, str]) -> None:
        self.value = value
        self.fmt = fmt

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Typed) and (other.value, other.fmt) == (self.value, self.fmt)

    def __repr__(self) -> str:
        return f"Typed({self.value!r}, {self.fmt!r})"


def number(value: int | float) -> int | float:
    """A number as Google's JSON writes it: whole floats become ints (2.0 -> 2)."""
    if value.__class__ is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def to_serial(moment: datetime | date | time) -> int | float:
    """Days since 1899-12-30, the fraction being the time of day: to_serial(date(2020, 1, 1)) == 43831."""
    if isinstance(moment, time):
        return number((moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400)
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment.replace(tzinfo=None) - EPOCH
    return number(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6)


def from_serial(serial: float) -> datetime:
    """The moment a serial number stands for, to the millisecond: from_serial(43831.5) == datetime(2020, 1, 1, 12)."""
    return EPOCH + timedelta(milliseconds=round(serial * 86400000))


def stored(value: Any) -> Any:
    """A Python value as a manager would type it, stored as is (no parsing); None or "" is empty.

    >>> stored(date(2020, 1, 1))
    Typed(43831, {'type': 'DATE', 'pattern': 'yyyy-mm-dd'})
    """
    if value is None or value == "":
        return None
    if value.__class__ in PLAIN or isinstance(value, Formula | Typed):
        return number(value) if value.__class__ is float else value
    if isinstance(value, datetime):
        return Typed(to_serial(value), {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"})
    if isinstance(value, date):
        return Typed(to_serial(value), {"type": "DATE", "pattern": "yyyy-mm-dd"})
    if isinstance(value, time):
        return Typed(to_serial(value), {"type": "TIME", "pattern": "hh:mm:ss"})
    raise TypeError(f"a cell cannot hold {value!r}")
