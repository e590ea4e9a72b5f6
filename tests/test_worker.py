"""The worker that runs itself: on time, through failures, stopping cleanly, never two at once."""

from __future__ import annotations

import datetime as datetime_module
import email
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from datetime import UTC, datetime, timedelta

import pytest
import schedule
from click.testing import CliRunner

from tests.builders import at
from tests.conftest import EVERY_DAY, ROOT, read_only
from tests.sheets.fixtures import XlsxSheet
from touchsheet.cli import cli
from touchsheet.errors import SheetError
from touchsheet.worker import Worker


class Clock:
    def __init__(self, start: str) -> None:
        self.now = at(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


def worker(config, sync, clock):
    return Worker(config, sync, clock, threading.Event())


def test_syncs_every_ten_minutes_in_working_hours_hourly_outside_and_each_morning(config):
    clock, runs = Clock("2026-11-02 06:00"), []  # Monday, before work
    w = worker(config, lambda now: runs.append(now), clock)
    for _ in range(24 * 60):  # a whole day, a tick a minute
        w.tick()
        clock.advance(1)
    hours = [r.strftime("%H:%M") for r in runs]
    assert hours[:3] == ["06:00", "07:00", "08:00"]  # at start, the daily KPI run at 07:00, hourly at night
    assert hours[3:6] == ["09:00", "09:10", "09:20"]  # the office opens
    assert hours.count("17:50") == 1 and "18:00" not in hours and "18:50" in hours
    in_hours = [h for h in hours if "09:00" <= h < "18:00"]
    assert len(in_hours) == 54  # every 10 minutes, 9 hours
    assert len(runs) == 3 + 54 + 12  # 18:50, 19:50 ... 05:50 the next morning, hourly


def test_a_day_off_gets_the_morning_run_and_hourly_syncs(config):
    clock, runs = Clock("2026-11-07 00:30"), []  # Saturday
    w = worker(config, lambda now: runs.append(now), clock)
    for _ in range(24 * 60):
        w.tick()
        clock.advance(1)
    assert [r.strftime("%H:%M") for r in runs][:3] == ["00:30", "01:30", "02:30"]
    assert any(r.strftime("%H:%M") == "07:00" for r in runs)
    assert len(runs) == 25  # 00:30 ... 06:30, the 07:00 morning run, 08:00 ... 23:00, Sunday 00:00


def test_the_night_the_clocks_go_back_still_gets_a_sync_every_hour(make_config):
    # Berlin, Sunday 25 October 2026: at 03:00 summer time (01:00 UTC) the clocks go back to 02:00
    config = make_config(timezone="Europe/Berlin")
    moment, runs = datetime(2026, 10, 24, 22, 0, tzinfo=UTC), []  # midnight in Berlin
    w = worker(config, lambda now: runs.append(now), lambda: moment.astimezone(config.tz))
    for _ in range(5 * 60):  # five real hours, a tick a minute
        w.tick()
        moment += timedelta(minutes=1)
    # hourly in real time: 02:00 comes twice on the wall clock, once in summer time and once in winter time
    assert [f"{r.astimezone(UTC):%H:%M}" for r in runs] == ["22:00", "23:00", "00:00", "01:00", "02:00"]


def test_a_sync_that_raises_does_not_stop_the_worker(config, caplog):
    clock, runs = Clock("2026-11-02 10:00"), []

    def flaky(now):
        runs.append(now)
        if len(runs) <= 2:
            raise SheetError("Google Sheets answered 503") if len(runs) == 1 else RuntimeError("a bug")

    w = worker(config, flaky, clock)
    for _ in range(35):
        w.tick()
        clock.advance(1)
    assert [r.strftime("%H:%M") for r in runs] == ["10:00", "10:10", "10:20", "10:30"]
    assert "the sync failed: Google Sheets answered 503; the worker goes on" in caplog.text


def test_the_loop_ticks_on_time_and_stops_within_a_second(every_day):
    config = every_day
    runs: list[datetime] = []
    stop = threading.Event()
    quick = config.model_copy(update={"worker": config.worker.model_copy(update={"every_minutes": 0.2 / 60})})
    w = Worker(
        quick, lambda now: runs.append(now), lambda: datetime.now(config.tz).replace(hour=10), stop, tick_seconds=0.05
    )
    loop = threading.Thread(target=w.run)
    loop.start()
    time.sleep(1.1)
    stop.set()
    started = time.monotonic()
    loop.join(2)
    assert not loop.is_alive() and time.monotonic() - started < 1.0
    assert 4 <= len(runs) <= 7  # every 0.2 s for a second, the first at start


def test_the_loop_goes_on_ticking_when_the_hosts_wall_clock_goes_back_an_hour(every_day, monkeypatch):
    """A host in a zone with summer time (Europe/Berlin, say) sees 03:00 become 02:00 again one night
    a year. `schedule` reads that wall clock; the business may be at work then (10:00 in Moscow)."""

    class WallClock(datetime):
        back = timedelta(0)

        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) - cls.back

    host_clock = types.ModuleType("datetime")
    host_clock.__dict__.update(vars(datetime_module), datetime=WallClock)
    monkeypatch.setattr(schedule, "datetime", host_clock)  # what `schedule` reads
    runs: list[datetime] = []
    stop = threading.Event()
    quick = every_day.model_copy(update={"worker": every_day.worker.model_copy(update={"every_minutes": 0.1 / 60})})
    clock = lambda: datetime.now(every_day.tz).replace(hour=10)  # noqa: E731 - always in working hours
    loop = threading.Thread(target=Worker(quick, runs.append, clock, stop, tick_seconds=0.05).run)
    loop.start()
    time.sleep(0.5)
    WallClock.back = timedelta(hours=1)
    before = len(runs)
    time.sleep(1.0)
    stop.set()
    loop.join(2)
    assert len(runs) - before >= 5  # a sync every 0.1 s goes on (none for an hour, before)


