"""What managers record on Due today becomes touches and moves the lead on."""

from __future__ import annotations

from tests.builders import at, book, due_row, lead, touch
from touchsheet.engine.absorb import absorb
from touchsheet.engine.model import Channel, Kind, Result, Stage, Status
from touchsheet.engine.parse import DueRow
from touchsheet.engine.plan import plan

NOW = at("2026-11-06 16:00")


def due(result=None, done=True, key="L-1/d4/2026-11-06", step="d4", **fields) -> DueRow:
    return due_row(result=result, done=done, key=key, step=step, **fields)


def absorbed(config, rows, leads=None, log=None):
    b = book(leads or [lead(stage=Stage.CONTACTED)], log)
    b.due = rows
    return absorb(b, config, NOW)


def test_a_ticked_task_becomes_a_touch_log_row(config):
    b = absorbed(config, [due(Result.NO_ANSWER, note="voicemail")])
    (t,) = b.new_touches
    assert (t.at, t.lead_id, t.channel, t.kind, t.step, t.status, t.result, t.manager, t.note, t.key) == (
        NOW,
        "L-1",
        Channel.CALL,
        Kind.CLOSING,
        "d4",
        Status.DONE,
        Result.NO_ANSWER,
        "Anna Smith",
        "voicemail",
        "L-1/d4/2026-11-06",
    )
    assert b.log[-1] == t
    assert b.fills == []  # no answer changes nothing on the lead (R11)


def test_a_result_without_the_tick_still_counts(config):
    assert len(absorbed(config, [due(Result.REACHED, done=False)]).new_touches) == 1


def test_untouched_rows_are_not_touches(config):
    assert absorbed(config, [due(None, done=False)]).new_touches == []


def test_results_move_the_stage_forward_only(config):
    b = absorbed(config, [due(Result.MEETING)])
    assert b.leads[0].stage is Stage.MEETING
    assert [(f.column, f.value) for f in b.fills] == [("Stage", Stage.MEETING)]
    b = absorbed(config, [due(Result.REACHED)], leads=[lead(stage=Stage.PROPOSAL)])
    assert b.leads[0].stage is Stage.PROPOSAL and b.fills == []


def test_refused_makes_a_lead_lost_but_never_undoes_a_client(config):
    assert absorbed(config, [due(Result.REFUSED)]).leads[0].stage is Stage.LOST
    client = lead(stage=Stage.WON, paid_at=at("2026-10-01 00:00"))
    assert absorbed(config, [due(Result.REFUSED)], leads=[client]).leads[0].stage is Stage.WON


def test_paid_fills_paid_at_and_last_purchase_and_wins_the_lead(config):
    invoiced = lead(stage=Stage.INVOICE, invoice_at=at("2026-11-02 00:00"))
    b = absorbed(config, [due(Result.PAID)], leads=[invoiced])
    today = at("2026-11-06 00:00")
    assert [(f.column, f.value) for f in b.fills] == [
        ("Stage", Stage.WON),
        ("Paid at", today),
        ("Last purchase at", today),
    ]
    assert plan(b, config, NOW).tasks == ()  # no more invoice reminders, no more sales calls


def test_invoice_result_sets_invoice_at_unless_one_is_open(config):
    b = absorbed(config, [due(Result.INVOICE)], leads=[lead(stage=Stage.PROPOSAL)])
    assert [(f.column, f.value) for f in b.fills] == [("Stage", Stage.INVOICE), ("Invoice at", at("2026-11-06 00:00"))]
    open_invoice = lead(stage=Stage.INVOICE, invoice_at=at("2026-11-02 00:00"))
    assert absorbed(config, [due(Result.INVOICE)], leads=[open_invoice]).fills == []


def test_callback_with_a_time_becomes_the_leads_callback(config):
    b = absorbed(config, [due(Result.CALLBACK, callback_at=at("2026-11-09 11:00"))])
    assert ("Callback at", at("2026-11-09 11:00")) in [(f.column, f.value) for f in b.fills]
    tasks = plan(b, config, at("2026-11-09 10:00")).tasks
    assert "callback@2026-11-09 11:00" in [t.occurrence.step for t in tasks]


def test_a_callback_promised_within_the_grace_minutes_is_still_a_task(config):
    # Absorbed at 16:00 (NOW), promised for 16:20: the call that made the promise does not keep it.
    b = absorbed(config, [due(Result.CALLBACK, callback_at=at("2026-11-06 16:20"))])
    on_time = plan(b, config, at("2026-11-06 16:20"))
    assert "callback@2026-11-06 16:20" in [t.occurrence.step for t in on_time.tasks]
    assert "callback missed" in plan(b, config, at("2026-11-06 16:51")).statuses[0].flags


