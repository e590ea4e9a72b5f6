"""What the Touch log adds to the numbers, in one pass: touches per window (warm or closing, done
on their due day or late), the funnel steps results prove, and the touches each client had up to
their first purchase."""

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


WARM, CLOSING = 1, 2


def _kind(step: str, config: Config) -> Kind | None:
    found = touchpoint_for(step, config)
    return found[0].kind if found else None


def due_day(key: str) -> date | None:
    """'L-1/d4/2026-11-06' -> the day the touch was due (keys end with it); None for hand-made rows."""
    if len(key) < 12 or key[-11] != "/":
        return None
    try:
        return date.fromisoformat(key[-10:])
    except ValueError:
        return None


def count_touches(log: Iterable[Touch], base: Base, windows: Windows, config: Config) -> Counter[str]:
    """Tally every touch done or sent; return, per client, the touches up to their first purchase.

    The log is the largest thing the KPI reads, so each row is looked at once and only counted
    (per day, manager, kind and timeliness); the windows add those counts up afterwards."""
    before_purchase: Counter[str] = Counter()
    counted: dict[tuple[date, str, int, bool | None], int] = {}  # (day, manager, kind, on its day) -> touches
    touched: dict[date, set[str]] = {}
    kinds: dict[str, Kind | None] = {}  # a row typed without a Kind: its step says it
    dues: dict[str, date | None] = {}  # the few days touches fall due on, read once each
    done, sent, warm, closing = Status.DONE, Status.SENT, Kind.WARM, Kind.CLOSING
    reach, first_purchase, manager_of = base.reach, base.first_purchase, base.manager_of
    since = datetime.combine(windows.first, time(), tzinfo=config.tz)
    for touch in log:
        status = touch.status
        if status is not done and status is not sent:
            continue
        lead_id, at = touch.lead_id, touch.at
        if touch.result is not None and lead_id in reach:
            reach[lead_id] = max(reach[lead_id], RESULT_STEP.get(touch.result, 0))
        first = first_purchase.get(lead_id)
        if first is not None and at.date() <= first:
            before_purchase[lead_id] += 1
        if at < since:
            continue
        day = at.date()
        due = None
        if status is done and touch.key:
            suffix = touch.key[-11:]  # "/2026-11-06": keys end with the day the touch was due
            due = dues[suffix] if suffix in dues else dues.setdefault(suffix, due_day(touch.key))
        kind = touch.kind
        if kind is None and touch.step:
            kind = kinds[touch.step] if touch.step in kinds else kinds.setdefault(touch.step, _kind(touch.step, config))
        manager = touch.manager or manager_of.get(lead_id, UNASSIGNED)
        kind_code = WARM if kind is warm else CLOSING if kind is closing else 0  # an enum hashes slowly
        count = (day, manager, kind_code, None if due is None else day <= due)
        counted[count] = counted.get(count, 0) + 1
        leads = touched.get(day)
        if leads is None:
            leads = touched[day] = set()
        leads.add(lead_id)
    for (day, manager, kind, on_time), count in counted.items():
        for tally in windows.of(day, manager):
            tally.touches += count
            if kind == WARM:
                tally.warm += count
            elif kind == CLOSING:
                tally.closing += count
            if on_time is not None:
                tally.due_days += count
                tally.on_due_day += count if on_time else 0
    for day, leads in touched.items():
        for tally in windows.days.get(day, ()):
            tally.touched |= leads
    return before_purchase
