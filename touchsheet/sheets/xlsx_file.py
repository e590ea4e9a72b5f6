"""The workbook file on disk, as a save leaves it: on the disk, still its owner's, and with the parts
of each tab that openpyxl cannot read carried over from the file as it was."""

from __future__ import annotations

import logging
import os
import posixpath
import re
import shutil
import zipfile
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELLS_END = re.compile(rb"</(?:[\w.-]+:)?sheetData>|<(?:[\w.-]+:)?sheetData\s*/>")
_ROOT = re.compile(r"<(?:[\w.-]+:)?worksheet\b[^>]*>")
_END = re.compile(r"</(?:[\w.-]+:)?worksheet>\s*$")
_DECLARED = re.compile(r'xmlns:([\w.-]+)="([^"]*)"')
_PREFIXES = re.compile(r"</?([\w.-]+):|\s([\w.-]+):[\w.-]+=")


def keep_owner(path: str, of: Path) -> None:
    """Give the new file the workbook's owner and group, as far as the worker may. On a shared folder
    the worker often writes through the group: a file of its own would take the managers' write
    access. Root may give both; a member of the group, the group."""
    try:
        found = of.stat()
    except FileNotFoundError:
        return  # a new workbook is the worker's own
    for owner in (found.st_uid, -1):
        try:
            os.chown(path, owner, found.st_gid)
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


def carry_extensions(old: Path, saved: str) -> None:
    """Each tab's extensions (its <extLst>: what Excel 2010 and later save there, such as a dropdown
    fed from a list on another tab, data bars, icon sets, sparklines), copied from the workbook as
    it was into the file openpyxl saved, which drops them all. One that links to another part of
    the file (a slicer, a timeline) cannot come: openpyxl dropped that part."""
    if not old.exists():
        return
    with zipfile.ZipFile(old) as z:
        found = {title: _extensions(z, part, title) for title, part in _sheet_parts(z).items()}
    with zipfile.ZipFile(saved) as z:
        inserts = {part: found[title] for title, part in _sheet_parts(z).items() if found.get(title)}
    if not inserts:
        return
    rewritten = f"{saved}.ext"
    try:
        with zipfile.ZipFile(saved) as source, zipfile.ZipFile(rewritten, "w") as out:
            for info in source.infolist():
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                with source.open(info) as reading, out.open(copy, "w") as writing:
                    if info.filename in inserts:
                        _copy_inserting(reading, writing, inserts[info.filename])
                    else:
                        shutil.copyfileobj(reading, writing, _CHUNK)
        os.replace(rewritten, saved)
    finally:
        if os.path.exists(rewritten):
            os.unlink(rewritten)


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Each tab's title -> the zip part holding its cells."""
    if not {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= set(z.namelist()):
        return {}  # laid out as neither Excel nor LibreOffice does: its extensions stay behind, the save goes on
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    links = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {link.get("Id"): link.get("Target", "") for link in links}
    parts = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet") and sheet.get(f"{{{_RELATIONSHIPS}}}id") in targets:
            target = targets[sheet.get(f"{{{_RELATIONSHIPS}}}id")]
            parts[sheet.get("name", "")] = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return parts


def _extensions(z: zipfile.ZipFile, part: str, title: str) -> str:
    """A tab's <extLst>, as the file holds it, with the namespaces it uses declared on it: '' if none."""
    head, tail = _ends(z, part)
    found = _spans(tail, "extLst")
    if not found or not _END.match(tail, found[-1][1]):  # the tab's own is its last element
        return ""
    start, end = found[-1]
    declared = dict(_DECLARED.findall(head)) | dict(_DECLARED.findall(tail[start:end]))
    kept = []
    for ext_start, ext_end in _spans(tail, "ext", start, end):
        ext = tail[ext_start:ext_end]
        declared_here = declared | dict(_DECLARED.findall(ext))
        if any(declared_here.get(p) == _RELATIONSHIPS for p in _prefixes(ext)):
            logger.warning("tab '%s': a slicer or timeline Excel saved is lost (the workbook library drops it)", title)
        else:
            kept.append(ext)
    if not kept:
        return ""
    used = sorted({p for ext in kept for p in _prefixes(ext)} - {"xmlns"})
    names = "".join(f' xmlns:{p}="{declared[p]}"' for p in used if p in declared)
    return f"<extLst{names}>{''.join(kept)}</extLst>"


def _ends(z: zipfile.ZipFile, part: str) -> tuple[str, str]:
    """A tab's first element's start tag (the namespaces declared on it), and what follows its
    cells (the cells are nearly all of it, and never hold an extension), read a megabyte at a time."""
    head, tail, cells_done = b"", b"", False
    with z.open(part) as reading:
        while chunk := reading.read(_CHUNK):
            head = head or chunk
            tail += chunk
            if not cells_done:
                found = _CELLS_END.search(tail) if b"sheetData" in tail else None  # the quick look first
                cells_done = found is not None
                tail = tail[found.end() :] if found else tail[-64:]  # a tag cut in two is found in the next chunk
    root = _ROOT.search(head.decode("utf-8", "replace"))
    return root.group() if root else "", tail.decode("utf-8", "replace")


def _spans(xml: str, name: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Where each outermost element called `name` (with any prefix) is in xml[start:end]."""
    tags = re.compile(rf"<(/?)(?:[\w.-]+:)?{name}(?=[\s/>])[^>]*?(/?)>")
    found, depth, opened = [], 0, 0
    for tag in tags.finditer(xml, start, len(xml) if end is None else end):
        closing, empty = tag.group(1), tag.group(2)
        if not closing and depth == 0:
            opened = tag.start()
        if empty:
            if depth == 0:
                found.append((opened, tag.end()))
            continue
        depth += -1 if closing else 1
        if depth == 0:
            found.append((opened, tag.end()))
    return found


def _prefixes(xml: str) -> set[str]:
    return {element or attribute for element, attribute in _PREFIXES.findall(xml)}


def _copy_inserting(reading: IO[bytes], writing: IO[bytes], extensions: str) -> None:
    """Copy a tab's XML, its extensions put in as its last element (before </worksheet>)."""
    held = b""
    while chunk := reading.read(_CHUNK):
        held += chunk
        writing.write(held[:-64])
        held = held[-64:]
    end = held.rindex(b"</worksheet>")
    writing.write(held[:end] + extensions.encode() + held[end:])
