"""Numbers shown as Sheets shows them: the automatic format and the common number-format patterns.

>>> show(2000000.01, {"type": "NUMBER", "pattern": "#,##0.00"}, locale("en_US"))
'2,000,000.01'
>>> show(46351, {"type": "DATE", "pattern": "dd.mm.yyyy"}, locale("ru_RU"))
'25.11.2026'
>>> general(0.0009765625, locale("en_US"))
'0.0009765625'
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from .cells import DATE_TYPES, from_serial
from .locales import Locale, locale

__all__ = ["general", "locale", "show"]

_MONTHS = "January February March April May June July August September October November December".split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+|.', re.IGNORECASE)
_DATE_KEYS = frozenset("yyyy yy mmmm mmm mm m minutemm minutem dddd ddd dd d hh h ss s am/pm a/p".split())
_DEFAULT_PATTERNS = {"DATE": None, "TIME": "hh:mm:ss", "DATE_TIME": None, "PERCENT": "0.00%", "CURRENCY": "#,##0.00"}


def general(value: int | float, loc: Locale) -> str:
    """The automatic format: up to 10 decimals, no grouping, scientific from 1E+15."""
    if value.__class__ is int:
        return str(value) if abs(value) < 10**15 else _scientific(value, loc)
    if value != 0 and (abs(value) >= 1e15 or abs(value) < 1e-10):
        return _scientific(value, loc)
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text.replace(".", loc.decimal) if text != "-0" else "0"


def _scientific(value: float, loc: Locale) -> str:
    mantissa, exponent = f"{value:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".").replace(".", loc.decimal)
    return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"


def show(value: int | float, number_format: dict | None, loc: Locale) -> str:
    """A number under a numberFormat ({"type": ..., "pattern": ...}), as FORMATTED_VALUE shows it."""
    kind = (number_format or {}).get("type", "NUMBER")
    pattern = (number_format or {}).get("pattern") or _DEFAULT_PATTERNS.get(kind)
    if kind in DATE_TYPES:
        default = loc.date_pattern + (" hh:mm:ss" if kind == "DATE_TIME" else "")
        return _date(value, pattern or default)
    if not pattern or kind == "TEXT":
        return general(value, loc)
    return _number(value, pattern, loc)


def _date(serial: float, pattern: str) -> str:
    """A serial number under a date/time pattern such as "dd.mm.yyyy hh:mm" or "m/d/yyyy h:mm am/pm"."""
    tokens, twelve_hour = _date_tokens(pattern)
    parts = _date_parts(from_serial(serial), twelve_hour)
    return "".join(parts.get(token) or _fraction(parts, token) or _literal(token) for token in tokens)


@cache
def _date_tokens(pattern: str) -> tuple[tuple[str, ...], bool]:
    """The pattern's tokens, lower-cased, with minutes told from months ("minutemm"), and whether it is 12-hour."""
    raw = _DATE_TOKEN.findall(pattern)
    tokens = []
    for i, token in enumerate(raw):
        low = token.lower()
        if low in ("m", "mm") and _is_minute(raw, i):
            low = "minute" + low
        tokens.append(low if low in _DATE_KEYS or low.startswith(".0") else token)
    return tuple(tokens), any(t in ("am/pm", "a/p") for t in tokens)


def _is_minute(tokens: list[str], i: int) -> bool:
    """An m or mm right after hours or right before seconds is minutes, as in every spreadsheet."""
    before = next((t.lower() for t in reversed(tokens[:i]) if t.strip(" :.,")), "")
    after = next((t.lower() for t in tokens[i + 1 :] if t.strip(" :.,")), "")
    return before in ("h", "hh") or after in ("s", "ss")


def _date_parts(moment: datetime, twelve_hour: bool) -> dict[str, str]:
    hour = (moment.hour % 12 or 12) if twelve_hour else moment.hour
    return {
        "yyyy": f"{moment.year:04d}",
        "yy": f"{moment.year % 100:02d}",
        "mmmm": _MONTHS[moment.month - 1],
        "mmm": _MONTHS[moment.month - 1][:3],
        "mm": f"{moment.month:02d}",
        "m": str(moment.month),
        "minutemm": f"{moment.minute:02d}",
        "minutem": str(moment.minute),
        "dddd": _DAYS[moment.weekday()],
        "ddd": _DAYS[moment.weekday()][:3],
        "dd": f"{moment.day:02d}",
        "d": str(moment.day),
        "hh": f"{hour:02d}",
        "h": str(hour),
        "ss": f"{moment.second:02d}",
        "s": str(moment.second),
        "am/pm": "AM" if moment.hour < 12 else "PM",
        "a/p": "A" if moment.hour < 12 else "P",
        "millis": f"{moment.microsecond // 1000:03d}",
    }


def _fraction(parts: dict[str, str], token: str) -> str:
    """Fractions of a second (".000" after ss)."""
    return "." + parts["millis"][: len(token) - 1] if token.startswith(".0") else ""


def _literal(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1]
    return token[1:] if token.startswith("\\") else token


@cache
def _numeric(pattern: str) -> tuple[str, str, int, int, bool, bool]:
    """Split a number pattern into prefix, suffix, integer digits, decimals, grouping and percent."""
    section = pattern.split(";")[0]
    section = re.sub(r"\[\$([^\]-]*)[^\]]*\]", r'"\1"', section)  # [$€-407] is a currency literal
    match = re.search(r"[0#?,.]*[0#?][0#?,.]*", section)
    if not match:
        return section, "", 1, 0, False, "%" in section
    body = match.group()
    whole, _, decimals = body.partition(".")
    prefix = "".join(_literal(t) for t in re.findall(r'"[^"]*"|\\.|.', section[: match.start()]))
    suffix = "".join(_literal(t) for t in re.findall(r'"[^"]*"|\\.|.', section[match.end() :]))
    return prefix, suffix, whole.count("0"), len(decimals.replace(",", "")), "," in whole, "%" in section


def _number(value: float, pattern: str, loc: Locale) -> str:
    """A number under a pattern like "#,##0.00", "0%", '"$"#,##0.00' or "0.00E+00"."""
    if "E+" in pattern.upper():
        return _scientific(value, loc)
    prefix, suffix, min_digits, decimals, grouping, percent = _numeric(pattern)
    shown = abs(value) * (100 if percent else 1)
    text = f"{shown:,.{decimals}f}" if grouping else f"{shown:.{decimals}f}"
    whole, _, fraction = text.partition(".")
    whole = whole.zfill(min_digits + whole.count(",")) if whole != "0" or min_digits else ""
    text = whole.replace(",", loc.group) + (loc.decimal + fraction if fraction else "")
    sign = "-" if value < 0 and float(shown) != 0 else ""
    return f"{sign}{prefix}{text}{suffix}"
