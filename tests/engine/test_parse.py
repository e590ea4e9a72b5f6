"""Bad rows get a clear message and are left alone; every other row is read."""

from __future__ import annotations

from datetime import datetime

from tests.builders import MSK, at
from touchsheet.engine.model import Channel, Stage, Status
from touchsheet.engine.parse import parse_book
from touchsheet.engine.table import Formula, Table
from touchsheet.schema import COSTS, DUE_TODAY, KPI, LEADS, TOUCH_LOG

NOW = at("2026-11-20 12:00")
HEADERS = [
    "ID",
    "Name",
    "Email",
    "Phone",
    "Manager",
    "Source",
    "Created at",
    "Stage",
    "Callback at",
    "Invoice at",
    "Invoice amount",
    "Paid at",
    "Last purchase at",
    "Birthday",
    "Opt out",
    "Next touch at",
    "Next channel",
    "Next kind",
    "Next reason",
    "Touches",
    "Last touch at",
    "Flags",
    "Problem",
    "My notes",
]


def leads_table(*rows: dict) -> Table:
    return Table(LEADS, "Leads", 1, HEADERS, [[row.get(h) for h in HEADERS] for row in rows])


def tables(leads: Table, log_rows=(), costs_rows=()) -> dict[str, Table]:
    log_headers = [c.name for c in TOUCH_LOG.columns]
    return {
        "Leads": leads,
        "Touch log": Table(TOUCH_LOG, "Touch log", 1, log_headers, [[r.get(h) for h in log_headers] for r in log_rows]),
        "Due today": Table(DUE_TODAY, "Due today", 1, [c.name for c in DUE_TODAY.columns], []),
        "KPI": Table(KPI, "KPI", 0, [], []),
        "Costs": Table(COSTS, "Costs", 1, ["Month", "Category", "Amount"], [list(r) for r in costs_rows]),
    }


def parse(leads: Table, **kw):
    return parse_book(tables(leads, **kw), MSK, NOW, "L-", ())


GOOD = {"ID": "L-00007", "Name": "Ivan Petrov", "Created at": "25.10.2026 14:30", "Stage": "contacted"}


def test_a_manager_typed_another_way_than_config_has_it_is_that_manager():
    # pasted from a messenger (a non-breaking space), typed twice the space, in lower case, with ё
    typed = ["Анна\u00a0Смирнова", "Анна  Смирнова", "анна смирнова", "Фёдор Ёлкин", "Ольга Новая"]
    rows = [{**GOOD, "ID": f"L-{n}", "Manager": name} for n, name in enumerate(typed, 1)]
    book = parse_book(tables(leads_table(*rows)), MSK, NOW, "L-", ("Анна Смирнова", "Федор Елкин"))
    assert [lead.manager for lead in book.leads] == ["Анна Смирнова"] * 3 + ["Федор Елкин", "Ольга Новая"]


def test_a_manager_name_with_an_invisible_mark_is_that_manager():
    # a left-to-right mark from an RTL messenger, a BOM, a zero-width space: each cell reads "Анна Смирнова"
    typed = ["Анна Смирнова\u200e", "\ufeffАнна Смирнова", "Анна Смирнова\u200b"]
    rows = [{**GOOD, "ID": f"L-{n}", "Manager": name} for n, name in enumerate(typed, 1)]
    book = parse_book(tables(leads_table(*rows)), MSK, NOW, "L-", ("Анна Смирнова",))
    assert [lead.manager for lead in book.leads] == ["Анна Смирнова"] * 3


