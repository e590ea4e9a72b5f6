"""R1-R4: the new-lead calendar, weekly nurture, monthly; R5: the first-contact deadline; R11."""

from __future__ import annotations

from datetime import timedelta

from tests.builders import at, book, d, lead, touch
from tests.conftest import EVERY_DAY
from tests.engine.replay import replay, replay_log
from touchsheet.engine import cadence
from touchsheet.engine.model import Channel, Kind, Result, Stage, Status
from touchsheet.engine.plan import plan


def test_r1_calendar_to_the_day_over_60_days_when_every_day_works(every_day):
    # Created Monday 2 Nov 10:00; the team works through the plan every day at noon.
    done = replay(every_day, [lead()], at("2026-11-02 12:00"), 60)
    assert done == {
        "first-contact": d("2026-11-02"),
        "d0": d("2026-11-02"),
        "d2": d("2026-11-04"),
        "d3": d("2026-11-05"),
        "d4": d("2026-11-06"),
        "d5": d("2026-11-07"),
        "d10": d("2026-11-12"),
        "d15": d("2026-11-17"),
        "d20": d("2026-11-22"),
        "d30": d("2026-12-02"),
        "d40": d("2026-12-12"),
        "nurture-1": d("2026-12-19"),  # day 47
        "nurture-2": d("2026-12-26"),  # day 54; day 61 is past the replay
        "new_year@2026": d("2026-12-29"),  # R9: greetings are touches too
    }


def test_r1_calendar_moves_off_weekends_and_holidays(config):
    # Monday to Friday, Russian holidays: 4 Nov (Wed) is National Unity Day.
    done = replay(config, [lead()], at("2026-11-02 12:00"), 60)
    assert done == {
        "first-contact": d("2026-11-02"),
        "d0": d("2026-11-02"),
        "d2": d("2026-11-05"),  # 4 Nov is a holiday
        "d3": d("2026-11-06"),  # 5 Nov is taken by d2 in the email lane
        "d4": d("2026-11-06"),  # a call: the manual lane is free that day
        "d5": d("2026-11-09"),  # Saturday -> Monday
        "d10": d("2026-11-12"),
        "d15": d("2026-11-17"),
        "d20": d("2026-11-23"),  # Sunday -> Monday
        "d30": d("2026-12-02"),
        "d40": d("2026-12-14"),  # Saturday -> Monday
        "nurture-1": d("2026-12-21"),  # day 47 is a Saturday
        "nurture-2": d("2026-12-28"),  # day 54 is a Saturday
        "new_year@2026": d("2026-12-29"),
    }


def test_calendar_steps_carry_channel_kind_reason_and_text(config):
    steps = {o.step: o for o in cadence.sales_cadence(lead(), config, at("2026-11-02 12:00"))}
    assert (steps["d0"].channel, steps["d0"].kind, steps["d0"].template) == (Channel.EMAIL, Kind.WARM, "d0_thanks")
    assert (steps["d4"].channel, steps["d4"].kind) == (Channel.CALL, Kind.CLOSING)
    assert "why are you not with us yet" in steps["d4"].script
    assert steps["d5"].channel is Channel.MESSENGER


def test_nurture_follows_the_calendar_weekly_then_monthly(every_day):
    created = at("2026-01-05 10:00")
    lead_ = lead(created_at=created)
    # Day 40 is 14 Feb. Nurture k falls on day 40 + 7k for k = 1..8, rotating six steps.
    steps = {o.step: o for o in cadence.sales_cadence(lead_, every_day, at("2026-03-09 12:00"))}  # day 63
    assert steps["nurture-3"].due_at == at("2026-03-07 09:00")  # day 61
    assert steps["nurture-3"].channel is Channel.MESSENGER
    later = {o.step: o for o in cadence.sales_cadence(lead_, every_day, at("2026-03-29 12:00"))}  # day 83
    assert later["nurture-6"].due_at == at("2026-03-28 09:00")  # day 82
    assert (later["nurture-6"].channel, later["nurture-6"].kind) == (Channel.CALL, Kind.CLOSING)
    # After 8 weekly touches (day 96), monthly every 30 days: monthly-1 on day 126 = 11 May.
    monthly = {o.step: o for o in cadence.sales_cadence(lead_, every_day, at("2026-05-12 12:00"))}
    assert monthly["monthly-1"].due_at == at("2026-05-11 09:00")
    assert monthly["monthly-2"].due_at == at("2026-06-10 09:00")
    assert "nurture-9" not in monthly


