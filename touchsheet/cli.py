"""The command line: parses arguments, wires a backend and a transport, prints what happened.

Every command's docstring is its --help. Errors a person can fix are printed as one message
(exit status 1); nothing here holds a sales rule.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from touchsheet import config as config_module
from touchsheet.config import Config
from touchsheet.errors import TouchsheetError
from touchsheet.mail import Transport
from touchsheet.mail.outbox import Outbox
from touchsheet.mail.smtp import Smtp
from touchsheet.sheets import Workbook
from touchsheet.sheets.xlsx import XlsxWorkbook


def open_workbook(config: Config, stop: threading.Event | None = None) -> Workbook:
    """`stop`: set when the worker is asked to stop; a Google Sheet then stops retrying at once."""
    settings = config.workbook
    if settings.backend == "google":
        from touchsheet.sheets.gapi import Patience, load_credentials
        from touchsheet.sheets.google import GoogleWorkbook

        return GoogleWorkbook(
            settings.spreadsheet_key,
            lambda: load_credentials(
                settings.credentials_file and config.resolve(settings.credentials_file), settings.credentials_env
            ),
            config.locale,
            patience=Patience(stop=stop) if stop is not None else Patience(),
            cache=config.state_file("tabs.json"),
        )
    return XlsxWorkbook(config.workbook_path, config.locale)


def open_transport(config: Config) -> Transport:
    if config.mail.transport == "smtp":
        smtp = config.mail.smtp
        files = {
            "password_file": smtp.password_file and config.resolve(smtp.password_file),
            "oauth2_file": smtp.oauth2_file and config.resolve(smtp.oauth2_file),
        }
        return Smtp(smtp.model_copy(update=files), config.mail.sender)
    return Outbox(config.resolve(config.mail.outbox_dir))


def iso_moment(ctx: click.Context, param: click.Parameter, text: str | None) -> datetime | None:
    """--now as typed, checked before a command does anything (`demo` clears its old files first)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not an ISO date-time like 2026-11-25T10:00") from None


def now_in(moment: datetime | None, config: Config) -> datetime:
    """--now in the config's time zone (one without an offset is read there); the clock's without it."""
    if moment is None:
        return datetime.now(config.tz)
    return moment.replace(tzinfo=config.tz) if moment.tzinfo is None else moment.astimezone(config.tz)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TouchsheetError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(1)

    return wrapper


