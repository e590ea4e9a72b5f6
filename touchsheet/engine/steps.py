"""Step names back to the configured touches: `d4`, `nurture-3`, `invoice+3@2026-11-20`, `birthday@2026`."""

from __future__ import annotations

import re

from touchsheet.config import Config, Touchpoint
from touchsheet.engine.cadence import FIRST_CONTACT, SALES
from touchsheet.engine.greetings import GREETING
from touchsheet.engine.reactivation import REACTIVATION
from touchsheet.engine.reminders import CALLBACK, INVOICE


def touchpoint_for(step: str, config: Config) -> tuple[Touchpoint, str] | None:
    """The configured touch a step name stands for, and its track; None for an unknown name."""
    name = step.split("@")[0]
    for calendar_step in config.cadence.calendar:
        if calendar_step.id == name:
            return calendar_step, SALES
    phase = re.fullmatch(r"(nurture|monthly)-(\d+)", name)
    if phase:
        steps = getattr(config.cadence, phase.group(1)).steps
        return steps[(int(phase.group(2)) - 1) % len(steps)], SALES
    reminder = next((r for r in config.invoices.reminders if r.id == name), None)
    if reminder:
        return reminder, INVOICE
    if re.fullmatch(r"invoice\+\d+", name):
        return config.invoices.then, INVOICE
    if name == FIRST_CONTACT:
        return config.first_contact, FIRST_CONTACT
    if name == CALLBACK:
        return config.callbacks, CALLBACK
    if re.fullmatch(r"reactivation(-\d+)?", name):
        return config.reactivation, REACTIVATION
    if name == "birthday" and config.greetings.birthday:
        return config.greetings.birthday, f"{GREETING}:birthday"
    holiday = next((h for h in config.greetings.holidays if h.name == name), None)
    return (holiday, f"{GREETING}:{name}") if holiday else None
