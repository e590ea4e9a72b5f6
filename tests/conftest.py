"""Shared fixtures: configs built from the shipped config.yaml (builders.py has the domain data)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from touchsheet import config as config_module
from touchsheet.config import Config

ROOT = Path(__file__).resolve().parent.parent
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """chmod a-w; root writes anyway, so as root the file or folder is made immutable (chattr +i)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i does not work: nothing is read-only to root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture(autouse=True)
def quick_lease(monkeypatch):
    """Taking the sheet's lease over waits two seconds for a rival host's claim; tests have no rival."""
    monkeypatch.setattr("touchsheet.sync.SETTLE", 0.01)


@pytest.fixture
def emulator():
    """A fresh local Sheets API emulator on loopback, for one test."""
    from tests.emulator import SheetsEmulator

    with SheetsEmulator() as emu:
        yield emu


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """The shipped config.yaml (or config.ru.yaml) with some keys replaced, pointed into tmp_path."""

    def make(source: str = "config.yaml", **overrides: Any) -> Config:
        data = yaml.safe_load((ROOT / source).read_text(encoding="utf-8"))
        data = merge(data, {"templates_dir": str(ROOT / "templates"), "workbook": {"path": "book.xlsx"}})
        data = merge(data, overrides)
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return config_module.load(path)

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    """The shipped defaults: Moscow, 09:00-18:00, Monday to Friday, Russian public holidays."""
    return make_config()


@pytest.fixture
def every_day(make_config: Callable[..., Config]) -> Config:
    """The shipped defaults with every day a working day, so calendar days are exact."""
    return make_config(working_days=EVERY_DAY, holidays={"country": None, "dates": []})
