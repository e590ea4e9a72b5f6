"""`python -m touchsheet run`: a worker that syncs on its own for months.

The `schedule` library ticks; each tick asks `due(now)` whether a sync is due: every few minutes in
working hours, less often at night and at weekends, and once a day at `kpi_at` so the KPI tab is
fresh before the team starts. A sync that raises is logged and the next tick runs as usual
(`schedule` alone would stop rescheduling a job that raised). `schedule` times its ticks by the
host's wall clock, which goes back an hour one night a year on a host with summer time: the loop
then ticks at once and goes on from there (`schedule` alone would wait that hour). Stopping
(SIGTERM, Ctrl-C) lets the email in flight finish, writes what the run did, and exits; a call to
Google Sheets waiting to be tried again gives up at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schedule

from touchsheet.config import Config
from touchsheet.errors import TouchsheetError

logger = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        config: Config,
        sync: Callable[[datetime], Any],
        clock: Callable[[], datetime],
        stop: threading.Event,
        tick_seconds: float = 30,
    ) -> None:
        self.config, self.sync, self.clock, self.stop = config, sync, clock, stop
        self.tick_seconds = tick_seconds
        self.last: datetime | None = None
        self.daily_done: date | None = None

    def due(self, now: datetime) -> str:
        """Why a sync is due at `now` ("" when none is)."""
        worker, local = self.config.worker, now.astimezone(self.config.tz)
        if self.daily_done != local.date() and local.time() >= worker.kpi_at:
            return "daily"
        if self.last is None:
            return "start"
        working = self.config.calendar.is_open(now)
        every = worker.every_minutes if working else worker.off_hours_every_minutes
        # in UTC: two times in one zone subtract as wall clocks, and the night the clocks go back lasts an hour longer
        if now.astimezone(UTC) - self.last.astimezone(UTC) >= timedelta(minutes=every):
            return "every" if working else "off hours"
        return ""

    def tick(self) -> None:
        now = self.clock()
        reason = self.due(now)
        if not reason:
            return
        local = now.astimezone(self.config.tz)
        self.last = now
        if local.time() >= self.config.worker.kpi_at:
            self.daily_done = local.date()
        logger.info("sync (%s) at %s", reason, local.isoformat(timespec="seconds"))
        try:
            self.sync(now)
        except TouchsheetError as e:  # a failed run must not stop the worker: the next tick tries again
            logger.error("the sync failed: %s; the worker goes on", e)
        except Exception:
            logger.exception("the sync failed; the worker goes on")

    def run(self) -> None:
        """Tick until `stop` is set; returns within a second of it (after a sync in progress ends)."""
        scheduler = schedule.Scheduler()
        scheduler.every(self.tick_seconds).seconds.do(self.tick)
        logger.info("worker started: a sync every %g minutes in working hours", self.config.worker.every_minutes)
        self.tick()
        while not self.stop.is_set():
            scheduler.run_pending()
            if (scheduler.idle_seconds or 0) > self.tick_seconds:  # the host's wall clock went back: tick now
                scheduler.run_all()
            self.stop.wait(timeout=min(max(scheduler.idle_seconds or 0, 0.05), 1.0))
        logger.info("worker stopped")
