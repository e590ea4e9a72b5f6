"""R8: clients past their average purchase interval go on a weekly reactivation call list."""

from __future__ import annotations

from tests.builders import at, book, d, lead, touch
from touchsheet.engine import reactivation
from touchsheet.engine.history import histories
from touchsheet.engine.model import Result, Stage
from touchsheet.engine.plan import plan


def client(**fields):
    values = {"stage": Stage.WON, "created_at": at("2025-12-01 10:00")}
    return lead(**{**values, **fields})


def paid(day: str, lead_id: str = "L-1"):
    return touch(f"{day} 12:00", result=Result.PAID, lead_id=lead_id)


def test_purchase_history_comes_from_paid_touches_and_the_purchase_dates():
    buyer = client(paid_at=at("2026-05-10 00:00"), last_purchase_at=at("2026-05-10 00:00"))
    log = [paid("2026-01-10"), paid("2026-03-10"), touch("2026-04-01 12:00", result=Result.REACHED)]
    found = histories(log)["L-1"]
    assert reactivation.purchase_dates(buyer, found) == [d("2026-01-10"), d("2026-03-10"), d("2026-05-10")]


def test_own_average_interval_decides_when_reactivation_starts(every_day):
    # Gaps of 59 and 61 days: average 60, so due from 9 July (60 days after 10 May).
    buyer = client(last_purchase_at=at("2026-05-10 00:00"))
    log = [paid("2026-01-10"), paid("2026-03-10")]
    before = plan(book([buyer], log), every_day, at("2026-07-08 12:00"))
    assert before.tasks == ()
    assert "reactivation" not in before.statuses[0].flags
    assert before.statuses[0].next_touch.due_at == at("2026-07-09 09:00")
    due = plan(book([buyer], log), every_day, at("2026-07-09 12:00"))
    (task,) = due.tasks
    assert task.occurrence.step == "reactivation-1@2026-05-10"
    assert task.manager == "Anna Smith"
    assert "reactivation" in due.statuses[0].flags
    # Weekly until they buy again.
    week_later = plan(book([buyer], log), every_day, at("2026-07-16 12:00"))
    assert [t.occurrence.step for t in week_later.tasks] == ["reactivation-2@2026-05-10"]
    bought = plan(book([buyer], [*log, paid("2026-07-15")]), every_day, at("2026-07-16 12:00"))
    assert bought.tasks == ()


def test_a_one_time_buyer_uses_the_base_average(every_day):
    # The base: one client with gaps of 20 and 40 days -> base average 30.
    regular = client(id="L-2", row=3, last_purchase_at=at("2026-03-12 00:00"))
    log = [paid("2026-01-11", "L-2"), paid("2026-01-31", "L-2")]
    once = client(paid_at=at("2026-06-01 00:00"))
    p = plan(book([once, regular], log), every_day, at("2026-07-01 12:00"))
    assert [t.occurrence.step for t in p.tasks if t.lead.id == "L-1"] == ["reactivation-1@2026-06-01"]
    assert [t.occurrence.due_at for t in p.tasks if t.lead.id == "L-1"] == [at("2026-07-01 09:00")]


def test_a_one_time_buyer_waits_for_the_average_clients_interval_not_the_busiest_buyers(every_day):
    # A cafe buys daily for 61 days (60 gaps of 1 day), a shop twice 90 days apart: the average client
    # buys every (1 + 90) / 2 = 45.5 days (pooling the gaps would say (60 + 90) / 61 = 2.5 days).
    # Ivan bought once, on 1 June: due after 46 whole days, on 17 July.
    cafe = client(id="L-2", row=3, name="Cafe Bulka")
    shop = client(id="L-3", row=4, name="Shop Dom")
    once = client(paid_at=at("2026-06-01 00:00"))
    log = [paid(f"2026-03-{day:02}", "L-2") for day in range(1, 32)]
    log += [paid(f"2026-04-{day:02}", "L-2") for day in range(1, 31)]
    log += [paid("2026-01-01", "L-3"), paid("2026-04-01", "L-3")]
    the_book = book([once, cafe, shop], log)

    def ivans_calls(when):
        return [t.occurrence.step for t in plan(the_book, every_day, at(when)).tasks if t.lead.id == "L-1"]

    assert plan(the_book, every_day, at("2026-06-10 12:00")).base_interval == 45.5
    assert ivans_calls("2026-07-16 12:00") == []
    assert ivans_calls("2026-07-17 12:00") == ["reactivation-1@2026-06-01"]