def test_nurture_replay_sends_five_warm_for_one_closing(every_day):
    created = at("2026-01-05 10:00")
    log = replay_log(every_day, [lead(created_at=created)], at("2026-02-15 12:00"), 60)
    nurture = [(t.step, t.kind) for t in log if t.step.startswith("nurture-")]
    warm, closing = Kind.WARM, Kind.CLOSING
    # Six steps rotate, the sixth closing: eight weeks are five warm, one closing, two warm.
    assert nurture == [(f"nurture-{k}", kind) for k, kind in enumerate([*[warm] * 5, closing, warm, warm], 1)]
    days = {t.step: t.at.date() for t in log}
    assert (days["nurture-1"], days["nurture-8"]) == (d("2026-02-21"), d("2026-04-11"))


def test_nurture_never_shares_a_day_with_the_calendar_step_of_its_lane(config):
    # Created Monday 23 Nov 2026: d40 (2 Jan) and nurture-1 (day 47, Saturday 9 Jan) fall in the
    # New Year holidays and the weekend after; both are emails, so only one can have Monday 11 Jan.
    done = replay(config, [lead(created_at=at("2026-11-23 10:00"))], at("2026-11-23 12:00"), 60)
    assert (done["d40"], done["nurture-1"], done["nurture-2"]) == (d("2027-01-11"), d("2027-01-12"), d("2027-01-18"))


def test_a_step_moved_by_days_off_stays_put_from_one_run_to_the_next(make_config):
    # Every day works but 19-26 Dec. Created 2 Nov: d40 on 12 Dec, nurture-k on 12 Dec + 7k.
    # nurture-1 (19 Dec) moves to 27 Dec; nurture-2 (26 Dec), an email too, to 28 Dec.
    days_off = [f"2026-12-{day}" for day in range(19, 27)]
    shop = make_config(working_days=EVERY_DAY, holidays={"country": None, "dates": days_off})
    then = {o.step: o for o in cadence.sales_cadence(lead(), shop, at("2026-12-28 12:00"))}
    assert (then["nurture-1"].due_at, then["nurture-2"].due_at) == (at("2026-12-27 09:00"), at("2026-12-28 09:00"))
    # Eight weeks on only the latest weeks are built, nurture-1 no longer: nurture-2 must not move back.
    later = {o.step: o for o in cadence.sales_cadence(lead(), shop, at("2027-02-10 12:00"))}
    assert "nurture-1" not in later
    assert later["nurture-2"].due_at == at("2026-12-28 09:00")


def test_no_answer_keeps_the_lead_in_its_cadence(every_day):
    # Every call unanswered for 60 days: the lead is never dropped, the touches go on (R11).
    done = replay(every_day, [lead()], at("2026-11-02 12:00"), 60, result=Result.NO_ANSWER)
    assert {"d4", "d15", "d30", "nurture-2"} <= set(done)
    # A refusal on the first call, by contrast, makes the lead lost: nothing after that day.
    refused = replay(every_day, [lead()], at("2026-11-02 12:00"), 60, result=Result.REFUSED)
    assert refused == {"first-contact": d("2026-11-02"), "d0": d("2026-11-02")}


