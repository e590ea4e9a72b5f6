"""config.yaml -> a frozen, validated Config. Every bad key gets one message naming it and the fix.

Secrets (mail password, Google key) never live here: config names the environment variable or file.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date, datetime, time
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from touchsheet.engine.cells import BadCell, email_address
from touchsheet.engine.model import Channel, Kind
from touchsheet.engine.worktime import WorkCalendar, zone_named
from touchsheet.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _month_day(text: str) -> str:
    try:
        datetime.strptime(f"2024-{text}", "%Y-%m-%d")  # 2024: leap year, so 02-29 is accepted
    except ValueError:
        raise ValueError('not a day of the year: write it as MM-DD, like "12-31"') from None
    return text


def _minutes_as_time(value: Any) -> Any:
    """YAML 1.1 reads an unquoted 18:00 as the base-60 number 1080; the person meant 18:00. A time
    in quotes may leave out the leading zero ("9:00")."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    # 18.30, past midnight, or below 60: an unquoted 1:00 is the least YAML reads as a time, so 9 is an hour typed bare
    if number and not (isinstance(value, int) and 60 <= value < 24 * 60):
        raise ValueError('write the time in quotes, like "18:30"')
    if number:
        return time(*divmod(value, 60))
    if isinstance(value, str) and re.fullmatch(r"\d:\d\d(:\d\d)?", value.strip()):
        return "0" + value.strip()
    return value


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError('a time here is in `timezone:`: write it without an offset, like "18:00"')
    return value


ClockTime = Annotated[time, BeforeValidator(_minutes_as_time), AfterValidator(_local_time)]


class Touchpoint(Frozen):
    """What a touch is: channel, warm or closing, the reason, and the email template or call script."""

    channel: Channel
    kind: Kind
    reason: str = Field(min_length=1)
    template: str = ""
    script: str = ""

    @model_validator(mode="after")
    def _email_needs_template(self) -> Touchpoint:
        if self.channel is Channel.EMAIL and not self.template:
            raise ValueError("an email step needs `template:` (a file name in templates/email/<locale>/)")
        return self


class CalendarStep(Touchpoint):
    day: int = Field(ge=0)
    id: str = ""
    default_prefix: ClassVar[str] = "d"  # the id when none is given: d<day>

    @model_validator(mode="after")
    def _default_id(self) -> CalendarStep:
        if not self.id:
            object.__setattr__(self, "id", f"{self.default_prefix}{self.day}")
        return self


class InvoiceReminder(CalendarStep):
    default_prefix: ClassVar[str] = "invoice+"  # the name invoice reminders always had, which the Touch log keeps


def _unique_ids(steps: list[CalendarStep]) -> list[CalendarStep]:
    """Steps sorted by day, each with an id of its own: a step is settled by its id, so two sharing one
    would settle each other."""
    ids = [s.id for s in steps]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"two steps share the id {', '.join(twice)}: give each its own `id:`")
    return sorted(steps, key=lambda s: s.day)


class RepeatPhase(Frozen):
    every_days: int = Field(ge=1)
    times: int | None = Field(default=None, ge=1)  # None: until the lead buys, refuses or opts out
    steps: list[Touchpoint] = Field(min_length=1)


class Cadence(Frozen):
    """R1, R3, R4: the new-lead calendar, then weekly nurture, then monthly."""

    calendar: list[CalendarStep] = Field(min_length=1)
    nurture: RepeatPhase
    monthly: RepeatPhase

    _one_id_each = field_validator("calendar")(_unique_ids)


class FirstContact(Touchpoint):
    """R5: the first manual touch, due as soon as the lead arrives, with a deadline in working minutes."""

    deadline_minutes: int = Field(ge=1)


class Callbacks(Touchpoint):
    """R6: a promised callback becomes a task at its time and is flagged once `grace_minutes` pass."""

    grace_minutes: int = Field(default=30, ge=0)


class Invoices(Frozen):
    """R7: reminders counted from the invoice date until it is paid."""

    reminders: list[InvoiceReminder] = Field(min_length=1)
    then_every_days: int = Field(ge=1)
    then: Touchpoint

    _one_id_each = field_validator("reminders")(_unique_ids)


