"""Values arriving through the API become cells, as valueInputOption RAW or USER_ENTERED says.

RAW stores what it gets: strings stay strings ("=SUM(1)", "25.11.2026"). USER_ENTERED is what
typing into the Sheets UI does, in the spreadsheet's locale: "=..." is a formula, "'..." is forced
text, and numbers, percents, currency amounts, dates, times and booleans typed as text are parsed.

>>> enter("25.11.2026", True, locale("ru_RU"))
Typed(46351, {'type': 'DATE', 'pattern': 'dd.mm.yyyy'})
>>> enter("25.11.2026", False, locale("ru_RU"))
'25.11.2026'
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Any

from .cells import DATE_TYPES, Formula, Typed, number, to_serial
from .errors import bad_request
from .locales import Locale, locale

CELL_LIMIT = 50_000  # characters in one cell: Google refuses a longer value, and the whole request with it
NUMERIC_TYPES = frozenset({"NUMBER", "PERCENT", "CURRENCY", "SCIENTIFIC"})
_MAYBE_TYPED = frozenset("0123456789+-.,$€£₽tTfF")
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,3}))?)?\s*(?P<ap>[AaPp][Mm])?"
_ISO = r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"

__all__ = ["EntryError", "enter", "locale"]


class EntryError(ValueError):
    """A JSON value no cell can hold (a list or an object)."""


def enter(value: Any, user_entered: bool, loc: Locale, column_format: dict | None = None) -> Any:
    """The cell a JSON value becomes; column_format is the numberFormat the cell already has.

    >>> enter("0042", True, locale("en_US"))
    42
    >>> enter("0042", True, locale("en_US"), {"type": "TEXT"})
    '0042'
    """
    cls = value.__class__
    if cls is str:
        if not value:
            return None
        if len(value) > CELL_LIMIT:
            raise too_long()
        if user_entered:
            return _typed_text(value, loc, column_format)
        return value
    if cls is bool:
        return value
    if cls is int or cls is float:
        if user_entered and column_format and column_format.get("type") == "TEXT":
            return _plain_number_text(value)
        return number(value)
    raise EntryError(cls.__name__)


def too_long() -> Exception:
    return bad_request(f"Your input contains more than the maximum of {CELL_LIMIT} characters in a single cell.")


def _typed_text(text: str, loc: Locale, column_format: dict | None) -> Any:
    """What typing text into a cell stores."""
    if column_format and column_format.get("type") == "TEXT":
        return text  # a plain-text cell keeps even "=1+1" and "0042" as typed
    if text[0] == "'":
        return text[1:] or None
    if text[0] == "=" and len(text) > 1:
        return Formula(text)
    stripped = text.strip()
    if not stripped or stripped[0] not in _MAYBE_TYPED:
        return text
    parsed = _parse(stripped, loc)
    if parsed is None:
        return text
    if parsed.__class__ is Typed and _keeps_own_format(parsed.fmt["type"], column_format):
        return parsed.value
    return parsed


def _keeps_own_format(typed: str, column_format: dict | None) -> bool:
    """True when the cell's existing number format already shows this kind of value (so it stays)."""
    existing = (column_format or {}).get("type")
    return (typed in DATE_TYPES and existing in DATE_TYPES) or (typed in NUMERIC_TYPES and existing in NUMERIC_TYPES)


def _plain_number_text(value: int | float) -> str:
    value = number(value)
    return str(value) if value.__class__ is int else repr(value)


def _parse(text: str, loc: Locale) -> Any:
    """A boolean, number or date typed as text, or None when the text is just text."""
    upper = text.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    for parse in (_number, _date_time):
        parsed = parse(text, loc)
        if parsed is not None:
            return parsed
    return None


@cache
def _number_pattern(loc: Locale) -> re.Pattern[str]:
    groups = re.escape(loc.group + (" \u00a0\u202f" if loc.group in "\u00a0\u202f" else ""))
    digits = rf"(?P<int>\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)?(?:{re.escape(loc.decimal)}(?P<frac>\d+))?"
    return re.compile(
        rf"(?P<sign>[+-]?)(?P<pre>[$€£])?\s*(?P<sign2>[+-]?){digits}(?:[eE](?P<exp>[+-]?\d+))?"
        rf"\s*(?P<pct>%)?\s*(?P<post>₽|руб\.?|р\.|€)?"
    )


