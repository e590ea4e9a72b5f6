"""Realistic bases for the benchmark: leads at every stage over two years, each with its touch log
(the calendar's emails sent, most manual touches done, results that fit the stage), invoices,
purchases, costs, and a bad row in every two hundred. Deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from touchsheet.config import Config
from touchsheet.engine.model import Channel, Result, Stage, Status
from touchsheet.schema import COSTS, LEADS, TOUCH_LOG, value_label

STAGES = [
    (Stage.CONTACTED, 25),
    (Stage.MEETING, 12),
    (Stage.PROPOSAL, 10),
    (Stage.INVOICE, 6),
    (Stage.WON, 27),
    (Stage.LOST, 16),
    (Stage.NEW, 4),
]
BAD = ["31.02.2026", "thinking", "broken@", "duplicate", ""]  # date, stage, email, ID, missing ID


@dataclass
class Base:
    leads: list[list[Any]]  # the header first
    log: list[list[Any]]
    costs: list[list[Any]]

    @property
    def cells(self) -> int:
        return sum(len(r) for r in self.leads) + sum(len(r) for r in self.log) + sum(len(r) for r in self.costs)


def generate(config: Config, now: datetime, leads: int, touches_per_lead: int = 5, seed: int = 1) -> Base:
    rng = random.Random(seed)
    steps = _steps(config)
    managers = list(config.managers) or ["Anna Smith"]
    local = now.astimezone(config.tz).replace(tzinfo=None)
    lead_rows: list[list[Any]] = [[c.name for c in LEADS.columns]]
    log_rows: list[list[Any]] = [[c.name for c in TOUCH_LOG.columns]]
    stages, weights = zip(*STAGES)
    for number in range(1, leads + 1):
        lead_id = f"L-{number:06d}"
        age = min(rng.expovariate(1 / 150), 720)
        created = (local - timedelta(days=age)).replace(second=0, microsecond=0)
        stage = rng.choices(stages, weights)[0] if age > 2 else Stage.NEW
        manager = managers[number % len(managers)]
        row = {
            "ID": lead_id,
            "Name": f"Lead{number} Petrov",
            "Email": f"lead{number}@example.com",
            "Phone": f"+7 9{number % 100:02d} {number % 1000:03d}-{number % 97:02d}-{number % 89:02d}",
            "Manager": manager,
            "Source": rng.choice(["website", "referral", "ads", "exhibition"]),
            "Created at": created,
            "Stage": value_label(stage, config.locale),
        }
        if rng.random() < 0.3:
            row["Birthday"] = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
        done = [
            (created + timedelta(days=day, hours=rng.randint(0, 8)), step, channel)
            for day, step, channel in steps
            if created + timedelta(days=day) < local
        ]
        for at, step, channel in done[-touches_per_lead:]:
            manual = channel is not Channel.EMAIL
            if manual and (stage is Stage.NEW or rng.random() < 0.1):
                continue  # nobody called: a missed touch
            result = rng.choice([Result.REACHED, Result.NO_ANSWER]) if manual else None
            status = Status.DONE if manual else Status.SENT
            log_rows.append(_touch(config, at, lead_id, channel, step, status, result, manager))
        if stage is Stage.INVOICE:
            row["Invoice at"] = (local - timedelta(days=rng.randint(0, 20))).date()
            row["Invoice amount"] = rng.choice([45000, 78000, 120000])
        if stage is Stage.WON:
            paid = created + timedelta(days=rng.randint(5, 40))
            paid = min(paid, local - timedelta(days=1))
            row["Invoice at"], row["Paid at"], row["Last purchase at"] = (
                (paid - timedelta(days=3)).date(),
                paid.date(),
                paid.date(),
            )
            row["Invoice amount"] = rng.choice([45000, 78000, 120000, 260000])
            log_rows.append(_touch(config, paid, lead_id, Channel.CALL, "", Status.DONE, Result.PAID, manager))
        if number % 200 == 0:
            _spoil(row, BAD[(number // 200) % len(BAD)], lead_rows)
        lead_rows.append([row.get(c.name) for c in LEADS.columns])
    return Base(lead_rows, log_rows, _costs(local, rng))


def _steps(config: Config) -> list[tuple[int, str, Channel]]:
    """(day, step, channel) of the whole cadence, calendar then weekly then monthly, for two years."""
    cadence = config.cadence
    found = [(s.day, s.id, s.channel) for s in cadence.calendar]
    start = cadence.calendar[-1].day
    nurture = cadence.nurture
    for k in range(1, (nurture.times or 0) + 1):
        found.append(
            (start + k * nurture.every_days, f"nurture-{k}", nurture.steps[(k - 1) % len(nurture.steps)].channel)
        )
    start += nurture.every_days * (nurture.times or 0)
    monthly = cadence.monthly
    for k in range(1, 730 // monthly.every_days + 1):
        found.append(
            (start + k * monthly.every_days, f"monthly-{k}", monthly.steps[(k - 1) % len(monthly.steps)].channel)
        )
    return found


def _touch(
    config: Config,
    at: datetime,
    lead_id: str,
    channel: Channel,
    step: str,
    status: Status,
    result: Result | None,
    manager: str,
) -> list[Any]:
    label = config.locale
    key = f"{lead_id}/{step}/{at.date().isoformat()}" if step else ""
    values = {
        "At": at.replace(second=0, microsecond=0),
        "Lead ID": lead_id,
        "Channel": value_label(channel, label),
        "Step": step,
        "Status": value_label(status, label),
        "Result": value_label(result, label) if result else None,
        "Manager": manager,
        "Key": key or None,
    }
    return [values.get(c.name) for c in TOUCH_LOG.columns]


def _spoil(row: dict[str, Any], defect: str, previous: list[list[Any]]) -> None:
    if defect == "31.02.2026":
        row["Created at"] = defect
    elif defect == "thinking":
        row["Stage"] = defect
    elif defect == "broken@":
        row["Email"] = defect
    elif defect == "duplicate":
        row["ID"] = previous[-1][0]
    else:
        row["ID"] = None


def _costs(now: datetime, rng: random.Random) -> list[list[Any]]:
    rows: list[list[Any]] = [[c.name for c in COSTS.columns]]
    month = date(now.year, now.month, 1)
    for _ in range(24):
        for category, amount in (("ads", 180000), ("salaries", 450000), ("telephony", 12000)):
            rows.append([month, category, round(amount * rng.uniform(0.85, 1.15))])
        month = (month - timedelta(days=1)).replace(day=1)
    return rows
