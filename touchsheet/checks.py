"""`check`: every problem in the templates and the workbook, listed before a run finds them one by one.

What the sheet or a run would say to the team (a row's Problem, a mail note) is listed in the sheet's
language; what is about config.yaml itself, in English.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from touchsheet.config import Config
from touchsheet.engine.model import Channel, EmailTouch, Kind, Lead, Occurrence, Stage
from touchsheet.engine.parse import parse_book
from touchsheet.engine.plan import plan
from touchsheet.engine.table import require_columns
from touchsheet.errors import MailError, SheetError
from touchsheet.mail.render import Renderer, RenderProblem, undefined_field
from touchsheet.mail.smtp import read_oauth2
from touchsheet.sheets import FIX, Workbook
from touchsheet.words import Message, said


def check_all(config: Config, workbook: Workbook, now: datetime) -> list[str]:
    problems = template_problems(config, now) + mail_problems(config)
    try:
        tables = workbook.read()
        require_columns(tables.values(), FIX)
    except SheetError as e:
        return problems + [str(e)]
    book = parse_book(tables, config.tz, now, config.id_prefix, config.managers)
    found = []
    for row in sorted(book.skipped):
        found += [Message("tab_row", tab="Leads", row=row, problems=[m]) for m in book.problems.get(row, ())]
    for status in plan(book, config, now).statuses:
        lead = status.lead
        found += [Message("lead_row", tab="Leads", row=lead.row, lead=lead.id, problems=[m]) for m in status.problems]
    found += [Message("tab_row", tab="Due today", row=d.row, problems=list(d.problems)) for d in book.due if d.problems]
    return problems + [said(m, config.locale) for m in found + book.notes]


def mail_problems(config: Config) -> list[str]:
    """The OAuth2 file a run would log in with (a password lives in the worker's environment, read by the run)."""
    smtp = config.mail.smtp
    if config.mail.transport != "smtp" or smtp.oauth2_file is None:
        return []
    try:
        read_oauth2(config.resolve(smtp.oauth2_file))
    except MailError as e:
        return [said(e.args[0], config.locale)]
    return []


def template_problems(config: Config, now: datetime) -> list[str]:
    """Render every email template and every script for a lead with every field filled."""
    renderer = Renderer(config)
    sample = Lead(
        row=2,
        id="L-CHECK",
        name="Sample Lead",
        created_at=now,
        stage=Stage.INVOICE,
        email="sample@example.com",
        phone="+7 900 000-00-00",
        manager=next(iter(config.managers), ""),
        source="website",
        invoice_at=now - timedelta(days=3),
        invoice_amount=1000.0,
        birthday=date(1990, 1, 1),
    )
    problems = []
    for name in sorted(config.email_templates()):
        occurrence = Occurrence("check", "check", Channel.EMAIL, Kind.WARM, "check", now, now, template=name)
        try:
            renderer.email(EmailTouch(occurrence, sample, sample.manager), now)
        except RenderProblem as e:
            problem = said(e.args[0], config.locale).split(": ", 1)[1]  # without "email check not sent"
            problems.append(said(Message("template_check", name=name, problem=problem), config.locale))
    # Due today leaves a name a script misspells blank; the sample lead has every field, so here it is an error
    strict = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    context = renderer.context(sample, sample.manager)
    for text in sorted({t.script for t in config.touchpoints() if t.script}):
        try:
            strict.from_string(text).render(context)
        except jinja2.UndefinedError as e:
            problems.append(f"script '{text[:40]}...': uses '{undefined_field(e)}', which is not a field")
        except Exception as e:  # a Jinja error, or Python's a sandboxed script still makes (an amount + ' rub')
            problems.append(f"script '{text[:40]}...': {e}")
    if config.reactivation.manager and config.reactivation.manager not in config.managers:
        problems.append(f"reactivation.manager '{config.reactivation.manager}' is not under `managers:`")
    return problems
