"""The sales head's table (R14): per manager, the leads they hold, today's tasks, this month's
discipline (touches on their due day, first contacts within the deadline), clients and revenue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from touchsheet.engine.kpi.leads import Base
from touchsheet.engine.kpi.model import Table
from touchsheet.engine.kpi.tally import Windows, share
from touchsheet.engine.model import UNASSIGNED, Task

COLUMNS = (
    ("manager", "text"),
    ("open_leads", "count"),
    ("tasks_due", "count"),
    ("overdue", "count"),
    ("on_due_day", "percent"),
    ("first_contact_on_time", "percent"),
    ("new_clients", "count"),
    ("lead_to_client", "percent"),
    ("revenue", "money"),
)


def managers_table(names: Iterable[str], base: Base, tasks: Iterable[Task], windows: Windows) -> Table:
    """One row per manager: those in config.yaml and any other name the sheet uses, `(no manager)` last."""
    due: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for task in tasks:
        due[task.manager] += 1
        overdue[task.manager] += task.overdue
    everyone = set(names) | set(base.seats) | set(due) | set(windows.managers)
    rows = []
    for name in sorted(everyone, key=lambda n: (n == UNASSIGNED, n.casefold())):
        seat, month = base.seats.get(name), windows.manager(name)
        rows.append(
            (
                name,
                seat.open if seat else 0,
                due[name],
                overdue[name],
                share(month.on_due_day, month.due_days),
                share(month.on_time, month.judged),
                month.new_clients,
                share(seat.clients, seat.leads) if seat else None,
                month.revenue,
            )
        )
    columns, units = zip(*COLUMNS)
    return Table("managers", columns, units, tuple(rows))
