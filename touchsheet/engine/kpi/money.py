"""What a lead and a client cost (R13, seed 004): everything spent in a month (the Costs tab),
divided by the leads that came in and the clients who first bought in the same months."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from touchsheet.engine.model import Cost


@dataclass(frozen=True)
class Spend:
    total: float  # over every month on the Costs tab
    per_lead: float | None
    per_client: float | None


def monthly(costs: Iterable[Cost]) -> Counter[date]:
    spent: Counter[date] = Counter()
    for cost in costs:
        spent[cost.month] += cost.amount
    return spent


def spend(spent: Counter[date], leads_by_month: Counter[date], clients_by_month: Counter[date]) -> Spend:
    """Costs over the months the Costs tab covers, per lead and per new client of those months."""
    total = sum(spent.values())
    leads = sum(leads_by_month[month] for month in spent)
    clients = sum(clients_by_month[month] for month in spent)
    return Spend(total, total / leads if leads else None, total / clients if clients else None)
