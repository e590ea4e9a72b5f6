"""The domain's own small rules: how a lead is greeted."""

from __future__ import annotations

import pytest

from tests.builders import lead


@pytest.mark.parametrize(
    "name, greeted",
    [
        ("Ivan Petrov", "Ivan"),
        ("Иван Петров", "Иван"),
        ("Петров Иван Сергеевич", "Иван"),  # a ФИО column: surname, name, patronymic
        ("Смирнова Анна Павловна", "Анна"),
        ("Мамедов Эльдар Рашид оглы", "Эльдар"),  # a patronymic in two words
        ("Anna Maria Lopez", "Anna"),  # three words without a patronymic: the first
        ("  ", ""),
        ("ИП Петров Иван Сергеевич", "Иван"),  # an individual entrepreneur: ИП, then the ФИО
        ("Эльдар Рашид оглы", "Эльдар"),  # name and two-word patronymic, no surname
        ("ООО «Ромашка»", ""),  # a company, no person: nobody to greet by name
        ("LLC Acme", ""),
    ],
)
def test_a_lead_is_greeted_by_their_first_name(name, greeted):
    assert lead(name=name).first_name == greeted
