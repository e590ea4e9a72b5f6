"""Replaying recorded Google traffic (vcrpy cassettes) against the emulator and comparing the answers.

Each cassette runs against a fresh emulator, in order. Spreadsheets are created through the
recorded Drive calls; ids Google gave (spreadsheets, sheets, protected and named ranges) are
mapped to the emulator's as answers come back. An interaction is compared when the emulator
supports its endpoint and every request in it; once an unsupported call changed a spreadsheet,
later calls on that spreadsheet are skipped too (their answers would no longer be comparable).

>>> kind(3), kind(2.5), kind(True), kind("x")
('number', 'number', 'bool', 'str')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from .api import match
from .batch_update import HANDLERS

_SPREADSHEET_ID = re.compile(r"/(?:spreadsheets|files)/([A-Za-z0-9_-]{25,})")
VALUES_PATHS = ("/values/", "/values:")
# Keys Google returns that the emulator leaves out on purpose, with why: the accepted differences.
ACCEPTED_MISSING = {
    "files[].createdTime": "Drive lists other files of the recording account; shapes are checked per file",
}


@dataclass
class Outcome:
    """What replaying one cassette gave."""

    name: str
    compared: int = 0
    skipped: int = 0
    mismatches: list[str] = field(default_factory=list)


def interactions(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["interactions"]


def supported(method: str, uri: str, body: str | None) -> bool:
    """True when the emulator implements this endpoint and every batchUpdate request in it."""
    route, _ = match(method, urlsplit(uri).path)
    if route is None:
        return False
    if urlsplit(uri).path.endswith(":batchUpdate") and "/values" not in uri:
        requests_ = json.loads(body or "{}").get("requests", [])
        return all(next(iter(r)) in HANDLERS for r in requests_)
    return True


def replay(emu: Any, session: requests.Session, path: Path, caller: str) -> Outcome:
    """Replay one cassette on a fresh emulator through an authorised session; compare every answer."""
    outcome = Outcome(path.name)
    ids: dict[Any, Any] = {}
    diverged: set[str] = set()
    recorded = interactions(path)
    _adopt_foreign_files(emu, recorded, caller)
    for number, interaction in enumerate(recorded, 1):
        request, expected = interaction["request"], interaction["response"]
        touched = set(_SPREADSHEET_ID.findall(urlsplit(request["uri"]).path))
        if not supported(request["method"], request["uri"], request["body"]) or touched & diverged:
            outcome.skipped += 1
            if request["method"] != "GET":
                diverged |= touched
            continue
        answer = _send(emu, session, request, ids)
        google = _json(expected["body"]["string"])
        ours = _json(answer.text)
        where = f"#{number} {request['method']} {unquote(urlsplit(request['uri']).path)[-60:]}"
        if answer.status_code != expected["status"]["code"]:
            outcome.mismatches.append(f"{where}: status {answer.status_code}, Google {expected['status']['code']}")
        else:
            _learn_ids(google, ours, ids)
            problems = list(shape_differences(ours, google))
            if any(p in urlsplit(request["uri"]).path for p in VALUES_PATHS) and not problems:
                problems += list(value_differences(ours, google, ids))
            outcome.mismatches += [f"{where}: {p}" for p in problems]
        outcome.compared += 1
    return outcome


def _adopt_foreign_files(emu: Any, recorded: list[dict[str, Any]], caller: str) -> None:
    """Spreadsheets the recording account had before the test ran exist here too: shared when Google
    served them, unshared when it answered 403 (and absent when it answered 404)."""
    created: set[str] = set()
    for interaction in recorded:
        request, status = interaction["request"], interaction["response"]["status"]["code"]
        if request["method"] == "POST" and urlsplit(request["uri"]).path in ("/drive/v3/files",):
            created.add(_json(interaction["response"]["body"]["string"]).get("id", ""))
        if "/copy" in request["uri"]:
            created.add(_json(interaction["response"]["body"]["string"]).get("id", ""))
        for key in _SPREADSHEET_ID.findall(urlsplit(request["uri"]).path):
            if key not in created and status in (200, 403):
                emu.create_spreadsheet("Recorded file", share_with=[caller] if status == 200 else [], key=key)
                created.add(key)


def _send(emu: Any, session: requests.Session, request: dict[str, Any], ids: dict[Any, Any]) -> requests.Response:
    uri = request["uri"]
    for recorded, ours in ids.items():
        if isinstance(recorded, str) and len(recorded) > 20:
            uri = uri.replace(recorded, ours)
    body = request["body"]
    headers = {}
    if body is not None:
        parsed = _json(body)
        if parsed is not None:
            body = json.dumps(_mapped(parsed, ids))
            headers["Content-Type"] = "application/json"
        body = body.encode()
    return session.request(request["method"], emu.rewrite(uri), data=body, headers=headers)


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _is_id(key: str) -> bool:
    return key == "id" or key.endswith("Id")


def _mapped(value: Any, ids: dict[Any, Any]) -> Any:
    """A request body with the recorded ids replaced by the emulator's."""
    if isinstance(value, dict):
        return {k: ids.get(v, v) if _is_id(k) and _hashable(v) else _mapped(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_mapped(v, ids) for v in value]
    return value


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int)


def _learn_ids(google: Any, ours: Any, ids: dict[Any, Any]) -> None:
    """Pair the ids found at the same places in Google's answer and the emulator's."""
    if isinstance(google, dict) and isinstance(ours, dict):
        for key in google.keys() & ours.keys():
            if _is_id(key) and _hashable(google[key]) and google[key] != ours[key]:
                ids[google[key]] = ours[key]
            else:
                _learn_ids(google[key], ours[key], ids)
    elif isinstance(google, list) and isinstance(ours, list):
        for g, o in zip(google, ours):
            _learn_ids(g, o, ids)


def kind(value: Any) -> str:
    """The JSON type of a value ("number" for ints and floats alike)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "str", type(None): "null"}[type(value)]


def shape_differences(ours: Any, google: Any, path: str = "") -> Iterator[str]:
    """Where the emulator's JSON differs in shape from Google's: a key Google lacks, a different
    JSON type, a key Google has that the emulator lacks (unless accepted)."""
    if kind(ours) != kind(google):
        yield f"{path or 'body'} is {kind(ours)}, Google has {kind(google)}"
    elif isinstance(ours, dict):
        for key in ours:
            if key not in google:
                yield f"{path}{key} is not in Google's answer"
            else:
                yield from shape_differences(ours[key], google[key], f"{path}{key}.")
        for key in google.keys() - ours.keys():
            if f"{path}{key}" not in ACCEPTED_MISSING:
                yield f"{path}{key} is missing (Google has it)"
    elif isinstance(ours, list) and google:
        for i, item in enumerate(ours):
            yield from shape_differences(
                item, google[min(i, len(google) - 1)], f"{path.rstrip('.')}[]." if path else "[]."
            )


def value_differences(ours: Any, google: Any, ids: dict[Any, Any]) -> Iterator[str]:
    """Where a values answer differs from Google's, ids aside."""
    mine, theirs = _without_ids(ours), _without_ids(google)
    if mine != theirs:
        shown = [json.dumps(v, ensure_ascii=False)[:300] for v in (mine, theirs)]
        yield f"values differ: {shown[0]} vs Google {shown[1]}"


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "spreadsheetId"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value