def test_a_touch_logged_or_a_task_with_the_managers_name_typed_another_way_is_that_managers():
    # Touch log rows added by hand, and a Due today row retyped, with Анна's name as a messenger
    # pastes it, in lower case, with ё: each is hers, by config's spelling (the KPI's managers' table
    # counts her touches on her row, not on a second "manager"); a name config lacks stays as typed.
    typed = ["Анна\u00a0Смирнова", "анна смирнова", "Фёдор Ёлкин", "Ольга Новая"]
    log = [{"At": f"0{n}.11.2026 10:15", "Lead ID": "L-00007", "Manager": name} for n, name in enumerate(typed, 1)]
    both = tables(leads_table(GOOD), log_rows=log)
    headers = [c.name for c in DUE_TODAY.columns]
    due = {"Lead ID": "L-00007", "Key": "L-00007/d1/2026-11-20", "Manager": "АННА СМИРНОВА", "Done": True}
    both["Due today"] = Table(DUE_TODAY, "Due today", 1, headers, [[due.get(h) for h in headers]])
    book = parse_book(both, MSK, NOW, "L-", ("Анна Смирнова", "Федор Елкин"))
    assert [t.manager for t in book.log] == ["Анна Смирнова", "Анна Смирнова", "Федор Елкин", "Ольга Новая"]
    assert [row.manager for row in book.due] == ["Анна Смирнова"]


def test_a_good_row_is_read():
    book = parse(leads_table(GOOD))
    (lead,) = book.leads
    assert (lead.row, lead.id, lead.name, lead.created_at, lead.stage) == (
        2,
        "L-00007",
        "Ivan Petrov",
        at("2026-10-25 14:30"),
        Stage.CONTACTED,
    )
    assert book.problems == {} and book.skipped == set()


def test_headers_are_found_by_name_in_any_order_case_and_language():
    headers = ["этап", "  created AT ", "id", "имя"]
    table = Table(LEADS, "Лиды", 1, headers, [["встреча", "01.11.2026", "L-9", "Анна"]])
    assert table.columns == {"Stage": 0, "Created at": 1, "ID": 2, "Name": 3}
    assert "Email" in table.missing()


def test_the_teams_own_columns_are_never_read_for_a_column_the_sheet_lacks():
    # this Leads tab has no Time zone column, and the team's "My notes" is its last column
    book = parse(leads_table({**GOOD, "My notes": "call after lunch"}))
    assert (book.leads[0].timezone, book.problems) == ("", {})


def test_empty_rows_are_skipped_silently():
    book = parse(leads_table(GOOD, {}, {"Flags": "left by the worker"}, {"ID": "  "}))
    assert [lead.id for lead in book.leads] == ["L-00007"]
    assert book.problems == {}


def test_missing_ids_are_assigned_after_the_highest_and_missing_created_at_is_now():
    book = parse(leads_table(GOOD, {"Name": "No ID"}, {"ID": "L-00003", "Name": "Three", "Created at": "2026-11-01"}))
    assert [(lead.id, lead.name) for lead in book.leads] == [
        ("L-00007", "Ivan Petrov"),
        ("L-00008", "No ID"),
        ("L-00003", "Three"),
    ]
    assert [(f.row, f.column, f.value) for f in book.fills] == [(3, "ID", "L-00008"), (3, "Created at", NOW)]
    assert book.leads[1].created_at == NOW


def test_a_duplicate_id_leaves_the_later_row_alone_with_a_message():
    book = parse(leads_table(GOOD, {**GOOD, "Name": "Someone else"}))
    assert [lead.row for lead in book.leads] == [2]
    assert book.skipped == {3}
    assert book.problems[3] == [
        "ID L-00007 is also on row 2: give this row its own ID (or clear the cell and one will be assigned)"
    ]


def test_an_id_repeated_with_an_invisible_zero_width_space_is_a_duplicate():
    # the row pasted a second time from a web page: both IDs read L-00007 on screen
    book = parse(leads_table(GOOD, {**GOOD, "ID": "L-00007\u200b", "Name": "Ivan again"}))
    assert [lead.row for lead in book.leads] == [2]
    assert book.skipped == {3}
    assert book.problems[3] == [
        "ID L-00007 is also on row 2: give this row its own ID (or clear the cell and one will be assigned)"
    ]


