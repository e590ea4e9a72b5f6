"""A small formula evaluator: enough Sheets to compute what a worker or a manager typically writes.

Arithmetic (+ - * / ^ %), text joining (&), comparisons, cell and range references (also to other
sheets), and SUM AVERAGE MIN MAX COUNT COUNTA IF IFERROR AND OR NOT ROUND ABS CONCATENATE CONCAT
LEN UPPER LOWER TRIM DATE HYPERLINK. Anything else evaluates to "#NAME?", as in Sheets.

>>> evaluate("= 1 / 1024", lambda title, r0, c0, r1, c1: [])
0.0009765625
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from .a1 import column_index, split
from .cells import number, to_serial

# area(title or None, r0, c0, r1, c1) -> the effective values of that rectangle, row by row (None when empty)
Area = Callable[[str | None, int, int, int, int], list[Any]]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w.]|\s*\()
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>%(),;])
    )""",
    re.VERBOSE,
)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


class Err(str):
    """A formula error value such as "#DIV/0!": shown as its text, and it spreads through arithmetic."""


def evaluate(text: str, area: Area) -> Any:
    """The value of a formula ("=..."): a number, text, a boolean, or an Err."""
    try:
        parser = _Parser(text[1:], area)
        value = parser.expression()
        if parser.peek() is not None:
            return Err("#ERROR!")
    except _Syntax:
        return Err("#ERROR!")
    if isinstance(value, list):
        value = value[0] if value else None
    return 0 if value is None else number(value) if value.__class__ is float else value


class _Syntax(Exception):
    """The formula cannot be parsed."""


class _Parser:
    """Recursive descent over the tokens, computing as it goes (Excel's operator precedence)."""

    def __init__(self, text: str, area: Area) -> None:
        self.tokens = self._tokenize(text)
        self.area = area
        self.i = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, pos = [], 0
        while pos < len(text.rstrip()):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise _Syntax(text[pos:])
            tokens.append((match.lastgroup or "", match.group(match.lastgroup or 0)))
            pos = match.end()
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.tokens) or (expected and self.tokens[self.i][1] != expected):
            raise _Syntax(expected)
        self.i += 1
        return self.tokens[self.i - 1]

    def expression(self) -> Any:
        left = self.concat()
        while self.peek() in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = _compare(op, left, self.concat())
        return left

    def concat(self) -> Any:
        left = self.additive()
        while self.peek() == "&":
            self.take()
            right = self.additive()
            left = _first_error(left, right) or _text(left) + _text(right)
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            left = _arith(op, left, self.term())
        return left

    def term(self) -> Any:
        left = self.power()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            left = _arith(op, left, self.power())
        return left

    def power(self) -> Any:
        left = self.unary()
        while self.peek() == "^":
            self.take()
            left = _arith("^", left, self.unary())
        return left

    def unary(self) -> Any:
        if self.peek() in ("-", "+"):
            op = self.take()[1]
            return _arith("*", -1 if op == "-" else 1, self.unary())
        value = self.primary()
        while self.peek() == "%":
            self.take()
            value = _arith("/", value, 100)
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            if self.peek() == "(":
                return self.call(text.upper())
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            return Err("#NAME?")
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        raise _Syntax(text)

    def reference(self, text: str) -> Any:
        title, cells = split(text)
        start, _, end = cells.partition(":")
        (c0, r0), (c1, r1) = _cell(start), _cell(end or start)
        values = self.area(title, min(r0, r1), min(c0, c1), max(r0, r1) + 1, max(c0, c1) + 1)
        return values if end else values[0]

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.expression())
            if self.peek() in (",", ";"):
                self.take()
        self.take(")")
        function = _FUNCTIONS.get(name)
        if function is None:
            return Err("#NAME?")
        try:
            return function(*args)
        except (TypeError, ValueError, OverflowError):  # wrong arguments, as Sheets says
            return Err("#VALUE!")


def _cell(text: str) -> tuple[int, int]:
    match = _CELL.fullmatch(text)
    if not match:
        raise _Syntax(text)
    return column_index(match[1]), int(match[2]) - 1


def _first_error(*values: Any) -> Err | None:
    return next((v for v in values if isinstance(v, Err)), None)


def _num(value: Any) -> float | Err:
    if isinstance(value, Err):
        return value
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool | int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return Err("#VALUE!")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        value = number(value)
    return "" if value is None else str(value)


def _arith(op: str, left: Any, right: Any) -> Any:
    a, b = _num(left), _num(right)
    error = _first_error(a, b)
    if error:
        return error
    if op == "/" and b == 0:
        return Err("#DIV/0!")
    if op == "^":
        return a**b
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0}[op]


def _compare(op: str, left: Any, right: Any) -> Any:
    error = _first_error(left, right)
    if error:
        return error
    a, b = (x.lower() if isinstance(x, str) else x for x in (left, right))
    if type(a) is not type(b) and not all(isinstance(x, int | float) for x in (a, b)):
        a, b = _text(a), _text(b)
    return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _flat(args: tuple[Any, ...]) -> list[Any]:
    return [v for a in args for v in (a if isinstance(a, list) else [a])]


def _numbers(args: tuple[Any, ...]) -> list[Any]:
    """Numbers among the arguments (text and empty cells in ranges are skipped, as SUM does)."""
    return [v for v in _flat(args) if isinstance(v, Err) or (isinstance(v, int | float) and not isinstance(v, bool))]


def _aggregate(fold: Callable[[list[float]], Any]) -> Callable[..., Any]:
    def function(*args: Any) -> Any:
        values = _numbers(args)
        return _first_error(*values) or fold(values)

    return function


def _round(value: Any, digits: Any = 0) -> Any:
    x, n = _num(value), _num(digits)
    if _first_error(x, n):
        return _first_error(x, n)
    factor = 10 ** int(n)
    return math.floor(abs(x) * factor + 0.5) / factor * (1 if x >= 0 else -1)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "SUM": _aggregate(sum),
    "AVERAGE": _aggregate(lambda v: sum(v) / len(v) if v else Err("#DIV/0!")),
    "MIN": _aggregate(lambda v: min(v, default=0)),
    "MAX": _aggregate(lambda v: max(v, default=0)),
    "COUNT": lambda *a: len([v for v in _numbers(a) if not isinstance(v, Err)]),
    "COUNTA": lambda *a: len([v for v in _flat(a) if v is not None and v != ""]),
    "IF": lambda cond, yes=True, no=False: _first_error(cond) or (yes if cond not in (0, "", None, False) else no),
    "IFERROR": lambda value, fallback="": fallback if isinstance(value, Err) else value,
    "AND": lambda *a: all(_flat(a)),
    "OR": lambda *a: any(_flat(a)),
    "NOT": lambda value: not value,
    "ROUND": _round,
    "ABS": lambda value: _first_error(_num(value)) or abs(_num(value)),
    "CONCATENATE": lambda *a: "".join(_text(v) for v in _flat(a)),
    "CONCAT": lambda a, b: _text(a) + _text(b),
    "LEN": lambda value: len(_text(value)),
    "UPPER": lambda value: _text(value).upper(),
    "LOWER": lambda value: _text(value).lower(),
    "TRIM": lambda value: " ".join(_text(value).split()),
    "DATE": lambda y, m, d: to_serial(date(int(_num(y)), int(_num(m)), int(_num(d)))),
    "HYPERLINK": lambda url, label=None: label if label is not None else url,
}
