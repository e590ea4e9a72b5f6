"""One run at a time: a file lock on the host, which the OS releases when a run dies (even kill -9)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from touchsheet.config import Config
from touchsheet.errors import SheetError


class Busy(Exception):
    """Another run holds the lock: this one has nothing to do."""


def run_lock(config: Config) -> AbstractContextManager[None]:
    """Held for one run: a second run on this host stops at once."""
    return _held(config.state_file("lock"), "another touchsheet run is working on this sheet")


def worker_lock(config: Config) -> AbstractContextManager[None]:
    """Held for a long-running worker's life: a second worker on this host stops at once."""
    return _held(config.state_file("worker.lock"), "a touchsheet worker is already running for this sheet")


@contextmanager
def _held(path: Path, busy: str) -> Iterator[None]:
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(busy) from None
    except OSError as e:  # a folder the account may read but not write (a shared one)
        raise SheetError(f"cannot make the lock file {path} ({e.strerror}). Fix: make the folder writable") from None
    try:
        yield
    finally:
        lock.release()
