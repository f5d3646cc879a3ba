"""Running a parsed query over events: each command in turn, then rendering the rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cartmon_emulator.engines.insights.aggregates import _Accumulator
from cartmon_emulator.engines.insights.clustering import cluster, compare
from cartmon_emulator.engines.insights.commands import (
    _AnomalyCommand,
    _Command,
    _DedupCommand,
    _DiffCommand,
    _FieldsCommand,
    _FilterCommand,
    _FilterIndexCommand,
    _JsonCommand,
    _LimitCommand,
    _ParseCommand,
    _PatternCommand,
    _SortCommand,
    _SourceCommand,
    _StatsCommand,
    _UnnestCommand,
)
from cartmon_emulator.engines.insights.expressions import (
    _Call,
    _Field,
)
from cartmon_emulator.engines.insights.model import (
    _MAX_API_LIMIT,
    _MAX_QUERY_LIMIT,
    DEFAULT_RESULT_LIMIT,
    LogEvent,
    QueryOutcome,
)
from cartmon_emulator.engines.insights.parser import _Parser
from cartmon_emulator.engines.insights.rows import (
    _AggregateRow,
    _DictRow,
    _EventRow,
    _pointer,
)
from cartmon_emulator.engines.insights.text_formats import _json_path, _parse_csv, _parse_logfmt
from cartmon_emulator.engines.insights.validation import (
    _command_expressions,
    _output_columns,
    _validate,
)
from cartmon_emulator.engines.insights.values import (
    _natural_key,
    _render,
    _truth,
)


class Query:
    """A parsed, validated query; run it with :meth:`execute`."""

    def __init__(self, text: str, commands: list[_Command]):
        self.text = text
        self._commands = commands
        self.columns, self.aggregated = _output_columns(commands)

    @property
    def commands(self) -> tuple[str, ...]:
        """The command keywords, in order (e.g. ``("filter", "stats", "sort")``)."""
        names = []
        for command in self._commands:
            if isinstance(command, _FieldsCommand):
                names.append(command.keyword)
            else:
                names.append(type(command).__name__.removeprefix("_").removesuffix("Command").lower())
        return tuple(names)

    @property
    def unmasks(self) -> bool:
        """Whether the query calls ``unmask(...)``: its caller must check ``logs:Unmask`` and leave the data
        unmasked (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html)."""
        for command in self._commands:
            for holder, attribute in _command_expressions(command):
                if any(
                    isinstance(node, _Call) and node.name == "unmask"
                    for node in getattr(holder, attribute).walk()
                ):
                    return True
        return False

    @property
    def source(self) -> _SourceCommand | None:
        """The query's ``SOURCE logGroups(...)`` selection, if any: ``name_prefixes``, ``account_identifiers``
        and ``classes`` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Source.html)."""
        first = self._commands[0]
        return first if isinstance(first, _SourceCommand) else None

    def execute(
        self,
        events: Iterable[LogEvent],
        start_time: int,
        end_time: int,
        limit: int | None = None,
        *,
        include_ptr: bool = False,
    ) -> QueryOutcome:
        if end_time < start_time:
            raise ValueError("end_time must not be before start_time")
        if limit is not None and not 1 <= limit <= _MAX_API_LIMIT:
            raise ValueError(f"limit must be between 1 and {_MAX_API_LIMIT}")
        events = list(events)
        source = self.source
        if source is not None:  # SOURCE: only the selected log groups are read (and scanned)
            events = [e for e in events if source.selects(e.log_group, e.account_id, e.log_group_class)]
        scanned = _in_window(events, start_time, end_time)
        bytes_scanned = sum(len(event.message.encode("utf-8")) for event in scanned)
        rows: list[Any] = _event_rows(scanned)
        records_scanned = len(scanned)
        matched: int | None = None
        stats_seen = False
        for position, command in enumerate(self._commands):
            if isinstance(command, _DiffCommand):
                # The earlier commands run again over the comparison period (CWL_AnalyzeLogData_Compare);
                # AWS bills the two periods like one query over both, so both count as scanned.
                first, last = command.comparison_window(start_time, end_time)
                earlier = _in_window(events, first, last)
                records_scanned += len(earlier)
                bytes_scanned += sum(len(event.message.encode("utf-8")) for event in earlier)
                previous = _event_rows(earlier)
                for before in self._commands[:position]:
                    previous = _run_command(before, previous)
                rows = [_DictRow(values) for values in compare(_messages(rows), _messages(previous))]
                stats_seen = True
                continue
            if isinstance(command, _SourceCommand):
                continue
            rows = _run_command(command, rows)
            if isinstance(command, (_StatsCommand, _PatternCommand, _AnomalyCommand)):
                stats_seen = True
            elif isinstance(command, (_FilterCommand, _FilterIndexCommand)) and not stats_seen:
                matched = len(rows)
        if matched is None:
            matched = len(scanned)
        # Without StartQuery's limit, a query returns up to 10,000 rows unless its own `limit` command asks
        # for more (up to 100,000); that command has already cut the rows.
        if limit is not None:
            cap = limit
        elif any(isinstance(command, _LimitCommand) for command in self._commands):
            cap = _MAX_QUERY_LIMIT
        else:
            cap = DEFAULT_RESULT_LIMIT
        rendered: list[list[dict[str, str]]] = []
        for row in rows[:cap]:
            fields = []
            for name in self.columns:
                value = row.get(name)
                if value is not None:
                    fields.append({"field": name, "value": _render(value)})
            if include_ptr and isinstance(row, _EventRow):
                fields.append({"field": "@ptr", "value": _pointer(row.event, row.index)})
            rendered.append(fields)
        return QueryOutcome(rendered, matched, records_scanned, bytes_scanned)


def _in_window(events: list[LogEvent], start_time: int, end_time: int) -> list[LogEvent]:
    return [event for event in events if start_time <= event.timestamp_ms // 1000 <= end_time]


def _event_rows(scanned: list[LogEvent]) -> list[Any]:
    """Newest first: the order Logs Insights uses when the query does not sort."""
    order = sorted(
        range(len(scanned)),
        key=lambda i: (
            scanned[i].timestamp_ms,
            scanned[i].ingestion_time_ms
            if scanned[i].ingestion_time_ms is not None
            else scanned[i].timestamp_ms,
            i,
        ),
        reverse=True,
    )
    return [_EventRow(scanned[i], i) for i in order]


def _messages(rows: list[Any]) -> list[str | None]:
    values = (row.get("@message") for row in rows)
    return [None if value is None else _render(value) for value in values]


def _run_command(command: _Command, rows: list[Any]) -> list[Any]:
    if isinstance(command, (_FilterCommand, _FilterIndexCommand)):
        condition = command.condition
        return [row for row in rows if _truth(condition.eval(row)) is True]
    if isinstance(command, _FieldsCommand):
        computed = [
            item
            for item in command.items
            if not (isinstance(item.expr, _Field) and item.name == item.expr.name)
        ]
        if computed:
            for row in rows:
                values = [(item.name, item.expr.eval(row)) for item in computed]
                for name, value in values:
                    row.set(name, value)
        return rows
    if isinstance(command, _ParseCommand):
        return _run_parse(command, rows)
    if isinstance(command, _JsonCommand):
        for row in rows:
            row.set(command.alias, _json_path(command.source.eval(row), command.path))
        return rows
    if isinstance(command, _UnnestCommand):
        return _run_unnest(command, rows)
    if isinstance(command, _AnomalyCommand):
        return rows  # no learned baseline: no row is flagged (docs/insights-emulation.md)
    if isinstance(command, _PatternCommand):
        texts = [
            None if value is None else _render(value) for value in (command.source.eval(r) for r in rows)
        ]
        return [_DictRow(values) for values in cluster(texts)]
    if isinstance(command, _StatsCommand):
        return _run_stats(command, rows)
    if isinstance(command, _SortCommand):
        return _run_sort(command, rows)
    if isinstance(command, _LimitCommand):
        return rows[: command.count]
    assert isinstance(command, _DedupCommand)
    seen: set[tuple[str, ...]] = set()
    kept = []
    for row in rows:
        values = [row.get(name) for name in command.fields]
        if any(value is None for value in values):
            kept.append(row)  # "Null values are not considered duplicates"
            continue
        key = tuple(_render(value) for value in values)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _run_parse(command: _ParseCommand, rows: list[Any]) -> list[Any]:
    output = []
    for row in rows:
        value = command.source.eval(row)
        text = None if value is None else _render(value)
        if command.mode == "logfmt":
            row.set(command.groups[0][1], None if text is None else _parse_logfmt(text))
        elif command.mode == "csv":
            values = [None] * len(command.groups) if text is None else _parse_csv(text, len(command.groups))
            for (_, name), item in zip(command.groups, values, strict=True):
                row.set(name, item)
        else:
            assert command.regex is not None
            matches = [] if text is None else list(command.regex.finditer(text))
            if not command.multi:
                matches = matches[:1]
            if len(matches) > 1:  # `multi`: one row per match, the others copies of this one
                for match in matches:
                    copy = row.copy()
                    for group, name in command.groups:
                        copy.set(name, match.group(group))
                    output.append(copy)
                continue
            # "If a log event doesn't match the specified pattern, you still see it ... without the fields"
            for group, name in command.groups:
                row.set(name, matches[0].group(group) if matches else None)
        output.append(row)
    return output


def _run_unnest(command: _UnnestCommand, rows: list[Any]) -> list[Any]:
    """CWL_QuerySyntax-Unnest: a list gives one row per item; any other value is a list of one item. A
    missing value or an empty list gives no row (the emulator's choice, docs/insights-emulation.md)."""
    output = []
    for row in rows:
        value = command.source.eval(row)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            copy = row.copy()
            copy.set(command.into, item)
            output.append(copy)
    return output


def _run_stats(command: _StatsCommand, rows: list[Any]) -> list[Any]:
    groups: dict[tuple[str | None, ...], tuple[list[Any], list[_Accumulator]]] = {}
    for row in rows:
        by_values = [item.expr.eval(row) for item in command.by]
        key = tuple(None if value is None else _render(value) for value in by_values)
        group = groups.get(key)
        if group is None:
            group = groups[key] = (by_values, [node.accumulator() for node in command.aggregates])
        for accumulator in group[1]:
            accumulator.add(row)
    output = []
    for by_values, accumulators in groups.values():
        values: dict[str, Any] = {}
        for item, value in zip(command.by, by_values, strict=True):
            values[item.name] = value
        context = _AggregateRow({acc.node: acc.result() for acc in accumulators})
        for item in command.items:
            values[item.name] = item.expr.eval(context)
        output.append(_DictRow(values))
    return output


def _run_sort(command: _SortCommand, rows: list[Any]) -> list[Any]:
    keyed = [([expr.eval(row) for expr, _ in command.keys], row) for row in rows]
    # Stable multi-pass sort, least significant key first; missing values sort last in either direction.
    for position in range(len(command.keys) - 1, -1, -1):
        descending = command.keys[position][1]
        present, missing = (1, 0) if descending else (0, 1)

        def key(
            entry: tuple[list[Any], Any],
            position: int = position,
            present: int = present,
            missing: int = missing,
        ):
            value = entry[0][position]
            return (missing,) if value is None else (present, _natural_key(value))

        keyed.sort(key=key, reverse=descending)
    return [row for _, row in keyed]


def parse_query(text: str) -> Query:
    """Parse and validate ``text``; raises :class:`MalformedQuery` or :class:`UnsupportedQuery`."""
    if not isinstance(text, str):
        raise TypeError("the query must be a string")
    parser = _Parser(text)
    commands = parser.parse()
    _validate(text, commands)
    return Query(text, commands)


def execute(
    query_text: str,
    events: Iterable[LogEvent],
    start_time: int,
    end_time: int,
    limit: int | None = None,
    *,
    include_ptr: bool = False,
) -> QueryOutcome:
    """Run a query over ``events`` whose timestamps fall in ``[start_time, end_time]`` (epoch seconds,
    inclusive at one-second resolution); ``limit`` is StartQuery's ``limit`` (default 10,000)."""
    return parse_query(query_text).execute(events, start_time, end_time, limit, include_ptr=include_ptr)


def run_query(
    query_text: str,
    events: Iterable[LogEvent],
    start_time: int,
    end_time: int,
    limit: int | None = None,
    *,
    include_ptr: bool = False,
) -> list[list[dict[str, str]]]:
    """Rows of a query as ``GetQueryResults.results`` shapes them."""
    return execute(query_text, events, start_time, end_time, limit, include_ptr=include_ptr).rows
