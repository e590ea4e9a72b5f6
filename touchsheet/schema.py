"""The sheet contract: tabs, columns, who owns them, and the words people may type.

sheets_schema.md is the human version of this module; keep them in step.
Headers and values are matched by `norm`: case-, space- and `ё`-insensitive, English or Russian.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from touchsheet.engine.model import Channel, Kind, Result, Stage, Status


class Owner(enum.Enum):
    MANAGER = "manager"
    WORKER = "worker"


@dataclass(frozen=True)
class Column:
    name: str
    ru: str
    owner: Owner
    type: str  # text | date | datetime | number | bool | choice
    aliases: tuple[str, ...] = ()
    required: bool = True

    def label(self, locale: str) -> str:
        return self.ru if locale == "ru" else self.name


@dataclass(frozen=True)
class Tab:
    name: str
    ru: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def label(self, locale: str) -> str:
        return self.ru if locale == "ru" else self.name

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def norm(text: object) -> str:
    """'Created  at' -> 'createdat'; 'Счёт' -> 'счет'. The key headers and words are matched by."""
    return re.sub(r"[\s_\-.]+", "", str(text).casefold().replace("ё", "е"))


M, W = Owner.MANAGER, Owner.WORKER

LEADS = Tab(
    "Leads",
    "Лиды",
    (
        Column("ID", "ID", M, "text", ("№", "номер", "id лида")),
        Column("Name", "Имя", M, "text", ("клиент", "фио", "контакт")),
        Column("Email", "Email", M, "text", ("e-mail", "почта", "эл почта", "электронная почта")),
        Column("Phone", "Телефон", M, "text", ("тел",)),
        Column("Manager", "Менеджер", M, "text", ("ответственный",)),
        Column("Source", "Источник", M, "text"),
        Column("Created at", "Дата заявки", M, "datetime", ("created", "создан", "заявка")),
        Column("Stage", "Этап", M, "choice", ("статус сделки",)),
        Column("Callback at", "Перезвонить", M, "datetime", ("callback", "обратный звонок")),
        Column("Invoice at", "Счёт выставлен", M, "date", ("invoice date", "дата счета")),
        Column("Invoice amount", "Сумма счёта", M, "number", ("amount", "сумма")),
        Column("Paid at", "Оплачен", M, "date", ("paid", "дата оплаты")),
        Column("Last purchase at", "Последняя покупка", M, "date", ("last purchase",)),
        Column("Birthday", "День рождения", M, "date", ("др",)),
        Column("Opt out", "Отписка", M, "bool", ("unsubscribed", "не беспокоить")),
        Column("Time zone", "Часовой пояс", M, "text", ("timezone", "tz"), required=False),
        Column("Next touch at", "Следующее касание", W, "datetime"),
        Column("Next channel", "Канал", W, "choice", ("следующий канал",)),
        Column("Next kind", "Тип касания", W, "choice", ("следующий тип",)),
        Column("Next reason", "Повод", W, "text", ("следующий повод",)),
        Column("Touches", "Касаний", W, "number", ("touch count", "число касаний")),
        Column("Last touch at", "Последнее касание", W, "datetime"),
        Column("Flags", "Отметки", W, "text", ("флаги",)),
        Column("Problem", "Проблема", W, "text", ("problems", "ошибка")),
    ),
    ("Клиенты", "Лиды и клиенты"),
)

TOUCH_LOG = Tab(
    "Touch log",
    "Журнал касаний",
    (
        Column("At", "Когда", W, "datetime", ("date", "дата", "время")),
        Column("Lead ID", "ID лида", W, "text", ("lead", "id")),
        Column("Channel", "Канал", W, "choice"),
        Column("Kind", "Тип", W, "choice", ("тип касания",)),
        Column("Step", "Шаг", W, "text"),
        Column("Status", "Статус", W, "choice"),
        Column("Result", "Результат", W, "choice"),
        Column("Manager", "Менеджер", W, "text"),
        Column("Note", "Заметка", W, "text", ("comment", "комментарий")),
        Column("Key", "Ключ", W, "text"),
    ),
    ("Log", "Журнал", "Касания"),
)

DUE_TODAY = Tab(
    "Due today",
    "Задачи на сегодня",
    (
        Column("Manager", "Менеджер", W, "text"),
        Column("Due at", "Срок", W, "datetime"),
        Column("Overdue", "Просрочено", W, "bool"),
        Column("Lead ID", "ID лида", W, "text"),
        Column("Lead", "Клиент", W, "text", ("name", "имя")),
        Column("Phone", "Телефон", W, "text"),
        Column("Channel", "Канал", W, "choice"),
        Column("Kind", "Тип", W, "choice"),
        Column("Step", "Шаг", W, "text"),
        Column("Reason", "Повод", W, "text"),
        Column("Script", "Скрипт", W, "text", ("текст",)),
        Column("Done", "Сделано", M, "bool", ("готово",)),
        Column("Result", "Результат", M, "choice"),
        Column("Callback at", "Перезвонить", M, "datetime"),
        Column("Note", "Заметка", M, "text", ("comment", "комментарий")),
        Column("Problem", "Проблема", W, "text"),
        Column("Key", "Ключ", W, "text"),
    ),
    ("Today", "Задачи", "Сегодня"),
)

KPI = Tab("KPI", "KPI", (), ("Показатели", "Metrics"))

COSTS = Tab(
    "Costs",
    "Расходы",
    (
        Column("Month", "Месяц", M, "date"),
        Column("Category", "Статья", M, "text", ("статья расходов",)),
        Column("Amount", "Сумма", M, "number"),
    ),
    ("Затраты",),
)

STATUS = Tab("Status", "Статус", (), ("Состояние", "Health"))

TABS = (LEADS, TOUCH_LOG, DUE_TODAY, KPI, COSTS, STATUS)


def tab_keys(tab: Tab) -> set[str]:
    return {norm(tab.name), norm(tab.ru), *map(norm, tab.aliases)}


def column_keys(column: Column) -> set[str]:
    return {norm(column.name), norm(column.ru), *map(norm, column.aliases)}


# The words a manager may type for each value, English first (the canonical one) then Russian.
WORDS: dict[type[enum.Enum], dict[enum.Enum, tuple[str, ...]]] = {
    Stage: {
        Stage.NEW: ("new", "новый", "новая", "новый лид"),
        Stage.CONTACTED: ("contacted", "в работе", "контакт", "связались"),
        Stage.MEETING: ("meeting", "встреча"),
        Stage.PROPOSAL: ("proposal", "кп", "предложение", "коммерческое предложение"),
        Stage.INVOICE: ("invoice", "счёт", "счет выставлен"),
        Stage.WON: ("won", "клиент", "выиграна", "оплачено", "продажа"),
        Stage.LOST: ("lost", "отказ", "проиграна", "потерян"),
    },
    Result: {
        Result.REACHED: ("reached", "дозвонился", "связались", "дозвон", "ответил"),
        Result.NO_ANSWER: ("no answer", "не ответил", "недозвон", "нет ответа", "не дозвонился"),
        Result.CALLBACK: ("callback", "перезвонить", "просил перезвонить"),
        Result.MEETING: ("meeting", "встреча", "назначена встреча"),
        Result.INVOICE: ("invoice", "счёт", "выставлен счёт"),
        Result.PAID: ("paid", "оплатил", "оплата", "оплачено"),
        Result.REFUSED: ("refused", "отказ", "отказался"),
    },
    Channel: {
        Channel.EMAIL: ("email", "e-mail", "почта", "письмо на почту"),
        Channel.CALL: ("call", "звонок", "позвонить"),
        Channel.MESSENGER: ("messenger", "мессенджер", "whatsapp", "telegram"),
        Channel.SMS: ("sms", "смс"),
        Channel.VIDEO: ("video", "видео", "видео-селфи"),
        Channel.LETTER: ("letter", "письмо", "почтой", "post", "fax", "факс"),
        Channel.GIFT: ("gift", "подарок"),
    },
    Kind: {
        Kind.WARM: ("warm", "прогрев", "тёплое", "утепляющее", "прогревающее"),
        Kind.CLOSING: ("closing", "закрытие", "закрывающее", "дожим"),
    },
    Status: {
        Status.DONE: ("done", "сделано", "выполнено"),
        Status.SENT: ("sent", "отправлено"),
        Status.PENDING: ("pending", "отправляется"),
        Status.UNCONFIRMED: ("unconfirmed", "не подтверждено"),
        Status.FAILED: ("failed", "ошибка", "не отправлено"),
        Status.RETRY: ("retry", "повторить", "отправить снова"),
        Status.SKIPPED: ("skipped", "пропущено", "отменено"),
    },
}

# Russian words the worker writes (the second entry of WORDS is not always the nicest label).
RU_LABELS: dict[enum.Enum, str] = {
    Stage.NEW: "новый",
    Stage.CONTACTED: "в работе",
    Stage.MEETING: "встреча",
    Stage.PROPOSAL: "КП",
    Stage.INVOICE: "счёт",
    Stage.WON: "клиент",
    Stage.LOST: "отказ",
    Result.REACHED: "дозвонился",
    Result.NO_ANSWER: "не ответил",
    Result.CALLBACK: "перезвонить",
    Result.MEETING: "встреча",
    Result.INVOICE: "счёт",
    Result.PAID: "оплатил",
    Result.REFUSED: "отказ",
    Channel.EMAIL: "email",
    Channel.CALL: "звонок",
    Channel.MESSENGER: "мессенджер",
    Channel.SMS: "смс",
    Channel.VIDEO: "видео",
    Channel.LETTER: "письмо",
    Channel.GIFT: "подарок",
    Kind.WARM: "прогрев",
    Kind.CLOSING: "закрытие",
    Status.DONE: "сделано",
    Status.SENT: "отправлено",
    Status.PENDING: "отправляется",
    Status.UNCONFIRMED: "не подтверждено",
    Status.FAILED: "ошибка",
    Status.RETRY: "повторить",
    Status.SKIPPED: "пропущено",
}

_LOOKUP: dict[type[enum.Enum], dict[str, enum.Enum]] = {
    kind: {norm(word): value for value, words in table.items() for word in words} for kind, table in WORDS.items()
}

# "х" is the Cyrillic letter a Russian keyboard types for x
YES = frozenset(map(norm, ("yes", "true", "1", "x", "х", "✓", "✔", "+", "да", "истина", "v")))
NO = frozenset(map(norm, ("", "no", "false", "0", "-", "нет", "ложь")))


def word_to_value(kind: type[enum.Enum], text: str) -> enum.Enum | None:
    """'Встреча' -> Stage.MEETING for kind=Stage; None when the word is not known."""
    return _LOOKUP[kind].get(norm(text))


def value_label(value: enum.Enum, locale: str) -> str:
    """Stage.PROPOSAL -> 'proposal' (en) or 'КП' (ru): what the worker writes in cells."""
    return RU_LABELS[value] if locale == "ru" else str(value.value)


def allowed_words(kind: type[enum.Enum], locale: str) -> list[str]:
    """The dropdown values for a choice column, in the sheet's language."""
    return [value_label(v, locale) for v in kind]
