"""What touchsheet says to the people in the sheet, in their language.

A `Message` is its English text (it is a `str`, so logs, tests and the run summary read it as
is) that also knows how to say itself in Russian: `Problem` and `Flags` cells, the Touch log's
notes on emails and what `check` lists about the sheet are in the sheet's language. (An exception
carrying one keeps it in `e.args[0]`: `str(e)` is the English text alone.)
"""

from __future__ import annotations

import re
from typing import Any

DATE_HINT = {"en": "type it like 25.11.2026 or 2026-11-25", "ru": "введите как 25.11.2026 или 2026-11-25"}
DATETIME_HINT = {
    "en": "type it like 25.11.2026 14:30 or 2026-11-25 14:30",
    "ru": "введите как 25.11.2026 14:30 или 2026-11-25 14:30",
}
MONTH_HINT = {"en": "type it like 2026-11 or 11.2026", "ru": "введите как 2026-11 или 11.2026"}

CATALOGUE: dict[str, dict[str, str]] = {
    "cell": {"en": "{column}: {problem}", "ru": "{column}: {problem}"},
    "formula": {
        "en": "holds a formula ({formula}): type the value itself",
        "ru": "здесь формула ({formula}): введите само значение",
    },
    "error_value": {
        "en": "holds the error {error} a formula gave: type the value itself",
        "ru": "здесь ошибка {error} от формулы: введите само значение",
    },
    "not_a_date": {"en": "'{value}' is not a date: {hint}", "ru": "«{value}» — не дата: {hint}"},
    "not_a_number": {"en": "'{value}' is not a number", "ru": "«{value}» — не число"},
    "not_an_amount": {
        "en": "'{value}' is not a number (type it like 12500 or 12 500,50)",
        "ru": "«{value}» — не число (введите как 12500 или 12 500,50)",
    },
    "not_one_of": {"en": "'{value}' is not one of: {words}", "ru": "«{value}» — нет такого значения, можно: {words}"},
    "bad_email": {"en": "'{value}' is not a valid email address", "ru": "«{value}» — неверный адрес почты"},
    "email_not_latin": {
        "en": "'{value}' has letters before the @ that mail servers refuse: type the address in Latin letters",
        "ru": "«{value}»: до @ есть буквы, которые почтовые серверы не принимают: введите адрес латиницей",
    },
    "no_emails": {
        "en": "{problem}; no emails go to this lead until it is fixed",
        "ru": "{problem}; письма этому клиенту не уходят, пока адрес не исправлен",
    },
    "control": {
        "en": "has a line break or a control character: retype it",
        "ru": "есть перенос строки или служебный символ: введите заново",
    },
    "bad_zone": {
        "en": "'{value}' is not a time zone (type it like Europe/Moscow)",
        "ru": "«{value}» — не часовой пояс (введите как Europe/Moscow)",
    },
    "duplicate_id": {
        "en": "ID {id} is also on row {row}: give this row its own ID (or clear the cell and one will be assigned)",
        "ru": "ID {id} уже есть в строке {row}: дайте этой строке свой ID (или очистите ячейку: он будет присвоен)",
    },
    "email_on_log": {
        "en": "Touch log row {row} already holds this email ({email_key}) but its Step or Lead ID was changed: "
        "put them back (the email is not sent again)",
        "ru": "строка {row} «Журнала касаний» уже хранит это письмо ({email_key}), но в ней изменены «Шаг» или "
        "«ID лида»: верните их (письмо не отправляется повторно)",
    },
    "lead_unreadable": {
        "en": "no lead {lead_id} on Leads whose row can be read: fix its row there (this result is recorded "
        "once it reads), or clear this row",
        "ru": "на «Лидах» нет читаемой строки лида {lead_id}: исправьте её (результат будет записан, когда "
        "она прочитается) или очистите эту строку",
    },
    "opted_out_on_row": {
        "en": "Opt out is set on row {row}, for this ID or this address: no touches go to this lead",
        "ru": "в строке {row} для этого ID или этого адреса стоит «Отписка»: касаний этому клиенту нет",
    },
    "no_key": {
        "en": "Key is empty, so this row cannot be tied to its touch: record it in the Touch log by hand, "
        "then clear the row",
        "ru": "«Ключ» пуст, и строку не связать с её касанием: внесите его в «Журнал касаний» вручную, "
        "затем очистите строку",
    },
    "unclear_opt_out": {
        "en": "Opt out: '{value}' read as yes (type yes or leave empty)",
        "ru": "Отписка: «{value}» прочитано как «да» (введите да или оставьте пустым)",
    },
    "neither_yes_nor_no": {"en": "'{value}' is neither yes nor no", "ru": "«{value}» — ни да, ни нет"},
    "unknown_manager": {
        "en": "Manager '{name}' is not under `managers:` in config.yaml: emails are signed by the company",
        "ru": "Менеджера «{name}» нет в `managers:` в config.yaml: письма подписаны компанией",
    },
    "won_without_purchase": {
        "en": "Stage is won but Paid at and Last purchase at are empty: reactivation cannot be scheduled",
        "ru": "Этап «клиент», но «Оплачен» и «Последняя покупка» пусты: реактивацию не назначить",
    },
    "invoice_without_date": {
        "en": "Stage is invoice but Invoice at is empty: type the invoice date so the invoice is chased",
        "ru": "Этап «счёт», но «Счёт выставлен» пуст: введите дату счёта, чтобы о нём напоминали",
    },
    "bought_but_not_won": {
        "en": "The client bought (Paid at, Last purchase at) but Stage is not won: set it to won",
        "ru": "Клиент купил («Оплачен», «Последняя покупка»), но этап не «клиент»: поставьте «клиент»",
    },
    "refused": {
        "en": "the mail server refused the last email ({reason}): check the address",
        "ru": "почтовый сервер отклонил последнее письмо ({reason}): проверьте адрес",
    },
    "missing_field": {
        "en": "email {step} not sent: template {template} uses '{field}', which is empty for this lead",
        "ru": "письмо {step} не отправлено: шаблон {template} использует «{field}», а у клиента это поле пустое",
    },
    "no_person_name": {
        "en": "email {step} not sent: template {template} greets the lead by name, and Name holds no person's "
        "name: type the contact person's name",
        "ru": "письмо {step} не отправлено: шаблон {template} обращается к клиенту по имени, а в «Имя» нет имени "
        "человека: введите имя контактного лица",
    },
    "missing_template": {
        "en": "email {step} not sent: template file {file} is missing from {folder}{hint}",
        "ru": "письмо {step} не отправлено: нет файла шаблона {file} в {folder}{hint}",
    },
    "template_not_utf8": {
        "en": "email {step} not sent: template file {file} in {folder} is not saved as UTF-8 (open it and save it "
        "as UTF-8)",
        "ru": "письмо {step} не отправлено: файл шаблона {file} в {folder} сохранён не в UTF-8 (откройте его и "
        "сохраните в кодировке UTF-8)",
    },
    "no_templates_folder": {
        "en": " (no such folder: set templates_dir in config.yaml)",
        "ru": " (нет такой папки: укажите templates_dir в config.yaml)",
    },
    "broken_template": {
        "en": "email {step} not sent: template {template} is broken ({error})",
        "ru": "письмо {step} не отправлено: шаблон {template} с ошибкой ({error})",
    },
    # a template's mistakes, told where to fix them: the file and line, config.yaml
    "template_line": {"en": "{file}, line {line}: {error}", "ru": "{file}, строка {line}: {error}"},
    "not_a_field": {
        "en": "email {step} not sent: template {template} uses '{field}', which is not a field",
        "ru": "письмо {step} не отправлено: шаблон {template} использует «{field}», а такого поля нет",
    },
    "unknown_link": {
        "en": "email {step} not sent: template {template} uses links.{link}: add {link} under links: in config.yaml",
        "ru": "письмо {step} не отправлено: шаблон {template} использует links.{link}: добавьте {link} в links: "
        "в config.yaml",
    },
    "empty_subject": {
        "en": "email {step} not sent: the subject of {template} comes out empty",
        "ru": "письмо {step} не отправлено: тема шаблона {template} получилась пустой",
    },
    "subject_break": {
        "en": "email {step} not sent: the subject of {template} has a line break",
        "ru": "письмо {step} не отправлено: в теме шаблона {template} перенос строки",
    },
    "bad_header": {
        "en": "email {step} not sent: a header of the email cannot be written ({error})",
        "ru": "письмо {step} не отправлено: не записать заголовок письма ({error})",
    },
    "no_longer_due": {
        "en": "this task is no longer due: tick Done with a result, or clear the row",
        "ru": "задача больше не актуальна: отметьте «Сделано» с результатом или очистите строку",
    },
    # rows of the other tabs, and where a problem is (check lists them all)
    "tab_row": {"en": "{tab} row {row}: {problems}", "ru": "{tab}, строка {row}: {problems}"},
    "lead_row": {"en": "{tab} row {row} ({lead}): {problems}", "ru": "{tab}, строка {row} ({lead}): {problems}"},
    "needs_at_and_lead": {"en": "needs both At and Lead ID", "ru": "нужны и «Когда», и «ID лида»"},
    "needs_month_and_amount": {"en": "needs both Month and Amount", "ru": "нужны и «Месяц», и «Сумма»"},
    "log_row": {"en": "row {row} ({lead})", "ru": "строка {row} ({lead})"},
    "more_rows": {"en": " and {count} more", "ru": " и ещё {count}"},
    "stray_touches": {
        "en": "{tab} {rows}{more}: the Lead ID is on no row of Leads, so the touch logged there counts for no lead",
        "ru": "{tab}, {rows}{more}: такого «ID лида» нет ни в одной строке «Лидов», и касание, записанное там, не "
        "засчитано ни одному лиду",
    },
    "template_check": {"en": "template {name}: {problem}", "ru": "шаблон {name}: {problem}"},
    # an email's Note in the Touch log: what became of it (a server's answer is quoted as it gave it)
    "not_sent": {"en": "not sent: {reason}", "ru": "не отправлено: {reason}"},
    "mail_refused": {"en": "refused: {reason}", "ru": "отклонено: {reason}"},
    "unconfirmed": {"en": "unconfirmed: {reason}", "ru": "не подтверждено: {reason}"},
    "worker_stopped": {
        "en": "the worker was stopped; the next run sends it",
        "ru": "программа остановлена; письмо уйдёт при следующем запуске",
    },
    "written_back": {
        "en": "{note} (written back from this host's journal: not sent again)",
        "ru": "{note} (восстановлено из журнала этого компьютера: повторно не отправлено)",
    },
    "second_copy": {
        "en": "a second copy of Touch log row {row}: nothing was sent for it",
        "ru": "вторая копия строки {row} «Журнала касаний»: по ней ничего не отправлялось",
    },
    "stopped_unrecorded": {
        "en": "a run stopped while sending (no local record)",
        "ru": "запуск прервался во время отправки (на этом компьютере о письме записи нет)",
    },
    "stopped_handing": {
        "en": "a run stopped while handing it to the server",
        "ru": "запуск прервался, пока письмо передавалось почтовому серверу",
    },
    "stopped_before": {
        "en": "a run stopped before handing it over",
        "ru": "запуск прервался до того, как письмо передано почтовому серверу",
    },
    "cannot_connect": {
        "en": "cannot connect to {server} ({error})",
        "ru": "не удалось подключиться к {server} ({error})",
    },
    "bad_certificate": {
        "en": "the certificate of {server} does not check out ({error}), so no login was sent: a server with a "
        "certificate from your own CA, see README, 'Sending real email'",
        "ru": "сертификат {server} не прошёл проверку ({error}), поэтому логин и пароль не отправлены: если у "
        "сервера сертификат вашего собственного центра сертификации, см. README, 'Sending real email'",
    },
    "login_refused": {
        "en": "the mail server refused the login for {user}: {reply}",
        "ru": "почтовый сервер не принял вход для {user}: {reply}",
    },
    "sender_refused": {
        "en": "the mail server refused the sender {sender}: {reply}",
        "ru": "почтовый сервер отклонил отправителя {sender}: {reply}",
    },
    "line_closed": {
        "en": "the mail server closed the line: {reply}",
        "ru": "почтовый сервер закрыл соединение: {reply}",
    },
    "recipient_refused": {"en": "{recipient}: {reply}", "ru": "{recipient}: {reply}"},
    "message_refused": {"en": "message: {reply}", "ru": "письмо: {reply}"},
    "recipient_deferred": {
        "en": "the mail server deferred the {recipient}: {reply}",
        "ru": "почтовый сервер отложил письмо для {recipient}: {reply}",
    },
    "message_deferred": {
        "en": "the mail server deferred the message: {reply}",
        "ru": "почтовый сервер отложил письмо: {reply}",
    },
    "dropped_before": {
        "en": "the mail server dropped the line before the message ({error})",
        "ru": "почтовый сервер оборвал соединение до передачи письма ({error})",
    },
    "dropped_during": {
        "en": "the line dropped while the message was being handed over ({error})",
        "ru": "соединение оборвалось, пока письмо передавалось серверу ({error})",
    },
    "password_file": {
        "en": "cannot read the SMTP password file {file} ({error})",
        "ru": "не удалось прочитать файл с паролем почты {file} ({error})",
    },
    "no_password": {
        "en": "no SMTP password: set the environment variable {variable} (for Gmail, an app password: see README, "
        "'Sending real email')",
        "ru": "нет пароля почты: задайте переменную окружения {variable} (для Gmail — пароль приложения: см. README, "
        "'Sending real email')",
    },
    "oauth2_unreadable": {
        "en": "cannot read the OAuth2 file {file} ({error})",
        "ru": "не удалось прочитать файл OAuth2 {file} ({error})",
    },
    "oauth2_not_json": {"en": "the OAuth2 file {file} is not JSON", "ru": "файл OAuth2 {file} — не JSON"},
    "oauth2_incomplete": {
        "en": "the OAuth2 file {file} does not hold {keys}: make it with yagmail (see README, 'Sending real email')",
        "ru": "в файле OAuth2 {file} нет {keys}: создайте его через yagmail (см. README, 'Sending real email')",
    },
    "oauth2_refused": {
        "en": "Google refused the refresh token in the OAuth2 file {file} ({reply}): make the file again with "
        "yagmail (see README, 'Sending real email')",
        "ru": "Google отклонил refresh token из файла OAuth2 {file} ({reply}): создайте файл заново через yagmail "
        "(см. README, 'Sending real email')",
    },
    "oauth2_unreachable": {
        "en": "cannot reach Google for an OAuth2 access token ({error})",
        "ru": "не удалось связаться с Google за токеном доступа OAuth2 ({error})",
    },
    "outbox_folder": {
        "en": "cannot create the outbox folder {folder} ({error})",
        "ru": "не удалось создать папку для писем {folder} ({error})",
    },
    "outbox_write": {
        "en": "cannot write to the outbox {folder} ({error})",
        "ru": "не удалось записать письмо в папку {folder} ({error})",
    },
    # the Status tab's Result of a run that could not reach the mail server (its emails wait, with no Touch log row)
    "mail_down": {"en": "mail down: {reason}", "ru": "почта не работает: {reason}"},
}

