"""Aggregate functions of ``stats``: the node and its per-group accumulator."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from cartmon_emulator.engines.insights.expressions import (
    _Node,
)
from cartmon_emulator.engines.insights.values import (
    _natural_key,
    _render,
    _to_number,
)

_AGGREGATE_FUNCTIONS = frozenset({"count", "count_distinct", "sum", "avg", "min", "max", "pct"})


class _Aggregate(_Node):
    """An aggregate call inside ``stats``; its value is computed per group by an accumulator."""

    def __init__(self, name: str, args: list[_Node], star: bool, percentile: float | None = None):
        self.name, self.args, self.star, self.percentile = name, args, star, percentile

    def children(self) -> Sequence[_Node]:
        return self.args

    def eval(self, row: Any) -> Any:
        return row.aggregates[self]

    def accumulator(self) -> _Accumulator:
        return _Accumulator(self)


class _Accumulator:
    __slots__ = ("count", "distinct", "node", "values")

    def __init__(self, node: _Aggregate):
        self.node = node
        self.count = 0
        self.values: list[Any] = []
        self.distinct: set[str] = set()

    def add(self, row: Any) -> None:
        node = self.node
        if node.star:
            self.count += 1
            return
        value = node.args[0].eval(row)
        if value is None:
            return
        if node.name == "count":
            self.count += 1
        elif node.name == "count_distinct":
            self.distinct.add(_render(value))
        else:
            self.values.append(value)

    def result(self) -> Any:
        name = self.node.name
        if name == "count":
            return self.count
        if name == "count_distinct":
            return len(self.distinct)
        if name in ("sum", "avg"):
            numbers = [n for n in map(_to_number, self.values) if n is not None]
            if not numbers:
                return None
            if name == "avg":
                return math.fsum(numbers) / len(numbers)
            if all(isinstance(n, int) for n in numbers):
                return int(sum(numbers))
            return math.fsum(numbers)
        if name in ("min", "max"):
            if not self.values:
                return None
            if all(_to_number(v) is not None for v in self.values):
                key: Callable[[Any], Any] = _to_number
            else:
                key = _natural_key
            return (min if name == "min" else max)(self.values, key=key)
        # pct: nearest rank, an actual value of the field
        numeric = sorted((v for v in self.values if _to_number(v) is not None), key=_to_number)
        if not numeric:
            return None
        assert self.node.percentile is not None
        rank = math.ceil(self.node.percentile / 100.0 * len(numeric))
        return numeric[min(max(rank, 1), len(numeric)) - 1]
