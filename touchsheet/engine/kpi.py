"""The owner's numbers (R13, R14), computed from the leads, the touch log and today's plan.

Each figure carries its one-line definition; sheets_schema.md lists the same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from touchsheet.config import Config
from touchsheet.engine.cadence import first_contact_deadline
from touchsheet.engine.history import History
from touchsheet.engine.model import Stage

if TYPE_CHECKING:
    from touchsheet.engine.model import LeadStatus, Task
    from touchsheet.engine.parse import Book


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: not enough data yet
    unit: str  # count | percent | money | days | minutes
    definition: str


@dataclass(frozen=True)
class KpiTable:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Kpi:
    as_of: datetime
    figures: tuple[Figure, ...]
    tables: tuple[KpiTable, ...]


def compute_kpi(
    book: Book, found: dict[str, History], tasks: list[Task], statuses: list[LeadStatus], config: Config, now: datetime
) -> Kpi:
    leads = book.leads
    judged = on_time = 0
    for lead in leads:
        deadline = first_contact_deadline(lead, config)
        touched = found[lead.id].first_manual_at if lead.id in found else None
        if touched is None and (lead.stage is not Stage.NEW or now <= deadline):
            continue  # contacted before touchsheet knew, or still within its deadline
        judged += 1
        on_time += touched is not None and touched <= deadline
    figures = (
        Figure("Leads", len(leads), "count", "Rows on Leads with a readable ID, Created at and Stage."),
        Figure(
            "First contact within deadline",
            on_time / judged if judged else None,
            "percent",
            f"Share of leads past their {config.first_contact.deadline_minutes}-working-minute deadline "
            "(or touched) whose first manual touch came within it.",
        ),
        Figure("Tasks due today", len(tasks), "count", "Rows on Due today: manual touches owed by the end of today."),
        Figure("Overdue tasks", sum(t.overdue for t in tasks), "count", "Due today rows past their deadline."),
        Figure(
            "Forgotten leads",
            sum(any(f.startswith("forgotten") for f in s.flags) for s in statuses),
            "count",
            f"Leads with a manual touch overdue for {config.forgotten_after_days}+ days.",
        ),
    )
    stages = KpiTable(
        "Stages",
        ("Stage", "Leads"),
        tuple((stage, sum(lead.stage is stage for lead in leads)) for stage in Stage),
    )
    return Kpi(now, figures, (stages,))
