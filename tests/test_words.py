"""Problems and flags in the sheet's language."""

from __future__ import annotations

from datetime import datetime

from tests.builders import at
from tests.sheets.fixtures import XlsxSheet
from touchsheet.mail.outbox import Outbox
from touchsheet.sync import run_once
from touchsheet.words import DATETIME_HINT, Message, said


def test_a_message_is_its_english_text_and_says_itself_in_russian():
    problem = Message("cell", column="Created at", problem=Message("not_a_date", value="31.02", hint=DATETIME_HINT))
    assert problem == "Created at: '31.02' is not a date: type it like 25.11.2026 14:30 or 2026-11-25 14:30"
    assert said(problem, "ru") == "Дата заявки: «31.02» — не дата: введите как 25.11.2026 14:30 или 2026-11-25 14:30"


def test_a_long_paste_is_quoted_by_its_first_80_characters():
    # an e-mail thread pasted into Birthday: the Problem shows where it starts, and stays readable
    pasted = "Re: our offer " * 2_143  # 30,002 characters, 14 a phrase: the first 80 end inside the sixth
    problem = Message("not_a_date", value=pasted, hint=DATETIME_HINT)
    start = "Re: our offer Re: our offer Re: our offer Re: our offer Re: our offer Re: our of…"
    assert problem == f"'{start}' is not a date: type it like 25.11.2026 14:30 or 2026-11-25 14:30"
    assert said(problem, "ru") == f"«{start}» — не дата: введите как 25.11.2026 14:30 или 2026-11-25 14:30"


def test_flags_in_russian():
    assert said("forgotten 12d", "ru") == "забыт 12 дн."
    assert said("invoice unpaid 3d", "ru") == "счёт не оплачен 3 дн."
    assert said("first contact overdue", "ru") == "первый контакт просрочен"
    assert said("forgotten 12d", "en") == "forgotten 12d"


def test_a_russian_sheet_gets_russian_problems_and_flags(make_config, tmp_path):
    config = make_config("config.ru.yaml")
    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows(
        "Leads",
        [
            {
                "ID": "L-1",
                "Name": "Иван Петров",
                "Email": "ivan@",
                "Manager": "Анна Смирнова",
                "Created at": datetime(2026, 11, 2, 10, 0),
            },
            {"ID": "L-2", "Name": "Ольга", "Created at": "31.02.2026"},
            {"ID": "L-3", "Name": "Пётр", "Created at": datetime(2026, 11, 2, 9, 0), "Stage": "думает"},
        ],
    )
    run_once(config, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:30"))
    ivan, olga, petr = sheet.rows("Leads")
    assert ivan["Проблема"] == (
        "Email: «ivan@» — неверный адрес почты; письма этому клиенту не уходят, пока адрес не исправлен"
    )
    assert ivan["Отметки"] == "первый контакт просрочен, нет email"
    assert olga["Проблема"].startswith("Дата заявки: «31.02.2026» — не дата")
    assert (
        petr["Проблема"]
        == "Этап: «думает» — нет такого значения, можно: новый, в работе, встреча, КП, счёт, клиент, отказ"
    )
