"""The deploy recipes in scripts/: cron, the systemd timer and GitHub Actions each start one `sync`
under the run lock, through the checkout's own virtualenv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime

import yaml

from tests.conftest import ROOT
from tests.sheets.fixtures import XlsxSheet
from touchsheet.lock import run_lock

SCRIPTS = ROOT / "scripts"


def test_cron_the_timer_and_github_actions_start_one_sync_every_10_minutes():
    (cron,) = [line for line in (SCRIPTS / "crontab.txt").read_text().splitlines() if not line.startswith("#")]
    assert cron.startswith("*/10 * * * * ")
    assert "/scripts/touchsheet sync --config /etc/touchsheet/config.yaml" in cron
    service = (SCRIPTS / "touchsheet-sync.service").read_text().splitlines()
    assert "Type=oneshot" in service
    assert "ExecStart=/opt/touchsheet/scripts/touchsheet sync --config /etc/touchsheet/config.yaml" in service
    timer = (SCRIPTS / "touchsheet-sync.timer").read_text().splitlines()
    assert "OnUnitActiveSec=10min" in timer and "WantedBy=timers.target" in timer
    worker = (SCRIPTS / "touchsheet-worker.service").read_text().splitlines()
    assert "ExecStart=/opt/touchsheet/scripts/touchsheet run --config /etc/touchsheet/config.yaml" in worker
    workflow = yaml.safe_load((SCRIPTS / "github-actions-sync.yml").read_text())
    assert workflow[True]["schedule"] == [{"cron": "*/10 * * * *"}]  # YAML 1.1 reads the key `on` as true
    steps = [step.get("run", "") for step in workflow["jobs"]["sync"]["steps"]]
    assert ".venv/bin/python -m touchsheet sync --config config.yaml" in steps


def _checkout(tmp_path):
    """A checkout laid out like /opt/touchsheet, with scripts/touchsheet and its virtualenv."""
    checkout = tmp_path / "opt-touchsheet"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy2(SCRIPTS / "touchsheet", checkout / "scripts" / "touchsheet")
    (checkout / "touchsheet").symlink_to(ROOT / "touchsheet")
    (checkout / ".venv" / "bin").mkdir(parents=True)
    python = checkout / ".venv" / "bin" / "python"  # the checkout's virtualenv: the one running these tests
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return checkout


def test_the_wrapper_runs_a_sync_from_any_folder_and_meets_the_run_lock(every_day, tmp_path):
    """scripts/touchsheet in a checkout laid out like /opt/touchsheet, started from /, as cron does."""
    checkout = _checkout(tmp_path)
    sheet = XlsxSheet(every_day)
    sheet.init()
    lead = {"ID": "L-1", "Name": "Ivan X", "Email": "ivan@example.com", "Created at": datetime(2026, 11, 2, 10, 0)}
    sheet.put_rows("Leads", [lead])
    config = str(every_day.base_dir / "config.yaml")
    command = [str(checkout / "scripts" / "touchsheet"), "sync", "--config", config, "--now", "2026-11-02T10:05"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def cron():
        return subprocess.run(command, cwd="/", env=env, capture_output=True, text=True, timeout=60)

    with run_lock(every_day):
        busy = cron()
    assert (busy.returncode, busy.stdout, busy.stderr) == (
        0,
        "another touchsheet run is working on this sheet: this run stops here\n",
        "",
    )
    done = cron()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("emails sent: 1\n") and done.stdout.endswith("workbook updated\n")


def test_the_wrapper_reads_a_relative_config_from_the_callers_folder(tmp_path):
    checkout = _checkout(tmp_path)
    (checkout / "config.yaml").write_text("not: the one to read\n")  # a checkout's own config is not the caller's
    sales = tmp_path / "sales"
    sales.mkdir()
    shutil.copy(ROOT / "config.yaml", sales / "config.yaml")
    shutil.copytree(ROOT / "templates", sales / "templates")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def wrapper(*args):
        command = [str(checkout / "scripts" / "touchsheet"), *args]
        return subprocess.run(command, cwd=sales, env=env, capture_output=True, text=True, timeout=60)

    init = wrapper("init", "--config", "config.yaml")
    assert init.returncode == 0, init.stderr
    assert init.stdout.startswith(f"created {sales / 'touchsheet.xlsx'}\n")
    check = wrapper("check")  # the default, config.yaml, is the caller's too
    assert (check.returncode, check.stdout) == (0, "all good: config, templates and workbook\n"), check.stderr


def test_the_wrapper_works_through_a_symlink_on_the_path(tmp_path):
    # ln -s /opt/touchsheet/scripts/touchsheet /usr/local/bin/touchsheet: the checkout is where the link points
    checkout = _checkout(tmp_path)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "touchsheet").symlink_to(checkout / "scripts" / "touchsheet")
    done = subprocess.run([str(tmp_path / "bin" / "touchsheet"), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout and "sync" in done.stdout
