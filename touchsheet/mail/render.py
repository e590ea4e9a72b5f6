"""Email and script texts from Jinja2 templates: sandboxed, HTML autoescaped, strict about missing fields.

An email template lives in <templates_dir>/email/<locale>/ as three files: <name>.subject.txt,
<name>.txt (the plain-text part, written for people) and <name>.html. A lead field that is empty
counts as missing: the email is not sent and the lead's Problem cell says which field.
"""

from __future__ import annotations

import hashlib
import os
import re
import traceback
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy, default
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from touchsheet.config import Config
from touchsheet.engine.cells import CONTROL, has_control
from touchsheet.engine.model import UNASSIGNED, EmailTouch, Lead, Task
from touchsheet.schema import value_label
from touchsheet.words import Message

_TEMPLATED = re.compile(r"\{[{%#]")  # where Jinja markup starts: {{ a field }}, {% a statement %}, {# a comment #}


class _Links(UnstructuredHeader):
    """List-Unsubscribe's <URL>s (RFC 2369) kept whole: folded at the usual 78 characters, the email
    package would write a longer link as =?utf-8?q?...?=, where no mail program finds a link."""

    def fold(self, *, policy: EmailPolicy) -> str:
        return super().fold(policy=policy.clone(max_line_length=998))  # RFC 5322's limit for any line


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _Links)
_POLICY = default.clone(header_factory=_HEADERS)


class RenderProblem(ValueError):
    """A template cannot be rendered for this lead; args[0] says why, for the Problem cell."""


class _NotUtf8(jinja2.TemplateError):
    """A template file saved in another encoding (Notepad's "ANSI"); the message is the file's name."""


class _Utf8Files(jinja2.FileSystemLoader):
    """Jinja's loader, naming the file it cannot decode: a UnicodeDecodeError would stop the whole run."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            raise _NotUtf8(template) from None


class _Group(dict[str, Any]):
    """lead, manager, company or links, knowing its name, so a name it lacks is told whole: links.pricing.
    The name is in _group: Jinja reads an attribute before a key (a `name` attribute would hide lead.name),
    and the sandbox lets no template read one starting with _."""

    def __init__(self, group: str, names: dict[str, Any]) -> None:
        super().__init__(names)
        self._group = group


class _Unfilled(jinja2.StrictUndefined):
    """StrictUndefined whose error is the name as the template wrote it: links.pricing is config.yaml's to
    fix, lead.phone the lead's row, lead.company the template."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        group = getattr(self._undefined_obj, "_group", None)
        return self._undefined_hint or (f"{group}.{self._undefined_name}" if group else str(self._undefined_name))


@dataclass(frozen=True)
class Email:
    key: str
    lead_id: str
    to: str
    subject: str
    text: str
    html: str
    message: EmailMessage