def _number(text: str, loc: Locale) -> Any:
    """A number typed the locale's way: "2,000,000.01", "12,5 %", "$5", "1 000 ₽" (ru_RU)."""
    match = _number_pattern(loc).fullmatch(text)
    if not match or not (match["int"] or match["frac"]) or (match["sign"] and match["sign2"]):
        return None
    whole = re.sub(r"\D", "", match["int"] or "0")
    value = float(f"{whole}.{match['frac'] or 0}e{match['exp'] or 0}")
    if "-" in (match["sign"], match["sign2"]):
        value = -value
    decimals = "." + "0" * len(match["frac"]) if match["frac"] else ""
    if match["pct"]:
        return Typed(number(round(value / 100, 15)), {"type": "PERCENT", "pattern": f"0{decimals}%"})
    if match["pre"] or match["post"]:
        sign = match["pre"] or match["post"].rstrip(".")
        pattern = f'"{sign}"#,##0.00' if match["pre"] else f'#,##0.00"{sign}"'
        return Typed(number(value), {"type": "CURRENCY", "pattern": pattern})
    if match["exp"]:
        return Typed(number(value), {"type": "SCIENTIFIC", "pattern": "0.00E+00"})
    if match["int"] and not match["int"].isdigit():
        return Typed(number(value), {"type": "NUMBER", "pattern": f"#,##0{decimals}"})
    return number(value)


@cache
def _date_patterns(loc: Locale) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    sep = re.escape(loc.date_sep)
    first, second = ("d", "m") if loc.day_first else ("m", "d")
    local = rf"(?P<{first}>\d{{1,2}}){sep}(?P<{second}>\d{{1,2}})(?:{sep}(?P<y>\d{{4}}|\d{{2}}))?"
    return (
        re.compile(rf"{_ISO}(?:\s+{_TIME})?"),
        re.compile(rf"{local}(?:\s+{_TIME})?"),
        re.compile(_TIME),
    )


def _date_time(text: str, loc: Locale) -> Typed | None:
    """A date, time or both typed as the locale writes them ("2020-01-01", "25.11.2026 10:30", "9:05")."""
    iso, local, time_only = _date_patterns(loc)
    for pattern, date_pattern in ((iso, "yyyy-mm-dd"), (local, loc.date_pattern), (time_only, None)):
        match = pattern.fullmatch(text)
        if match:
            return _moment(match, date_pattern)
    return None


def _moment(match: re.Match[str], date_pattern: str | None) -> Typed | None:
    """The serial number of a matched date and/or time, or None when it names no real moment (31.02)."""
    parts = match.groupdict()
    try:
        day = _day(parts) if date_pattern else date(1899, 12, 30)
        seconds = _seconds(parts) if parts.get("H") else 0
    except ValueError:
        return None
    serial = number(to_serial(day) + seconds / 86400)
    am_pm = " am/pm" if parts.get("ap") else ""
    hours = "h" if am_pm else "hh"
    if date_pattern is None:
        return Typed(serial, {"type": "TIME", "pattern": f"{hours}:mm:ss{am_pm}"})
    if parts.get("H"):
        return Typed(serial, {"type": "DATE_TIME", "pattern": f"{date_pattern} {hours}:mm:ss{am_pm}"})
    return Typed(serial, {"type": "DATE", "pattern": date_pattern})


def _day(parts: dict[str, str | None]) -> date:
    year = parts.get("y")
    if year is None:
        full_year = datetime.now().year  # Sheets reads "25.11" as that day of the current year
    elif len(year) == 2:
        full_year = 2000 + int(year) if int(year) < 30 else 1900 + int(year)
    else:
        full_year = int(year)
    return date(full_year, int(parts["m"] or 0), int(parts["d"] or 0))


def _seconds(parts: dict[str, str | None]) -> float:
    hour, minute, second = int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0)
    if parts.get("ap"):
        if not 1 <= hour <= 12:
            raise ValueError(hour)
        hour = hour % 12 + (12 if parts["ap"].lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError((hour, minute, second))
    return hour * 3600 + minute * 60 + second + int((parts.get("F") or "0").ljust(3, "0")) / 1000
