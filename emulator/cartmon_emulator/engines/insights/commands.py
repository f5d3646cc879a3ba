"""The parsed commands (fields/display, filter, filterIndex, parse, stats, sort, limit, dedup, unnest)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as _dt
import re

from cartmon_emulator.engines.insights.aggregates import _Aggregate
from cartmon_emulator.engines.insights.clustering import DIFF_COLUMNS, PATTERN_COLUMNS
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
class _DiffCommand:
    """``diff [previousDay|previousWeek|previousMonth]`` (CWL_QuerySyntax-Diff): patterns of @message now
    against an earlier period of equal length."""

    period: str  # "previous", "previousDay", "previousWeek" or "previousMonth"

    @property
    def columns(self) -> list[str]:
        return list(DIFF_COLUMNS)

    def comparison_window(self, start_time: int, end_time: int) -> tuple[int, int]:
        """The comparison period in epoch seconds, inclusive like the query's own."""
        length = end_time - start_time + 1
        if self.period == "previous":
            return start_time - length, start_time - 1
        if self.period in ("previousDay", "previousWeek"):
            shift = 86_400 * (1 if self.period == "previousDay" else 7)
            return start_time - shift, end_time - shift
        return _month_earlier(start_time), _month_earlier(end_time)


def _month_earlier(seconds: int) -> int:
    """The same time one calendar month earlier; a day past the month's end becomes its last day."""
    moment = _dt.datetime.fromtimestamp(seconds, _dt.UTC)
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


@dataclasses.dataclass
class _SourceCommand:
    """``SOURCE logGroups(namePrefix: [...], accountIdentifiers: [...], class: [...])`` (CWL_QuerySyntax-Source):
    the log groups a query reads. The engine keeps the events of matching groups; the Logs provider may
    also read :attr:`Query.source` to choose which groups to load."""

    name_prefixes: tuple[str, ...] = ()  # none: every group
    account_identifiers: tuple[str, ...] = ()  # none: every account
    classes: tuple[str, ...] = ("STANDARD",)  # "If you omit this, the default of Standard log class is used"

    def selects(self, log_group: str, account_id: str, log_group_class: str) -> bool:
        return (
            (not self.name_prefixes or log_group.startswith(self.name_prefixes))
            and (not self.account_identifiers or account_id in self.account_identifiers)
            and log_group_class in self.classes
        )


@dataclasses.dataclass
class _AnomalyCommand:
    """``anomaly`` (CWL_QuerySyntax-Anomaly): keeps its input; the emulator flags nothing."""


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
    | _DiffCommand
    | _AnomalyCommand
    | _SourceCommand
)

# Refused with their reason: what the emulator's Logs API lacks for them (docs/insights-emulation.md).
_REFUSED_WITH_REASON = {
    "lookup": "the 'lookup' command reads a lookup table (CreateLookupTable), which this emulator's Logs API "
    "does not serve",
}

_UNSUPPORTED_COMMANDS = frozenset(
    {
        "join",
        "addtotals",
        "head",
        "tail",
        "fieldsummary",
    }
)
