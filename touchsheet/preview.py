"""`preview`: the exact email a lead would get, for managers to check the texts."""

from __future__ import annotations

from datetime import datetime

from touchsheet.config import Config
from touchsheet.engine.model import UNASSIGNED, Channel, EmailTouch, Occurrence, Task
from touchsheet.engine.parse import parse_book
from touchsheet.engine.plan import plan
from touchsheet.engine.steps import touchpoint_for
from touchsheet.engine.table import require_columns
from touchsheet.errors import TouchsheetError
from touchsheet.mail.render import Email, Renderer, RenderProblem
from touchsheet.sheets import FIX, Workbook


def preview_email(config: Config, workbook: Workbook, lead_id: str, step: str | None, now: datetime) -> Email:
    tables = workbook.read()
    require_columns(tables.values(), FIX)
    book = parse_book(tables, config.tz, now, config.id_prefix, config.managers)
    lead = next((lead for lead in book.leads if lead.id == lead_id), None)
    if lead is None:
        raise TouchsheetError(f"no lead {lead_id} on Leads (or its row has a problem: see `check`)")
    if step is None:
        status = next(s for s in plan(book, config, now).statuses if s.lead.id == lead_id)
        occurrence = status.next_touch
        if occurrence is None or occurrence.channel is not Channel.EMAIL:
            what = f"{occurrence.channel.value} ({occurrence.step})" if occurrence else "nothing"
            raise TouchsheetError(f"the next touch of {lead_id} is {what}: name an email step, like d2")
    else:
        found = touchpoint_for(step, config)
        if found is None:
            raise TouchsheetError(f"'{step}' is not a step of config.yaml (try d0, d2, nurture-1, invoice+3, birthday)")
        point, track = found
        occurrence = Occurrence.of(point, step, track, now, now)
        if point.channel is not Channel.EMAIL:
            script = Renderer(config).script(Task(occurrence, lead, lead.manager or UNASSIGNED, False))
            raise TouchsheetError(
                f"{step} is a {point.channel.value}, not an email. Its script for {lead_id}: {script}"
            )
    if not lead.email:  # one that cannot be read is blanked too
        raise TouchsheetError(
            f"{lead_id} has no Email (or one that cannot be read: see `check`), so no email goes to it"
        )
    try:
        return Renderer(config).email(EmailTouch(occurrence, lead, lead.manager or UNASSIGNED), now)
    except RenderProblem as e:
        raise TouchsheetError(str(e)) from None