def test_unreadable_essentials_leave_the_row_alone():
    book = parse(
        leads_table(
            {**GOOD, "ID": "L-1", "Created at": "31.02.2026"},
            {**GOOD, "ID": "L-2", "Stage": "thinking"},
            {**GOOD, "ID": "L-3", "Created at": Formula("=TODAY()")},
            {**GOOD, "ID": "L-4"},
        )
    )
    assert [lead.id for lead in book.leads] == ["L-4"]
    assert book.skipped == {2, 3, 4}
    assert book.problems[2] == [
        "Created at: '31.02.2026' is not a date: type it like 25.11.2026 14:30 or 2026-11-25 14:30"
    ]
    assert book.problems[3] == [
        "Stage: 'thinking' is not one of: new, contacted, meeting, proposal, invoice, won, lost"
    ]
    assert book.problems[4] == ["Created at: holds a formula (=TODAY()): type the value itself"]


def test_a_row_left_alone_still_says_when_its_lead_came_in_unless_its_id_repeats_another_rows():
    # The KPI counts these rows as leads in. L-2 (a Stage typo) and the row whose ID has a line break
    # came in on 25 October; L-1's Created at cannot be read; the second L-4 repeats the first.
    book = parse_book(
        tables(
            leads_table(
                {**GOOD, "ID": "L-1", "Created at": "31.02.2026"},
                {**GOOD, "ID": "L-2", "Stage": "contactd", "Manager": "анна смирнова"},
                {**GOOD, "ID": "L-3\nL-4"},
                {**GOOD, "ID": "L-4"},
                {**GOOD, "ID": "L-4", "Created at": "26.10.2026 10:00"},
            )
        ),
        MSK,
        NOW,
        "L-",
        ("Анна Смирнова",),
    )
    assert book.skipped == {2, 3, 4, 6}
    came_in = datetime(2026, 10, 25, 14, 30, tzinfo=MSK)
    assert book.left_alone_arrivals == [(came_in, "Анна Смирнова"), (came_in, "")]


def test_a_bad_optional_cell_is_said_and_the_rest_of_the_row_works():
    book = parse(leads_table({**GOOD, "Email": "ivan@", "Callback at": "tomorrow", "Invoice amount": "a lot"}))
    (lead,) = book.leads
    assert (lead.email, lead.callback_at, lead.invoice_amount) == ("", None, None)
    assert book.problems[2] == [  # in the order of the columns
        "Email: 'ivan@' is not a valid email address; no emails go to this lead until it is fixed",
        "Callback at: 'tomorrow' is not a date: type it like 25.11.2026 14:30 or 2026-11-25 14:30",
        "Invoice amount: 'a lot' is not a number (type it like 12500 or 12 500,50)",
    ]


def test_a_region_or_a_made_up_zone_in_time_zone_is_said_and_the_lead_works_in_the_business_zone():
    headers = [*HEADERS, "Time zone"]
    rows = [
        [f"L-{n}", "A", "", "", "", "", "25.10.2026 14:30", *[None] * 17, zone]
        for n, zone in ((1, "Europe"), (2, "Mars/Base"))
    ]
    book = parse(Table(LEADS, "Leads", 1, headers, rows))
    assert [(lead.id, lead.timezone) for lead in book.leads] == [("L-1", ""), ("L-2", "")]
    assert book.problems == {
        2: ["Time zone: 'Europe' is not a time zone (type it like Europe/Moscow)"],
        3: ["Time zone: 'Mars/Base' is not a time zone (type it like Europe/Moscow)"],
    }


def test_an_unclear_opt_out_counts_as_yes():
    book = parse(leads_table({**GOOD, "Opt out": "asked us to stop"}))
    assert book.leads[0].opt_out is True
    assert "read as yes" in book.problems[2][0]


def test_a_formula_in_opt_out_is_said_and_counts_as_yes():
    book = parse(leads_table({**GOOD, "Opt out": Formula('=IF(C2="","yes","no")')}))
    assert book.leads[0].opt_out is True
    assert book.problems[2] == ['Opt out: holds a formula (=IF(C2="","yes","no")): type the value itself']


