"""R6 callbacks and R7 invoice reminders."""

from __future__ import annotations

from tests.builders import MSK, at, book, d, lead, touch
from tests.conftest import EVERY_DAY
from tests.engine.replay import replay
from touchsheet.engine.cells import moment
from touchsheet.engine.model import Channel, Result, Stage, Status
from touchsheet.engine.plan import plan
from touchsheet.engine.steps import touchpoint_for

CLIENT = {"stage": Stage.PROPOSAL, "created_at": at("2026-10-01 10:00")}


def callback_tasks(p):
    return [t for t in p.tasks if t.occurrence.track == "callback"]


def test_a_promised_callback_is_a_task_at_its_time(config):
    promised = lead(**CLIENT, callback_at=at("2026-11-10 15:00"))
    morning = plan(book([promised]), config, at("2026-11-10 10:00"))
    (task,) = callback_tasks(morning)
    assert task.occurrence.due_at == at("2026-11-10 15:00")
    assert task.occurrence.step == "callback@2026-11-10 15:00"
    assert not task.overdue
    # A client between purchases owes nothing else that soon: the evening before, Next touch is the callback.
    client = lead(stage=Stage.WON, last_purchase_at=at("2026-11-01 00:00"), callback_at=at("2026-11-10 15:00"))
    upcoming = plan(book([client]), config, at("2026-11-09 17:00")).statuses[0].next_touch
    assert (upcoming.step, upcoming.due_at) == ("callback@2026-11-10 15:00", at("2026-11-10 15:00"))


def test_a_missed_callback_is_flagged_after_the_grace_minutes(config):
    promised = lead(**CLIENT, callback_at=at("2026-11-10 15:00"))
    in_grace = plan(book([promised]), config, at("2026-11-10 15:30"))
    assert [t.overdue for t in callback_tasks(in_grace)] == [False]
    assert "callback missed" not in in_grace.statuses[0].flags
    missed = plan(book([promised]), config, at("2026-11-10 15:31"))
    assert [t.overdue for t in callback_tasks(missed)] == [True]
    assert "callback missed" in missed.statuses[0].flags
    next_week = plan(book([promised]), config, at("2026-11-17 11:00"))
    assert [t.overdue for t in callback_tasks(next_week)] == [True]  # never forgotten


def test_a_callback_typed_as_a_date_is_due_when_the_office_opens(config):
    promised = lead(**CLIENT, callback_at=moment("25.11.2026", MSK))  # Wednesday, no time
    opened = plan(book([promised]), config, at("2026-11-25 09:05"))
    (task,) = callback_tasks(opened)
    assert (task.occurrence.step, task.occurrence.due_at) == ("callback@2026-11-25 09:00", at("2026-11-25 09:00"))
    assert not task.overdue
    assert "callback missed" not in opened.statuses[0].flags
    # "call me on Wednesday": any time that working day keeps it
    assert "callback missed" not in plan(book([promised]), config, at("2026-11-25 17:55")).statuses[0].flags
    assert "callback missed" in plan(book([promised]), config, at("2026-11-26 00:01")).statuses[0].flags
    saturday = lead(**CLIENT, callback_at=moment("28.11.2026", MSK))
    (task,) = callback_tasks(plan(book([saturday]), config, at("2026-11-30 09:05")))
    assert (task.occurrence.due_at, task.overdue) == (at("2026-11-30 09:00"), False)  # the Monday after


def test_a_callback_is_kept_by_its_task_or_by_any_call_near_its_time(config):
    promised = lead(**CLIENT, callback_at=at("2026-11-10 15:00"))
    ticked = [touch("2026-11-10 11:00", step="callback@2026-11-10 15:00", result=Result.REACHED)]
    assert callback_tasks(plan(book([promised], ticked), config, at("2026-11-10 16:00"))) == []
    other_call = [touch("2026-11-10 14:40", step="d30", result=Result.REACHED)]
    assert callback_tasks(plan(book([promised], other_call), config, at("2026-11-10 16:00"))) == []
    too_early = [touch("2026-11-10 11:00", step="d30", result=Result.REACHED)]
    assert len(callback_tasks(plan(book([promised], too_early), config, at("2026-11-10 16:00")))) == 1


def test_a_call_logged_by_hand_with_the_date_alone_keeps_that_days_callback(config):
    # The Touch log's At typed 10.11.2026 reads as midnight; the call happened some time that day.
    promised = lead(**CLIENT, callback_at=at("2026-11-10 15:00"))
    that_day = plan(
        book([promised], [touch("2026-11-10 00:00", result=Result.REACHED)]), config, at("2026-11-10 16:00")
    )
    assert callback_tasks(that_day) == [] and "callback missed" not in that_day.statuses[0].flags
    day_before = [touch("2026-11-09 00:00", result=Result.REACHED)]  # 09.11.2026: the day before the promise
    assert len(callback_tasks(plan(book([promised], day_before), config, at("2026-11-10 16:00")))) == 1


