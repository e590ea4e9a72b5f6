"""The plan's manners: opt-out, lost, one email a day, working hours, priorities, greetings, flags."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.builders import at, book, lead, touch
from touchsheet.engine.model import UNASSIGNED, Channel, Result, Stage, Status, Touch
from touchsheet.engine.plan import plan


def test_opt_out_is_absolute(every_day):
    quiet = lead(
        opt_out=True, callback_at=at("2026-11-03 12:00"), invoice_at=at("2026-11-02 00:00"), birthday=date(1990, 11, 3)
    )
    p = plan(book([quiet]), every_day, at("2026-11-03 12:00"))
    assert (p.emails, p.tasks) == ((), ())
    assert p.statuses[0].next_touch is None
    assert p.statuses[0].flags == ("opt out",)


def test_lost_stops_everything(every_day):
    gone = lead(stage=Stage.LOST, callback_at=at("2026-11-03 12:00"), birthday=date(1990, 11, 3))
    p = plan(book([gone]), every_day, at("2026-11-03 12:00"))
    assert (p.emails, p.tasks) == ((), ())
    assert p.statuses[0].next_touch is None


def test_a_lead_that_paid_gets_no_new_lead_touches_and_a_problem_until_stage_is_won(every_day):
    # Created 2 Nov: 17 Nov is day 15, a call. Paid on 10 Nov, but Stage left at invoice.
    unpaid = lead(stage=Stage.INVOICE, invoice_at=at("2026-11-09 00:00"))
    assert "d15" in [t.occurrence.step for t in plan(book([unpaid]), every_day, at("2026-11-17 12:00")).tasks]
    paid = lead(stage=Stage.INVOICE, invoice_at=at("2026-11-09 00:00"), paid_at=at("2026-11-10 00:00"))
    p = plan(book([paid]), every_day, at("2026-11-17 12:00"))
    assert (p.emails, p.tasks) == ((), ())
    assert [m for m in p.statuses[0].problems if "Stage is not won" in m] == [
        "The client bought (Paid at, Last purchase at) but Stage is not won: set it to won"
    ]
    won = lead(stage=Stage.WON, invoice_at=at("2026-11-09 00:00"), paid_at=at("2026-11-10 00:00"))
    assert plan(book([won]), every_day, at("2026-11-17 12:00")).statuses[0].problems == ()


def test_stage_invoice_without_invoice_at_asks_for_the_invoice_date(every_day):
    # The manager picked Stage invoice and typed no date: no reminder can be counted, so the row says so.
    invoiced = lead(stage=Stage.INVOICE)
    p = plan(book([invoiced]), every_day, at("2026-11-20 12:00"))
    assert [t for t in p.tasks if t.occurrence.track == "invoice"] == []
    assert p.statuses[0].problems == (
        "Stage is invoice but Invoice at is empty: type the invoice date so the invoice is chased",
    )
    dated = lead(stage=Stage.INVOICE, invoice_at=at("2026-11-18 00:00"))  # +2 call due today
    p = plan(book([dated]), every_day, at("2026-11-20 12:00"))
    assert p.statuses[0].problems == ()
    assert [t.occurrence.step for t in p.tasks if t.occurrence.track == "invoice"] == ["invoice+2@2026-11-18"]


def test_a_client_typed_in_at_stage_new_gets_no_first_contact(every_day):
    # An imported client: Stage left empty (new), Last purchase at 12 November. A purchase stops the
    # sales cadence: no overdue "thank you for your request" call, no first-contact flag.
    client = lead(created_at=at("2026-11-10 10:00"), last_purchase_at=at("2026-11-12 00:00"))
    p = plan(book([client]), every_day, at("2026-11-24 12:00"))
    assert (p.emails, p.tasks) == ((), ())
    assert "first contact overdue" not in p.statuses[0].flags


def test_at_most_one_email_per_lead_per_day(every_day):
    # Day 3 owes d3; the lead already got an email today.
    sent_today = [touch("2026-11-05 09:30", step="d2", status=Status.SENT)]
    p = plan(book([lead(stage=Stage.CONTACTED)], sent_today), every_day, at("2026-11-05 12:00"))
    assert p.emails == ()
    assert p.statuses[0].next_touch.step == "d3"  # still owed: it goes tomorrow


def test_no_email_outside_working_hours(config):
    for night in ("2026-11-03 08:59", "2026-11-03 18:00", "2026-11-07 12:00"):  # Saturday noon too
        assert plan(book([lead(created_at=at("2026-11-03 07:00"))]), config, at(night)).emails == ()


def test_a_birthday_email_goes_before_the_cadence_email(every_day):
    birthday = lead(birthday=date(1985, 11, 5))
    p = plan(
        book(
            [birthday],
            [
                touch("2026-11-02 10:01", step="d0", status=Status.SENT),
                touch("2026-11-04 09:01", step="d2", status=Status.SENT),
            ],
        ),
        every_day,
        at("2026-11-05 12:00"),
    )
    assert [e.occurrence.step for e in p.emails] == ["birthday@2026"]


def test_a_birthday_on_a_day_off_is_greeted_the_working_day_before(config):
    # 7 Nov 2026 is a Saturday: greet on Friday 6 Nov, not on Monday.
    client = lead(stage=Stage.WON, paid_at=at("2026-10-01 00:00"), birthday=date(1985, 11, 7))
    friday = plan(book([client]), config, at("2026-11-06 10:00"))
    assert [e.occurrence.step for e in friday.emails] == ["birthday@2026"]
    sent = [touch("2026-11-06 10:00", step="birthday@2026", status=Status.SENT)]
    assert plan(book([client], sent), config, at("2026-11-09 10:00")).emails == ()


def test_a_client_in_another_time_zone_is_greeted_on_their_own_day_in_their_own_working_hours(config):
    # Kamchatka is 9 hours ahead of Moscow: its office is open 00:00-09:00 Moscow time. Born on
    # Saturday 7 Nov, the client is greeted on Friday 6 Nov at 03:00 Moscow (12:00 there). Due at
    # Moscow's 09:00 (18:00 there, closed), the greeting waited for their Monday 09:00, which is
    # Monday 00:00 in Moscow: the very moment it expired (7 Nov + 1 + late_days 1). It was never sent.
    client = lead(
        stage=Stage.WON, paid_at=at("2026-10-01 00:00"), birthday=date(1985, 11, 7), timezone="Asia/Kamchatka"
    )
    assert [e.occurrence.step for e in plan(book([client]), config, at("2026-11-06 03:00")).emails] == ["birthday@2026"]
    # The holidays likewise: New Year's greeting (29 Dec, a Tuesday) on that Tuesday there, not a day late.
    assert [e.occurrence.step for e in plan(book([client]), config, at("2026-12-29 03:00")).emails] == ["new_year@2026"]


def test_a_greeting_is_dropped_once_late(every_day):
    client = lead(stage=Stage.WON, paid_at=at("2026-10-01 00:00"), birthday=date(1985, 11, 3))
    assert [e.occurrence.step for e in plan(book([client]), every_day, at("2026-11-04 12:00")).emails] == [
        "birthday@2026"
    ]  # late_days: 1
    assert plan(book([client]), every_day, at("2026-11-05 12:00")).emails == ()


def test_new_year_greeting_for_every_open_lead_and_client(every_day):
    client = lead(stage=Stage.WON, paid_at=at("2026-12-01 00:00"))
    assert [e.occurrence.step for e in plan(book([client]), every_day, at("2026-12-29 10:00")).emails] == [
        "new_year@2026"
    ]


def test_leads_without_email_get_manual_touches_only(every_day):
    p = plan(book([lead(email="")]), every_day, at("2026-11-02 12:00"))
    assert p.emails == ()
    assert [t.occurrence.step for t in p.tasks] == ["first-contact"]
    assert "no email" in p.statuses[0].flags


def test_tasks_go_to_the_leads_manager_overdue_first(every_day):
    leads = [
        lead(id="L-1", row=2, manager="Boris Clark", created_at=at("2026-11-01 10:00"), stage=Stage.CONTACTED),
        lead(id="L-2", row=3, manager="", created_at=at("2026-11-05 10:00")),
        lead(id="L-3", row=4, manager="Boris Clark", created_at=at("2026-11-05 10:00")),
    ]
    p = plan(book(leads), every_day, at("2026-11-05 12:00"))
    assert [(t.manager, t.lead.id, t.occurrence.step, t.overdue) for t in p.tasks] == [
        ("(no manager)", "L-2", "first-contact", True),
        ("Boris Clark", "L-3", "first-contact", True),
        ("Boris Clark", "L-1", "d4", False),
    ]
    assert UNASSIGNED == "(no manager)"


def test_a_lead_is_forgotten_when_its_manual_touches_wait_for_days(every_day):
    # Contacted on day 0, then nobody called: d4 (6 Nov) has waited 3 days on 9 Nov.
    contacted = lead(stage=Stage.CONTACTED)
    log = [touch("2026-11-02 10:05", step="first-contact", result=Result.REACHED)]
    assert not any(
        f.startswith("forgotten")
        for f in plan(book([contacted], log), every_day, at("2026-11-08 12:00")).statuses[0].flags
    )
    p = plan(book([contacted], log), every_day, at("2026-11-09 12:00"))
    assert "forgotten 3d" in p.statuses[0].flags
    called = log + [touch("2026-11-09 11:00", step="d5", channel=Channel.MESSENGER)]
    assert not any(
        f.startswith("forgotten")
        for f in plan(book([contacted], called), every_day, at("2026-11-09 12:00")).statuses[0].flags
    )


def test_a_call_logged_by_hand_with_the_date_alone_counts_for_the_steps_of_that_day(every_day):
    # The d4 call of 6 Nov, logged by hand as 06.11.2026 (read as midnight, before its 09:00): on
    # 9 Nov only d5 (7 Nov) has waited, 2 days of 3; read as done before d4, d4 waited 3 days.
    contacted = lead(stage=Stage.CONTACTED)
    log = [touch("2026-11-02 10:05", step="first-contact"), touch("2026-11-06 00:00", result=Result.REACHED)]
    flags = plan(book([contacted], log), every_day, at("2026-11-09 12:00")).statuses[0].flags
    assert not any(f.startswith("forgotten") for f in flags)


def test_forgotten_counts_working_days_so_nobody_is_forgotten_over_the_new_year_break(config):
    # Created Mon 30 Nov 2026; d15 was done. The d30 call is due Wed 30 Dec, the last working day of
    # 2026: 31 Dec and 1-10 Jan 2027 are days off in Russia.
    client = lead(created_at=at("2026-11-30 10:00"), stage=Stage.CONTACTED)
    log = [touch("2026-12-15 12:00", step="d15")]

    def forgotten(when):
        return [f for f in plan(book([client], log), config, at(when)).statuses[0].flags if f.startswith("forgotten")]

    assert forgotten("2027-01-11 09:30") == []  # it has waited one working day: 30 Dec (12 calendar days)
    assert forgotten("2027-01-13 09:30") == ["forgotten 3d"]  # 30 Dec, 11 and 12 Jan


def test_the_same_book_and_moment_give_the_same_plan(config):
    leads = [lead(id=f"L-{i}", row=i + 1, created_at=at(f"2026-11-0{i} 10:00")) for i in range(1, 8)]
    assert plan(book(leads), config, at("2026-11-09 12:00")) == plan(book(leads), config, at("2026-11-09 12:00"))


def test_march_8_on_a_sunday_is_greeted_on_the_friday_before_in_russia(make_config):
    # 8 March 2026 is a Sunday; the Russian config greets on the working day before: Friday 6 March.
    russian = make_config("config.ru.yaml")
    client = lead(stage=Stage.WON, paid_at=at("2026-02-01 00:00"))
    assert plan(book([client]), russian, at("2026-03-05 12:00")).emails == ()
    (greeting,) = plan(book([client]), russian, at("2026-03-06 09:30")).emails
    assert (greeting.occurrence.step, greeting.occurrence.due_at) == ("march_8@2026", at("2026-03-06 09:00"))
    assert greeting.occurrence.template == "march_8"


def test_a_plan_after_sending_plans_again_only_the_leads_that_got_touches(every_day):
    # Both leads came in on 2 Nov; on the 5th each is owed d3 by email. Ivan's goes out between plans.
    ivan, olga = lead(stage=Stage.CONTACTED), lead(id="L-2", row=3, name="Olga Smirnova", stage=Stage.CONTACTED)
    now = at("2026-11-05 12:00")
    first = plan(book([ivan, olga]), every_day, now)
    assert [(e.lead.id, e.occurrence.step) for e in first.emails] == [("L-1", "d3"), ("L-2", "d3")]
    sent = touch("2026-11-05 12:00", step="d3", status=Status.SENT)
    final = plan(book([ivan, olga], [sent]), every_day, now, earlier=first)
    assert [(s.lead.id, s.next_touch.step, s.touches) for s in final.statuses] == [("L-1", "d4", 1), ("L-2", "d3", 0)]
    assert final.parts.by_lead["L-2"] is first.parts.by_lead["L-2"]  # Olga was not planned again
    assert final.parts.by_lead["L-1"] is not first.parts.by_lead["L-1"]


def test_the_daily_cap_counts_24_real_hours_over_the_night_the_clocks_go_forward(make_config):
    # A Berlin office sent its 3 emails (daily_cap: 3) on Saturday 28 March 2026 at 09:05. Clocks go
    # forward that night, so Sunday 09:30 is only 23 h 25 min later: the 3 still count, no room yet.
    berlin = ZoneInfo("Europe/Berlin")
    config = make_config(timezone="Europe/Berlin", mail={"daily_cap": 3})
    sent = datetime(2026, 3, 28, 9, 5, tzinfo=berlin)
    log = [Touch(sent, f"L-{n}", Channel.EMAIL, Status.SENT, "d0") for n in (1, 2, 3)]
    assert plan(book([lead()], log), config, datetime(2026, 3, 29, 9, 30, tzinfo=berlin)).room == 0
    assert plan(book([lead()], log), config, datetime(2026, 3, 29, 10, 5, tzinfo=berlin)).room == 3  # 24 h later
