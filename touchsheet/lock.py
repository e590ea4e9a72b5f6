"""One run at a time: a file lock on the host, which the OS releases when a run dies (even kill -9)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from touchsheet.config import Config


class Busy(Exception):
    """Another run holds the lock: this one has nothing to do."""


@contextmanager
def run_lock(config: Config) -> Iterator[None]:
    lock = FileLock(config.state_file("lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"another touchsheet run is working on {config.workbook_path.name}") from None
    try:
        yield
    finally:
        lock.release()