class Renderer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.folder = config.template_root / "email" / config.locale
        self.emails = SandboxedEnvironment(
            loader=_Utf8Files(self.folder),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=_Unfilled,
            keep_trailing_newline=False,
        )
        self.scripts = SandboxedEnvironment(autoescape=False, undefined=jinja2.ChainableUndefined)
        self._compiled: dict[str, jinja2.Template] = {}  # a few scripts serve thousands of tasks
        self._plain: dict[str, str] = {}  # a script naming no field reads the same for every lead: rendered once
        # the company's fields read once: a run fills the context of tens of thousands of scripts
        self._company = config.company.model_dump()

    def context(self, lead: Lead, manager_name: str) -> dict[str, Any]:
        config = self.config
        manager = config.managers.get(manager_name)
        # emails go out signed by their manager: one with no signature line in config signs with their name
        signature = (manager.signature or f"{manager_name}, {config.company.name}") if manager else config.company.name
        return {
            # only what the lead has: an empty field is undefined, so a template using it fails clearly
            "lead": {k: v for k, v in self._lead_fields(lead).items() if v not in (None, "")},
            "manager": {
                # a manager typed on the row but not in config still speaks for themself
                "name": manager_name if manager_name not in ("", UNASSIGNED) else config.company.name,
                "email": manager.email if manager else "",
                "phone": (manager.phone if manager else "") or config.company.phone,
                "signature": signature,
            },
            "company": dict(self._company),  # a copy for each script: what one does to it, the next never sees
            "links": dict(config.links),
            "unsubscribe": config.mail.unsubscribe_email,
        }

    def _lead_fields(self, lead: Lead) -> dict[str, Any]:
        """Every field a template can read of a lead, empty or not."""
        return {
            "id": lead.id,
            "name": lead.name,
            "first_name": lead.first_name,
            "email": lead.email,
            "phone": lead.phone,
            "source": lead.source,
            "stage": value_label(lead.stage, self.config.locale),
            "invoice_amount": lead.invoice_amount,
            "invoice_at": lead.invoice_at.date() if lead.invoice_at else None,
            "birthday": lead.birthday,
        }

    def script(self, task: Task) -> str:
        """The call or message script for Due today, with the lead's name filled in."""
        text = task.occurrence.script
        words = self._plain.get(text)
        if words is not None:
            return words
        try:
            template = self._compiled.get(text) or self._compiled.setdefault(text, self.scripts.from_string(text))
            words = template.render(self.context(task.lead, task.manager)).strip()
        except Exception:  # a Jinja error, or Python's (an amount + ' rub'): the run goes on
            return text  # `check` reports the broken template; the manager still gets the words
        if not _TEMPLATED.search(text):
            self._plain[text] = words
        return words

    def email(self, touch: EmailTouch, now: datetime) -> Email:
        """The exact message that would go out; RenderProblem when it cannot."""
        occurrence, lead = touch.occurrence, touch.lead
        name = occurrence.template
        context = {
            **{
                key: _Group(key, value) if isinstance(value, dict) else value
                for key, value in self.context(lead, touch.manager).items()
            },
            "reason": occurrence.reason,
            "step": occurrence.step,
        }
        try:
            subject = self.emails.get_template(f"{name}.subject.txt").render(context).strip()
            text = self.emails.get_template(f"{name}.txt").render(context).strip() + "\n"
            html = self.emails.get_template(f"{name}.html").render(context)
        except jinja2.UndefinedError as e:
            raise RenderProblem(self._undefined(occurrence.step, name, lead, e.message or "")) from None
        except jinja2.TemplateNotFound as e:
            raise RenderProblem(self._missing(occurrence.step, e.name)) from None
        except _NotUtf8 as e:
            problem = Message("template_not_utf8", step=occurrence.step, file=e.message, folder=self.folder)
            raise RenderProblem(problem) from None
        except Exception as e:  # Jinja's errors, and Python's a sandboxed template still makes ("{:,d}" of a float)
            raise RenderProblem(self._broken(occurrence.step, name, e)) from None
        if not subject:  # a subject-less email from a sales team reads as spam
            raise RenderProblem(Message("empty_subject", step=occurrence.step, template=name))
        if has_control(subject):
            raise RenderProblem(Message("subject_break", step=occurrence.step, template=name))
        try:
            message = self._message(touch, subject, text, html, now)
        except ValueError as e:  # a header the email package refuses: this lead's email waits, the run goes on
            raise RenderProblem(Message("bad_header", step=occurrence.step, error=e)) from None
        return Email(touch.key, lead.id, lead.email, subject, text, html, message)

    def _undefined(self, step: str, template: str, lead: Lead, used: str) -> Message:
        """A name a template uses that is not there: an empty cell on the lead's row, a link config.yaml lacks, or a
        mistake in the template. No first name is a Name that is empty or a company's (ООО «Ромашка»): personal
        mail greets a person, so the sheet is asked for one."""
        group, _, name = used.rpartition(".")
        if group == "lead" and name == "first_name":
            return Message("no_person_name", step=step, template=template)
        if group == "lead" and name in self._lead_fields(lead):
            return Message("missing_field", step=step, template=template, field=name)
        if group == "links":
            return Message("unknown_link", step=step, template=template, link=name)
        return Message("not_a_field", step=step, template=template, field=used)

    def _broken(self, step: str, template: str, error: Exception) -> Message:
        """A template that cannot be rendered, with the file and line of the mistake: an email is three files and
        the shared _layout and _signature. Jinja puts template lines in the traceback; the last is the mistake's."""
        folder = Path(os.path.normpath(self.folder))  # as the loader names the files
        lines = [line for line in traceback.extract_tb(error.__traceback__) if Path(line.filename).parent == folder]
        if lines:
            error = Message("template_line", file=Path(lines[-1].filename).name, line=lines[-1].lineno, error=error)
        return Message("broken_template", step=step, template=template, error=error)

    def _missing(self, step: str, file: str | None) -> Message:
        """A template file that is not there, with the folder searched (and a hint when the folder is not there)."""
        hint = "" if self.folder.is_dir() else Message("no_templates_folder")
        return Message("missing_template", step=step, file=file, folder=self.folder, hint=hint)

    def _message(self, touch: EmailTouch, subject: str, text: str, html: str, now: datetime) -> EmailMessage:
        config, lead = self.config, touch.lead
        sender_name, sender_address = parseaddr(config.mail.sender)
        domain = sender_address.rpartition("@")[2] or "touchsheet.local"
        message = EmailMessage(policy=_POLICY)
        # Address objects, not strings: a name holding a comma or an <address> stays one quoted name
        message["From"] = Address(_clean(sender_name), addr_spec=sender_address)
        message["To"] = Address(_clean(lead.name), addr_spec=lead.email)
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        # unique per message: yagmail's default repeats for equal subjects
        digest = hashlib.sha256(touch.key.encode()).hexdigest()[:16]
        message["Message-ID"] = make_msgid(idstring=digest, domain=domain)
        message["X-Touchsheet-Key"] = touch.key
        manager = config.managers.get(touch.manager)
        if manager and manager.email:
            message["Reply-To"] = Address(_clean(touch.manager), addr_spec=manager.email)
        unsubscribe = []
        if config.mail.unsubscribe_email:
            unsubscribe.append(f"<mailto:{config.mail.unsubscribe_email}?subject=unsubscribe%20{quote(lead.id)}>")
        if config.mail.unsubscribe_url:
            unsubscribe.append(f"<{config.mail.unsubscribe_url.replace('{lead_id}', quote(lead.id))}>")
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if unsubscribe:
            message["List-Unsubscribe"] = ", ".join(unsubscribe)
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message


def _clean(name: str) -> str:
    """A display name with no line breaks or control characters: it can never add a header."""
    return CONTROL.sub(" ", name).strip()


def undefined_field(error: jinja2.UndefinedError) -> str:
    """The name a template used that is not there: frist_name for {{ lead.frist_name }}."""
    match = re.search(r"'(?:dict object|[^']+)' has no attribute '([^']+)'", str(error))
    return match.group(1) if match else str(error.message or error)
