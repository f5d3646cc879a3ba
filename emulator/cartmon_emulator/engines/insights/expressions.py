"""Expression nodes: literals, fields, arithmetic, comparisons, like/in, boolean logic, calls."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cartmon_emulator.engines.insights.patterns import _Regex
from cartmon_emulator.engines.insights.periods import (
    _Period,
)
from cartmon_emulator.engines.insights.values import (
    _compare,
    _member,
    _render,
    _to_number,
    _truth,
    _values_equal,
)


class _Node:
    text: str = ""
    start: int = 0

    def eval(self, row: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def children(self) -> Sequence[_Node]:
        return ()

    def walk(self) -> Iterable[_Node]:
        yield self
        for child in self.children():
            yield from child.walk()


class _Literal(_Node):
    def __init__(self, value: Any):
        self.value = value

    def eval(self, row: Any) -> Any:
        return self.value


class _PeriodLiteral(_Node):
    def __init__(self, period: _Period):
        self.period = period

    def eval(self, row: Any) -> Any:
        return None


class _Field(_Node):
    def __init__(self, name: str):
        self.name = name

    def eval(self, row: Any) -> Any:
        return row.get(self.name)


class _Access(_Node):
    """``base[index]`` or ``base.name`` on a map or list (structure types, from jsonParse)."""

    def __init__(self, base: _Node, key: _Node):
        self.base, self.key = base, key

    def children(self) -> Sequence[_Node]:
        return (self.base, self.key)

    def eval(self, row: Any) -> Any:
        key = self.key.eval(row)
        return None if key is None else _member(self.base.eval(row), key)


class _Negate(_Node):
    def __init__(self, operand: _Node):
        self.operand = operand

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        number = _to_number(self.operand.eval(row))
        return None if number is None else -number


class _Arithmetic(_Node):
    def __init__(self, op: str, left: _Node, right: _Node):
        self.op, self.left, self.right = op, left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = _to_number(self.left.eval(row))
        b = _to_number(self.right.eval(row))
        if a is None or b is None:
            return None
        op = self.op
        try:
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                return None if b == 0 else a / b
            if op == "%":
                if b == 0:
                    return None
                if isinstance(a, int) and isinstance(b, int):
                    remainder = abs(a) % abs(b)  # sign follows the dividend (truncating remainder)
                    return remainder if a >= 0 else -remainder
                return math.fmod(a, b)
            result = a**b  # "^"
            return None if isinstance(result, complex) else result
        except (OverflowError, ZeroDivisionError):
            return None


class _Comparison(_Node):
    def __init__(self, op: str, left: _Node, right: _Node):
        self.op, self.left, self.right = op, left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = self.left.eval(row)
        b = self.right.eval(row)
        if a is None or b is None:
            return None
        op = self.op
        if op == "=":
            return _values_equal(a, b)
        if op == "!=":
            return not _values_equal(a, b)
        order = _compare(a, b)
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


class _Match(_Node):
    """``like`` / ``not like`` / ``=~``: substring match for a string, search for a /regex/."""

    def __init__(self, operand: _Node, substring: str | None, regex: _Regex | None, negate: bool):
        self.operand, self.substring, self.regex, self.negate = operand, substring, regex, negate

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        value = self.operand.eval(row)
        if value is None:
            return None
        text = _render(value)
        if self.regex is not None:
            found = self.regex.compiled.search(text) is not None
        else:
            assert self.substring is not None
            found = self.substring in text
        return found != self.negate


class _Membership(_Node):
    def __init__(self, operand: _Node, items: list[Any], negate: bool):
        self.operand, self.items, self.negate = operand, items, negate

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        value = self.operand.eval(row)
        if value is None:
            return None
        found = any(_values_equal(value, item) for item in self.items)
        return found != self.negate


class _Not(_Node):
    def __init__(self, operand: _Node):
        self.operand = operand

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def eval(self, row: Any) -> Any:
        truth = _truth(self.operand.eval(row))
        return None if truth is None else not truth


class _Junction(_Node):
    """`and` / `or` with SQL's three-valued logic: the decisive value wins even beside an unknown one."""

    decisive: bool

    def __init__(self, left: _Node, right: _Node):
        self.left, self.right = left, right

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def eval(self, row: Any) -> Any:
        a = _truth(self.left.eval(row))
        if a is self.decisive:
            return self.decisive
        b = _truth(self.right.eval(row))
        if b is self.decisive:
            return self.decisive
        if a is None or b is None:
            return None
        return not self.decisive


class _And(_Junction):
    decisive = False


class _Or(_Junction):
    decisive = True


class _Call(_Node):
    def __init__(self, name: str, args: list[_Node], function: Callable[[Any, list[_Node]], Any]):
        self.name, self.args, self.function = name, args, function

    def children(self) -> Sequence[_Node]:
        return self.args

    def eval(self, row: Any) -> Any:
        return self.function(row, self.args)
