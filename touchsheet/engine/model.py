"""The sales team's vocabulary as plain data: leads, touches, steps, tasks.

Nothing here is changed once built: the engine builds new values with `dataclasses.replace`.
Everything is frozen but Lead, Touch and LeadStatus, which a run builds by the hundred thousand: a
frozen dataclass takes four times as long to build.
Datetimes are timezone-aware (the business time zone from config); dates are plain dates.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Stage(enum.Enum):
    NEW = "new"
    CONTACTED = "contacted"
    MEETING = "meeting"
    PROPOSAL = "proposal"
    INVOICE = "invoice"
    WON = "won"
    LOST = "lost"


PATRONYMIC_ENDINGS = ("вич", "вна", "ична", "оглы", "кызы")  # Сергеевич, Павловна, Ильинична, Рашидоглы
TWO_WORD_PATRONYMIC = ("оглы", "кызы")  # Рашид оглы: the father's name, then "son of"
COMPANY_FORMS = frozenset({"ооо", "оао", "зао", "ао", "пао", "llc", "ltd", "inc", "gmbh"})
UNASSIGNED = "(no manager)"  # whose tasks and numbers a lead without a Manager adds to
FUNNEL = (Stage.NEW, Stage.CONTACTED, Stage.MEETING, Stage.PROPOSAL, Stage.INVOICE, Stage.WON)
OPEN_STAGES = frozenset(FUNNEL[:-1])


class Result(enum.Enum):
    REACHED = "reached"
    NO_ANSWER = "no answer"
    CALLBACK = "callback"
    MEETING = "meeting"
    INVOICE = "invoice"
    PAID = "paid"
    REFUSED = "refused"


class Channel(enum.Enum):
    EMAIL = "email"
    CALL = "call"
    MESSENGER = "messenger"
    SMS = "sms"
    VIDEO = "video"
    LETTER = "letter"
    GIFT = "gift"

    @property
    def automatic(self) -> bool:
        """Email is the one channel the worker sends itself; the rest are manager tasks."""
        return self is Channel.EMAIL


class Kind(enum.Enum):
    WARM = "warm"
    CLOSING = "closing"


class Status(enum.Enum):
    DONE = "done"  # a manager did it and said so
    SENT = "sent"  # the worker handed the email to the mail server, which accepted it
    PENDING = "pending"  # recorded just before handing over; confirmed by the same run
    UNCONFIRMED = "unconfirmed"  # a pending left by a run that died: a person decides
    FAILED = "failed"  # the mail server refused it for good; the reason is in Note
    RETRY = "retry"  # not handed over (server down, or a person said send again): the next run sends it
    SKIPPED = "skipped"  # decided against on purpose (a person or a rule); the reason is in Note


@dataclass(slots=True)
class Lead:
    """One row of the Leads tab, parsed. `row` is the sheet row it was read from."""

    row: int
    id: str
    name: str
    created_at: datetime
    stage: Stage
    email: str = ""
    phone: str = ""
    manager: str = ""
    source: str = ""
    callback_at: datetime | None = None
    invoice_at: datetime | None = None
    invoice_amount: float | None = None
    paid_at: datetime | None = None
    last_purchase_at: datetime | None = None
    birthday: date | None = None
    opt_out: bool = False
    timezone: str = ""

    @property
    def zone(self) -> ZoneInfo | None:
        """The lead's own time zone (Time zone is checked when read); None: the business's."""
        return ZoneInfo(self.timezone) if self.timezone else None

    @property
    def first_name(self) -> str:
        """The first word; in a Russian full name typed surname first (Петров Иван Сергеевич, as a
        ФИО column has it), the word before the patronymic. ИП (an individual entrepreneur) before
        the name is skipped; a Name starting with a company's legal form (ООО «Ромашка») names no
        person, so there is no first name: personal mail waits for one."""
        words = self.name.split()
        form = words[0].rstrip(".,").lower() if words else ""
        if form in COMPANY_FORMS:
            return ""
        if form == "ип":
            words = words[1:]
        if len(words) >= 3 and words[-1].lower() in TWO_WORD_PATRONYMIC:
            return words[-3]
        if len(words) >= 3 and words[-1].lower().endswith(PATRONYMIC_ENDINGS):
            return words[-2]
        return words[0] if words else ""


@dataclass(slots=True)
class Touch:
    """One row of the Touch log: something done (or sent, or attempted) to a lead."""

    at: datetime
    lead_id: str
    channel: Channel | None
    status: Status
    step: str = ""
    kind: Kind | None = None
    result: Result | None = None
    manager: str = ""
    note: str = ""
    key: str = ""
    row: int = 0  # 0: not in the sheet yet

    @property
    def manual(self) -> bool:
        """A touch a manager made (a call, a message...), as opposed to an email the worker sent."""
        return self.status is Status.DONE

    @property
    def counts(self) -> bool:
        """Whether the lead was actually touched (done, or an email the server accepted)."""
        return self.status in (Status.DONE, Status.SENT)


class Touchpoint(Protocol):
    """A configured touch: what config.yaml says each step is."""

    @property
    def channel(self) -> Channel: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def reason(self) -> str: ...
    @property
    def template(self) -> str: ...
    @property
    def script(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A touch on its date: a cadence step or a rule's touch. Not tied to one lead, so leads whose
    requests came on the same day share their calendar.

    `step` names it uniquely for a lead (`d4`, `nurture-3`, `invoice+2@2026-11-20`), so a lead gets
    each step at most once, whatever the config says later.
    """

    step: str
    track: str
    channel: Channel
    kind: Kind
    reason: str
    due_at: datetime
    deadline: datetime  # overdue after this
    template: str = ""
    script: str = ""
    expires_at: datetime | None = None  # no longer owed after this (greetings)
    lane: tuple[str, bool] = ("", False)  # (track, automatic): a newer one replaces an older one

    @classmethod
    def of(
        cls,
        point: Touchpoint,
        step: str,
        track: str,
        due_at: datetime,
        deadline: datetime,
        expires_at: datetime | None = None,
    ) -> Occurrence:
        channel = point.channel
        return cls(
            step,
            track,
            channel,
            point.kind,
            point.reason,
            due_at,
            deadline,
            point.template,
            point.script,
            expires_at,
            (track, channel is Channel.EMAIL),
        )

    @property
    def automatic(self) -> bool:
        return self.lane[1]


def touch_key(lead_id: str, occurrence: Occurrence) -> str:
    """The Touch log key of a lead's occurrence: lead, step, due date."""
    return f"{lead_id}/{occurrence.step}/{occurrence.due_at.date().isoformat()}"


@dataclass(frozen=True, slots=True)
class Task:
    """A manual touch on the Due today tab."""

    occurrence: Occurrence
    lead: Lead
    manager: str
    overdue: bool

    @property
    def key(self) -> str:
        return touch_key(self.lead.id, self.occurrence)


@dataclass(frozen=True, slots=True)
class EmailTouch:
    """An email the worker should send now."""

    occurrence: Occurrence
    lead: Lead
    manager: str

    @property
    def key(self) -> str:
        return touch_key(self.lead.id, self.occurrence)


@dataclass(slots=True)
class LeadStatus:
    """The worker's columns of one lead, as they should read after this run."""

    lead: Lead
    next_touch: Occurrence | None
    touches: int
    last_touch_at: datetime | None
    flags: tuple[str, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cost:
    """One row of the Costs tab."""

    month: date  # first day of the month
    category: str
    amount: float