def test_an_opt_out_on_a_row_repeating_an_id_stops_the_lead_with_that_id():
    book = parse(leads_table(GOOD, {**GOOD, "Name": "Ivan again", "Opt out": "yes"}))
    assert [(lead.row, lead.opt_out) for lead in book.leads] == [(2, True)]
    assert book.problems[2] == ["Opt out is set on row 3, for this ID or this address: no touches go to this lead"]


def test_an_opt_out_stops_every_lead_with_that_address_even_from_a_row_left_alone():
    book = parse(
        leads_table(
            {**GOOD, "ID": "L-1", "Email": "ivan@example.com"},
            {**GOOD, "ID": "L-2", "Email": "IVAN@example.com", "Opt out": "yes"},  # the same person, a second request
            {**GOOD, "ID": "L-3", "Email": "olga@example.com"},
            {**GOOD, "ID": "L-4", "Email": "olga@example.com"},
            {**GOOD, "ID": "L-5", "Email": "olga@example.com", "Created at": "31.02.2026", "Opt out": "да"},
            {**GOOD, "ID": "L-6", "Email": "anna@example.com"},
        )
    )
    assert [(lead.id, lead.opt_out) for lead in book.leads] == [
        ("L-1", True),
        ("L-2", True),
        ("L-3", True),
        ("L-4", True),
        ("L-6", False),
    ]
    said = "Opt out is set on row {}, for this ID or this address: no touches go to this lead"
    assert (book.problems[2], book.problems[4], book.problems[5]) == (
        [said.format(3)],
        [said.format(6)],
        [said.format(6)],
    )
    assert 3 not in book.problems and 7 not in book.problems


def test_stage_empty_means_new_and_real_date_cells_work():
    book = parse(leads_table({"ID": "L-1", "Name": "A", "Created at": datetime(2026, 11, 2, 9, 30)}))
    assert book.leads[0].stage is Stage.NEW
    assert book.leads[0].created_at == at("2026-11-02 09:30")


def test_touch_log_rows_typed_by_hand_are_touches_and_bad_ones_are_reported():
    log = [
        {"At": "02.11.2026 10:15", "Lead ID": "L-00007", "Channel": "звонок", "Result": "недозвон"},
        {"At": "someday", "Lead ID": "L-00007"},
        {"At": datetime(2026, 11, 3, 9, 0), "Lead ID": "L-00007", "Status": "sent", "Step": "d2", "Key": "k"},
    ]
    book = parse(leads_table(GOOD), log_rows=log)
    assert [(t.row, t.status, t.manual) for t in book.log] == [(2, Status.DONE, True), (4, Status.SENT, False)]
    assert book.notes == [
        "Touch log row 3: At: 'someday' is not a date: type it like 25.11.2026 14:30 or "
        "2026-11-25 14:30; needs both At and Lead ID"
    ]


def test_a_touch_logged_by_hand_counts_for_a_lead_whose_id_has_an_invisible_mark_and_one_for_no_lead_is_said():
    log = [
        {"At": "02.11.2026 10:15", "Lead ID": "L-00007", "Channel": "call"},
        {"At": "02.11.2026 10:20", "Lead ID": "L-00070", "Channel": "call"},  # a typo: no such lead
        {"At": "02.11.2026 10:25", "Lead ID": "L-00099", "Status": "sent", "Key": "L-00099/d0/2026-11-02"},
    ]
    # the lead's ID cell was pasted from a web form: a zero-width space follows L-00007
    book = parse(leads_table({**GOOD, "ID": "L-00007\u200b"}), log_rows=log)
    assert [lead.id for lead in book.leads] == ["L-00007"]
    assert [t.lead_id for t in book.log] == ["L-00007", "L-00070", "L-00099"]
    # only the hand-made row is said: a row the worker wrote (with a Key) is its own business
    assert book.notes == [
        "Touch log row 3 (L-00070): the Lead ID is on no row of Leads, so the touch logged there counts for no lead"
    ]