class Reactivation(Touchpoint):
    """R8: a client past their average purchase interval gets a weekly call until they buy again."""

    default_interval_days: int = Field(ge=1)
    every_days: int = Field(default=7, ge=1)
    manager: str = ""  # who calls clients without a manager


class Holiday(Touchpoint):
    name: str = Field(min_length=1)
    date: Annotated[str, AfterValidator(_month_day)]  # "MM-DD"


class Greetings(Frozen):
    """R9: birthdays and holidays, on the day (the working day before when it falls on a day off)."""

    birthday: Touchpoint | None = None
    holidays: list[Holiday] = []
    late_days: int = Field(default=1, ge=0)


class KpiConfig(Frozen):
    """R13, R14: the KPI tab's windows and targets."""

    trend_weeks: int = Field(default=12, ge=2, le=104)  # weeks in the weekly trend and its charts
    warm_per_closing: float = Field(default=5, gt=0)  # the target ratio of warm to closing touches (R2)
    paid_within_days: int = Field(default=7, ge=0)  # an invoice paid this soon counts as paid fast
    untouched_days: int = Field(default=30, ge=1)  # a client not touched this long puts value at risk
    value_lost_per_month: float = Field(default=0.10, gt=0, le=1)  # share of a client's value lost per such month


class WorkingHours(Frozen):
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _order(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError("`start` must be before `end`")
        return self


class HolidaySource(Frozen):
    country: str | None = None  # ISO code for public holidays (python-holidays), e.g. RU, US, DE
    dates: list[date] = []  # extra days off

    @field_validator("country")
    @classmethod
    def _known_country(cls, code: str | None) -> str | None:
        if code and code.upper() not in holiday_calendars.list_supported_countries():
            raise ValueError(f"'{code}' is not a country code python-holidays knows (try RU, US, DE)")
        return code.upper() if code else None


class WorkbookConfig(Frozen):
    backend: Literal["xlsx", "google"] = "xlsx"
    path: Path = Path("touchsheet.xlsx")  # xlsx: relative to config.yaml
    spreadsheet: str = ""  # google: the sheet's URL or key
    credentials_file: Path | None = None  # google: the service account's JSON key file
    credentials_env: str = "GOOGLE_APPLICATION_CREDENTIALS"  # or a variable holding its path or its JSON

    @field_validator("path")
    @classmethod
    def _xlsx_file(cls, path: Path, info: ValidationInfo) -> Path:
        # openpyxl reads no other kind: `init` would make the file and every later run refuse it
        if info.data.get("backend") == "xlsx" and path.suffix.lower() != ".xlsx":
            raise ValueError(
                "name an .xlsx file: touchsheet reads no other kind (in LibreOffice: File > Save As > Excel 2007-365)"
            )
        return path

    @model_validator(mode="after")
    def _google_needs_a_sheet(self) -> WorkbookConfig:
        if self.backend == "google" and not self.spreadsheet_key:
            raise ValueError("backend google needs `spreadsheet:` (the sheet's URL, or its key)")
        return self

    @property
    def spreadsheet_key(self) -> str:
        """The key in https://docs.google.com/spreadsheets/d/<key>/edit, or the value itself."""
        found = re.search(r"/spreadsheets/d/([A-Za-z0-9_-]+)", self.spreadsheet)
        return found.group(1) if found else self.spreadsheet.strip()


class SmtpConfig(Frozen):
    """The mail server. The secret is never here: only where to find it (an environment variable
    or a file), checked when a run connects."""

    host: str = "smtp.gmail.com"
    port: int | None = None  # default: 465 for ssl, 587 for starttls, 25 for none
    security: Literal["ssl", "starttls", "none"] = "ssl"
    user: str = ""  # the login, usually the sending address
    password_env: str = "TOUCHSHEET_SMTP_PASSWORD"  # the variable holding the (app) password
    password_file: Path | None = None  # or a file holding it (a mounted secret)
    oauth2_file: Path | None = None  # or a yagmail OAuth2 JSON file (Gmail without a password)
    timeout_seconds: float = Field(default=30, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in ("password", "pass", "secret")):
            raise ValueError(
                "a password never goes in config.yaml: put it in the environment variable named by "
                "`password_env` (TOUCHSHEET_SMTP_PASSWORD by default) or in a file named by `password_file`"
            )
        return data

    @property
    def port_number(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]


DAILY_CAPS = {"gmail": 500, "workspace": 2000}  # Gmail's sending limits per rolling day


def _address(value: str) -> str:
    """An address a mail server takes: a domain in another script as IDNA (пример.рф ->
    xn--e1afmkfd.xn--p1ai), the part before the @ in Latin letters."""
    try:
        return email_address(value)
    except BadCell as e:
        raise ValueError(str(e.args[0])) from None


def _sender(value: str) -> str:
    """The sender as typed (its name's quoting kept), its address as a mail server takes it."""
    address = parseaddr(value)[1]
    return value.replace(address, _address(address)) if address else _address(value)


MailAddress = Annotated[str, AfterValidator(lambda v: _address(v) if v else v)]


class MailConfig(Frozen):
    transport: Literal["outbox", "smtp"] = "outbox"
    outbox_dir: Path = Path("outbox")  # relative to config.yaml
    sender: Annotated[str, AfterValidator(_sender)]  # "Acme Sales <sales@acme.example>"
    smtp: SmtpConfig = SmtpConfig()
    daily_cap: int | Literal["gmail", "workspace"] = "gmail"  # emails per rolling 24 hours
    per_run_cap: int = Field(default=200, ge=1)
    per_lead_per_day: int = Field(default=1, ge=1)  # across all cadences
    unsubscribe_email: MailAddress = ""  # List-Unsubscribe: mailto
    unsubscribe_url: str = ""  # one-click List-Unsubscribe URL; {lead_id} is replaced

    @field_validator("daily_cap", mode="wrap")
    @classmethod
    def _sends_something(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> int | str:
        try:
            cap = handler(value)
        except ValidationError:  # one message, not one per type tried (mail.daily_cap.int, ...literal[...])
            raise ValueError("write a number of emails, gmail or workspace") from None
        if isinstance(cap, int) and cap < 1:
            raise ValueError("a cap below 1 sends nothing, ever: write a number of emails, gmail or workspace")
        return cap

    @property
    def cap_per_day(self) -> int:
        return DAILY_CAPS[self.daily_cap] if isinstance(self.daily_cap, str) else self.daily_cap


class WorkerConfig(Frozen):
    """`python -m touchsheet run`: how often the long-running worker syncs."""

    every_minutes: float = Field(default=10, gt=0)  # in working hours
    off_hours_every_minutes: float = Field(default=60, gt=0)  # nights, weekends, holidays
    kpi_at: ClockTime = time(7, 0)  # a daily sync before the team starts, so the KPI tab is fresh
    lease_minutes: int = Field(default=15, ge=1)  # how long a run's hold on the sheet lasts unless renewed


class Manager(Frozen):
    email: MailAddress = ""
    phone: str = ""
    signature: str = ""


class Company(Frozen):
    name: str = Field(min_length=1)
    phone: str = ""
    website: str = ""


class Config(Frozen):
    locale: Literal["en", "ru"] = "en"
    timezone: str
    working_hours: WorkingHours
    working_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(min_length=1)
    holidays: HolidaySource = HolidaySource()
    workbook: WorkbookConfig = WorkbookConfig()
    templates_dir: Path = Path("templates")
    mail: MailConfig
    company: Company
    links: dict[str, str] = {}
    managers: dict[str, Manager] = {}
    id_prefix: str = "L-"
    forgotten_after_days: int = Field(default=3, ge=1)
    first_contact: FirstContact
    cadence: Cadence
    callbacks: Callbacks
    invoices: Invoices
    reactivation: Reactivation
    greetings: Greetings = Greetings()
    worker: WorkerConfig = WorkerConfig()
    kpi: KpiConfig = KpiConfig()
    base_dir: Path = Path(".")  # the folder of config.yaml; relative paths start there

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        if zone_named(name) is None:
            raise ValueError(f"'{name}' is not a time zone name (like Europe/Moscow or America/New_York)")
        return name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @functools.cached_property
    def calendar(self) -> WorkCalendar:
        public = holiday_calendars.country_holidays(self.holidays.country) if self.holidays.country else {}
        return WorkCalendar(
            tz=self.tz,
            start=self.working_hours.start,
            end=self.working_hours.end,
            weekdays=frozenset(WEEKDAYS.index(d) for d in self.working_days),
            is_holiday=lambda day: day in public or day in self.holidays.dates,
            is_moved_workday=lambda day: _moved_workday(public, day),
        )

    def resolve(self, path: Path) -> Path:
        """A path as written in config.yaml: ~ is the home folder, a relative one starts at base_dir."""
        path = path.expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def workbook_path(self) -> Path:
        return self.resolve(self.workbook.path)

    def state_file(self, kind: str) -> Path:
        """A file of the worker's own on this host: `.touchsheet.xlsx.lock` beside a workbook,
        `.touchsheet-<key>.journal` beside config.yaml for a Google Sheet."""
        if self.workbook.backend == "google":
            return self.base_dir / f".touchsheet-{self.workbook.spreadsheet_key}.{kind}"
        return self.workbook_path.parent / f".{self.workbook_path.name}.{kind}"

    @property
    def template_root(self) -> Path:
        return self.resolve(self.templates_dir)

    def touchpoints(self) -> list[Touchpoint]:
        """Every configured touch: calendar, nurture, monthly and rule steps."""
        points: list[Touchpoint] = [
            *self.cadence.calendar,
            *self.cadence.nurture.steps,
            *self.cadence.monthly.steps,
            self.first_contact,
            self.callbacks,
            *self.invoices.reminders,
            self.invoices.then,
            self.reactivation,
            *self.greetings.holidays,
        ]
        return points + ([self.greetings.birthday] if self.greetings.birthday else [])

    def email_templates(self) -> set[str]:
        """Every template name an email step refers to."""
        return {p.template for p in self.touchpoints() if p.channel is Channel.EMAIL}


def load(path: Path | str, **overrides: Any) -> Config:
    """Read and validate config.yaml; raise ConfigError with every problem, each naming its key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file. Fix: pass --config with the path to your config.yaml, "
            "or run `python -m touchsheet demo` to get a working example."
        ) from None
    except UnicodeDecodeError:  # Notepad's "ANSI" or "Unicode" (UTF-16)
        raise ConfigError(f"{path}: not saved as UTF-8. Fix: open it and save it as UTF-8") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e.strerror})") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected keys like `timezone:` and `cadence:` at the top level")
    data = {**data, **overrides, "base_dir": path.resolve().parent}
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        lines = [f"{path}: {len(e.errors())} problem(s):"]
        lines += [f"  - {_describe(err, data)}" for err in e.errors()]
        lines.append("Fix these keys; config.yaml in the project root documents every key.")
        raise ConfigError("\n".join(lines)) from None


def _moved_workday(public: Any, day: date) -> bool:
    """A weekend day the country made a working day, moving its day off to a holiday's side."""
    public.get(day)  # loads the day's year, and with it the weekend days it made working days
    return day in getattr(public, "weekend_workdays", ())


def _describe(err: Any, data: dict[str, Any]) -> str:
    where = _where(err["loc"], data)
    if err["type"] == "extra_forbidden":
        parent, name = err["loc"][:-1], str(err["loc"][-1])
        known = _known_keys(parent)
        guess = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean `{guess[0]}`?)" if guess else ""
        return f"{where}: unknown key{hint}"
    if err["type"] == "missing":
        return f"{where}: required key is missing"
    message = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = f" (got {value!r})" if isinstance(value, (str, int, float)) and repr(value) not in message else ""
    return f"{where}: {message}{shown}"


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """A key as the person finds it in config.yaml: a list item by its day or name, else by its place
    counted from 1 (cadence.calendar[day 4].channel, cadence.nurture.steps[2].kind)."""
    where, node = "", data
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            where += f"[{_item_name(node, part)}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            where += f".{part}" if where else str(part)
    return where or "(top level)"


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, dict) and "day" in item:
        return f"day {item['day']}"
    if isinstance(item, dict) and "name" in item:
        return str(item["name"])
    return str(index + 1)


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed where an unknown key was found, for a did-you-mean."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        model = _model_of(field.annotation)
    return list(model.model_fields) if model else []


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found:
            return found
    return None
