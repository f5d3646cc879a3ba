"""The event catalogue: the one definition of event types, messages, fields and operations.

The Terraform module builds metric filters and alarms from the same JSON file, so the Lambda
reads names from here instead of repeating them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

CATALOGUE_FILE = "event_catalogue.json"


class EventSpec:
    __slots__ = ("event_type", "message", "level", "fields", "sampleable")

    def __init__(
        self, *, event_type: str, message: str, level: str, fields: tuple[str, ...], sampleable: bool
    ) -> None:
        self.event_type = event_type
        self.message = message
        self.level = level
        self.fields = fields
        self.sampleable = sampleable


class OperationSpec:
    __slots__ = ("name", "label", "target_ms", "acceptable_ms", "alert_ms")

    def __init__(self, *, name: str, label: str, target_ms: int, acceptable_ms: int, alert_ms: int) -> None:
        self.name = name
        self.label = label
        self.target_ms = target_ms
        self.acceptable_ms = acceptable_ms
        self.alert_ms = alert_ms


def _load() -> dict[str, Any]:
    # A plain open beside this file: importlib.resources would pull in pathlib at every cold start.
    catalogue: dict[str, Any]
    try:
        with open(os.path.join(os.path.dirname(__file__), CATALOGUE_FILE), encoding="utf-8") as file:
            catalogue = json.load(file)
    except OSError:  # imported from a zip archive: no file beside this one
        from importlib import resources

        catalogue = json.loads(
            resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
        )
    return catalogue


_RAW = _load()

COMMON_FIELDS: tuple[str, ...] = tuple(_RAW["common_fields"])

# Events a metric filter counts feed alarms (OperationDuration's p99 among them): sampling them
# would starve an alarm of data, so they are never sampled, whatever the catalogue says.
COUNTED_EVENT_TYPES: frozenset[str] = frozenset(metric["event_type"] for metric in _RAW["metrics"].values())

EVENTS: Mapping[str, EventSpec] = MappingProxyType(
    {
        name: EventSpec(
            event_type=name,
            message=spec["message"],
            level=spec["level"],
            fields=tuple(spec["fields"]),
            sampleable=bool(spec["sampleable"]) and name not in COUNTED_EVENT_TYPES,
        )
        for name, spec in _RAW["events"].items()
    }
)

OPERATIONS: Mapping[str, OperationSpec] = MappingProxyType(
    {
        name: OperationSpec(
            name=name,
            label=spec["label"],
            target_ms=spec["target_ms"],
            acceptable_ms=spec["acceptable_ms"],
            alert_ms=spec["alert_ms"],
        )
        for name, spec in _RAW["operations"].items()
    }
)


def operation(name: str) -> str:
    """Return ``name`` if the catalogue defines it; fails at import time on a typo in a caller."""
    if name not in OPERATIONS:
        raise KeyError(f"operation {name!r} is not in {CATALOGUE_FILE}")
    return name
