"""Rows: one log event with its built-in and discovered (JSON) fields, or one stats result."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from cartmon_emulator.engines.insights.model import (
    LogEvent,
)
from cartmon_emulator.engines.insights.values import (
    _JsonFloat,
    _JsonInt,
    _resolve_path,
    _Timestamp,
)

if TYPE_CHECKING:
    from cartmon_emulator.engines.insights.aggregates import _Aggregate


_BUILTIN_FIELDS = frozenset({"@timestamp", "@message", "@logStream", "@log", "@ingestionTime", "@ptr"})


def _flatten_json(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            if not prefix and key.startswith("@"):
                key = "@" + key  # "If the name of a discovered log field starts with @ ... an additional @"
            _flatten_json(item, f"{prefix}.{key}" if prefix else key, into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten_json(item, f"{prefix}.{index}" if prefix else str(index), into)
    elif value is None:
        return
    elif isinstance(value, bool):
        into[prefix] = "true" if value else "false"
    else:
        into[prefix] = value


_JSON_DECODER = json.JSONDecoder(parse_float=_JsonFloat, parse_int=_JsonInt)


def _discover_fields(event: LogEvent) -> dict[str, Any]:
    message = event.message
    stripped = message.strip()
    document: Any = None
    if stripped.startswith("{"):
        try:
            document = _JSON_DECODER.decode(stripped)
        except ValueError:
            document = None
    if document is None and event.log_group.startswith("/aws/lambda/"):
        # Lambda logs: Insights discovers the first embedded JSON fragment of each event.
        brace = message.find("{")
        if brace >= 0:
            try:
                document, _ = _JSON_DECODER.raw_decode(message, brace)
            except ValueError:
                document = None
    fields: dict[str, Any] = {}
    if isinstance(document, dict):
        _flatten_json(document, "", fields)
    return fields


class _EventRow:
    __slots__ = ("_discovered", "derived", "event", "index")

    def __init__(self, event: LogEvent, index: int):
        self.event = event
        self.index = index
        self.derived: dict[str, Any] = {}
        self._discovered: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        if name in self.derived:
            return self.derived[name]
        if name in _BUILTIN_FIELDS:
            event = self.event
            if name == "@timestamp":
                return _Timestamp(event.timestamp_ms)
            if name == "@message":
                return event.message
            if name == "@logStream":
                return event.log_stream
            if name == "@log":
                return f"{event.account_id}:{event.log_group}"
            if name == "@ingestionTime":
                ingested = event.ingestion_time_ms
                return _Timestamp(event.timestamp_ms if ingested is None else ingested)
            return _pointer(event, self.index)
        if self._discovered is None:
            self._discovered = _discover_fields(self.event)
        value = self._discovered.get(name)
        if value is None and "." in name and self.derived:
            return _resolve_path(self.derived, name)
        return value

    def set(self, name: str, value: Any) -> None:
        self.derived[name] = value

    def copy(self) -> _EventRow:
        twin = _EventRow(self.event, self.index)
        twin.derived = dict(self.derived)
        twin._discovered = self._discovered
        return twin


class _DictRow:
    """A row produced by ``stats``: only its columns exist."""

    __slots__ = ("derived",)

    def __init__(self, values: dict[str, Any]):
        self.derived = values

    def get(self, name: str) -> Any:
        value = self.derived.get(name)
        if value is None and "." in name:
            return _resolve_path(self.derived, name)
        return value

    def set(self, name: str, value: Any) -> None:
        self.derived[name] = value

    def copy(self) -> _DictRow:
        return _DictRow(dict(self.derived))


class _AggregateRow:
    """Evaluation context of a ``stats`` item: aggregate nodes read their computed value."""

    __slots__ = ("aggregates",)

    def __init__(self, aggregates: dict[_Aggregate, Any]):
        self.aggregates = aggregates

    def get(self, name: str) -> Any:
        return None


def _pointer(event: LogEvent, index: int) -> str:
    raw = f"{event.account_id}:{event.log_group}:{event.log_stream}:{event.timestamp_ms}:{index}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
