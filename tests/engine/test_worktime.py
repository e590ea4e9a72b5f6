"""Working time: days off, opening hours, working minutes."""

from __future__ import annotations

from tests.builders import at, d


def test_working_days_skip_weekends_and_public_holidays(config):
    calendar = config.calendar
    assert not calendar.is_working_day(d("2026-11-04"))  # National Unity Day
    assert not calendar.is_working_day(d("2026-11-07"))  # Saturday
    assert calendar.next_working_day(d("2026-11-07")) == d("2026-11-09")
    assert calendar.previous_working_day(d("2026-11-08")) == d("2026-11-06")


def test_a_saturday_russia_made_a_working_day_is_one(config):
    # 2025: Saturday 1 November was worked, and its day off moved to Monday 3 November (by the
    # government's decree, which the holidays package carries).
    calendar = config.calendar
    assert calendar.is_working_day(d("2025-11-01"))
    assert not calendar.is_working_day(d("2025-11-03"))
    assert calendar.add_minutes(at("2025-10-31 17:55"), 15) == at("2025-11-01 09:10")


def test_clamp_moves_to_the_next_opening(config):
    calendar = config.calendar
    assert calendar.clamp(at("2026-11-02 08:00")) == at("2026-11-02 09:00")
    assert calendar.clamp(at("2026-11-02 12:00")) == at("2026-11-02 12:00")
    assert calendar.clamp(at("2026-11-03 18:00")) == at("2026-11-05 09:00")  # Wednesday is a holiday


def test_adding_and_counting_working_minutes(config):
    calendar = config.calendar
    assert calendar.add_minutes(at("2026-11-06 17:50"), 30) == at("2026-11-09 09:20")
    assert calendar.minutes_between(at("2026-11-06 17:50"), at("2026-11-09 09:20")) == 30
    assert calendar.minutes_between(at("2026-11-07 10:00"), at("2026-11-08 10:00")) == 0
    assert calendar.minutes_between(at("2026-11-02 10:00"), at("2026-11-02 09:00")) == 0


def test_extra_days_off_from_config(make_config):
    calendar = make_config(holidays={"country": None, "dates": ["2026-11-10"]}).calendar
    assert calendar.is_working_day(d("2026-11-04"))
    assert not calendar.is_working_day(d("2026-11-10"))


def test_working_minutes_over_several_days(config):
    calendar = config.calendar
    # Tuesday 17:00 -> Thursday 10:00, Wednesday 4 November a holiday: 60 + 0 + 60
    assert calendar.minutes_between(at("2026-11-03 17:00"), at("2026-11-05 10:00")) == 120
    # Monday 17:00 -> the holiday's noon: 60 on Monday, the whole of Tuesday (540), nothing on the holiday
    assert calendar.minutes_between(at("2026-11-02 17:00"), at("2026-11-04 12:00")) == 600
    # Monday 17:00 -> Tuesday 08:00, before opening: Monday's last hour only
    assert calendar.minutes_between(at("2026-11-02 17:00"), at("2026-11-03 08:00")) == 60
    # Friday 10:00 -> Monday 19:00, after closing: 480 on Friday, the weekend, all of Monday's 540
    assert calendar.minutes_between(at("2026-11-06 10:00"), at("2026-11-09 19:00")) == 1020


def test_counting_working_days_across_years(config):
    calendar = config.calendar
    assert calendar.working_days(d("2026-11-02"), d("2026-11-09")) == 4  # Mon-Fri but the 4 November holiday
    assert calendar.working_days(d("2026-11-09"), d("2026-11-02")) == 0
    # 29 and 30 December 2025 (the 31st is a day off in Russia), the New Year holidays to 9 January,
    # the weekend, then 12 January: 3 working days
    assert calendar.working_days(d("2025-12-29"), d("2026-01-13")) == 3