def with_config(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config PATH and --verbose, shared by every command that reads config.yaml."""

    @click.option(
        "--config",
        "config_path",
        default="config.yaml",
        show_default=True,
        type=click.Path(path_type=Path),
        help="The config.yaml to use.",
    )
    @verbose_option
    @functools.wraps(command)
    def wrapper(config_path: Path, **kwargs: Any) -> Any:
        return command(config=config_module.load(config_path), **kwargs)

    return handles_errors(wrapper)


def verbose_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """-v/--verbose, which every command takes: log every step."""

    @click.option("-v", "--verbose", is_flag=True, help="Log every step.")
    @functools.wraps(command)
    def wrapper(verbose: bool, **kwargs: Any) -> Any:
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        return command(**kwargs)

    return wrapper


@click.group()
def cli() -> None:
    """touchsheet: a Google Sheet (or a local .xlsx) that works like a disciplined CRM.

    Try it: python -m touchsheet demo
    """


@cli.command()
@with_config
def init(config: Config) -> None:
    """Create the workbook, or add the tabs and columns it lacks. Existing data is never touched.

    Example: python -m touchsheet init --config config.yaml
    """
    done = open_workbook(config).init()
    click.echo("\n".join(done) if done else "nothing to add: every tab and column is there")


@cli.command()
@with_config
@click.option(
    "--now", callback=iso_moment, help="Replay a moment: 2026-11-25T10:00 (config time zone) or with an offset."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="List the emails this run would send and count the tasks due, the results it would record and the rows "
    "with a problem; send nothing, write nothing.",
)
def sync(config: Config, now: datetime | None, dry_run: bool) -> None:
    """Read the sheet, send due emails, rewrite Due today, the worker's columns and KPI.

    A run already working on the sheet makes this one stop at once (status 0), so cron and
    timers can start it as often as they like.

    Example: python -m touchsheet sync --config config.yaml --now 2026-11-25T10:00
    """
    stop = _stop_on_signals()
    click.echo("\n".join(sync_once(config, now_in(now, config), dry_run, stop)))


@cli.command()
@with_config
def run(config: Config) -> None:
    """Keep running: a sync every few minutes in working hours, less often outside them, and one
    every morning at worker.kpi_at. SIGTERM or Ctrl-C stops it after the email in flight.

    Example: python -m touchsheet run --config config.yaml --verbose
    """
    from touchsheet.lock import Busy, worker_lock
    from touchsheet.worker import Worker

    stop = _stop_on_signals()
    if not logging.getLogger("touchsheet").isEnabledFor(logging.INFO):
        logging.getLogger("touchsheet").setLevel(logging.INFO)  # a worker says what it does, a line a sync

    def one_sync(moment: datetime) -> None:
        for line in sync_once(config, moment, False, stop):
            logging.getLogger("touchsheet").info("%s", line)

    try:
        with worker_lock(config):
            Worker(config, one_sync, lambda: datetime.now(config.tz), stop).run()
    except Busy as e:
        click.echo(f"{e}: this worker stops here")


def sync_once(config: Config, moment: datetime, dry_run: bool, stop: threading.Event) -> list[str]:
    """One run under the host's lock; a failed run says why on the Status tab, then raises. `stop`:
    set by SIGTERM or Ctrl-C."""
    from touchsheet.engine.model import Status
    from touchsheet.lock import Busy, run_lock
    from touchsheet.sync import report_failure, run_once

    workbook = open_workbook(config, stop)
    emails: Counter[Status] = Counter()
    try:
        with run_lock(config):
            summary = run_once(
                config, workbook, open_transport(config), moment, dry_run, stopping=stop.is_set, emails=emails
            )
    except Busy as e:
        return [f"{e}: this run stops here"]  # status 0: cron has nothing to report
    except Exception as e:
        if not dry_run:
            reason = str(e) or e.__class__.__name__
            report_failure(config, open_workbook(config, stop), moment, reason, emails_sent=emails[Status.SENT])
        raise
    return summary.lines()


def _stop_on_signals() -> threading.Event:
    """SIGTERM (systemd, docker, a cloud scheduler) and Ctrl-C ask for a clean stop."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


@cli.command()
@with_config
@click.option("--now", callback=iso_moment, help="Check as of this moment (default: now).")
def check(config: Config, now: datetime | None) -> None:
    """Validate config.yaml, the templates and the workbook; list every problem (exit 1 if any).

    Example: python -m touchsheet check --config config.yaml
    """
    from touchsheet.checks import check_all

    problems = check_all(config, open_workbook(config), now_in(now, config))
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo("all good: config, templates and workbook")


@cli.command()
@with_config
@click.argument("lead_id")
@click.argument("step", required=False)
@click.option("--now", callback=iso_moment, help="Render as of this moment (default: now).")
@click.option("--out", type=click.Path(path_type=Path), help="Write the .eml file here instead of printing.")
def preview(config: Config, lead_id: str, step: str | None, now: datetime | None, out: Path | None) -> None:
    """Show the exact email LEAD_ID would get: the one owed now or next, or STEP (d2, nurture-2...).

    Example: python -m touchsheet preview L-00012 d2 --config config.yaml
    """
    from touchsheet.preview import preview_email

    email = preview_email(config, open_workbook(config), lead_id, step, now_in(now, config))
    if out:
        try:
            out.write_bytes(bytes(email.message))
        except OSError as e:
            raise TouchsheetError(f"cannot write {out} ({e.strerror})") from None
        click.echo(f"wrote {out}")
        return
    for header in ("From", "To", "Reply-To", "Subject", "List-Unsubscribe"):
        if email.message[header]:
            click.echo(f"{header}: {email.message[header]}")
    click.echo(f"\n{email.text}\n--- HTML part ---\n{email.html}")


@cli.command()
@click.option(
    "--dir",
    "folder",
    default="demo",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where to create the demo.",
)
@click.option("--locale", type=click.Choice(["en", "ru"]), default="en", show_default=True)
@click.option("--now", callback=iso_moment, help="Build the demo as of this moment (default: now).")
# the demo spoils a few of the first 16 rows on purpose, so the Problem column has something to show
@click.option("--leads", default=200, show_default=True, type=click.IntRange(min=16), help="How many leads to invent.")
@verbose_option
@handles_errors
def demo(folder: Path, locale: str, now: datetime | None, leads: int) -> None:
    """Create a demo folder (config + workbook with ~200 leads and their history), run one sync.

    It builds again over a demo of its own only: a folder holding a config.yaml, touchsheet.xlsx
    or outbox it did not make is refused, never replaced.

    Example: python -m touchsheet demo --locale ru
    """
    from touchsheet.demo import write_demo_config, write_demo_workbook
    from touchsheet.engine.model import Status
    from touchsheet.schema import DUE_TODAY, KPI, LEADS, TOUCH_LOG
    from touchsheet.sync import run_once

    config = write_demo_config(folder, locale)
    moment = now_in(now, config)
    write_demo_workbook(config, moment, leads)
    summary = run_once(config, open_workbook(config), open_transport(config), moment)
    click.echo("\n".join(summary.lines()))
    tabs = ", ".join(tab.label(config.locale) for tab in (LEADS, DUE_TODAY, TOUCH_LOG, KPI))  # as the workbook says
    click.echo(f"\nOpen {config.workbook_path} in LibreOffice or Excel: tabs {tabs}.")
    if summary.emails[Status.SENT]:
        click.echo(f"The emails it sent are .eml files in {config.resolve(config.mail.outbox_dir)}.")
    elif not config.calendar.is_open(moment):  # a first try in the evening: say why the outbox is empty
        hours = f"{config.calendar.start:%H:%M}-{config.calendar.end:%H:%M} on working days, {config.tz.key}"
        opening = f"{config.calendar.clamp(moment):%Y-%m-%dT%H:%M}"
        click.echo(
            f"No email went out: emails wait for working hours ({hours}). To see them now:\n"
            f"  python -m touchsheet demo --dir {folder} --locale {locale} --leads {leads} --now {opening}"
        )
    done, result = (DUE_TODAY.column(name).label(config.locale) for name in ("Done", "Result"))
    click.echo(
        f'Tick "{done}" on a "{DUE_TODAY.label(config.locale)}" row, pick a "{result}", save, close, then run:\n'
        f"  python -m touchsheet sync --config {folder / 'config.yaml'}"
    )
