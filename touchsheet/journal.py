"""A local record of each email's hand-over, to settle `pending` touches a dead run left behind.

The Touch log says `pending` before any email of a run goes out. The journal says, per message,
"about to hand it over" (flushed to disk first) and then what the server answered. So the next
run knows: handed over and accepted (`sent`), refused (`failed`), never handed over (`retry`: it is
sent now), or handed over with no answer (`unconfirmed`: a person decides). A pending touch the
journal knows nothing about (another host's run, a lost journal) is `unconfirmed`: never resent.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from touchsheet.engine.model import Status
from touchsheet.words import Message

KEEP = timedelta(days=30)
OUTCOMES = {"sent": Status.SENT, "failed": Status.FAILED, "retry": Status.RETRY, "unconfirmed": Status.UNCONFIRMED}


@dataclass(frozen=True)
class Settled:
    status: Status
    note: str  # as the Touch log said it when the run kept it (in the sheet's words), or a Message of its own


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def claim(self, run: str, keys: list[str], now: datetime) -> None:
        """Before the pending rows are written: this run is about to send these keys."""
        self._append({"at": now.isoformat(), "run": run, "event": "claim", "keys": keys})

    def handing(self, run: str, key: str) -> None:
        self._append({"run": run, "event": "handing", "key": key})

    def outcome(self, run: str, key: str, status: Status, note: str) -> None:
        self._append({"run": run, "event": status.value, "key": key, "note": note})

    def settle(self, keys: list[str]) -> dict[str, Settled]:
        """What became of each pending key, from the last run that claimed it."""
        claims = self._last_claims()
        found = {}
        for key in keys:
            if key in claims:
                found[key] = _outcome(claims[key][1])
            else:
                found[key] = Settled(Status.UNCONFIRMED, Message("unconfirmed", reason=Message("stopped_unrecorded")))
        return found

    def handed_over(self, keys: list[str]) -> dict[str, tuple[datetime, Settled]]:
        """The keys an earlier run of this host handed to the mail server (sent, refused, or with
        no answer), with when that run began and what became of each: never to be handed over
        again, whatever the Touch log says now (its row lost to an old copy saved over the
        workbook, or made unreadable)."""
        claims = self._last_claims()
        found = {key: (claims[key][0], _outcome(claims[key][1])) for key in keys if key in claims}
        return {key: (at, settled) for key, (at, settled) in found.items() if settled.status is not Status.RETRY}

    def _last_claims(self) -> dict[str, tuple[datetime, list[dict]]]:
        """Each key's last claim: when that run began, and its records of the key (none: that run
        never handed it over)."""
        claimed_by: dict[str, dict] = {}
        events: dict[tuple[str, str], list[dict]] = {}
        for record in self._read():
            if record["event"] == "claim":
                claimed_by.update(dict.fromkeys(record["keys"], record))
            else:
                events.setdefault((record["run"], record["key"]), []).append(record)
        return {
            key: (datetime.fromisoformat(claim["at"]), events.get((claim["run"], key), []))
            for key, claim in claimed_by.items()
        }

    def prune(self, now: datetime) -> None:
        """Forget runs older than a month (rewritten atomically; a run's records stay together)."""
        records = self._read()
        old = {r["run"] for r in records if r["event"] == "claim" and datetime.fromisoformat(r["at"]) < now - KEEP}
        if not old:
            return
        kept = [r for r in records if r["run"] not in old]
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
        os.replace(temporary, self.path)

    def _append(self, record: dict) -> None:
        line = json.dumps(record) + "\n"
        with open(self.path, "ab+") as f:
            if f.seek(0, os.SEEK_END):
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    line = "\n" + line  # after a line a crash cut short: on the same line, this record is lost too
            f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())  # on disk before the message goes out, even if the power does

    def _read(self) -> list[dict]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: the run it belonged to stays unconfirmed
        return records


def _outcome(seen: list[dict]) -> Settled:
    """What became of a key, from its records in the run that last claimed it."""
    final = [r for r in seen if r["event"] in OUTCOMES]
    if final:
        return Settled(OUTCOMES[final[-1]["event"]], final[-1].get("note", ""))
    if seen:
        return Settled(Status.UNCONFIRMED, Message("unconfirmed", reason=Message("stopped_handing")))
    return Settled(Status.RETRY, Message("not_sent", reason=Message("stopped_before")))