WORDS = {  # the Flags cell and the Manager of a lead without one: fixed words, some with a number of days
    "(no manager)": "(без менеджера)",
    "first contact overdue": "первый контакт просрочен",
    "callback missed": "перезвон пропущен",
    "reactivation": "реактивация",
    "no email": "нет email",
    "email unconfirmed": "письмо не подтверждено",
    "opt out": "отписка",
    "invoice unpaid {days}d": "счёт не оплачен {days} дн.",
    "forgotten {days}d": "забыт {days} дн.",
}


QUOTED = 80  # characters of a typed value a message quotes: a long paste is known by its start, and fits a cell
_TYPED = frozenset({"value", "name", "id", "lead_id"})  # the parameters that quote a cell as someone typed it

_PATTERNS = [
    (re.compile(re.escape(english).replace(r"\{days\}", r"(?P<days>\d+)")), russian)
    for english, russian in WORDS.items()
]


class Message(str):
    """English text a person reads, which can also say itself in the sheet's language."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> Message:
        made = super().__new__(cls, _fill(CATALOGUE[key]["en"], params, "en"))
        made.key, made.params = key, params
        return made

    def said(self, locale: str) -> str:
        return _fill(CATALOGUE[self.key].get(locale, CATALOGUE[self.key]["en"]), self.params, locale)


def said(text: str, locale: str) -> str:
    """Any message or fixed word in `locale` (other strings stay as they are)."""
    if isinstance(text, Message):
        return text.said(locale)
    if locale == "ru":
        for pattern, russian in _PATTERNS:
            found = pattern.fullmatch(text)
            if found:
                return russian.format(**found.groupdict())
    return text


def _fill(template: str, params: dict[str, Any], locale: str) -> str:
    shown = {}
    for name, value in params.items():
        if isinstance(value, Message):
            value = value.said(locale)
        elif isinstance(value, dict):  # a per-locale hint
            value = value.get(locale, value["en"])
        elif name == "column":
            value = _column_label(value, locale)
        elif name == "tab":
            value = _tab_label(value, locale)
        elif isinstance(value, list):  # a row's problems, or the rows a problem is on
            value = ("; " if name == "problems" else ", ").join(said(item, locale) for item in value)
        elif name in _TYPED and isinstance(value, str) and len(value) > QUOTED:
            value = value[:QUOTED] + "…"
        shown[name] = value
    return template.format(**shown)


def _column_label(name: str, locale: str) -> str:
    from touchsheet.schema import TABS

    for tab in TABS:
        for column in tab.columns:
            if column.name == name:
                return column.label(locale)
    return name


def _tab_label(name: str, locale: str) -> str:
    """A tab by its English name in the sheet's words; a tab named otherwise (its title in the sheet) as it is."""
    from touchsheet.schema import TABS

    return next((tab.label(locale) for tab in TABS if tab.name == name), name)
