"""What the Touch log adds to the numbers: touches per window (warm or closing, done on their due
day or late), the leads they went to, the funnel steps results prove, and the touches clients had
up to their first purchase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time

from touchsheet.config import Config
from touchsheet.engine.kpi.leads import Base
from touchsheet.engine.kpi.tally import Windows
from touchsheet.engine.model import FUNNEL, UNASSIGNED, Kind, Result, Stage, Status, Touch
from touchsheet.engine.steps import touchpoint_for

# The furthest funnel step a result proves the lead reached (a refusal still means they talked).
RESULT_STEP = {
    Result.REACHED: FUNNEL.index(Stage.CONTACTED),
    Result.CALLBACK: FUNNEL.index(Stage.CONTACTED),
    Result.REFUSED: FUNNEL.index(Stage.CONTACTED),
    Result.MEETING: FUNNEL.index(Stage.MEETING),
    Result.INVOICE: FUNNEL.index(Stage.INVOICE),
    Result.PAID: FUNNEL.index(Stage.WON),
}


def _kind(step: str, config: Config) -> Kind | None:
    found = touchpoint_for(step, config) if step else None
    return found[0].kind if found else None


def due_day(key: str) -> date | None:
    """'L-1/d4/2026-11-06' -> the day the touch was due (keys end with it); None for hand-made rows."""
    if len(key) < 12 or key[-11] != "/":
        return None
    try:
        return date.fromisoformat(key[-10:])
    except ValueError:
        return None


def count_touches(log: Iterable[Touch], base: Base, windows: Windows, config: Config) -> int:
    """Tally every touch done or sent, and the meetings; return how many touches clients had up to
    their first purchase.

    The log is the largest thing the KPI reads, so it is read in list comprehensions, and what
    depends only on a touch's day, manager, kind or due day is worked out once per distinct value.
    Days are ordinals here: ints hash and compare much faster than dates."""
    done, sent = Status.DONE, Status.SENT
    counting = [touch for touch in log if touch.status is done or touch.status is sent]
    before_purchase, meetings = _whole_log(counting, base)
    since = datetime.combine(windows.first, time(), tzinfo=config.tz)
    recent = [touch for touch in counting if touch.at >= since]
    days = [touch.at.toordinal() for touch in recent]  # the day in the touch's own time, as at.date()
    _tally(recent, days, base.manager_of, windows, config)
    for touch in meetings:
        for tally in windows.of(touch.at.date(), touch.manager or base.manager_of.get(touch.lead_id, UNASSIGNED)):
            tally.meetings += 1
    leads = [touch.lead_id for touch in recent]
    for window, tally in zip(windows.columns, windows.column_tallies):
        start, end = window.start.toordinal(), window.end.toordinal()
        tally.touched = {lead for lead, day in zip(leads, days) if start <= day < end}
    return before_purchase


def _tally(recent: list[Touch], days: list[int], manager_of: dict[str, str], windows: Windows, config: Config) -> None:
    """Touches (warm, closing, due that day) per window and manager: a Counter adds up the touches
    alike (same day, manager, kind or step, due day), then each group is counted into its windows."""
    done = Status.DONE
    managers = [touch.manager or manager_of.get(touch.lead_id, UNASSIGNED) for touch in recent]
    kinds_or_steps = [touch.kind or touch.step for touch in recent]  # a row typed without a Kind: its step says it
    dues = [touch.key[-12:] if touch.status is done else "" for touch in recent]  # keys end with the day it was due
    alike = Counter(zip(days, managers, kinds_or_steps, dues))
    kind_of = {k: k if isinstance(k, Kind) else _kind(k, config) for _, _, k, _ in alike}
    due_of = {key: due_day(key) for _, _, _, key in alike}
    for (ordinal, manager, kind_or_step, due_key), count in alike.items():
        kind, due, day = kind_of[kind_or_step], due_of[due_key], date.fromordinal(ordinal)
        for tally in windows.of(day, manager):
            tally.touches += count
            if kind is Kind.WARM:
                tally.warm += count
            elif kind is Kind.CLOSING:
                tally.closing += count
            if due is not None:
                tally.due_days += count
                tally.on_due_day += count if day <= due else 0


def _whole_log(touches: list[Touch], base: Base) -> tuple[int, list[Touch]]:
    """The funnel steps results prove (a lead's stage may say less); returns the touches clients had
    up to the day of their first purchase, whenever they were made, and the meetings (found among the
    few touches with a result: a pass of their own over the log would cost a thirtieth of the KPI)."""
    reach, first_purchase, meeting = base.reach, base.first_purchase, Result.MEETING
    before_purchase, meetings = 0, []
    for touch in touches:
        lead_id, result = touch.lead_id, touch.result
        if result is not None:
            if result is meeting:
                meetings.append(touch)
            if lead_id in reach and RESULT_STEP.get(result, 0) > reach[lead_id]:
                reach[lead_id] = RESULT_STEP[result]
        if lead_id in first_purchase and touch.at.date() <= first_purchase[lead_id]:
            before_purchase += 1
    return before_purchase, meetings
