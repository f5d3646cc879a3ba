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

_AGGREGATE_FUNCTIONS = frozenset(
    {
        # aggregation functions
        "avg",
        "count",
        "count_distinct",
        "max",
        "min",
        "pct",
        "stddev",
        "sum",
        # non-aggregation functions (a value of one row of the group)
        "earliest",
        "latest",
        "sortsfirst",
        "sortslast",
    }
)


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
    __slots__ = ("count", "distinct", "node", "timed", "values")

    def __init__(self, node: _Aggregate):
        self.node = node
        self.count = 0
        self.values: list[Any] = []
        self.distinct: set[str] = set()
        # earliest/latest: (epoch ms, value) of the best row seen so far
        self.timed: tuple[int, Any] | None = None

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
        elif node.name in ("earliest", "latest"):
            self._add_timed(row, value)
        else:
            self.values.append(value)

    def _add_timed(self, row: Any, value: Any) -> None:
        moment = _to_number(row.get("@timestamp"))
        if moment is None:
            return  # after a stats that dropped @timestamp, rows have no time to compare
        best = self.timed
        # Rows arrive newest first (ties: latest ingested first), so on equal timestamps `latest` keeps the
        # first row it saw and `earliest` the last one.
        if (
            best is None
            or (self.node.name == "latest" and moment > best[0])
            or (self.node.name == "earliest" and moment <= best[0])
        ):
            self.timed = (int(moment), value)

    def result(self) -> Any:
        name = self.node.name
        if name == "count":
            return self.count
        if name == "count_distinct":
            return len(self.distinct)
        if name in ("earliest", "latest"):
            return None if self.timed is None else self.timed[1]
        if name in ("sum", "avg", "stddev"):
            numbers = [n for n in map(_to_number, self.values) if n is not None]
            if not numbers:
                return None
            if name == "avg":
                return math.fsum(numbers) / len(numbers)
            if name == "stddev":
                return _sample_stddev(numbers)
            if all(isinstance(n, int) for n in numbers):
                return int(sum(numbers))
            return math.fsum(numbers)
        if name in ("sortsfirst", "sortslast"):
            # The documented sort order (values.py::_natural_key): strings first, then numbers.
            if not self.values:
                return None
            return (min if name == "sortsfirst" else max)(self.values, key=_natural_key)
        if name in ("min", "max"):
            if not self.values:
                return None
            if all(_to_number(v) is not None for v in self.values):
                key: Callable[[Any], Any] = _to_number
            else:
                key = _natural_key
            return (min if name == "min" else max)(self.values, key=key)
        # pct: nearest rank, an actual value of the field
        ranked = [(number, v) for v in self.values if (number := _to_number(v)) is not None]
        numeric = [v for _, v in sorted(ranked, key=lambda pair: pair[0])]
        if not numeric:
            return None
        assert self.node.percentile is not None
        rank = math.ceil(self.node.percentile / 100.0 * len(numeric))
        return numeric[min(max(rank, 1), len(numeric)) - 1]


def _sample_stddev(numbers: list[int | float]) -> float:
    """Sample standard deviation (divisor n - 1); a single value deviates by 0."""
    if len(numbers) < 2:
        return 0.0
    mean = math.fsum(numbers) / len(numbers)
    return math.sqrt(math.fsum((n - mean) ** 2 for n in numbers) / (len(numbers) - 1))
