"""Field masks, as in `fields=sheets(properties,charts)` or `"fields": "gridProperties/frozenRowCount"`.

>>> pick({"a": {"b": 1, "c": 2}, "d": 3}, parse("a.b,d"))
{'a': {'b': 1}, 'd': 3}
>>> sorted(paths(parse("userEnteredFormat(numberFormat,textFormat.bold)")))
['userEnteredFormat.numberFormat', 'userEnteredFormat.textFormat.bold']
"""

from __future__ import annotations

import re
from typing import Any

Tree = dict[str, "Tree"]  # an empty subtree selects the whole field

_TOKEN = re.compile(r"\s*([^,()./\s]+|[,()./])")


class MaskError(ValueError):
    """A field mask that does not parse."""


def parse(mask: str) -> Tree:
    """The tree of a mask; "*" selects everything."""
    tokens = _TOKEN.findall(mask)
    tree: Tree = {}
    end = _parse_list(tokens, 0, tree)
    if end != len(tokens):
        raise MaskError(mask)
    return tree


def _parse_list(tokens: list[str], i: int, tree: Tree) -> int:
    while i < len(tokens):
        node, i = _parse_path(tokens, i, tree)
        if i < len(tokens) and tokens[i] == "(":
            i = _parse_list(tokens, i + 1, node)
            if i >= len(tokens) or tokens[i] != ")":
                raise MaskError("".join(tokens))
            i += 1
        if i < len(tokens) and tokens[i] == ",":
            i += 1
            continue
        break
    return i


def _parse_path(tokens: list[str], i: int, tree: Tree) -> tuple[Tree, int]:
    node = tree
    while True:
        if i >= len(tokens) or tokens[i] in ",()./":
            raise MaskError("".join(tokens))
        node = node.setdefault(tokens[i], {})
        i += 1
        if i < len(tokens) and tokens[i] in "./":
            i += 1
            continue
        return node, i


def pick(value: Any, tree: Tree) -> Any:
    """The part of a JSON value a mask selects (lists are filtered element by element)."""
    if not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [pick(item, tree) for item in value]
    if isinstance(value, dict):
        return {key: pick(value[key], sub) for key, sub in tree.items() if key in value}
    return value


def paths(tree: Tree, prefix: str = "") -> set[str]:
    """The dotted leaf paths of a mask."""
    found: set[str] = set()
    for key, sub in tree.items():
        path = f"{prefix}{key}"
        found |= paths(sub, path + ".") if sub else {path}
    return found


def mentions(tree: Tree, *path: str) -> bool:
    """True when the mask reaches into this path (sheets.data for grid data)."""
    for key in path:
        if key not in tree:
            return False
        tree = tree[key]
    return True
