"""Promises and money: a callback the manager promised (R6) and an invoice not yet paid (R7)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from touchsheet.config import Config
from touchsheet.engine.cadence import day_end
from touchsheet.engine.due import NOTHING, Lanes, SharedLanes
from touchsheet.engine.history import History
from touchsheet.engine.model import Lead, Occurrence, Stage

CALLBACK = "callback"
INVOICE = "invoice"


def callback(lead: Lead, history: History, config: Config) -> list[Occurrence]:
    """A task at the promised time; any manual touch from `grace` before it on also keeps the promise,
    but not the touch that made it (the call that ended in `callback`)."""
    if lead.callback_at is None or lead.stage is Stage.LOST:
        return []
    promised, deadline = _promised(lead.callback_at, config)
    if _kept(promised - timedelta(minutes=config.callbacks.grace_minutes), history):
        return []
    step = f"callback@{promised:%Y-%m-%d %H:%M}"
    return [Occurrence.of(config.callbacks, step, CALLBACK, promised, deadline)]


def _promised(callback_at: datetime, config: Config) -> tuple[datetime, datetime]:
    """When the callback is due, and missed: at its time, missed `grace` minutes later; a date typed
    alone (it reads as midnight, and nobody promises to call at 00:00) is due when the office opens
    that working day, and missed when that day is over."""
    local = callback_at.astimezone(config.tz)
    if local.time() == time():
        morning = config.calendar.opening(local.date())
        return morning, day_end(config.calendar, morning.date())
    return callback_at, callback_at + timedelta(minutes=config.callbacks.grace_minutes)


def _kept(since: datetime, history: History) -> bool:
    through = history.manual_through
    if through is None or through < since:
        return False
    # The call that promised is stamped when a run absorbs it, which can be within the grace minutes.
    return history.last_promise_at is None or history.last_manual_at > history.last_promise_at


def invoice_open(lead: Lead) -> bool:
    """Issued and not paid: `Paid at` is empty or older than `Invoice at` (a new invoice); a lost
    lead's invoice is not chased."""
    return lead.invoice_at is not None and lead.stage is not Stage.LOST and not invoice_paid(lead)


def invoice_paid(lead: Lead) -> bool:
    """A payment on record that pays the invoice: `Paid at` on or after `Invoice at` (or no invoice
    on record). An older `Paid at` was an earlier purchase, not this invoice."""
    return lead.paid_at is not None and (lead.invoice_at is None or lead.paid_at.date() >= lead.invoice_at.date())


def invoice_reminders(lead: Lead, config: Config, shared: SharedLanes) -> Lanes:
    """The configured reminders (+2 call, +3 email by default), then one every `then_every_days`
    (the same for every invoice issued that day: `shared` keeps them)."""
    if not invoice_open(lead):
        return NOTHING
    assert lead.invoice_at is not None
    issued = lead.invoice_at.date()
    return shared.lanes((INVOICE, issued), lambda: _invoice_reminders(issued, config, shared.now))


def _invoice_reminders(issued: date, config: Config, now: datetime) -> list[Occurrence]:
    """Each reminder named by its id (two on one day, a call and an email, are two steps), the weekly
    ones after them by their day: `invoice+10@<invoice date>`."""
    calendar = config.calendar
    points = [(r.day, r.id, r) for r in config.invoices.reminders]
    last = max(day for day, _, _ in points)
    every = config.invoices.then_every_days
    current = max(((now.astimezone(calendar.tz).date() - issued).days - last) // every, 0)
    weekly = [last + k * every for k in range(max(1, current - 1), current + 3)]
    points += [(day, f"invoice+{day}", config.invoices.then) for day in weekly]
    found = []
    for day, name, point in points:
        due = calendar.opening(issued + timedelta(days=day))
        step = f"{name}@{issued.isoformat()}"
        found.append(Occurrence.of(point, step, INVOICE, due, day_end(calendar, due.date())))
    return found
