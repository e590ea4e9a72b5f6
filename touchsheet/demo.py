"""The demo: a folder with a config and a workbook of invented but realistic leads, with history.

Leads arrive over five months, at every stage; managers did most of their calls (not all); some
invoices wait for payment, some clients are due for reactivation, a few rows are typed badly on
purpose so the Problem column has something to show. Deterministic for a given `now`.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from touchsheet import config as config_module
from touchsheet.config import Config
from touchsheet.engine.cadence import sales_cadence
from touchsheet.engine.model import Channel, Kind, Lead, Result, Stage, Status, touch_key
from touchsheet.errors import TouchsheetError
from touchsheet.schema import COSTS, LEADS, TOUCH_LOG, Tab, value_label
from touchsheet.sheets.formats import number_format
from touchsheet.sheets.xlsx import XlsxWorkbook

ROOT = Path(__file__).resolve().parent.parent

NAMES = {
    "en": (
        [
            "James",
            "Olivia",
            "Liam",
            "Emma",
            "Noah",
            "Ava",
            "Lucas",
            "Mia",
            "Ethan",
            "Sophia",
            "Mason",
            "Isla",
            "Logan",
            "Grace",
            "Owen",
            "Chloe",
            "Henry",
            "Ella",
            "Jack",
            "Amelia",
            "Leo",
            "Ruby",
            "Adam",
            "Zoe",
        ],
        [
            "Walker",
            "Bennett",
            "Hughes",
            "Foster",
            "Price",
            "Reed",
            "Cooper",
            "Ward",
            "Murphy",
            "Brooks",
            "Gray",
            "Hayes",
            "Porter",
            "Ellis",
            "Fisher",
            "Palmer",
            "Stone",
            "Webb",
            "Lane",
            "Burke",
        ],
    ),
    "ru": (
        [
            "Иван",
            "Мария",
            "Алексей",
            "Ольга",
            "Дмитрий",
            "Елена",
            "Сергей",
            "Анна",
            "Павел",
            "Татьяна",
            "Андрей",
            "Наталья",
            "Михаил",
            "Ирина",
            "Никита",
            "Светлана",
            "Егор",
            "Юлия",
            "Артём",
            "Ксения",
        ],
        [
            "Соколов",
            "Морозов",
            "Волков",
            "Лебедев",
            "Козлов",
            "Новиков",
            "Попов",
            "Васильев",
            "Павлов",
            "Семёнов",
            "Голубев",
            "Виноградов",
            "Богданов",
            "Воробьёв",
            "Фёдоров",
            "Михайлов",
            "Беляев",
            "Тарасов",
        ],
    ),
}
LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh sch - y - e yu ya".replace("-", "").split(" "),
    )
)
SOURCES = {
    "en": ["website", "referral", "exhibition", "ads", "cold call"],
    "ru": ["сайт", "рекомендация", "выставка", "реклама", "холодный звонок"],
}
COST_CATEGORIES = {
    "en": [("ads", 180000), ("salaries", 450000), ("telephony", 12000), ("CRM and tools", 8000)],
    "ru": [("реклама", 180000), ("зарплаты", 450000), ("телефония", 12000), ("CRM и сервисы", 8000)],
}
EXTRA_COLUMN = {"en": "Comment", "ru": "Комментарий"}
DEMO_HEADER = "# Demo config, copied from"  # config.yaml's first line: a folder the demo may build again
STAGE_SHARE = [
    (Stage.NEW, 14),
    (Stage.CONTACTED, 24),
    (Stage.MEETING, 12),
    (Stage.PROPOSAL, 10),
    (Stage.INVOICE, 8),
    (Stage.WON, 20),
    (Stage.LOST, 12),
]


def write_demo_config(folder: Path, locale: str) -> Config:
    """The shipped config (English or Russian), pointed at this folder's workbook and outbox."""
    _refuse_what_the_demo_did_not_make(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TouchsheetError(
            f"cannot make the folder {folder} ({e.strerror}). Fix: pass --dir with a new folder"
        ) from None
    source = ROOT / ("config.ru.yaml" if locale == "ru" else "config.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["workbook"] = {"backend": "xlsx", "path": "touchsheet.xlsx"}
    data["templates_dir"] = str(ROOT / "templates")
    data["mail"]["outbox_dir"] = "outbox"
    target = folder / "config.yaml"
    header = f"{DEMO_HEADER} {source.name} by `python -m touchsheet demo`.\n"
    target.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = config_module.load(target)
    # a new base: what the journal knows of the old one's emails must not hold this one's back
    for old in (config.workbook_path, config.resolve(config.mail.outbox_dir), config.state_file("journal")):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    return config


def _refuse_what_the_demo_did_not_make(folder: Path) -> None:
    """A demo is built again over its own files only: a team's config, workbook or outbox is never replaced."""
    config = folder / "config.yaml"
    if config.is_file() and config.read_bytes().startswith(DEMO_HEADER.encode()):
        return
    theirs = [path.name for path in (config, folder / "touchsheet.xlsx", folder / "outbox") if path.exists()]
    if theirs:
        raise TouchsheetError(
            f"{folder} holds {', '.join(theirs)}, which the demo did not make and never replaces. "
            "Fix: pass --dir with a new folder"
        )


@dataclass
class _Demo:
    config: Config
    now: datetime
    rng: random.Random
    leads: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)


def write_demo_workbook(config: Config, now: datetime, count: int = 200) -> None:
    """Invent `count` leads with their history up to `now` and write them into a fresh workbook."""
    XlsxWorkbook(config.workbook_path, config.locale).init()
    demo = _Demo(config, now.astimezone(config.tz), random.Random(20261122))
    for number in range(1, count + 1):
        _invent_lead(demo, number)
    _spoil_a_few(demo)
    book = openpyxl.load_workbook(config.workbook_path)
    locale = config.locale
    leads_sheet = _sheet(book, LEADS, locale)
    leads_sheet.cell(1, leads_sheet.max_column + 1).value = EXTRA_COLUMN[locale]
    _fill(leads_sheet, LEADS, demo.leads, locale, extra=EXTRA_COLUMN[locale])
    _fill(_sheet(book, TOUCH_LOG, locale), TOUCH_LOG, sorted(demo.log, key=lambda r: r["At"]), locale)
    _fill(_sheet(book, COSTS, locale), COSTS, _costs(demo), locale)
    book.save(config.workbook_path)


def _invent_lead(demo: _Demo, number: int) -> None:
    rng, config, locale = demo.rng, demo.config, demo.config.locale
    first, last = rng.choice(NAMES[locale][0]), rng.choice(NAMES[locale][1])
    if locale == "ru" and first in (
        "Мария",
        "Ольга",
        "Елена",
        "Анна",
        "Татьяна",
        "Наталья",
        "Ирина",
        "Светлана",
        "Юлия",
        "Ксения",
    ):
        last += "а"
    age_days = min(rng.expovariate(1 / 35), 150)
    created = (demo.now - timedelta(days=age_days, minutes=rng.randint(0, 600))).replace(second=0, microsecond=0)
    if age_days < 1:
        created = demo.now - timedelta(minutes=rng.randint(5, 300))
    stage = _stage_for(rng, age_days)
    manager = rng.choice(list(config.managers))
    row: dict[str, Any] = {
        "ID": f"{config.id_prefix}{number:05d}",
        "Name": f"{first} {last}",
        "Email": f"{_latin(first)}.{_latin(last)}{number}@{rng.choice(['example.com', 'example.org', 'example.net'])}",
        "Phone": f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        "Manager": manager,
        "Source": rng.choice(SOURCES[locale]),
        "Created at": created.replace(tzinfo=None, second=0, microsecond=0),
        "Stage": value_label(stage, locale),
    }
    if rng.random() < 0.5:
        row["Birthday"] = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
    if number in (7, 42):  # someone always has a birthday today
        row["Birthday"] = date(1988, demo.now.month, demo.now.day)
    if rng.random() < 0.03:
        row["Opt out"] = "yes" if locale == "en" else "да"
    lead = Lead(row=0, id=row["ID"], name=row["Name"], created_at=created, stage=stage, email=row["Email"])
    _history(demo, row, lead, stage, manager)
    demo.leads.append(row)


def _stage_for(rng: random.Random, age_days: float) -> Stage:
    """Fresh leads are mostly new; an old lead still new is one somebody forgot (a few, on purpose)."""
    if age_days < 1:
        return rng.choice([Stage.NEW, Stage.NEW, Stage.CONTACTED])
    if age_days > 3 and rng.random() > 0.04:
        shares = [(stage, weight) for stage, weight in STAGE_SHARE if stage is not Stage.NEW]
    else:
        shares = STAGE_SHARE
    stages, weights = zip(*shares)
    return rng.choices(stages, weights)[0]


def _history(demo: _Demo, row: dict[str, Any], lead: Lead, stage: Stage, manager: str) -> None:
    """Touches a real team would have logged: most calendar steps done, results matching the stage."""
    rng, config, now = demo.rng, demo.config, demo.now
    opened = Lead(row=0, id=lead.id, name=lead.name, created_at=lead.created_at, stage=Stage.NEW, email=lead.email)
    steps = [o for o in sales_cadence(opened, config, now) if o.due_at < now - timedelta(hours=2)]
    end = now
    if stage in (Stage.WON, Stage.LOST):  # the cadence stopped when they decided
        end = lead.created_at + timedelta(days=rng.randint(3, 45))
        steps = [o for o in steps if o.due_at < end]
    if stage is not Stage.NEW and rng.random() < 0.9:
        first = config.calendar.add_minutes(lead.created_at, rng.choice([3, 8, 12, 25, 70, 240]))
        if first < now:
            _touch(
                demo, lead.id, first, Channel.CALL, "first-contact", Status.DONE, Result.REACHED, manager, Kind.CLOSING
            )
    for o in steps:
        if o.channel is Channel.EMAIL:
            _touch(
                demo,
                lead.id,
                o.due_at + timedelta(minutes=rng.randint(1, 9)),
                o.channel,
                o.step,
                Status.SENT,
                None,
                manager,
                o.kind,
                key=touch_key(lead.id, o),
            )
        elif stage is not Stage.NEW and rng.random() < 0.9:  # nobody has called a new lead yet
            result = rng.choice([Result.REACHED, Result.REACHED, Result.NO_ANSWER])
            late = timedelta(days=rng.choice([1, 1, 2, 4])) if rng.random() < 0.2 else timedelta()  # it happens
            _touch(
                demo,
                lead.id,
                o.due_at + late + timedelta(minutes=rng.randint(10, 400)),
                o.channel,
                o.step,
                Status.DONE,
                result,
                manager,
                o.kind,
                key=touch_key(lead.id, o),
            )
    _money(demo, row, lead, stage, end, manager)
    if stage in (Stage.CONTACTED, Stage.MEETING, Stage.PROPOSAL) and rng.random() < 0.15:
        row["Callback at"] = (now + timedelta(hours=rng.choice([-26, -3, 2, 5, 28]))).replace(
            minute=0, second=0, microsecond=0, tzinfo=None
        )


def _money(demo: _Demo, row: dict[str, Any], lead: Lead, stage: Stage, end: datetime, manager: str) -> None:
    rng, now = demo.rng, demo.now
    if stage is Stage.INVOICE:
        issued = now - timedelta(days=rng.randint(0, 12))
        row["Invoice at"] = issued.date()
        row["Invoice amount"] = rng.choice([45000, 78000, 120000, 260000])
    elif stage is Stage.WON:
        bought = now - timedelta(days=rng.randint(1, 25))  # young clients bought at some point since they came
        first_purchase = min(end, max(bought, lead.created_at + timedelta(days=1)))
        purchases = [first_purchase]
        while rng.random() < 0.55 and purchases[-1] < now - timedelta(days=40):
            purchases.append(purchases[-1] + timedelta(days=rng.randint(25, 70)))
        purchases = [p for p in purchases if p < now]
        for paid in purchases[:-1]:
            _touch(
                demo,
                lead.id,
                paid,
                Channel.CALL,
                "",
                Status.DONE,
                Result.PAID,
                manager,
                Kind.CLOSING,
                note="repeat order",
            )
        row["Invoice at"] = (purchases[-1] - timedelta(days=rng.randint(1, 6))).date()
        row["Invoice amount"] = rng.choice([45000, 78000, 120000, 260000])
        row["Paid at"] = purchases[-1].date()
        row["Last purchase at"] = purchases[-1].date()
    elif stage is Stage.LOST:
        _touch(
            demo,
            lead.id,
            end,
            Channel.CALL,
            "",
            Status.DONE,
            Result.REFUSED,
            manager,
            Kind.CLOSING,
            note=rng.choice(["too expensive", "chose another carrier", "no longer needed"]),
        )


def _touch(
    demo: _Demo,
    lead_id: str,
    at: datetime,
    channel: Channel,
    step: str,
    status: Status,
    result: Result | None,
    manager: str,
    kind: Kind,
    key: str = "",
    note: str = "",
) -> None:
    locale = demo.config.locale
    demo.log.append(
        {
            "At": at.astimezone(demo.config.tz).replace(tzinfo=None, second=0, microsecond=0),
            "Lead ID": lead_id,
            "Channel": value_label(channel, locale),
            "Kind": value_label(kind, locale),
            "Step": step,
            "Status": value_label(status, locale),
            "Result": value_label(result, locale) if result else None,
            "Manager": manager,
            "Note": note or None,
            "Key": key or None,
        }
    )


def _spoil_a_few(demo: _Demo) -> None:
    """What real sheets hold: dates typed as text, a bad date, an unknown stage, a bad email,
    a duplicate ID, a row without an ID, a note in a column touchsheet does not know."""
    leads, locale = demo.leads, demo.config.locale
    for row in leads[10:20]:
        row["Created at"] = row["Created at"].strftime("%d.%m.%Y %H:%M")
    leads[3]["Created at"] = "31.02.2026"
    leads[5]["Stage"] = "thinking" if locale == "en" else "думает"
    leads[8]["Email"] = leads[8]["Email"].split("@")[0] + "@"
    leads[12]["ID"] = leads[11]["ID"]
    leads[15]["ID"] = None
    leads[1][EXTRA_COLUMN[locale]] = "VIP: call before noon" if locale == "en" else "VIP: звонить до обеда"
    leads[2][EXTRA_COLUMN[locale]] = "wants a discount" if locale == "en" else "хочет скидку"


def _costs(demo: _Demo) -> list[dict[str, Any]]:
    rows = []
    month = date(demo.now.year, demo.now.month, 1)
    for _ in range(6):
        for category, amount in COST_CATEGORIES[demo.config.locale]:
            rows.append({"Month": month, "Category": category, "Amount": round(amount * demo.rng.uniform(0.85, 1.15))})
        month = (month - timedelta(days=1)).replace(day=1)
    return rows


def _latin(word: str) -> str:
    return "".join(LATIN.get(ch, ch) for ch in word.lower())


def _sheet(book: Any, tab: Tab, locale: str) -> Any:
    return book[tab.label(locale)]


def _fill(sheet: Any, tab: Tab, rows: list[dict[str, Any]], locale: str, extra: str = "") -> None:
    headers = [c.value for c in sheet[1]]
    position = {c.name: headers.index(c.label(locale)) + 1 for c in tab.columns if c.label(locale) in headers}
    if extra:
        position[extra] = headers.index(extra) + 1
    for index, row in enumerate(rows, start=2):
        for column, value in row.items():
            cell = sheet.cell(index, position[column])
            cell.value = value
            if isinstance(value, datetime):
                cell.number_format = number_format("datetime", locale)
            elif isinstance(value, date):
                cell.number_format = number_format("date", locale)