def test_the_call_that_promised_a_callback_does_not_keep_it(config):
    promised = lead(**CLIENT, callback_at=at("2026-11-10 15:00"))
    promise = touch("2026-11-10 14:40", step="d30", result=Result.CALLBACK)
    assert len(callback_tasks(plan(book([promised], [promise]), config, at("2026-11-10 15:00")))) == 1
    kept = touch("2026-11-10 15:05", step="", result=Result.REACHED)
    assert callback_tasks(plan(book([promised], [promise, kept]), config, at("2026-11-10 16:00"))) == []


def test_invoice_reminders_at_plus_2_and_plus_3_then_weekly_until_paid(every_day):
    # Issued Monday 9 Nov; nothing else owed (a client whose calendar is over).
    client = lead(stage=Stage.INVOICE, created_at=at("2026-01-01 10:00"), invoice_at=at("2026-11-09 00:00"))
    done = replay(every_day, [client], at("2026-11-09 12:00"), 21)
    invoice = {step: day for step, day in done.items() if step.startswith("invoice")}
    assert invoice == {
        "invoice+2@2026-11-09": d("2026-11-11"),  # a call
        "invoice+3@2026-11-09": d("2026-11-12"),  # an email
        "invoice+10@2026-11-09": d("2026-11-19"),
        "invoice+17@2026-11-09": d("2026-11-26"),
    }


def test_invoice_reminder_channels(every_day):
    client = lead(stage=Stage.INVOICE, created_at=at("2026-01-01 10:00"), invoice_at=at("2026-11-09 00:00"))
    call_day = plan(book([client]), every_day, at("2026-11-11 12:00"))
    assert [(t.occurrence.step, t.occurrence.channel) for t in call_day.tasks if t.occurrence.track == "invoice"] == [
        ("invoice+2@2026-11-09", Channel.CALL)
    ]
    email_day = plan(book([client]), every_day, at("2026-11-12 12:00"))
    assert [e.occurrence.step for e in email_day.emails] == ["invoice+3@2026-11-09"]
    assert "invoice unpaid 3d" in email_day.statuses[0].flags


def test_invoice_reminders_stop_when_paid(every_day):
    paid = lead(
        stage=Stage.INVOICE,
        created_at=at("2026-01-01 10:00"),
        invoice_at=at("2026-11-09 00:00"),
        paid_at=at("2026-11-10 00:00"),
    )
    p = plan(book([paid]), every_day, at("2026-11-11 12:00"))
    assert [t for t in p.tasks if t.occurrence.track == "invoice"] == []
    assert not any(f.startswith("invoice unpaid") for f in p.statuses[0].flags)


def test_a_new_invoice_after_a_paid_one_starts_again(every_day):
    again = lead(
        stage=Stage.WON,
        created_at=at("2026-01-01 10:00"),
        invoice_at=at("2026-11-09 00:00"),
        paid_at=at("2026-10-01 00:00"),
    )
    p = plan(book([again]), every_day, at("2026-11-11 12:00"))
    assert [t.occurrence.step for t in p.tasks if t.occurrence.track == "invoice"] == ["invoice+2@2026-11-09"]


def test_a_call_and_an_email_on_the_same_invoice_day_are_both_made(make_config):
    # R7: "a reminder 2-3 days later (call and message)", both on day 2, each with its own id.
    by_phone = dict(day=2, id="invoice+2-call", channel="call", kind="closing", reason="Call about the invoice")
    by_email = dict(
        by_phone, id="invoice+2-email", channel="email", reason="Email the invoice", template="invoice_reminder"
    )
    config = make_config(
        working_days=EVERY_DAY, holidays={"country": None}, invoices={"reminders": [by_phone, by_email]}
    )
    client = lead(stage=Stage.INVOICE, created_at=at("2026-01-01 10:00"), invoice_at=at("2026-11-09 00:00"))
    # 11 Nov, day 2: the email goes at 10:00 and the call stays on Due today until a manager makes it.
    morning = plan(book([client]), config, at("2026-11-11 10:00"))
    (email,) = morning.emails
    assert email.occurrence.step == "invoice+2-email@2026-11-09"
    log = [touch("2026-11-11 10:00", email.occurrence.step, Status.SENT, key=email.key)]
    later = plan(book([client], log), config, at("2026-11-11 10:10"))
    (call,) = [t for t in later.tasks if t.occurrence.track == "invoice"]
    assert (call.occurrence.step, call.occurrence.channel) == ("invoice+2-call@2026-11-09", Channel.CALL)
    assert call.key != email.key
    assert touchpoint_for(call.occurrence.step, config)[0].reason == "Call about the invoice"  # preview, KPI
