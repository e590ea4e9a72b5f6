"""The owner's numbers, each on a few leads worked out by hand.

The moment is Tuesday 24 November 2026, 12:00 in Moscow (09:00-18:00, Monday to Friday). The KPI
columns are then: this week = 23-24 November, this month = 1-24 November, the last 12 weeks =
7 September - 24 November (the trend's weeks start on the Mondays 7 September ... 23 November).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import at, book, d, lead, touch
from touchsheet.engine.kpi import WeakestStep, compute_kpi
from touchsheet.engine.model import Cost, Kind, Result, Stage, Status
from touchsheet.engine.plan import plan

NOW = "2026-11-24 12:00"


def kpi_of(the_book, config, when=NOW):
    now = at(when)
    return compute_kpi(the_book, plan(the_book, config, now), config, now)


def values(kpi, key):
    return kpi.figure(key).values


def now_value(kpi, key):
    return kpi.figure(key).values[0]


def test_an_empty_base_has_nothing_to_say_but_zeros(config):
    kpi = kpi_of(book([]), config)
    assert values(kpi, "leads_in") == (0, 0, 0)
    assert values(kpi, "touches") == (0, 0, 0)
    for key in ("first_contact_on_time", "first_contact_minutes", "touches_per_lead", "warm_per_closing"):
        assert values(kpi, key) == (None, None, None), key
    assert values(kpi, "days_to_pay") == (None, None, None)
    assert values(kpi, "cost_per_lead") == (None, None, None)
    assert [now_value(kpi, k) for k in ("open_leads", "never_contacted", "forgotten", "tasks_due")] == [0, 0, 0, 0]
    assert now_value(kpi, "weakest_step") is None
    assert now_value(kpi, "repeat_purchase_rate") is None
    assert now_value(kpi, "never_contacted_cost") is None  # no costs: no cost per lead
    assert now_value(kpi, "value_at_risk") == 0
    assert kpi.table("funnel").rows == tuple((stage, 0, None) for stage in kpi_stages())
    trend = kpi.table("trend").rows
    assert [row[0] for row in trend[:3]] == [date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21)]
    assert trend[0][0] == d("2026-09-07") and trend[-1][0] == d("2026-11-23") and len(trend) == 12
    assert all(row[1:] == (0, 0, None, None, 0.0) for row in trend)
    managers = kpi.table("managers").rows
    assert [row[0] for row in managers] == ["Anna Smith", "Boris Clark", "Carla Diaz"]  # from config.yaml
    assert managers[0] == ("Anna Smith", 0, 0, 0, None, None, 0, None, 0.0)


def kpi_stages():
    return (Stage.NEW, Stage.CONTACTED, Stage.MEETING, Stage.PROPOSAL, Stage.INVOICE, Stage.WON)


def test_one_new_lead_nobody_called(config):
    # Came in at 10:00 today; its 15-minute deadline passed at 10:15.
    kpi = kpi_of(book([lead(created_at=at("2026-11-24 10:00"))]), config)
    assert values(kpi, "leads_in") == (1, 1, 1)
    assert values(kpi, "first_contact_on_time") == (0, 0, 0)
    assert values(kpi, "first_contact_minutes") == (None, None, None)
    assert [now_value(kpi, k) for k in ("open_leads", "never_contacted", "tasks_due", "overdue_tasks")] == [1, 1, 1, 1]
    assert kpi.table("funnel").rows[:2] == ((Stage.NEW, 1, None), (Stage.CONTACTED, 0, 0.0))
    assert now_value(kpi, "weakest_step") == WeakestStep(Stage.NEW, Stage.CONTACTED, 0.0)


def test_first_contact_within_deadline_and_time_to_it(config):
    leads = [
        lead(id="L-1", created_at=at("2026-11-23 10:00")),  # called at 10:10: on time, 10 minutes
        lead(id="L-2", created_at=at("2026-11-23 11:00")),  # nobody called: late, never contacted
        lead(id="L-3", created_at=at("2026-11-03 10:00"), stage=Stage.CONTACTED),  # 10:40: late, 40 minutes
        lead(id="L-4", created_at=at("2026-10-01 10:00"), stage=Stage.CONTACTED),  # 10:05: on time, 5 minutes
        lead(id="L-5", created_at=at("2026-11-24 11:58")),  # deadline 12:13: not judged yet
        lead(id="L-6", created_at=at("2026-11-23 12:00"), stage=Stage.CONTACTED),  # called before touchsheet
        lead(id="L-7", created_at=at("2026-08-03 10:00"), stage=Stage.CONTACTED),  # before the 12 weeks
    ]
    log = [
        touch("2026-11-23 10:10", "first-contact", lead_id="L-1"),
        touch("2026-11-03 10:40", "first-contact", lead_id="L-3"),
        touch("2026-10-01 10:05", "first-contact", lead_id="L-4"),
        touch("2026-08-03 16:00", "first-contact", lead_id="L-7"),
    ]
    kpi = kpi_of(book(leads, log), config)
    assert values(kpi, "leads_in") == (4, 5, 6)  # week: L-1, L-2, L-5, L-6; month: + L-3; 12 weeks: + L-4
    # judged: week L-1, L-2; month + L-3; 12 weeks + L-4
    assert values(kpi, "first_contact_on_time") == (1 / 2, 1 / 3, 2 / 4)
    assert values(kpi, "first_contact_minutes") == (10, 25, 10)  # medians of [10], [10, 40], [5, 10, 40]
    assert now_value(kpi, "never_contacted") == 1  # L-2


def test_first_contact_minutes_count_working_time_only(config):
    # A request on Friday at 17:50, called on Monday at 09:20: 10 minutes on Friday, 20 on Monday.
    friday = lead(created_at=at("2026-11-20 17:50"), stage=Stage.CONTACTED)
    kpi = kpi_of(book([friday], [touch("2026-11-23 09:20", "first-contact")]), config)
    assert values(kpi, "first_contact_minutes") == (None, 30, 30)
    assert values(kpi, "first_contact_on_time") == (None, 0, 0)  # the deadline was Monday 09:05


def test_touches_kinds_and_touches_on_their_due_day(config):
    old = at("2026-06-01 10:00")
    leads = [
        lead(id="L-1", created_at=old, stage=Stage.CONTACTED),
        lead(id="L-2", created_at=old, stage=Stage.CONTACTED),
    ]
    log = [
        touch("2026-11-23 10:00", "d4", lead_id="L-1", kind=Kind.CLOSING, key="L-1/d4/2026-11-23"),  # on its day
        touch("2026-11-23 15:00", "d5", lead_id="L-1", kind=Kind.WARM, key="L-1/d5/2026-11-20"),  # 3 days late
        touch("2026-11-10 10:00", "d10", Status.SENT, lead_id="L-2", kind=Kind.WARM, key="L-2/d10/2026-11-10"),
        touch("2026-11-12 11:00", lead_id="L-2"),  # typed by hand: no step, kind or key
        touch("2026-11-12 12:00", "d15", lead_id="L-1"),  # typed by hand with a step: d15 is a warm call
        touch("2026-10-05 10:00", "d30", lead_id="L-2", kind=Kind.CLOSING, key="L-2/d30/2026-10-05"),
        touch("2026-11-23 10:30", "d20", Status.FAILED, lead_id="L-1", key="L-1/d20/2026-11-23"),  # not a touch
        touch("2026-08-01 10:00", "first-contact", lead_id="L-1"),  # before the 12 weeks
    ]
    kpi = kpi_of(book(leads, log), config)
    assert values(kpi, "touches") == (2, 5, 6)
    assert values(kpi, "touches_per_lead") == (2.0, 2.5, 3.0)  # to L-1; to L-1 and L-2 (twice)
    assert values(kpi, "warm_per_closing") == (1.0, 3.0, 1.5)  # 1:1; 3:1 (d5, d10, d15 : d4); 3:2
    assert values(kpi, "on_due_day") == (1 / 2, 1 / 2, 2 / 3)  # emails and hand-typed rows aside
    assert values(kpi, "missed_touches") == (1, 1, 1)


def test_meetings_are_counted_for_each_period(config):
    # R13 counts leads, meetings, deals and revenue: two meetings this month (one of them this week),
    # and one on 1 September, before the last 12 weeks (7 September on).
    leads = [lead(id="L-1", stage=Stage.MEETING), lead(id="L-2", stage=Stage.MEETING)]
    log = [
        touch("2026-11-10 11:00", "d4", lead_id="L-1", result=Result.MEETING),
        touch("2026-11-23 11:00", "d4", lead_id="L-2", result=Result.MEETING),
        touch("2026-10-05 11:00", "d2", lead_id="L-1", result=Result.REACHED),  # a call, no meeting
        touch("2026-09-01 11:00", "first-contact", lead_id="L-2", result=Result.MEETING),
    ]
    assert values(kpi_of(book(leads, log), config), "meetings") == (1, 2, 2)


def invoiced(lead_id: str, stage: Stage, issued: str | None, amount: float, paid: str | None = None, **fields):
    """A lead with an invoice issued on `issued` (a day) for `amount`, paid on `paid`."""
    return lead(
        id=lead_id,
        stage=stage,
        invoice_at=at(f"{issued} 00:00") if issued else None,
        invoice_amount=amount,
        paid_at=at(f"{paid} 00:00") if paid else None,
        **fields,
    )


def test_invoices_payments_and_revenue(config):
    leads = [
        invoiced("L-1", Stage.WON, "2026-11-02", 100_000, paid="2026-11-05"),  # paid in 3 days
        invoiced("L-2", Stage.WON, "2026-11-16", 40_000, paid="2026-11-24"),  # paid today: 8 days, not within 7
        invoiced("L-3", Stage.INVOICE, "2026-11-23", 30_000),  # issued yesterday, open
        invoiced("L-4", Stage.INVOICE, "2026-10-20", 20_000, paid="2026-10-01"),  # a new invoice after a payment
        invoiced("L-5", Stage.LOST, "2026-11-10", 5_000),  # lost: issued, but no longer counted as unpaid
        invoiced("L-6", Stage.WON, None, 7_000, paid="2026-11-18"),  # paid with no invoice date: revenue only
    ]
    kpi = kpi_of(book(leads), config)
    assert values(kpi, "invoices_issued") == (1, 4, 5)  # L-3; + L-1, L-2, L-5; + L-4
    assert values(kpi, "invoices_paid") == (1, 2, 2)  # L-2; + L-1
    assert values(kpi, "paid_fast") == (0, 1, 1)  # L-1
    assert values(kpi, "days_to_pay") == (8, 5.5, 5.5)  # medians of [8] and [3, 8]
    assert values(kpi, "revenue") == (40_000, 147_000, 147_000)  # L-2; + L-1 and L-6
    assert (now_value(kpi, "unpaid_invoices"), now_value(kpi, "unpaid_amount")) == (2, 50_000)  # L-3, L-4


def test_clients_new_won_back_repeat_and_at_risk(config):
    leads = [
        # first bought on 5 November (its invoice: 100,000)
        invoiced("C-1", Stage.WON, "2026-11-02", 100_000, paid="2026-11-05", created_at=at("2026-10-01 10:00")),
        # bought on 1 June, then again on 10 November after 162 days (its invoice: 50,000)
        invoiced("C-2", Stage.WON, "2026-11-09", 50_000, paid="2026-11-10", created_at=at("2026-01-12 10:00")),
        # bought on 10 January and 9 February (30 days apart), nothing since; no amount known
        lead(id="C-3", stage=Stage.WON, created_at=at("2025-12-01 10:00"), last_purchase_at=at("2026-02-09 00:00")),
    ]
    log = [
        touch("2026-10-01 10:05", "first-contact", lead_id="C-1"),
        touch("2026-10-05 10:05", "d2", Status.SENT, lead_id="C-1"),
        touch("2026-11-05 11:00", lead_id="C-1", result=Result.PAID),
        touch("2026-11-10 11:00", lead_id="C-1"),  # after the purchase
        touch("2026-01-12 10:05", "first-contact", lead_id="C-2"),
        touch("2026-06-01 11:00", lead_id="C-2", result=Result.PAID),
        touch("2026-01-10 11:00", lead_id="C-3", result=Result.PAID),
    ]
    kpi = kpi_of(book(leads, log), config)
    assert values(kpi, "new_clients") == (0, 1, 1)  # C-1 on 5 November
    # The average client buys every (162 + 30) / 2 = 96 days; C-2's 162 days is longer: won back on 10 November.
    assert values(kpi, "won_back") == (0, 1, 1)
    assert now_value(kpi, "repeat_purchase_rate") == 2 / 3  # C-2 and C-3 bought twice
    assert now_value(kpi, "touches_before_purchase") == 2.0  # C-1: 3, C-2: 2, C-3: 1
    assert now_value(kpi, "reactivation_list") == 1  # C-3: due since 11 March (its own 30-day rhythm)
    # C-3 last bought 288 days ago: 9 months of 30 days without a touch cost 90% of its value, taken as
    # the average paid invoice ((100,000 + 50,000) / 2) since its own is unknown.
    assert now_value(kpi, "untouched_clients") == 1
    assert now_value(kpi, "value_at_risk") == pytest.approx(0.9 * 75_000)


def test_a_payment_older_than_the_invoice_pays_nothing_even_on_a_lost_lead(config):
    # L-1 paid on 5 October; a new invoice of 50,000 came on 2 November, then the lead was lost. Its
    # Paid at is before its Invoice at: no invoice paid, no revenue, no days to pay (not -28).
    leads = [invoiced("L-1", Stage.LOST, "2026-11-02", 50_000, paid="2026-10-05")]
    kpi = kpi_of(book(leads), config)
    assert values(kpi, "invoices_issued") == (0, 1, 1)
    assert values(kpi, "invoices_paid") == (0, 0, 0)
    assert values(kpi, "paid_fast") == (0, 0, 0)
    assert values(kpi, "days_to_pay") == (None, None, None)
    assert values(kpi, "revenue") == (0, 0, 0)


def test_a_client_whose_newest_invoice_is_unpaid_is_valued_at_the_average_paid_invoice(config):
    leads = [
        # paid its 100,000 invoice on 2 June; called on 20 November: not at risk
        invoiced("C-1", Stage.WON, "2026-06-01", 100_000, paid="2026-06-02", created_at=at("2026-01-12 10:00")),
        # bought on 1 May; a new invoice of 1,000,000 issued on 1 June is still open; nobody touched it
        # since: 207 days, six periods of 30 days, 60% of its value, which is the average paid invoice
        # (C-1's 100,000: its own invoice is not paid), not 1,000,000
        invoiced("C-2", Stage.WON, "2026-06-01", 1_000_000, paid="2026-05-01", created_at=at("2026-01-12 10:00")),
    ]
    kpi = kpi_of(book(leads, [touch("2026-11-20 10:00", lead_id="C-1")]), config)
    assert now_value(kpi, "untouched_clients") == 1
    assert now_value(kpi, "value_at_risk") == pytest.approx(0.6 * 100_000)


def test_a_purchase_after_a_gap_longer_than_an_average_of_whole_and_half_days_is_a_client_won_back(config):
    # Purchases on 20 Jul, 20 Aug, 20 Sep, 20 Oct, 20 Nov: gaps of 31, 31, 30, 31 days. On 20 November
    # the client's average was (31 + 31 + 30) / 3 = 30.67 days: 31 is longer, a client won back (this
    # month, the last 12 weeks). 20 September (31 after an average of 31) and 20 October (30) are not;
    # 20 August is before the 12 weeks.
    client = lead(id="C-1", stage=Stage.WON, created_at=at("2026-01-12 10:00"), paid_at=at("2026-11-20 00:00"))
    paid = ("2026-07-20", "2026-08-20", "2026-09-20", "2026-10-20")
    log = [touch(f"{day} 11:00", lead_id="C-1", result=Result.PAID) for day in paid]
    assert values(kpi_of(book([client], log), config), "won_back") == (0, 1, 1)


def test_touches_before_the_first_purchase_leave_aside_a_client_who_bought_before_it_came_in(config):
    # C-1 came in on 2 November, was touched 6 times and paid on 20 November. C-2, an old client
    # typed in on 2 November, last bought on 1 June: nothing records what its first deal took, so
    # it does not count as a deal of 0 touches. 6 / 1 = 6, not (6 + 0) / 2 = 3 ("5-12 is normal").
    c1 = lead(id="C-1", stage=Stage.WON, created_at=at("2026-11-02 10:00"), paid_at=at("2026-11-20 00:00"))
    c2 = lead(id="C-2", stage=Stage.WON, created_at=at("2026-11-02 10:00"), last_purchase_at=at("2026-06-01 00:00"))
    days = ("2026-11-02 10:05", "2026-11-04 10:00", "2026-11-06 10:00", "2026-11-10 10:00", "2026-11-16 10:00")
    log = [touch(day, lead_id="C-1") for day in days] + [touch("2026-11-20 11:00", lead_id="C-1", result=Result.PAID)]
    assert now_value(kpi_of(book([c1, c2], log), config), "touches_before_purchase") == 6


def test_a_client_typed_in_at_stage_new_is_not_a_lead_never_contacted(config):
    # Imported on 10 November with Last purchase at 12 November and Stage left empty: it bought, so
    # somebody reached it; it is neither judged on its first contact nor never contacted.
    client = lead(id="Q", created_at=at("2026-11-10 10:00"), last_purchase_at=at("2026-11-12 00:00"))
    kpi = kpi_of(book([client]), config)
    assert now_value(kpi, "never_contacted") == 0
    assert values(kpi, "first_contact_on_time") == (None, None, None)


def test_an_opted_out_lead_is_not_a_first_contact_missed(config):
    # Two leads at 10:00 today: Anna called Ivan at 10:05; Oleg opted out, so nobody owes him a call.
    # One lead judged, on time: 100% in each window, and on Anna's row of the managers' table.
    leads = [
        lead(id="L-1", created_at=at("2026-11-24 10:00")),
        lead(id="L-2", name="Oleg Sidorov", created_at=at("2026-11-24 10:00"), opt_out=True),
    ]
    kpi = kpi_of(book(leads, [touch("2026-11-24 10:05", "first-contact")]), config)
    assert now_value(kpi, "never_contacted") == 0
    assert values(kpi, "first_contact_on_time") == (1, 1, 1)
    anna = kpi.table("managers").rows[0]
    assert (anna[0], anna[5]) == ("Anna Smith", 1)  # her first contacts within the deadline


def test_what_a_lead_and_a_client_cost(config):
    def created(day, stage=Stage.CONTACTED, **fields):
        return lead(id=f"L-{day}", created_at=at(f"{day} 10:00"), stage=stage, **fields)

    leads = [
        created("2026-09-10"),  # September has no costs: not counted
        *(created(f"2026-10-0{n}") for n in (1, 2, 5, 6)),
        created("2026-10-07", Stage.WON, paid_at=at("2026-10-20 00:00")),  # October's client
        *(created(f"2026-11-0{n}") for n in (2, 3, 5)),
        created("2026-11-06", Stage.WON, paid_at=at("2026-11-16 00:00")),
        created("2026-11-09", Stage.WON, paid_at=at("2026-11-18 00:00")),
        created("2026-11-23", Stage.NEW),  # nobody called: past its deadline
    ]
    log = [touch(f"{lead_.created_at:%Y-%m-%d} 10:05", "first-contact", lead_id=lead_.id) for lead_ in leads[:-1]]
    costs = [
        Cost(d("2026-10-01"), "ads", 30_000),
        Cost(d("2026-10-01"), "salaries", 10_000),
        Cost(d("2026-11-01"), "ads", 72_000),
    ]
    the_book = book(leads, log)
    the_book.costs = costs
    kpi = kpi_of(the_book, config)
    # October: 5 leads, 1 client, 40,000; November: 6 leads, 2 clients, 72,000.
    assert values(kpi, "costs") == (None, 72_000, None)
    assert values(kpi, "cost_per_lead") == (None, 12_000, None)
    assert values(kpi, "cost_per_client") == (None, 36_000, None)
    assert now_value(kpi, "spent") == 112_000
    assert now_value(kpi, "cost_per_lead_all") == 112_000 / 11
    assert now_value(kpi, "cost_per_client_all") == 112_000 / 3
    assert now_value(kpi, "never_contacted") == 1
    assert now_value(kpi, "never_contacted_cost") == 112_000 / 11


def test_a_lead_whose_row_is_left_alone_for_a_stage_typo_still_counts_as_a_lead_in(config):
    # Two requests came in on Monday 23 November; Anna typed the second one's Stage "contactd", so
    # its row is left alone. Both are leads: leads in 2, and 10,000 spent this month is 5,000 a lead.
    # No other figure can count that row: the tab says one row is left out.
    the_book = book([lead(id="L-1", created_at=at("2026-11-23 10:00"))])
    the_book.skipped = {3}
    the_book.left_alone_arrivals = [(at("2026-11-23 11:00"), "Anna Smith")]
    the_book.costs = [Cost(d("2026-11-01"), "ads", 10_000)]
    kpi = kpi_of(the_book, config)
    assert values(kpi, "leads_in") == (2, 2, 2)
    assert values(kpi, "cost_per_lead") == (None, 5_000, None)
    assert now_value(kpi, "cost_per_lead_all") == 5_000
    assert now_value(kpi, "rows_left_out") == 1
    assert [row[0] for row in kpi.table("managers").rows] == ["Anna Smith", "Boris Clark", "Carla Diaz"]


def test_forgotten_leads_and_the_money_they_represent(config):
    # Came in on Friday 13 November and was called that day; its d4 call, due on Tuesday 17 November,
    # was never made: it has waited 5 working days (17-20 and 23 November).
    forgotten = lead(id="L-1", created_at=at("2026-11-13 10:00"), stage=Stage.CONTACTED)
    the_book = book([forgotten], [touch("2026-11-13 10:05", "first-contact", lead_id="L-1")])
    the_book.costs = [Cost(d("2026-11-01"), "ads", 9_000)]
    now = at(NOW)
    the_plan = plan(the_book, config, now)
    assert the_plan.statuses[0].flags == ("forgotten 5d",)
    kpi = compute_kpi(the_book, the_plan, config, now)
    assert (now_value(kpi, "forgotten"), now_value(kpi, "forgotten_cost")) == (1, 9_000)


def test_the_funnel_and_its_weakest_step(config):
    paid = at("2026-11-10 00:00")
    leads = [
        lead(id="A", stage=Stage.NEW),
        lead(id="B", stage=Stage.CONTACTED),
        lead(id="C", stage=Stage.MEETING),
        lead(id="D", stage=Stage.PROPOSAL),
        lead(id="E", stage=Stage.INVOICE, invoice_at=at("2026-11-20 00:00")),
        lead(id="F", stage=Stage.WON, paid_at=paid),
        lead(id="G", stage=Stage.LOST),  # lost with nothing on record: counted as new only
        lead(id="H", stage=Stage.LOST),  # lost after a meeting (its log says so)
        lead(id="I", stage=Stage.NEW, invoice_at=at("2026-11-20 00:00")),  # invoiced without the stage moving
    ]
    log = [touch("2026-11-05 11:00", lead_id="H", result=Result.MEETING)]
    kpi = kpi_of(book(leads, log), config)
    # furthest steps: A 0, B 1, C 2, D 3, E 4, F 5, G 0, H 2, I 4
    assert kpi.table("funnel").rows == (
        (Stage.NEW, 9, None),
        (Stage.CONTACTED, 7, 7 / 9),
        (Stage.MEETING, 6, 6 / 7),
        (Stage.PROPOSAL, 4, 4 / 6),
        (Stage.INVOICE, 3, 3 / 4),
        (Stage.WON, 1, 1 / 3),
    )
    assert now_value(kpi, "weakest_step") == WeakestStep(Stage.INVOICE, Stage.WON, 1 / 3)


def test_the_sales_heads_table(config):
    leads = [
        lead(id="A-1", manager="Anna Smith", stage=Stage.CONTACTED, created_at=at("2026-11-02 10:00")),
        lead(
            id="A-2",
            manager="Anna Smith",
            stage=Stage.WON,
            created_at=at("2026-06-01 10:00"),
            invoice_at=at("2026-11-09 00:00"),
            invoice_amount=50_000,
            paid_at=at("2026-11-10 00:00"),
        ),
        lead(id="A-3", manager="Anna Smith", stage=Stage.LOST, created_at=at("2026-06-01 10:00")),
        lead(id="B-1", manager="Boris Clark", created_at=at("2026-11-24 10:00")),  # nobody called yet
    ]
    log = [
        touch("2026-11-02 10:05", "first-contact", lead_id="A-1"),
        touch("2026-11-10 10:00", "d5", lead_id="A-1", key="A-1/d5/2026-11-09"),  # a day late
        touch("2026-11-17 10:00", "d15", lead_id="A-1", key="A-1/d15/2026-11-17"),  # on its day
        touch("2026-06-01 10:05", "first-contact", lead_id="A-2"),
    ]
    kpi = kpi_of(book(leads, log), config)
    # Anna owes nothing today (A-1's latest call, d15, is done); Boris owes B-1's overdue first contact.
    # This month: Anna's touches on their day 1 of 2, A-1 called in time, A-2 paid 50,000 on 10 November.
    assert kpi.table("managers").rows == (
        ("Anna Smith", 1, 0, 0, 0.5, 1.0, 1, 1 / 3, 50_000),
        ("Boris Clark", 1, 1, 1, None, 0.0, 0, 0.0, 0.0),
        ("Carla Diaz", 0, 0, 0, None, None, 0, None, 0.0),
    )


def test_the_weekly_trend(config):
    leads = [
        lead(id="L-1", created_at=at("2026-11-23 10:00")),  # this week, nobody called
        lead(id="L-2", created_at=at("2026-11-17 10:00"), stage=Stage.CONTACTED),  # called at 10:05
        lead(
            id="L-3",
            created_at=at("2026-09-08 10:00"),
            stage=Stage.WON,
            invoice_at=at("2026-09-09 00:00"),
            invoice_amount=1_000,
            paid_at=at("2026-09-10 00:00"),
        ),
        lead(id="L-4", created_at=at("2026-09-06 10:00"), stage=Stage.CONTACTED),  # the Sunday before
    ]
    log = [
        touch("2026-11-17 10:05", "first-contact", lead_id="L-2"),
        touch("2026-11-19 10:00", "d2", lead_id="L-2", key="L-2/d2/2026-11-19"),
    ]
    trend = kpi_of(book(leads, log), config).table("trend").rows
    assert trend[0] == (d("2026-09-07"), 1, 1, None, None, 1_000)  # L-3, contacted before touchsheet knew
    assert trend[10] == (d("2026-11-16"), 1, 0, 1.0, 1.0, 0.0)
    assert trend[11] == (d("2026-11-23"), 1, 0, 0.0, None, 0.0)
    assert all(row[1:] == (0, 0, None, None, 0.0) for row in trend[1:10])