def test_many_touches_logged_by_hand_for_no_lead_are_said_in_one_note():
    log = [{"At": "02.11.2026 10:15", "Lead ID": f"X-{n}"} for n in range(1, 8)]
    book = parse(leads_table(GOOD), log_rows=log)
    # seven rows: the first five are named (sheet rows 2 to 6), the other two counted
    assert book.notes == [
        "Touch log row 2 (X-1), row 3 (X-2), row 4 (X-3), row 5 (X-4), row 6 (X-5) and 2 more: "
        "the Lead ID is on no row of Leads, so the touch logged there counts for no lead"
    ]


def test_a_formula_of_the_teams_own_filled_down_the_log_and_costs_makes_no_rows():
    both = tables(leads_table(GOOD))
    log, costs = both["Touch log"], both["Costs"]
    week = [[None] * len(log.headers) + [Formula(f'=IF(A{r}="","",WEEKNUM(A{r}))')] for r in (2, 3, 4)]
    both["Touch log"] = Table(TOUCH_LOG, log.title, 1, [*log.headers, "Week"], week)
    share = [[None, None, None, Formula(f"=C{r}/SUM(C:C)")] for r in (2, 3)]
    both["Costs"] = Table(COSTS, costs.title, 1, [*costs.headers, "Share"], share)
    book = parse_book(both, MSK, NOW, "L-", ())
    assert (book.log, book.costs, book.notes) == ([], [], [])  # their columns are never read


def test_costs_accept_months_as_people_write_them():
    costs = [
        ("2026-10", "ads", 1000),
        ("11.2026", "ads", "2 000"),
        (datetime(2026, 9, 15), "rent", 500),
        ("soon", "ads", 1),
    ]
    book = parse(leads_table(GOOD), costs_rows=costs)
    assert [(c.month.isoformat(), c.amount) for c in book.costs] == [
        ("2026-10-01", 1000.0),
        ("2026-11-01", 2000.0),
        ("2026-09-01", 500.0),
    ]
    assert len(book.notes) == 1 and book.notes[0].startswith("Costs row 5: Month:")


def test_a_cost_month_typed_11_2026_in_a_sheet_with_english_settings_is_november():
    # Excel, LibreOffice or Google with English settings keep 11.2026 typed in a cell as the number
    # 11.2026 (and 10.2020 as 10.202); a month that is no month says how to type one.
    costs = [(11.2026, "ads", 30_000), (10.202, "ads", 1_000), (13.2026, "ads", 1)]
    book = parse(leads_table(GOOD), costs_rows=costs)
    assert [(c.month.isoformat(), c.amount) for c in book.costs] == [("2026-11-01", 30_000), ("2020-10-01", 1_000)]
    assert book.notes == [
        "Costs row 4: Month: '13.2026' is not a date: type it like 2026-11 or 11.2026; needs both Month and Amount"
    ]


def test_an_amount_of_nan_pasted_from_a_script_is_a_note_on_costs_and_a_problem_on_leads():
    # "NaN" is what pandas or a script's CSV shows for a missing amount: it is said as any other
    # amount that is no number, and the rest of the sheet is read
    book = parse(leads_table({**GOOD, "Invoice amount": "NaN"}), costs_rows=[("2026-10", "ads", "NaN")])
    assert book.leads[0].invoice_amount is None
    assert book.problems[2] == ["Invoice amount: 'NaN' is not a number (type it like 12500 or 12 500,50)"]
    assert book.costs == []
    assert book.notes == [
        "Costs row 2: Amount: 'NaN' is not a number (type it like 12500 or 12 500,50); needs both Month and Amount"
    ]


def test_an_id_with_a_line_break_is_refused():
    book = parse(leads_table({**GOOD, "ID": "L-1\r\nBcc: x@evil.example"}))
    assert book.leads == [] and book.skipped == {2}
    assert book.problems[2] == ["ID: has a line break or a control character: retype it"]


