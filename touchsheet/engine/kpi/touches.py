"""What the Touch log adds to the numbers, in one pass: touches per window (warm or closing, done
on their due day or late), the funnel steps results prove, and the touches each client had up to
their first purchase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

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
    """Tally every touch done or sent; return, per client, the touches up to their first purchase."""
    before_purchase: Counter[str] = Counter()
    kinds: dict[str, Kind | None] = {}  # a row typed without a Kind: its step says it
    done, sent, warm, closing = Status.DONE, Status.SENT, Kind.WARM, Kind.CLOSING
    reach, first_purchase, manager_of = base.reach, base.first_purchase, base.manager_of
    for touch in log:
        status = touch.status
        if status is not done and status is not sent:
            continue
        lead_id, day = touch.lead_id, touch.at.date()
        if touch.result is not None and lead_id in reach:
            reach[lead_id] = max(reach[lead_id], RESULT_STEP.get(touch.result, 0))
        first = first_purchase.get(lead_id)
        if first is not None and day <= first:
            before_purchase[lead_id] += 1
        tallies = windows.of(day, touch.manager or manager_of.get(lead_id, UNASSIGNED))
        if not tallies:
            continue
        due = due_day(touch.key) if status is done else None
        kind = touch.kind
        if kind is None and touch.step:
            kind = kinds[touch.step] if touch.step in kinds else kinds.setdefault(touch.step, _kind(touch.step, config))
        for tally in tallies:
            tally.touches += 1
            tally.touched.add(lead_id)
            if kind is warm:
                tally.warm += 1
            elif kind is closing:
                tally.closing += 1
            if due is not None:
                tally.due_days += 1
                tally.on_due_day += day <= due
    return before_purchase
