"""Checks across commands (what exists after stats, dedup/limit order) and the output columns."""

from __future__ import annotations

import re
from typing import Any

from cartmon_emulator.engines.insights.aggregates import _Aggregate
from cartmon_emulator.engines.insights.commands import (
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
    _Literal,
    _Node,
    _PeriodLiteral,
)
from cartmon_emulator.engines.insights.model import (
    _MAX_STATS_COMMANDS,
    MalformedQuery,
)
from cartmon_emulator.engines.insights.tokenizer import (
    _position,
)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _resolve_after_stats(node: _Node, columns: dict[str, str]) -> _Node:
    """After stats, an expression spelled like an unaliased stats column (e.g. ``count(*)``) names it."""
    if not isinstance(node, (_Field, _Literal, _PeriodLiteral)):
        name = columns.get(_normalise(node.text))
        if name is not None:
            field = _Field(name)
            field.text, field.start = node.text, node.start
            return field
    for attribute in ("operand", "left", "right", "base"):
        child = getattr(node, attribute, None)
        if isinstance(child, _Node):
            setattr(node, attribute, _resolve_after_stats(child, columns))
    if isinstance(node, (_Call, _Aggregate)):
        node.args = [_resolve_after_stats(arg, columns) for arg in node.args]
    return node


def _command_expressions(command: _Command) -> list[tuple[Any, str]]:
    """(holder, attribute) pairs for every top-level expression of a command, so they can be replaced."""
    if isinstance(command, (_FieldsCommand,)):
        return [(item, "expr") for item in command.items]
    if isinstance(command, (_FilterCommand, _FilterIndexCommand)):
        return [(command, "condition")]
    if isinstance(command, (_ParseCommand, _UnnestCommand, _JsonCommand, _PatternCommand)):
        return [(command, "source")]
    if isinstance(command, _StatsCommand):
        return [(item, "expr") for item in command.by + command.items]
    return []


def _validate(text: str, commands: list[_Command]) -> None:
    def fail(message: str, node: _Node | None = None, command: _Command | None = None) -> MalformedQuery:
        offset = node.start if node is not None else getattr(command, "offset", None)
        if offset is None:
            return MalformedQuery(message)
        return MalformedQuery(message, *_position(text, offset))

    stats_seen = 0
    available: set[str] | None = None  # field names that exist after a stats command
    unaliased: dict[str, str] = {}
    for position, command in enumerate(commands):
        if isinstance(command, _SourceCommand) and position != 0:
            raise fail("SOURCE must be the first command of the query", command=command)
        if isinstance(command, _DedupCommand):
            for later in commands[position + 1 :]:
                if not isinstance(later, _LimitCommand):
                    raise fail("the only command allowed after dedup is limit", command=later)
        if isinstance(command, _StatsCommand):
            stats_seen += 1
            if stats_seen > _MAX_STATS_COMMANDS:
                raise fail(f"a query can have at most {_MAX_STATS_COMMANDS} stats commands", command=command)
            if stats_seen == 2:
                for earlier in commands[:position]:
                    if isinstance(earlier, (_SortCommand, _LimitCommand)):
                        raise fail("sort and limit must come after the second stats command", command=earlier)
        if available is not None:
            for holder, attribute in _command_expressions(command):
                setattr(holder, attribute, _resolve_after_stats(getattr(holder, attribute), unaliased))
            if isinstance(command, _SortCommand):
                command.keys = [(_resolve_after_stats(expr, unaliased), desc) for expr, desc in command.keys]
            expressions = [getattr(h, a) for h, a in _command_expressions(command)]
            if isinstance(command, _SortCommand):
                expressions += [expr for expr, _ in command.keys]
            for expr in expressions:
                for node in expr.walk():
                    if isinstance(node, _Field) and node.name not in available:
                        raise fail(
                            f"field '{node.name}' is not available after stats; only the stats results "
                            f"({', '.join(sorted(available))}) can be referenced",
                            node,
                        )
                    if isinstance(node, _Call) and node.name == "bin" and "@timestamp" not in available:
                        raise fail(
                            "bin() uses @timestamp, which is not available after stats unless the first stats "
                            "command defines it",
                            node,
                        )
            if isinstance(command, _DedupCommand):
                for name in command.fields:
                    if name not in available:
                        raise fail(f"field '{name}' is not available after stats", command=command)
        # aggregates are only meaningful inside stats items
        if not isinstance(command, _StatsCommand):
            expressions = [getattr(h, a) for h, a in _command_expressions(command)]
            if isinstance(command, _SortCommand):
                expressions += [expr for expr, _ in command.keys]
            for expr in expressions:
                for node in expr.walk():
                    if isinstance(node, _Aggregate):
                        raise fail(f"aggregate function '{node.text}' can only be used in stats", node)
        # what exists afterwards
        if isinstance(command, (_PatternCommand, _DiffCommand)):
            available, unaliased = set(command.columns), {}
        elif isinstance(command, _StatsCommand):
            available = set(command.columns)
            unaliased = {
                _normalise(item.name): item.name for item in command.by + command.items if not item.aliased
            }
        elif available is not None:
            if isinstance(command, _FieldsCommand):
                available.update(item.name for item in command.items)
            elif isinstance(command, _ParseCommand):
                available.update(name for _, name in command.groups)
            elif isinstance(command, _UnnestCommand):
                available.add(command.into)
            elif isinstance(command, _JsonCommand):
                available.add(command.alias)


def _output_columns(commands: list[_Command]) -> tuple[list[str], bool]:
    """Columns of the result, and whether rows are aggregated (no @ptr)."""
    columns: list[str] = []
    has_fields = False
    aggregated = False
    display: list[str] | None = None
    for command in commands:
        if isinstance(command, _FieldsCommand):
            names = [item.name for item in command.items]
            if command.keyword == "display":
                display = names
            else:
                columns.extend(names)
                has_fields = True
        elif isinstance(command, _ParseCommand):
            columns.extend(name for _, name in command.groups)
        elif isinstance(command, _UnnestCommand):
            columns.append(command.into)
        elif isinstance(command, _JsonCommand):
            columns.append(command.alias)
        elif isinstance(command, (_StatsCommand, _PatternCommand, _DiffCommand)):
            columns = list(command.columns)
            aggregated = True
            display = None  # a display before stats names fields that no longer exist
    if display is not None:
        chosen = display
    elif aggregated or has_fields:
        chosen = columns
    else:
        chosen = ["@timestamp", "@message", *columns]
    return list(dict.fromkeys(chosen)), aggregated
