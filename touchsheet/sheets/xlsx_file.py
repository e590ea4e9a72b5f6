"""The workbook file on disk, as a save leaves it: on the disk, and still its owner's."""

from __future__ import annotations

import os
from pathlib import Path


def keep_owner(handle: int, path: Path) -> None:
    """Give the new file (open as `handle`) the workbook's owner and group, as far as the worker may.
    On a shared folder the worker often writes through the group: a file of its own would take the
    managers' write access. Root may give both; a member of the group, the group."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return  # a new workbook is the worker's own
    for owner in (found.st_uid, -1):
        try:
            os.fchown(handle, owner, found.st_gid)
            return
        except PermissionError:
            continue


def synced(path: str | Path) -> None:
    """Flush a file, or a folder's list of files, to the disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
