"""The KPI tab's layout and words: stable whatever the numbers, in the sheet's language, documented."""

from __future__ import annotations

from pathlib import Path

from tests.builders import at, book, lead, touch
from touchsheet.engine.kpi import compute_kpi
from touchsheet.engine.model import Stage
from touchsheet.engine.plan import plan
from touchsheet.sheets.kpi_sheet import kpi_sheet
from touchsheet.sheets.kpi_words import FIGURES, definition, name

ROOT = Path(__file__).resolve().parents[2]


def sheet_of(the_book, config, locale="en"):
    now = at("2026-11-24 12:00")
    return kpi_sheet(compute_kpi(the_book, plan(the_book, config, now), config, now), locale, config.tz)


def test_the_layout_does_not_depend_on_the_numbers(config):
    """Google Sheets gets formats and charts again only when the layout changes: numbers appearing
    where there were none must not change it."""
    empty = sheet_of(book([]), config)
    busy = sheet_of(
        book(
            [lead(stage=Stage.WON, paid_at=at("2026-11-10 00:00"), invoice_amount=5_000), lead(id="L-2")],
            [touch("2026-11-23 10:00", "d4", key="L-1/d4/2026-11-23")],
        ),
        config,
    )
    assert (empty.units, empty.bold, empty.headers, empty.charts) == (busy.units, busy.bold, busy.headers, busy.charts)
    assert len(empty.rows) == len(busy.rows)


def test_the_tab_speaks_the_sheets_language(make_config):
    ru = make_config("config.ru.yaml")
    sheet = sheet_of(book([lead(manager="Анна Смирнова")]), ru, "ru")
    labels = [row[0] for row in sheet.rows if row]
    assert "Новых заявок" in labels and "Слабое звено" in labels and "Воронка" in labels
    assert ["Этап", "Дошли до этапа", "Конверсия из предыдущего"] in sheet.rows
    assert [c.title for c in sheet.charts] == ["Воронка", "Заявки и новые клиенты по неделям", "Дисциплина по неделям"]
    funnel = sheet.rows.index(["Этап", "Дошли до этапа", "Конверсия из предыдущего"])
    assert [row[0] for row in sheet.rows[funnel + 1 : funnel + 7]] == [
        "новый",
        "в работе",
        "встреча",
        "КП",
        "счёт",
        "клиент",
    ]


def test_every_figure_is_defined_in_sheets_schema_md(config):
    text = (ROOT / "sheets_schema.md").read_text(encoding="utf-8")
    params = {
        "deadline_minutes": 15,
        "forgotten_after_days": 3,
        "warm_per_closing": 5,
        "paid_within_days": 7,
        "untouched_days": 30,
        "value_lost_per_month": 0.1,
        "trend_weeks": 12,
    }
    for key in FIGURES:
        assert f"| {name(key, 'en', params)} | {definition(key, 'en', params)} |" in text, key