@pytest.mark.parametrize("minutes, said", [(10, "every 10 minutes"), (2.5, "every 2.5 minutes")])
def test_the_worker_says_how_often_it_syncs_as_config_yaml_says_it(make_config, caplog, minutes, said):
    config = make_config(worker={"every_minutes": minutes})
    stop = threading.Event()

    def sync(now):
        stop.set()  # one sync, then stop

    caplog.set_level("INFO", logger="touchsheet.worker")
    Worker(config, sync, Clock("2026-11-02 10:00"), stop).run()
    assert f"worker started: a sync {said} in working hours" in caplog.messages


# Whole processes: SIGTERM mid-batch, five at once, kill -9.


def _cli(config_path, *args, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "touchsheet", *args, "--config", str(config_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


@pytest.mark.slow
@pytest.mark.server
def test_sigterm_mid_batch_finishes_the_email_in_flight_and_leaves_nothing_pending(make_config, tmp_path):
    from tests.mail.server import PASSWORD, USER, SmtpServer

    with SmtpServer() as server:
        server.recorder.delay = 0.25  # a slow server: the batch takes seconds
        config = make_config(
            timezone=_zone_where_it_is_noon(),  # the worker reads the real clock: keep it in working hours
            working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            holidays={"country": None},
            mail={
                "transport": "smtp",
                "smtp": {
                    "host": "127.0.0.1",
                    "port": server.port,
                    "security": "none",
                    "user": USER,
                    "password_env": "TEST_SMTP",
                },
            },
        )
        sheet = XlsxSheet(config)
        sheet.init()
        today = datetime.now(config.tz).replace(tzinfo=None, second=0, microsecond=0)
        sheet.put_rows(
            "Leads",
            [
                {
                    "ID": f"L-{n}",
                    "Name": f"Lead{n} X",
                    "Email": f"lead{n}@example.com",
                    "Created at": today - timedelta(minutes=n),
                }
                for n in range(1, 21)
            ],
        )
        env = {**os.environ, "TEST_SMTP": PASSWORD}
        process = _cli(config.base_dir / "config.yaml", "run", env=env)
        deadline = time.monotonic() + 30
        while len(server.recorder.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
        assert process.returncode == 0, output
        sent_before = len(server.recorder.received)
        assert 3 <= sent_before < 20
        statuses = [r["Status"] for r in sheet.rows("Touch log")]
        assert "pending" not in statuses
        assert statuses.count("sent") == sent_before and statuses.count("retry") == 20 - sent_before
        assert "the worker was stopped" in next(r["Note"] for r in sheet.rows("Touch log") if r["Status"] == "retry")
        server.recorder.delay = 0
        again = CliRunner(env=env).invoke(cli, ["sync", "--config", str(config.base_dir / "config.yaml")])
        assert again.exit_code == 0, again.output
        keys = [r.key for r in server.recorder.received]
        assert len(keys) == 20 == len(set(keys))  # the rest went out, nothing twice


def _zone_where_it_is_noon() -> str:
    """A fixed-offset zone whose local time is now between 11:30 and 12:30."""
    offset = 12 - round(datetime.now(UTC).hour + datetime.now(UTC).minute / 60)
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"  # Etc/GMT-3 is three hours ahead of UTC


@pytest.mark.slow
@pytest.mark.server
def test_five_runs_at_once_twenty_times_exactly_one_works(make_config, monkeypatch):
    from tests.mail.server import PASSWORD, USER, SmtpServer

    with SmtpServer() as server:
        server.recorder.delay = 1.0  # the working run holds the lock for a second: the others surely meet it
        config = make_config(
            working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            holidays={"country": None},
            mail={
                "transport": "smtp",
                "smtp": {"host": "127.0.0.1", "port": server.port, "security": "none", "user": USER},
            },
        )
        monkeypatch.setenv("TOUCHSHEET_SMTP_PASSWORD", PASSWORD)  # the forked runs inherit it
        _five_at_once_twenty_times(config)
        assert len(server.recorder.keys()) == 20 == len(set(server.recorder.keys()))


def _five_at_once_twenty_times(config):
    sheet = XlsxSheet(config)
    sheet.init()
    config_path = config.base_dir / "config.yaml"
    for round_ in range(20):
        sheet.put_rows(
            "Leads",
            [
                {
                    "ID": f"L-{round_}",
                    "Name": f"Lead{round_} X",
                    "Email": f"l{round_}@example.com",
                    "Created at": datetime(2026, 11, 2, 10, 0),
                }
            ],
        )
        start = multiprocessing.get_context("fork").Barrier(5)
        queue = multiprocessing.get_context("fork").Queue()
        workers = [
            multiprocessing.get_context("fork").Process(target=_one_run, args=(config_path, start, queue))
            for _ in range(5)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        results = [queue.get(timeout=5) for _ in workers]
        assert sorted(code for code, _ in results) == [0, 0, 0, 0, 0]
        worked = [out for _, out in results if "emails sent:" in out]
        stopped = [out for _, out in results if "this run stops here" in out]
        assert (len(worked), len(stopped)) == (1, 4), results
    log = sheet.rows("Touch log")
    assert len(log) == 20 == len({r["Key"] for r in log})  # one d0 email per lead, none twice


def _one_run(config_path, start, queue):
    start.wait()
    result = CliRunner().invoke(cli, ["sync", "--config", str(config_path), "--now", "2026-11-02T10:05"])
    queue.put((result.exit_code, result.output))


@pytest.mark.slow
def test_a_lock_left_by_kill_9_is_taken_over_by_the_next_run(every_day):
    sheet = XlsxSheet(every_day)
    sheet.init()
    config_path = every_day.base_dir / "config.yaml"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom touchsheet import config, lock\n"
            f"c = config.load({str(config_path)!r})\n"
            "with lock.run_lock(c):\n print('held', flush=True)\n time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    busy = CliRunner().invoke(cli, ["sync", "--config", str(config_path)])
    assert busy.exit_code == 0 and "another touchsheet run is working on this sheet: this run stops here" in busy.output
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    after = CliRunner().invoke(cli, ["sync", "--config", str(config_path)])
    assert after.exit_code == 0 and "workbook" in after.output


def test_a_second_worker_on_the_host_stops_at_once(every_day):
    from touchsheet.lock import worker_lock

    sheet = XlsxSheet(every_day)
    sheet.init()
    with worker_lock(every_day):
        result = CliRunner().invoke(cli, ["run", "--config", str(every_day.base_dir / "config.yaml")])
    assert result.exit_code == 0
    assert "a touchsheet worker is already running for this sheet: this worker stops here" in result.output


@pytest.mark.parametrize("command", [["sync"], ["sync", "--dry-run"], ["run"]])
def test_a_shared_folder_the_worker_may_only_read_is_one_message(every_day, command):
    # the lock file beside the workbook cannot be made there: one line saying so, not a traceback
    sheet = XlsxSheet(every_day)
    sheet.init()
    folder = sheet.path.parent
    with read_only(folder):
        result = CliRunner().invoke(cli, [*command, "--config", str(folder / "config.yaml")])
    assert result.exit_code == 1, result.output
    said = result.output.splitlines()[-1]
    lock = ".book.xlsx.worker.lock" if command == ["run"] else ".book.xlsx.lock"
    assert said.startswith(f"error: cannot make the lock file {folder / lock} (")
    assert said.endswith("). Fix: make the folder writable")


# The lease on the sheet: two hosts never run at once.


def test_another_hosts_lease_stops_the_run_until_it_expires(every_day, tmp_path):
    from touchsheet.mail.outbox import Outbox
    from touchsheet.sync import run_once

    sheet = XlsxSheet(every_day)
    sheet.init()
    sheet.put_rows(
        "Leads", [{"ID": "L-1", "Name": "Ivan X", "Email": "i@example.com", "Created at": datetime(2026, 11, 2, 10, 0)}]
    )
    outbox = Outbox(tmp_path / "out")
    first = run_once(every_day, sheet.backend(), outbox, at("2026-11-02 10:05"), me="host-a")
    assert first.lines()[0] == "emails sent: 1"
    status = dict(sheet.grid("Status"))
    assert status["Lease held by"] == "host-a" and status["Result"] == "ok"
    assert status["Lease until"] >= "2026-11-02 10:20:00"
    blocked = run_once(every_day, sheet.backend(), outbox, at("2026-11-02 10:10"), me="host-b")
    assert blocked.lines() == ["another run (host-a) holds the sheet until 2026-11-02 10:20: this run stops here"]
    again = run_once(every_day, sheet.backend(), outbox, at("2026-11-02 10:15"), me="host-a")  # its own: fine
    assert "this run stops here" not in again.lines()[0]
    taken = run_once(every_day, sheet.backend(), outbox, at("2026-11-02 10:31"), me="host-b")  # host-a died
    assert "this run stops here" not in taken.lines()[0]
    assert dict(sheet.grid("Status"))["Lease held by"] == "host-b"


def test_a_failed_run_says_why_on_the_status_tab(every_day):
    from touchsheet.sync import report_failure

    sheet = XlsxSheet(every_day)
    sheet.init()
    report_failure(every_day, sheet.backend(), at("2026-11-02 10:05"), "Google Sheets answered 503", me="host-a")
    status = dict(sheet.grid("Status"))
    assert status["Result"] == "failed: Google Sheets answered 503"
    assert status["Last run started"] == "2026-11-02 10:05:00"
    assert (status["Lease held by"], status["Lease until"]) == ("host-a", "2026-11-02 10:20:00")


def test_a_failed_run_whose_reason_holds_a_control_character_is_still_said(every_day):
    from touchsheet.sync import report_failure

    sheet = XlsxSheet(every_day)
    sheet.init()
    report_failure(every_day, sheet.backend(), at("2026-11-02 10:05"), "550 unknown user\x01", me="host-a")
    assert dict(sheet.grid("Status"))["Result"] == "failed: 550 unknown user\ufffd"  # \x01 cannot be in a workbook


def test_a_failed_run_leaves_another_hosts_lease_alone(every_day, tmp_path):
    from touchsheet.mail.outbox import Outbox
    from touchsheet.sync import report_failure, run_once

    sheet = XlsxSheet(every_day)
    sheet.init()
    run_once(every_day, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:00"), me="host-a")
    report_failure(every_day, sheet.backend(), at("2026-11-02 10:05"), "the mail server is down", me="host-b")
    status = dict(sheet.grid("Status"))
    assert status["Result"] == "failed: the mail server is down"
    assert (status["Lease held by"], status["Lease until"]) == ("host-a", "2026-11-02 10:15:00")  # still host-a's


@pytest.mark.server
def test_a_second_config_folder_on_the_same_host_stops_while_the_first_holds_the_sheet(make_config, emulator, tmp_path):
    """The worker runs from one folder; someone copies config.yaml to another folder on the same
    server and runs a sync there for the same Google Sheet. Each folder has its own lock and journal,
    so the lease must tell them apart as it does two hosts, or both runs would send the same emails."""
    from tests.sheets.fixtures import GoogleSheet
    from touchsheet import config as config_module
    from touchsheet.mail.outbox import Outbox
    from touchsheet.sync import run_once

    sheet = GoogleSheet(make_config(), emulator)
    days = {"working_days": EVERY_DAY, "holidays": {"country": None, "dates": []}}
    worker_folder = make_config(**days, workbook={"backend": "google", "spreadsheet": sheet.key})
    sheet.config = worker_folder
    sheet.init()
    (tmp_path / "copy").mkdir()
    shutil.copy(worker_folder.base_dir / "config.yaml", tmp_path / "copy" / "config.yaml")
    copy = config_module.load(tmp_path / "copy" / "config.yaml")
    ivan = {"ID": "L-1", "Name": "Ivan X", "Email": "i@example.com", "Created at": datetime(2026, 11, 2, 10, 0)}
    sheet.put_rows("Leads", [ivan])
    run_once(worker_folder, sheet.backend(), Outbox(tmp_path / "worker"), at("2026-11-02 10:05"))
    holder = dict(sheet.grid("Status"))["Lease held by"]
    blocked = run_once(copy, sheet.backend(), Outbox(tmp_path / "copy-out"), at("2026-11-02 10:10"))
    # the worker's run ended at about 10:05, so its lease holds until 10:20 (15 minutes)
    assert blocked.lines() == [f"another run ({holder}) holds the sheet until 2026-11-02 10:20: this run stops here"]
    assert holder.startswith(f"{socket.gethostname()}:")  # this host, and the worker's folder
    assert not (tmp_path / "copy-out").exists()


def test_a_lease_held_by_this_hosts_name_alone_from_before_the_upgrade_is_taken_at_once(every_day, tmp_path):
    """Before leases named the config folder too, the Status tab said just the host's name; the first
    run after the upgrade takes that lease over at once rather than waiting 15 minutes for it to run out."""
    from touchsheet.mail.outbox import Outbox
    from touchsheet.sync import run_once

    sheet = XlsxSheet(every_day)
    sheet.init()
    host = socket.gethostname()
    run_once(every_day, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:00"), me=host)  # the old name
    upgraded = run_once(every_day, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:05"))
    assert not upgraded.busy
    assert re.fullmatch(rf"{re.escape(host)}:[0-9a-f]{{6}}", dict(sheet.grid("Status"))["Lease held by"])


@pytest.mark.server
def test_two_hosts_starting_together_after_the_lease_ran_out_never_both_send(every_day, emulator, tmp_path):
    """host-a ran at 10:00 (its lease ran out at about 10:15); at 11:00 host-a and host-b start at
    the same moment and both read the sheet before either writes. Only one of them may go on, or
    both would send the same emails."""
    from tests.sheets.fixtures import GoogleSheet
    from touchsheet.journal import Journal
    from touchsheet.mail.outbox import Outbox
    from touchsheet.sync import run_once

    sheet = GoogleSheet(every_day, emulator)
    sheet.init()
    run_once(every_day, sheet.backend(), Outbox(tmp_path / "a"), at("2026-11-02 10:00"), me="host-a")
    sheet.put_rows(
        "Leads",
        [
            {
                "ID": f"L-{n}",
                "Name": f"Lead{n} X",
                "Email": f"l{n}@example.com",
                "Created at": datetime(2026, 11, 2, 10, 50),
            }
            for n in range(1, 6)
        ],
    )
    reads: list[int] = []
    both_read = threading.Event()

    def both_read_first(emu, n):
        """No write is served before each host has read the sheet once; the pending emails land a
        second later (a big sheet takes that long to plan and render)."""
        if emu.calls[n - 1].path.endswith("values:batchGet"):
            reads.append(n)
            if len(reads) == 2:
                threading.Timer(0.2, both_read.set).start()  # once the second read is answered
            return
        both_read.wait(10)
        if emu.calls[n - 1].path.endswith(":append"):
            time.sleep(1.0)

    emulator.between_calls = both_read_first
    summaries = {}

    def host(name):
        summaries[name] = run_once(
            every_day,
            sheet.backend(),
            Outbox(tmp_path / name),
            at("2026-11-02 11:00"),
            journal=Journal(tmp_path / f"{name}.journal"),
            me=name,
            settle=0.5,
        )

    hosts = [threading.Thread(target=host, args=(name,)) for name in ("host-a", "host-b")]
    for h in hosts:
        h.start()
    for h in hosts:
        h.join(30)
    emulator.between_calls = None
    busy = sorted(name for name, s in summaries.items() if s.busy)
    assert len(busy) == 1, {name: s.lines() for name, s in summaries.items()}
    emails = [
        email.message_from_bytes(p.read_bytes())["X-Touchsheet-Key"]
        for name in ("host-a", "host-b")
        for p in (tmp_path / name).glob("*.eml")
    ]
    assert sorted(emails) == [f"L-{n}/d0/2026-11-02" for n in range(1, 6)]  # each once, by one host
    keys = [r["Key"] for r in sheet.rows("Touch log")]
    assert sorted(keys) == [f"L-{n}/d0/2026-11-02" for n in range(1, 6)]


def test_the_status_tab_says_when_and_how_the_last_run_went(every_day, tmp_path):
    from touchsheet.mail.outbox import Outbox
    from touchsheet.sync import run_once

    sheet = XlsxSheet(every_day)
    sheet.init()
    ivan = {"ID": "L-1", "Name": "Ivan X", "Email": "i@example.com", "Created at": datetime(2026, 11, 2, 10, 0)}
    olga = {"ID": "L-2", "Name": "Olga Y", "Created at": "31.02.2026"}  # a bad date: a row with a problem
    sheet.put_rows("Leads", [ivan, olga])
    run_once(every_day, sheet.backend(), Outbox(tmp_path / "out"), at("2026-11-02 10:20"), me="host-a")
    status = dict(sheet.grid("Status"))
    # Ivan: the d0 email, and his first contact (due 10:00, overdue after 10:15) on Due today.
    assert {k: v for k, v in status.items() if k not in ("Last run finished", "Lease until")} == {
        "Last run started": "2026-11-02 10:20:00",
        "Result": "ok",
        "Emails sent": 1,
        "Emails waiting": 0,
        "Tasks due today": 1,
        "Overdue tasks": 1,
        "Rows with a problem": 1,
        "Lease held by": "host-a",
    }
    assert "2026-11-02 10:20:00" <= status["Last run finished"] < "2026-11-02 10:21:00"
    assert "2026-11-02 10:35:00" <= status["Lease until"] < "2026-11-02 10:36:00"  # finished + 15 minutes


def test_the_loop_goes_on_after_syncs_that_raise(every_day):
    runs: list[datetime] = []
    stop = threading.Event()

    def broken(now):
        runs.append(now)
        raise RuntimeError("a bug in this sync")  # schedule alone would drop a job that raised

    quick = every_day.model_copy(update={"worker": every_day.worker.model_copy(update={"every_minutes": 0.1 / 60})})
    clock = lambda: datetime.now(every_day.tz).replace(hour=10)  # noqa: E731 - always in working hours
    loop = threading.Thread(target=Worker(quick, broken, clock, stop, tick_seconds=0.02).run)
    loop.start()
    time.sleep(0.8)
    stop.set()
    loop.join(2)
    assert not loop.is_alive() and len(runs) >= 4  # every 0.1 s: the first at start, then on and on
