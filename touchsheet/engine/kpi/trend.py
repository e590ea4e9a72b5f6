"""The weekly trend the charts draw: leads in, discipline and new clients, week by week."""

from __future__ import annotations

from touchsheet.engine.kpi.model import Table
from touchsheet.engine.kpi.tally import Windows, share

COLUMNS = (
    ("week", "date"),
    ("leads_in", "count"),
    ("new_clients", "count"),
    ("first_contact_on_time", "percent"),
    ("on_due_day", "percent"),
    ("revenue", "money"),
)


def trend_table(windows: Windows) -> Table:
    rows = tuple(
        (
            monday,
            tally.leads_in,
            tally.new_clients,
            share(tally.on_time, tally.judged),
            share(tally.on_due_day, tally.due_days),
            tally.revenue,
        )
        for monday, tally in zip(windows.weeks, windows.week_tallies)
    )
    columns, units = zip(*COLUMNS)
    return Table("trend", columns, units, rows)
