"""The parsed commands (fields/display, filter, filterIndex, parse, stats, sort, limit, dedup, unnest)."""

from __future__ import annotations

import dataclasses
import re

from cartmon_emulator.engines.insights.aggregates import _Aggregate
from cartmon_emulator.engines.insights.clustering import PATTERN_COLUMNS
from cartmon_emulator.engines.insights.expressions import (
    _Node,
)


@dataclasses.dataclass
class _Item:
    expr: _Node
    name: str  # output column name: alias, field name, or the expression's text
    aliased: bool


@dataclasses.dataclass
class _FieldsCommand:
    keyword: str  # "fields" or "display"
    items: list[_Item]


@dataclasses.dataclass
class _FilterCommand:
    condition: _Node


@dataclasses.dataclass
class _FilterIndexCommand:
    """``filterIndex field = value`` or ``field in [...]``: the emulator treats every field as indexed, so it
    keeps the events a ``filter`` with the same condition keeps (docs/insights-emulation.md)."""

    condition: _Node


@dataclasses.dataclass
class _UnnestCommand:
    """``unnest field into name``: one row per list item, the other fields copied from the original row."""

    source: _Node
    into: str


@dataclasses.dataclass
class _ParseCommand:
    source: _Node
    regex: re.Pattern[str] | None  # None for the logfmt and csv modes
    groups: list[tuple[str | int, str]]  # (python group name or index, output field); mode-dependent
    mode: str = "pattern"  # "pattern" (glob or regex), "logfmt" (one map field) or "csv" (positional fields)
    multi: bool = False  # regex `multi`: one row per match


@dataclasses.dataclass
class _JsonCommand:
    """``json field=name "key.subkey" as alias`` (CWL_QuerySyntax-Parse, JSON field extraction)."""

    source: _Node
    path: str
    alias: str


@dataclasses.dataclass
class _StatsCommand:
    items: list[_Item]
    by: list[_Item]
    aggregates: list[_Aggregate]

    @property
    def columns(self) -> list[str]:
        return [item.name for item in self.by] + [item.name for item in self.items]


@dataclasses.dataclass
class _PatternCommand:
    """``pattern field``: one row per pattern (clustering.py); its columns replace the event fields."""

    source: _Node

    @property
    def columns(self) -> list[str]:
        return list(PATTERN_COLUMNS)


@dataclasses.dataclass
class _SortCommand:
    keys: list[tuple[_Node, bool]]  # (expression, descending)


@dataclasses.dataclass
class _LimitCommand:
    count: int
    any: bool = False  # `limit any N`: stop after N matches, in no particular order


@dataclasses.dataclass
class _DedupCommand:
    fields: list[str]


_Command = (
    _FieldsCommand
    | _FilterCommand
    | _ParseCommand
    | _StatsCommand
    | _SortCommand
    | _LimitCommand
    | _DedupCommand
    | _FilterIndexCommand
    | _UnnestCommand
    | _JsonCommand
    | _PatternCommand
)

_UNSUPPORTED_COMMANDS = frozenset(
    {
        "anomaly",
        "diff",
        "unmask",
        "lookup",
        "join",
        "source",
        "addtotals",
        "head",
        "tail",
        "fieldsummary",
    }
)
