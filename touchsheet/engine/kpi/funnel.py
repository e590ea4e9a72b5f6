"""The funnel (R13; seed 000, "the weakest link"): how many leads reached each step, the conversion
of every step from the one before, and the weakest step."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from touchsheet.engine.kpi.model import Table
from touchsheet.engine.model import FUNNEL, Stage


@dataclass(frozen=True)
class WeakestStep:
    start: Stage
    end: Stage
    conversion: float


def funnel(reach: Iterable[int]) -> tuple[Table, WeakestStep | None]:
    """`reach`: each lead's furthest step, as an index in FUNNEL. A lead that reached a step
    passed every step before it."""
    furthest = [0] * len(FUNNEL)
    for step in reach:
        furthest[step] += 1
    reached = [sum(furthest[i:]) for i in range(len(FUNNEL))]
    rows = []
    weakest: WeakestStep | None = None
    for i, stage in enumerate(FUNNEL):
        conversion = reached[i] / reached[i - 1] if i and reached[i - 1] else None
        rows.append((stage, reached[i], conversion))
        if conversion is not None and (weakest is None or conversion < weakest.conversion):
            weakest = WeakestStep(FUNNEL[i - 1], stage, conversion)
    table = Table("funnel", ("stage", "reached", "conversion"), ("text", "count", "percent"), tuple(rows))
    return table, weakest
