"""How cells look, the same in both backends: date formats per locale and the KPI units' number formats."""

from __future__ import annotations

NUMBER_FORMATS = {"count": "0", "percent": "0%", "money": "#,##0", "minutes": "0", "days": "0.0", "ratio": "0.0"}
DATE_FORMATS = {
    "date": {"en": "yyyy-mm-dd", "ru": "dd.mm.yyyy"},
    "datetime": {"en": "yyyy-mm-dd hh:mm", "ru": "dd.mm.yyyy hh:mm"},
}


def number_format(unit: str, locale: str) -> str | None:
    """The cell format of a column type or KPI unit (None: shown as it is)."""
    return DATE_FORMATS[unit][locale] if unit in DATE_FORMATS else NUMBER_FORMATS.get(unit)