def test_without_any_history_in_the_base_the_default_interval_applies(every_day):
    once = client(paid_at=at("2026-06-01 00:00"))  # default_interval_days: 90 -> 30 August
    assert plan(book([once]), every_day, at("2026-08-29 12:00")).tasks == ()
    assert len(plan(book([once]), every_day, at("2026-08-30 12:00")).tasks) == 1


def test_clients_without_a_manager_are_called_by_the_reactivation_manager(every_day):
    once = client(paid_at=at("2026-06-01 00:00"), manager="")
    (task,) = plan(book([once]), every_day, at("2026-08-30 12:00")).tasks
    assert task.manager == "Carla Diaz"


def test_a_client_who_paid_is_reactivated_even_when_stage_is_not_won(every_day):
    # Paid 1 June, Stage left at invoice: due from 30 August (default_interval_days: 90).
    paid = client(stage=Stage.INVOICE, invoice_at=at("2026-05-30 00:00"), paid_at=at("2026-06-01 00:00"))
    assert [t.occurrence.step for t in plan(book([paid]), every_day, at("2026-08-30 12:00")).tasks] == [
        "reactivation-1@2026-06-01"
    ]
    said_no = client(stage=Stage.LOST, paid_at=at("2026-06-01 00:00"))
    assert plan(book([said_no]), every_day, at("2026-08-30 12:00")).tasks == ()


def test_a_client_who_says_no_on_the_reactivation_call_is_not_called_again_until_they_buy(every_day):
    # Bought 1 Feb; default_interval_days 90 -> on the list from 2 May. On that call they say no (R11).
    buyer = client(paid_at=at("2026-02-01 00:00"))
    said_no = touch("2026-05-02 12:30", "reactivation-1@2026-02-01", result=Result.REFUSED)
    week_later = plan(book([buyer], [said_no]), every_day, at("2026-05-09 12:00"))
    assert week_later.tasks == ()  # no reactivation-2@2026-02-01
    assert "reactivation" not in week_later.statuses[0].flags
    # They buy again on 10 May: a gap of 98 days, their own interval -> due again from 16 August.
    bought = [said_no, paid("2026-05-10")]
    assert plan(book([buyer], bought), every_day, at("2026-08-15 12:00")).tasks == ()
    (call,) = plan(book([buyer], bought), every_day, at("2026-08-16 12:00")).tasks
    assert call.occurrence.step == "reactivation-1@2026-05-10"


def test_a_won_client_without_purchase_dates_gets_a_problem_not_a_guess(every_day):
    p = plan(book([client()]), every_day, at("2026-08-30 12:00"))
    assert p.tasks == ()
    assert any("Paid at and Last purchase at are empty" in m for m in p.statuses[0].problems)


def test_a_plan_after_new_touches_plans_again_everyone_whose_base_interval_they_move(every_day):
    # Olga bought once (1 May): she waits for the base's interval. Ivan's gap of 61 days (10 Mar to
    # 10 May) makes it 61: she is due from 1 July. A purchase of his on 10 Jan added to the log makes
    # his gaps 59 and 61, the base 60: she is due from 30 June, today.
    ivan = client(last_purchase_at=at("2026-05-10 00:00"))
    olga = client(id="L-2", row=3, name="Olga Smirnova", last_purchase_at=at("2026-05-01 00:00"))
    log = [paid("2026-03-10")]
    now = at("2026-06-30 12:00")
    first = plan(book([ivan, olga], log), every_day, now)
    assert first.statuses[1].next_touch.due_at == at("2026-07-01 09:00")
    assert first.tasks == ()
    again = plan(book([ivan, olga], [*log, paid("2026-01-10")]), every_day, now, earlier=first)
    assert again.base_interval == 60
    assert [(t.lead.id, t.occurrence.step) for t in again.tasks] == [("L-2", "reactivation-1@2026-05-01")]
    assert "reactivation" in again.statuses[1].flags