def test_first_contact_is_due_at_once_with_a_deadline_in_working_minutes(config):
    fresh = lead(created_at=at("2026-11-02 10:00"))
    within = plan(book([fresh]), config, at("2026-11-02 10:10"))
    (task,) = [t for t in within.tasks if t.occurrence.step == "first-contact"]
    assert task.occurrence.due_at == at("2026-11-02 10:00")
    assert task.occurrence.deadline == at("2026-11-02 10:15")
    assert not task.overdue
    assert "first contact overdue" not in within.statuses[0].flags
    late = plan(book([fresh]), config, at("2026-11-02 10:16"))
    assert [t.overdue for t in late.tasks if t.occurrence.step == "first-contact"] == [True]
    assert "first contact overdue" in late.statuses[0].flags


def test_first_contact_deadline_after_hours_counts_working_minutes(config):
    # 17:55 Monday: 5 minutes left that day, 10 more from 09:00 Tuesday.
    assert cadence.first_contact_deadline(lead(created_at=at("2026-11-02 17:55")), config) == at("2026-11-03 09:10")
    # Saturday night: the clock starts on Monday morning.
    assert cadence.first_contact_deadline(lead(created_at=at("2026-11-07 23:00")), config) == at("2026-11-09 09:15")


def test_first_contact_is_kept_by_any_manual_touch(config):
    called = [touch("2026-11-02 10:05", step="d4", result=Result.NO_ANSWER)]
    p = plan(book([lead()], called), config, at("2026-11-02 11:00"))
    assert "first-contact" not in [t.occurrence.step for t in p.tasks]
    emailed_only = [touch("2026-11-02 10:01", step="d0", status=Status.SENT)]
    p = plan(book([lead()], emailed_only), config, at("2026-11-02 11:00"))
    assert "first-contact" in [t.occurrence.step for t in p.tasks]


def test_a_lead_beyond_new_is_not_owed_a_first_contact(config):
    p = plan(book([lead(stage=Stage.CONTACTED)]), config, at("2026-11-02 11:00"))
    assert "first-contact" not in [t.occurrence.step for t in p.tasks]


def test_a_week_away_gives_todays_step_not_the_backlog(every_day):
    # Nobody ran touchsheet for 11 days: only the latest step of each lane is owed.
    p = plan(book([lead()]), every_day, at("2026-11-13 12:00"))
    assert [e.occurrence.step for e in p.emails] == ["d10"]
    assert sorted(t.occurrence.step for t in p.tasks) == ["d5", "first-contact"]


def test_lost_and_won_stop_the_sales_cadence(every_day):
    for stage in (Stage.LOST, Stage.WON):
        assert cadence.sales_cadence(lead(stage=stage), every_day, at("2026-11-10 12:00")) == []


def test_upcoming_touch_is_the_next_touch_of_the_lead(every_day):
    sent = [touch("2026-11-02 10:01", step="d0", status=Status.SENT)]
    called = [touch("2026-11-02 10:05", step="first-contact", result=Result.REACHED)]
    p = plan(book([lead(stage=Stage.CONTACTED)], sent + called), every_day, at("2026-11-02 15:00"))
    status = p.statuses[0]
    assert status.next_touch is not None
    assert (status.next_touch.step, status.next_touch.due_at) == ("d2", at("2026-11-04 09:00"))
    assert status.touches == 2
    assert status.last_touch_at == at("2026-11-02 10:05")


def test_day_zero_after_hours_is_due_at_opening(config):
    evening = lead(created_at=at("2026-11-02 21:30"))
    steps = {o.step: o for o in cadence.sales_cadence(evening, config, at("2026-11-02 21:31"))}
    assert steps["d0"].due_at == at("2026-11-03 09:00")
    assert plan(book([evening]), config, at("2026-11-02 21:31")).emails == ()  # never at night
    morning = plan(book([evening]), config, at("2026-11-03 09:01"))
    assert [e.occurrence.step for e in morning.emails] == ["d0"]
    assert morning.emails[0].occurrence.due_at - evening.created_at == timedelta(hours=11, minutes=30)
