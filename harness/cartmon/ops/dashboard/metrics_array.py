"""A metric widget's `metrics` array, with the `.` and `...` shorthand, as one spec per metric or expression."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cartmon.ops.dashboard.settings import DEFAULT_PERIOD, DEFAULT_STAT


def expand_metric_rows(rows: list) -> list[tuple[list[str], dict]]:
    """Each entry of a metrics array as (positional values, options), shorthand expanded.

    Per the dashboard body syntax, `"."` stands for the value at the same position in the
    previous metric, and `"..."` for the previous metric's values from its own position up to
    those that the entries after it replace (so `["...", "i-2"]` after
    `["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]` is the same metric for `i-2`).
    The options object is never inherited. An expression entry is only an options object.
    """
    expanded: list[tuple[list[str], dict]] = []
    previous: list[str] = []
    for number, entry in enumerate(rows):
        values = list(entry) if isinstance(entry, (list, tuple)) else [entry]
        options = values.pop() if values and isinstance(values[-1], dict) else {}
        if not values:
            expanded.append(([], dict(options)))
            continue
        if values.count("...") > 1:
            raise ValueError(f"metric {number + 1} uses '...' more than once: {entry}")
        if "..." in values:
            at = values.index("...")
            head, tail = values[:at], values[at + 1 :]
            values = head + previous[len(head) : max(len(head), len(previous) - len(tail))] + tail
        resolved = []
        for position, value in enumerate(values):
            if value == ".":
                if position >= len(previous):
                    raise ValueError(
                        f"metric {number + 1} repeats position {position + 1} with '.', "
                        "but the previous metric has no value there"
                    )
                value = previous[position]
            resolved.append(str(value))
        previous = resolved
        expanded.append((resolved, dict(options)))
    return expanded


@dataclass
class MetricSpec:
    id: str
    label: str
    stat: str
    period: int
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    expression: str | None = None
    visible: bool = True
    y_axis: str = "left"
    color: str | None = None
    region: str | None = None


def metric_specs(properties: dict) -> list[MetricSpec]:
    """The metrics of a metric widget, with the widget's defaults applied."""
    widget_stat = properties.get("stat") or DEFAULT_STAT
    widget_period = int(properties.get("period") or DEFAULT_PERIOD)
    specs: list[MetricSpec] = []
    for number, (values, options) in enumerate(expand_metric_rows(properties.get("metrics") or [])):
        common: dict[str, Any] = dict(
            stat=str(options.get("stat") or widget_stat),
            period=int(options.get("period") or widget_period),
            visible=options.get("visible", True) is not False,
            y_axis="right" if options.get("yAxis") == "right" else "left",
            color=options.get("color"),
            region=options.get("region") or properties.get("region"),
        )
        if not values:
            if not options.get("expression"):
                raise ValueError(f"metric {number + 1} has neither a metric nor an expression")
            specs.append(
                MetricSpec(
                    id=str(options.get("id") or f"e{number + 1}"),
                    label=str(options.get("label") or options["expression"]),
                    expression=str(options["expression"]),
                    **common,
                )
            )
            continue
        if len(values) < 2 or len(values) % 2:
            raise ValueError(f"metric {number + 1} is not [namespace, name, dimension, value, ...]: {values}")
        specs.append(
            MetricSpec(
                id=str(options.get("id") or f"m{number + 1}"),
                label=str(options.get("label") or ""),
                namespace=values[0],
                metric_name=values[1],
                dimensions=list(zip(values[2::2], values[3::2], strict=True)),
                **common,
            )
        )
    _default_labels(specs)
    return specs


def _default_labels(specs: list[MetricSpec]) -> None:
    """CloudWatch labels an unlabelled metric by its name, with what tells it apart from the
    widget's other metrics of the same name."""
    unlabelled = [s for s in specs if not s.label]
    for spec in unlabelled:
        spec.label = spec.metric_name or spec.id
    for spec in unlabelled:
        twins = [s for s in specs if s is not spec and s.metric_name == spec.metric_name]
        if not twins:
            continue
        parts = [spec.metric_name or ""]
        if any(t.dimensions != spec.dimensions for t in twins):
            parts += [value for _, value in spec.dimensions]
        if any(t.stat != spec.stat for t in twins):
            parts.append(spec.stat)
        if any(t.period != spec.period for t in twins):
            parts.append(f"{spec.period}s")
        spec.label = " ".join(parts)
