"""How a spreadsheet's locale writes numbers and dates (the few locales the team may use).

>>> LOCALES["ru_RU"].decimal
','
>>> locale("xx_YY") is LOCALES["en_US"]
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    """Separators, day-month order and the default date format of one locale."""

    decimal: str
    group: str  # the thousands separator Sheets writes
    day_first: bool  # 25.11.2026 rather than 11/25/2026
    date_sep: str
    date_pattern: str  # what a typed date is shown as
    currency: str  # the currency sign typed after the number ("" when it goes before)


LOCALES = {
    "en_US": Locale(".", ",", False, "/", "m/d/yyyy", ""),
    "en_GB": Locale(".", ",", True, "/", "dd/mm/yyyy", ""),
    "ru_RU": Locale(",", "\u00a0", True, ".", "dd.mm.yyyy", "₽"),
    "de_DE": Locale(",", ".", True, ".", "dd.mm.yyyy", "€"),
    "fr_FR": Locale(",", "\u202f", True, "/", "dd/mm/yyyy", "€"),
}


def locale(name: str) -> Locale:
    """The rules for a locale name, en_US for one this emulator does not know."""
    return LOCALES.get(name, LOCALES["en_US"])