def test_callback_without_a_time_defaults_to_the_next_working_day(config):
    b = absorbed(config, [due(Result.CALLBACK)])  # Friday -> Monday at opening
    assert b.leads[0].callback_at == at("2026-11-09 09:00")
    assert "no callback time given" in b.new_touches[0].note


def test_rows_with_problems_or_work_in_progress_are_kept_not_absorbed(config):
    bad = due(None, done=True, key="k1", problems=("Result: 'maybe' is not one of: reached, ...",))
    noted = due(None, done=False, key="k2", note="will call after lunch")
    b = absorbed(config, [bad, noted])
    assert b.new_touches == []
    assert set(b.kept) == {"k1", "k2"}


def test_absorbing_twice_records_once(config):
    already = [touch("2026-11-06 15:00", step="d4", key="L-1/d4/2026-11-06", result=Result.NO_ANSWER)]
    assert absorbed(config, [due(Result.NO_ANSWER)], log=already).new_touches == []


def test_a_note_typed_after_the_row_was_logged_goes_to_that_log_row(config):
    # 15:00's run logged the call (no note yet) and left the row: Anna typed while it ran
    already = [touch("2026-11-06 15:00", step="d4", key="L-1/d4/2026-11-06", result=Result.NO_ANSWER, row=7)]
    b = absorbed(config, [due(Result.NO_ANSWER, note="try after 6 pm")], log=already)
    assert b.new_touches == []
    assert [(t.row, t.key, t.note) for t in b.log_notes] == [(7, "L-1/d4/2026-11-06", "try after 6 pm")]


def test_a_logged_note_is_kept_and_added_to_never_replaced(config):
    logged = [touch("2026-11-06 15:00", step="d4", key="L-1/d4/2026-11-06", result=Result.NO_ANSWER, note="voicemail")]
    same = absorbed(config, [due(Result.NO_ANSWER, note="voicemail")], log=logged)
    assert same.log_notes == []
    longer = absorbed(config, [due(Result.NO_ANSWER, note="voicemail, try after 6 pm")], log=logged)
    assert [t.note for t in longer.log_notes] == ["voicemail, try after 6 pm"]
    other = absorbed(config, [due(Result.NO_ANSWER, note="try after 6 pm")], log=logged)
    assert [t.note for t in other.log_notes] == ["voicemail; try after 6 pm"]


def test_a_result_logged_by_a_run_that_stopped_before_saving_the_lead_still_moves_the_lead_on(config):
    # Yesterday's run appended the Touch log row, then was killed while sending its emails: the
    # lead's row was never saved, and the ticked row is still on Due today.
    already = [touch("2026-11-05 15:00", step="d4", key="L-1/d4/2026-11-06", result=Result.PAID)]
    invoiced = lead(stage=Stage.INVOICE, invoice_at=at("2026-11-02 00:00"))
    b = absorbed(config, [due(Result.PAID)], leads=[invoiced], log=already)
    assert b.new_touches == []  # recorded once
    yesterday = at("2026-11-05 00:00")  # paid when it was recorded, not today
    assert [(f.column, f.value) for f in b.fills] == [
        ("Stage", Stage.WON),
        ("Paid at", yesterday),
        ("Last purchase at", yesterday),
    ]
    again = absorbed(config, [due(Result.PAID)], leads=b.leads, log=already)
    assert again.leads == b.leads  # made again, the effects change nothing


def test_a_result_changed_after_a_stopped_run_logged_the_row_is_a_touch_of_its_own(config):
    # 15:00: the call was logged as no answer, and the run stopped before saving the rest; the row
    # is still on Due today. Anna called again, got through and changed its Result to meeting.
    already = [touch("2026-11-05 15:00", step="d4", key="L-1/d4/2026-11-06", result=Result.NO_ANSWER)]
    b = absorbed(config, [due(Result.MEETING)], leads=[lead(stage=Stage.CONTACTED)], log=already)
    assert [(t.result, t.key) for t in b.new_touches] == [(Result.MEETING, "L-1/d4/2026-11-06")]
    assert b.leads[0].stage is Stage.MEETING


def test_a_result_for_a_lead_whose_row_cannot_be_read_stays_on_due_today_unrecorded(config):
    # L-1's row was left alone this run (a typo in its Stage): no lead L-1 to move on
    b = absorbed(config, [due(Result.PAID)], leads=[lead(id="L-2")])
    assert (b.new_touches, b.fills) == ([], [])
    (kept,) = b.kept.values()
    assert kept.result is Result.PAID and kept.problems[0].key == "lead_unreadable"