def test_a_log_row_with_an_unknown_word_still_counts_as_a_touch():
    log = [{"At": "02.11.2026 10:15", "Lead ID": "L-00007", "Channel": "pigeon", "Step": "d4"}]
    book = parse(leads_table(GOOD), log_rows=log)
    assert [(t.step, t.channel, t.status) for t in book.log] == [("d4", None, Status.DONE)]
    assert book.notes == [
        "Touch log row 2: Channel: 'pigeon' is not one of: email, call, messenger, sms, video, letter, gift"
    ]


def test_the_same_word_in_many_log_rows_reads_the_same_and_a_bad_one_is_said_on_each_row():
    log = [
        {"At": "02.11.2026 10:15", "Lead ID": "L-00007", "Channel": "звонок", "Step": "d4", "Manager": "Anna"},
        {"At": "03.11.2026 10:15", "Lead ID": "L-00007", "Channel": "pigeon", "Step": 4, "Manager": "Anna"},
        {"At": "04.11.2026 10:15", "Lead ID": "L-00007", "Channel": "pigeon", "Step": True, "Manager": "Anna"},
        {"At": "05.11.2026 10:15", "Lead ID": "L-00007", "Channel": "звонок", "Step": 4.0, "Manager": " Anna "},
    ]
    book = parse(leads_table(GOOD), log_rows=log)
    assert [(t.row, t.channel, t.step, t.manager) for t in book.log] == [
        (2, Channel.CALL, "d4", "Anna"),
        (3, None, "4", "Anna"),
        (4, None, "True", "Anna"),
        (5, Channel.CALL, "4", "Anna"),
    ]
    pigeon = "Channel: 'pigeon' is not one of: email, call, messenger, sms, video, letter, gift"
    assert book.notes == [f"Touch log row 3: {pigeon}", f"Touch log row 4: {pigeon}"]


def test_a_row_without_a_key_stays_only_when_a_manager_typed_in_it():
    headers = [c.name for c in DUE_TODAY.columns]
    rows = [
        {"Done": False},  # an empty row of a column formatted as checkboxes
        {"Lead ID": "L-1", "Done": False, "Note": "he called us"},
    ]
    both = tables(leads_table(GOOD))
    both["Due today"] = Table(DUE_TODAY, "Due today", 1, headers, [[r.get(h) for h in headers] for r in rows])
    (kept,) = parse_book(both, MSK, NOW, "L-", ()).due
    assert (kept.row, kept.key, kept.note, kept.problems) == (
        3,
        "",
        "he called us",
        (
            "Key is empty, so this row cannot be tied to its touch: record it in the Touch log by hand, "
            "then clear the row",
        ),
    )


def test_a_formula_in_done_is_said_and_the_row_stays():
    headers = [c.name for c in DUE_TODAY.columns]
    row = {"Lead ID": "L-00007", "Key": "L-00007/d1/2026-11-20", "Done": Formula('=M2<>""'), "Result": "reached"}
    both = tables(leads_table(GOOD))
    both["Due today"] = Table(DUE_TODAY, "Due today", 1, headers, [[row.get(h) for h in headers]])
    (kept,) = parse_book(both, MSK, NOW, "L-", ()).due
    assert kept.problems == ('Done: holds a formula (=M2<>""): type the value itself',)


def test_a_due_today_row_pasted_back_with_invisible_marks_is_still_its_task():
    headers = [c.name for c in DUE_TODAY.columns]
    row = {"Lead ID": "L-00007\u200b", "Key": "\ufeffL-00007/d1/2026-11-20", "Done": True}
    both = tables(leads_table(GOOD))
    both["Due today"] = Table(DUE_TODAY, "Due today", 1, headers, [[row.get(h) for h in headers]])
    (due,) = parse_book(both, MSK, NOW, "L-", ()).due
    assert (due.lead_id, due.key, due.problems) == ("L-00007", "L-00007/d1/2026-11-20", ())
