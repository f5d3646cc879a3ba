"""Render a deployed CloudWatch dashboard, from its own body, to one PNG and one HTML page.

    render_dashboard.py --dashboard NAME [--out build/dashboard] [--hours 3 | --start ISO [--end ISO]]

The dashboard body is read back with GetDashboard, so the picture is whatever the deployed
body says: widget positions on the 24-column grid, titles, metrics arrays (with the `.` and
`...` shorthand), periods, statistics, views, stacking, y axes, and Logs Insights queries.
Nothing here knows any particular widget.

- `metric` widgets: GetMetricData over the time range, one query per entry of the metrics
  array; `timeSeries` (lines, or stacked areas), `singleValue`/`gauge` (numbers), `bar` and
  `pie`. Metric-math entries (`{"expression": ...}`) are evaluated here on the fetched series
  (arithmetic, comparisons, AND/OR, IF, FILL, ABS, SUM/AVG/MIN/MAX of a list).
- `log` widgets: the query without its leading `SOURCE '<group>' |` clauses runs with
  StartQuery/GetQueryResults on those groups over the time range; the rows become a table.
- `text` widgets: the markdown, as text.
- any other widget type: a placeholder naming the type.

The time range ends at the caller's "now". Against the embedded emulator that is the
emulator's clock (`GET {endpoint}/_cartmon/clock`, which tests may have moved forward), and
the CLI reads it from there; elsewhere it is the wall clock. `start` is an ISO-8601 duration
relative to the end (CloudWatch's "-PT3H" form), an absolute time, or None for the body's
own `start` (default three hours).

Outputs, in the output folder: `<dashboard>.png` (the whole dashboard, COLUMN_PX pixels per
grid column and ROW_PX per grid row, under a HEADER_PX header) and `<dashboard>.html` (one
self-contained page: styles inline, graphs as base64 PNGs, tables and numbers as HTML).
"""

from __future__ import annotations

import argparse
import ast
import base64
import html
import io
import json
import math
import os
import re
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cartmon.project import ROOT, emulator_now, use_emulator_if_running

GRID_COLUMNS = 24
COLUMN_PX = 60  # one grid column: the whole dashboard is 1440 px wide
ROW_PX = 50  # one grid row
HEADER_PX = 56  # dashboard name and time range above the grid
DPI = 100
TITLE_PX = 26  # a widget's title band
DETAILS_PX = 22  # the page's "data" toggle under a graph
PAD_PX = 4  # gap around each widget

DEFAULT_WIDTH = 6  # CloudWatch's defaults for a widget without a size
DEFAULT_HEIGHT = 6
DEFAULT_PERIOD = 300
DEFAULT_STAT = "Average"
DEFAULT_START = "-PT3H"
MAX_DATAPOINTS = 1440  # per series: a longer range gets a longer period
QUERY_TIMEOUT_SECONDS = 60.0

# CloudWatch's graph palette (the d3 category10 colours).
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
INK = "#16191f"
MUTED = "#5f6b7a"
BORDER = "#d5dbdb"
PANEL = "#ffffff"
BACKGROUND = "#f2f3f3"

RANGE_VIEWS = {"singleValue", "gauge", "bar", "pie"}


# --- time ---------------------------------------------------------------------------------------

_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """Seconds of an ISO-8601 duration as dashboards write it ("-PT3H", "-P7D", "PT15M")."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "-P", "+P", "PT", "-PT"):
        raise ValueError(f"not an ISO-8601 duration (like -PT3H or -P1D): {text!r}")
    seconds = (
        float(match["weeks"] or 0) * 604800
        + float(match["days"] or 0) * 86400
        + float(match["hours"] or 0) * 3600
        + float(match["minutes"] or 0) * 60
        + float(match["seconds"] or 0)
    )
    return -seconds if match["sign"] == "-" else seconds


def to_epoch(value: Any) -> float:
    """Epoch seconds of a number, a datetime (naive = UTC) or an ISO-8601 time."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return to_epoch(parsed)
    raise TypeError(f"not a time: {value!r}")


def resolve_range(start: Any, end: Any, body: dict | None = None) -> tuple[float, float]:
    """(start, end) in epoch seconds. `end` is the caller's now; `start` a duration before it, an
    absolute time, or None for the body's own `start` (default three hours)."""
    end_s = time.time() if end is None else to_epoch(end)
    start = start if start is not None else (body or {}).get("start") or DEFAULT_START
    if isinstance(start, str) and start.strip().lstrip("+-").upper().startswith("P"):
        start_s = end_s - abs(parse_duration(start))
    else:
        start_s = to_epoch(start)
    if start_s >= end_s:
        raise ValueError("the time range is empty: start must be before end")
    return start_s, end_s


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def describe_range(start: float, end: float) -> str:
    hours = (end - start) / 3600
    span = f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"
    return f"{_utc(start):%Y-%m-%d %H:%M} \u2192 {_utc(end):%Y-%m-%d %H:%M} UTC ({span})"


# --- the body -----------------------------------------------------------------------------------


@dataclass
class Widget:
    index: int
    type: str
    x: int
    y: int
    width: int
    height: int
    properties: dict

    @property
    def view(self) -> str:
        return self.properties.get("view") or ("table" if self.type == "log" else "timeSeries")

    @property
    def title(self) -> str:
        title = self.properties.get("title")
        if title:
            return str(title)
        if self.type == "log":
            groups, _ = split_log_query(self.properties.get("query", ""))
            return ", ".join(groups) or "Logs"
        if self.type == "metric":
            names = []
            for row, _options in expand_metric_rows(self.properties.get("metrics") or []):
                if len(row) > 1 and row[1] not in names:
                    names.append(row[1])
            return ", ".join(names)
        return ""


def layout(body: dict) -> list[Widget]:
    """The body's widgets with their grid boxes; one without x/y goes to the next free place,
    left to right and top to bottom, as CloudWatch places it."""
    widgets: list[Widget] = []
    for index, raw in enumerate(body.get("widgets") or []):
        width = max(1, min(GRID_COLUMNS, int(raw.get("width") or DEFAULT_WIDTH)))
        height = max(1, int(raw.get("height") or DEFAULT_HEIGHT))
        widgets.append(
            Widget(
                index=index,
                type=str(raw.get("type", "")),
                x=-1 if raw.get("x") is None else min(int(raw["x"]), GRID_COLUMNS - width),
                y=-1 if raw.get("y") is None else int(raw["y"]),
                width=width,
                height=height,
                properties=dict(raw.get("properties") or {}),
            )
        )
    placed = [w for w in widgets if w.x >= 0 and w.y >= 0]
    for widget in widgets:
        if widget.x >= 0 and widget.y >= 0:
            continue
        widget.x, widget.y = _free_place(placed, widget.width, widget.height)
        placed.append(widget)
    return widgets


def _free_place(placed: list[Widget], width: int, height: int) -> tuple[int, int]:
    y = 0
    while True:
        for x in range(GRID_COLUMNS - width + 1):
            if not any(
                x < p.x + p.width and p.x < x + width and y < p.y + p.height and p.y < y + height
                for p in placed
            ):
                return x, y
        y += 1


def grid_rows(widgets: list[Widget]) -> int:
    return max((w.y + w.height for w in widgets), default=1)


def png_size(widgets: list[Widget]) -> tuple[int, int]:
    """Pixel size of the dashboard PNG for these widgets."""
    return GRID_COLUMNS * COLUMN_PX, HEADER_PX + grid_rows(widgets) * ROW_PX


# --- metrics arrays -----------------------------------------------------------------------------


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
        common = dict(
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


# --- metric data --------------------------------------------------------------------------------


@dataclass
class Series:
    spec: MetricSpec
    points: dict[float, float] = field(default_factory=dict)  # bucket start (epoch s) -> value
    error: str | None = None

    @property
    def times(self) -> list[float]:
        return sorted(self.points)

    @property
    def values(self) -> list[float]:
        return [self.points[t] for t in self.times]

    def latest(self) -> float | None:
        return self.points[max(self.points)] if self.points else None


@dataclass
class MetricData:
    series: list[Series]
    start: float  # first bucket
    end: float
    range_value: bool  # one value per metric for the whole range (setPeriodToTimeRange views)


def _query_window(properties: dict, spec: MetricSpec, start: float, end: float) -> tuple[float, int]:
    """First bucket start and period of one metric."""
    if properties.get("setPeriodToTimeRange") and properties.get("view") in RANGE_VIEWS:
        return start, max(60, math.ceil((end - start) / 60) * 60)
    period = spec.period
    if (end - start) / period > MAX_DATAPOINTS:
        period = math.ceil((end - start) / MAX_DATAPOINTS / 60) * 60
    return math.floor(start / period) * period, period


def fetch_metric_data(
    client_for: Callable[[str | None], Any], properties: dict, start: float, end: float
) -> MetricData:
    specs = metric_specs(properties)
    by_id = {spec.id: Series(spec) for spec in specs}
    groups: dict[tuple[str | None, float, int], list[MetricSpec]] = {}
    for spec in specs:
        if spec.expression is None:
            first, period = _query_window(properties, spec, start, end)
            groups.setdefault((spec.region, first, period), []).append(spec)
    first_bucket = start
    for (region, first, period), group in groups.items():
        first_bucket = min(first_bucket, first)
        client = client_for(region)
        results, errors = _get_metric_data(client, group, first, end, period)
        for spec in group:
            by_id[spec.id].points = results.get(spec.id, {})
            by_id[spec.id].error = errors.get(spec.id)
    grid_period = min((p for (_, _, p) in groups), default=int(properties.get("period") or DEFAULT_PERIOD))
    grid = [
        first_bucket + k * grid_period for k in range(max(1, math.ceil((end - first_bucket) / grid_period)))
    ]
    for spec in specs:
        if spec.expression is not None:
            series = by_id[spec.id]
            try:
                value = MetricMath(by_id, grid).evaluate(spec.expression)
            except MathError as error:
                series.error = f"expression not evaluated: {error}"
                continue
            series.points = value if isinstance(value, dict) else {t: float(value) for t in grid}
    range_value = bool(properties.get("setPeriodToTimeRange")) and properties.get("view") in RANGE_VIEWS
    return MetricData(series=list(by_id.values()), start=first_bucket, end=end, range_value=range_value)


def _metric_query(spec: MetricSpec, period: int) -> dict:
    return {
        "Id": spec.id,
        "MetricStat": {
            "Metric": {
                "Namespace": spec.namespace,
                "MetricName": spec.metric_name,
                "Dimensions": [{"Name": n, "Value": v} for n, v in spec.dimensions],
            },
            "Period": period,
            "Stat": spec.stat,
        },
        "ReturnData": True,
    }


def _get_metric_data(client, specs: list[MetricSpec], start: float, end: float, period: int):
    """{id: {bucket: value}} and {id: error}; a query the service refuses fails alone."""

    def call(batch: list[MetricSpec]) -> dict[str, dict[float, float]]:
        out: dict[str, dict[float, float]] = {s.id: {} for s in batch}
        token = None
        while True:
            request = dict(
                MetricDataQueries=[_metric_query(s, period) for s in batch],
                StartTime=_utc(start),
                EndTime=_utc(end),
                ScanBy="TimestampAscending",
            )
            if token:
                request["NextToken"] = token
            page = client.get_metric_data(**request)
            for result in page.get("MetricDataResults", []):
                points = out.setdefault(result["Id"], {})
                for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                    points[to_epoch(stamp)] = float(value)
            token = page.get("NextToken")
            if not token:
                return out

    try:
        return call(specs), {}
    except Exception:  # noqa: BLE001 - one bad query must not blank the others: retry one by one
        pass
    results, errors = {}, {}
    for spec in specs:
        try:
            results.update(call([spec]))
        except Exception as error:  # noqa: BLE001
            errors[spec.id] = _short_error(error)
    return results, errors


def _short_error(error: Exception) -> str:
    """The service's own message of a ClientError, else the exception's first line."""
    details = getattr(error, "response", {}).get("Error", {}) if hasattr(error, "response") else {}
    text = details.get("Message") or details.get("Code") or str(error).strip() or type(error).__name__
    return text.strip().splitlines()[0][:160] if text.strip() else type(error).__name__


class MathError(Exception):
    pass


class MetricMath:
    """Metric math on fetched series: + - * / ^, comparisons, AND/OR/NOT, IF, FILL, ABS and
    SUM/AVG/MIN/MAX of a list of series. A point exists where every operand has one."""

    FUNCTIONS = {"IF", "FILL", "ABS", "SUM", "AVG", "MIN", "MAX"}

    def __init__(self, series: dict[str, Series], grid: list[float]):
        self.series = series
        self.grid = grid

    def evaluate(self, expression: str):
        text = re.sub(r"\bAND\b|&&", " and ", expression)
        text = re.sub(r"\bOR\b|\|\|", " or ", text)
        text = re.sub(r"\bNOT\b", " not ", text).replace("^", "**")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as error:
            raise MathError(f"cannot parse {expression!r}") from error
        return self._eval(tree.body)

    def _eval(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            series = self.series.get(node.id)
            if series is None:
                raise MathError(f"unknown id {node.id!r}")
            if series.error:
                raise MathError(f"{node.id} has no data ({series.error})")
            return dict(series.points)
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand)
            if isinstance(node.op, ast.USub):
                return self._map(lambda a: -a, operand)
            if isinstance(node.op, ast.Not):
                return self._map(lambda a: float(not a), operand)
            return operand
        if isinstance(node, ast.BinOp):
            ops = {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.Div: lambda a, b: a / b if b else math.nan,
                ast.Pow: lambda a, b: a**b,
            }
            if type(node.op) not in ops:
                raise MathError("unsupported operator")
            return self._zip(ops[type(node.op)], self._eval(node.left), self._eval(node.right))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            ops = {
                ast.Gt: lambda a, b: float(a > b),
                ast.GtE: lambda a, b: float(a >= b),
                ast.Lt: lambda a, b: float(a < b),
                ast.LtE: lambda a, b: float(a <= b),
                ast.Eq: lambda a, b: float(a == b),
                ast.NotEq: lambda a, b: float(a != b),
            }
            if type(node.ops[0]) not in ops:
                raise MathError("unsupported comparison")
            return self._zip(ops[type(node.ops[0])], self._eval(node.left), self._eval(node.comparators[0]))
        if isinstance(node, ast.BoolOp):
            values = [self._eval(v) for v in node.values]
            combine = (
                (lambda a, b: float(bool(a) and bool(b)))
                if isinstance(node.op, ast.And)
                else (lambda a, b: float(bool(a) or bool(b)))
            )
            result = values[0]
            for value in values[1:]:
                result = self._zip(combine, result, value)
            return result
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.upper() in self.FUNCTIONS
        ):
            return self._call(node.func.id.upper(), node.args)
        raise MathError(f"unsupported syntax: {ast.dump(node)[:60]}")

    def _call(self, name: str, args: list):
        if name == "IF":
            if len(args) not in (2, 3):
                raise MathError("IF takes 2 or 3 arguments")
            condition = self._eval(args[0])
            then = self._eval(args[1])
            otherwise = self._eval(args[2]) if len(args) == 3 else None
            keys = list(condition) if isinstance(condition, dict) else self.grid
            out = {}
            for t in keys:
                c = condition[t] if isinstance(condition, dict) else condition
                chosen = then if c else otherwise
                if chosen is None:
                    continue
                value = chosen.get(t) if isinstance(chosen, dict) else chosen
                if value is not None and not math.isnan(value):
                    out[t] = value
            return out
        if name == "FILL":
            if len(args) != 2:
                raise MathError("FILL takes a series and a value")
            series, value = self._eval(args[0]), self._eval(args[1])
            if isinstance(value, dict) or not isinstance(series, dict):
                raise MathError("FILL fills a series with a number")
            return {t: series.get(t, value) for t in sorted(set(self.grid) | set(series))}
        if name == "ABS":
            return self._map(abs, self._eval(args[0]))
        # SUM/AVG/MIN/MAX of a list: per point, across the listed series.
        if len(args) != 1 or not isinstance(args[0], ast.List):
            raise MathError(f"{name} takes a list of series, like {name}([m1, m2])")
        members = [self._eval(e) for e in args[0].elts]
        keys = sorted(set().union(*(m for m in members if isinstance(m, dict))))
        reduce = {"SUM": sum, "AVG": lambda v: sum(v) / len(v), "MIN": min, "MAX": max}[name]
        out = {}
        for t in keys:
            values = [
                m[t] if isinstance(m, dict) else m for m in members if not isinstance(m, dict) or t in m
            ]
            if values:
                out[t] = float(reduce(values))
        return out

    @staticmethod
    def _map(function, operand):
        if isinstance(operand, dict):
            return {t: function(v) for t, v in operand.items()}
        return function(operand)

    @staticmethod
    def _zip(function, left, right):
        if isinstance(left, dict) and isinstance(right, dict):
            out = {t: function(left[t], right[t]) for t in left.keys() & right.keys()}
        elif isinstance(left, dict):
            out = {t: function(v, right) for t, v in left.items()}
        elif isinstance(right, dict):
            out = {t: function(left, v) for t, v in right.items()}
        else:
            return function(left, right)
        return {t: v for t, v in out.items() if not math.isnan(v)}


# --- Logs Insights ------------------------------------------------------------------------------

_SOURCE = re.compile(r"""^\s*SOURCE\s+(['"])(?P<group>[^'"]+)\1\s*\|""", re.IGNORECASE)


def split_log_query(query: str) -> tuple[list[str], str]:
    """(log groups of the leading `SOURCE '<group>' |` clauses, the query without them)."""
    groups = []
    rest = query
    while True:
        match = _SOURCE.match(rest)
        if not match:
            return groups, rest.strip()
        groups.append(match["group"])
        rest = rest[match.end() :]


@dataclass
class LogTable:
    columns: list[str]
    rows: list[dict[str, str]]
    groups: list[str]
    query: str
    error: str | None = None


def run_log_widget(logs, properties: dict, start: float, end: float) -> LogTable:
    groups, query = split_log_query(str(properties.get("query") or ""))
    table = LogTable(columns=[], rows=[], groups=groups, query=query)
    if not groups:
        table.error = "the query names no log group (SOURCE '<group>' | ...)"
        return table
    try:
        query_id = logs.start_query(
            logGroupNames=groups, startTime=int(start), endTime=int(math.ceil(end)), queryString=query
        )["queryId"]
        deadline = time.monotonic() + QUERY_TIMEOUT_SECONDS
        while True:
            result = logs.get_query_results(queryId=query_id)
            if result["status"] not in ("Scheduled", "Running", "Unknown") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    except Exception as error:  # noqa: BLE001 - the widget shows what went wrong
        table.error = _short_error(error)
        return table
    if result["status"] != "Complete":
        table.error = f"query {result['status']}"
        return table
    for row in result.get("results", []):
        table.rows.append({cell["field"]: cell.get("value", "") for cell in row if cell["field"] != "@ptr"})
    table.columns = list(dict.fromkeys(column for row in table.rows for column in row))
    return table


# --- markdown -----------------------------------------------------------------------------------

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__"), lambda m: f"<strong>{m[1] or m[2]}</strong>"),
    (
        re.compile(r"(?<![*\w])\*([^*]+)\*(?!\*)|(?<![_\w])_([^_]+)_(?!\w)"),
        lambda m: f"<em>{m[1] or m[2]}</em>",
    ),
]
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _inline_html(text: str) -> str:
    links: list[str] = []

    def keep_link(match):
        url = match[2]
        safe = url if re.match(r"^(https?:|mailto:|#|/)", url) else "#"
        links.append(f'<a href="{html.escape(safe)}">{html.escape(match[1])}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text)
    text = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m[1])], text)


def markdown_to_html(markdown: str) -> str:
    """The markdown subset text widgets use: headings, lists, paragraphs, code, emphasis, links,
    horizontal rules and pipe tables."""
    out: list[str] = []
    lines = markdown.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if heading := re.match(r"^(#{1,6})\s+(.*)$", line):
            level = len(heading[1])
            out.append(
                f"<h{level + 2 if level < 5 else 6}>{_inline_html(heading[2])}</h{level + 2 if level < 5 else 6}>"
            )
            i += 1
        elif re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):
            out.append("<hr>")
            i += 1
        elif re.match(r"^\s*([-*+]|\d+[.)])\s+", line):
            ordered = bool(re.match(r"^\s*\d", line))
            items = []
            while i < len(lines) and re.match(r"^\s*([-*+]|\d+[.)])\s+", lines[i]):
                items.append(f"<li>{_inline_html(re.sub(r'^\s*([-*+]|\d+[.)])\s+', '', lines[i]))}</li>")
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>{''.join(items)}</{tag}>")
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.match(r"^:?-{2,}:?$", c) for c in cells if c):
                    rows.append(cells)
                i += 1
            if rows:
                head = "".join(f"<th>{_inline_html(c)}</th>" for c in rows[0])
                body = "".join(
                    "<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
                )
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif line.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            out.append(f"<pre>{html.escape(chr(10).join(block))}</pre>")
        else:
            paragraph = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not re.match(r"^(#{1,6}\s|\s*([-*+]|\d+[.)])\s|\||```)", lines[i])
            ):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline_html(' '.join(paragraph))}</p>")
    return "\n".join(out)


def markdown_to_lines(markdown: str) -> list[tuple[str, str]]:
    """(style, text) lines for the PNG: style is 'h1'..'h3', 'li' or 'p'."""
    out = []
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if line.strip().startswith("```") or re.match(r"^\s*\|?\s*:?-{2,}", line):
            continue
        text = _LINK.sub(r"\1", line)
        text = re.sub(r"`([^`]+)`", r"\1", text)
        text = re.sub(r"\*\*([^*]+)\*\*|__([^_]+)__", lambda m: m[1] or m[2], text)
        text = re.sub(r"(?<![*\w])\*([^*]+)\*|(?<![_\w])_([^_]+)_(?!\w)", lambda m: m[1] or m[2], text)
        if heading := re.match(r"^(#{1,6})\s+(.*)$", text):
            out.append((f"h{min(3, len(heading[1]))}", heading[2]))
        elif item := re.match(r"^\s*([-*+]|\d+[.)])\s+(.*)$", text):
            out.append(("li", ("\u2022 " if not item[1][0].isdigit() else item[1] + " ") + item[2]))
        elif text.lstrip().startswith("|"):
            out.append(("p", "  ".join(c.strip() for c in text.strip().strip("|").split("|"))))
        else:
            out.append(("p", text))
    return out


# --- collecting ---------------------------------------------------------------------------------


@dataclass
class Rendered:
    widget: Widget
    metrics: MetricData | None = None
    table: LogTable | None = None
    error: str | None = None


def collect(cloudwatch, logs, widgets: list[Widget], start: float, end: float) -> list[Rendered]:
    clients: dict[str | None, Any] = {}

    def cloudwatch_for(region: str | None):
        own = cloudwatch.meta.region_name
        if not region or region == own:
            return cloudwatch
        if region not in clients:
            import boto3

            clients[region] = boto3.client(
                "cloudwatch", region_name=region, endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None
            )
        return clients[region]

    out = []
    for widget in widgets:
        item = Rendered(widget)
        try:
            if widget.type == "metric":
                item.metrics = fetch_metric_data(cloudwatch_for, widget.properties, start, end)
            elif widget.type == "log":
                item.table = run_log_widget(logs, widget.properties, start, end)
        except ValueError as error:  # a malformed metrics array: show it, render the rest
            item.error = str(error)
        out.append(item)
    return out


# --- drawing ------------------------------------------------------------------------------------


def format_number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1 else f"{value:.3g}"


class Canvas:
    """Pixel boxes (left, top, width, height from the figure's top-left) on a figure."""

    def __init__(self, fig: Figure, width_px: int, height_px: int):
        self.fig = fig
        self.width = width_px
        self.height = height_px

    def rect(self, left: float, top: float, width: float, height: float) -> list[float]:
        return [left / self.width, 1 - (top + height) / self.height, width / self.width, height / self.height]

    def axes(self, left, top, width, height, **kwargs):
        return self.fig.add_axes(self.rect(left, top, max(width, 1), max(height, 1)), **kwargs)

    def text(self, left, top, text, **kwargs):
        return self.fig.text(left / self.width, 1 - top / self.height, text, **kwargs)


def _colors(series: list[Series]) -> dict[str, str]:
    colors, k = {}, 0
    for s in series:
        if s.spec.color:
            colors[s.spec.id] = s.spec.color
        else:
            colors[s.spec.id] = PALETTE[k % len(PALETTE)]
            k += 1
    return colors


def _message(canvas: Canvas, box, text: str, color: str = MUTED, size: float = 9):
    left, top, width, height = box
    canvas.text(
        left + width / 2,
        top + height / 2,
        text,
        ha="center",
        va="center",
        color=color,
        fontsize=size,
        wrap=True,
    )


def draw_metric(canvas: Canvas, box, item: Rendered) -> None:
    properties = item.widget.properties
    data = item.metrics
    if item.error or data is None:
        _message(canvas, box, item.error or "no data", color="#d13212")
        return
    visible = [s for s in data.series if s.spec.visible]
    view = item.widget.view
    if view in ("singleValue", "gauge"):
        _draw_single_values(canvas, box, visible, data)
    elif view in ("bar", "pie"):
        _draw_bar_or_pie(canvas, box, visible, data, view)
    else:
        _draw_time_series(canvas, box, visible, data, properties)


def _range_or_latest(series: Series, data: MetricData) -> float | None:
    """A number view's value: the one whole-range datapoint (setPeriodToTimeRange), else the latest."""
    return series.latest()


def _draw_single_values(canvas: Canvas, box, visible: list[Series], data: MetricData) -> None:
    left, top, width, height = box
    if not visible:
        _message(canvas, box, "No metrics")
        return
    per_row = min(len(visible), max(1, int(width // 160)))
    rows = math.ceil(len(visible) / per_row)
    cell_w, cell_h = width / per_row, height / rows
    value_size = max(10, min(34, cell_h * 0.42, cell_w / 6))
    colors = _colors(visible)
    for k, series in enumerate(visible):
        cx = left + (k % per_row) * cell_w + cell_w / 2
        cy = top + (k // per_row) * cell_h
        value = _range_or_latest(series, data)
        shown = "No data" if value is None and not series.error else format_number(value)
        canvas.text(
            cx,
            cy + cell_h * 0.45,
            shown,
            ha="center",
            va="baseline",
            fontsize=value_size if value is not None else max(9, value_size * 0.45),
            color=colors[series.spec.id] if value is not None else MUTED,
        )
        caption = series.spec.label + (f" ({series.error})" if series.error else "")
        canvas.text(
            cx,
            cy + cell_h * 0.45 + 16,
            _clip(caption, max(12, int(cell_w / 6.5))),
            ha="center",
            va="top",
            fontsize=8,
            color=MUTED,
        )


def _draw_bar_or_pie(canvas: Canvas, box, visible: list[Series], data: MetricData, view: str) -> None:
    left, top, width, height = box
    values = [(s, _range_or_latest(s, data)) for s in visible]
    present = [(s, v) for s, v in values if v is not None]
    if not present:
        _message(canvas, box, "No data available.")
        return
    colors = _colors(visible)
    if view == "pie":
        ax = canvas.axes(left + 8, top + 4, min(width * 0.5, height - 8), height - 8)
        positive = [(s, v) for s, v in present if v > 0]
        if positive:
            ax.pie(
                [v for _, v in positive],
                colors=[colors[s.spec.id] for s, _ in positive],
                startangle=90,
                counterclock=False,
                wedgeprops={"linewidth": 1, "edgecolor": "white"},
            )
        ax.set_aspect("equal")
        legend_left = left + min(width * 0.5, height - 8) + 24
        chars = max(8, int((left + width - legend_left - 14) / 6))
        for k, (s, v) in enumerate(present):
            canvas.text(
                legend_left, top + 14 + k * 16, "\u25a0", fontsize=9, color=colors[s.spec.id], va="center"
            )
            canvas.text(
                legend_left + 13,
                top + 14 + k * 16,
                _clip(f"{s.spec.label}: {format_number(v)}", chars),
                fontsize=8,
                color=INK,
                va="center",
            )
        return
    ax = canvas.axes(left + 48, top + 6, width - 60, height - 30)
    labels = [s.spec.label for s, _ in present]
    ax.bar(range(len(present)), [v for _, v in present], color=[colors[s.spec.id] for s, _ in present])
    ax.set_xticks(
        range(len(present)),
        [_clip(x, max(6, int((width - 60) / len(present) / 5.5))) for x in labels],
        fontsize=7,
    )
    _style_axes(ax)


def _style_axes(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(BORDER)
    ax.tick_params(colors=MUTED, labelsize=7, length=3)
    ax.grid(axis="y", color="#eaeded", linewidth=0.8)
    ax.set_axisbelow(True)


def _apply_axis(ax, settings: dict | None, values: list[float]) -> None:
    settings = settings or {}
    low = settings.get("min")
    high = settings.get("max")
    if low is None and values and min(values) >= 0:
        low = 0
    if low is not None or high is not None:
        current = ax.get_ylim()
        ax.set_ylim(low if low is not None else current[0], high if high is not None else current[1])
    if settings.get("label"):
        ax.set_ylabel(settings["label"], fontsize=7, color=MUTED)


def _draw_time_series(canvas: Canvas, box, visible: list[Series], data: MetricData, properties: dict) -> None:
    left, top, width, height = box
    legend = (properties.get("legend") or {}).get("position", "bottom")
    legend_rows = 0
    if legend == "bottom" and visible:
        per_row = max(1, int((width - 20) // 170))
        legend_rows = math.ceil(len(visible) / per_row)
    right_axis = any(s.spec.y_axis == "right" for s in visible)
    legend_w = 150 if legend == "right" and visible else 0
    ax = canvas.axes(
        left + 44,
        top + 6,
        width - 44 - (36 if right_axis else 10) - legend_w,
        height - 6 - 20 - legend_rows * 15 - (10 if legend_rows else 0),
    )
    ax2 = ax.twinx() if right_axis else None
    colors = _colors(visible)
    stacked = bool(properties.get("stacked"))
    y_axes = properties.get("yAxis") or {}
    handles = []
    left_values: list[float] = []
    right_values: list[float] = []
    stack = [s for s in visible if s.spec.y_axis == "left" and stacked]
    if stack:
        times = sorted(set().union(*(s.points for s in stack)))
        if times:
            ys = [[s.points.get(t, 0.0) for t in times] for s in stack]
            areas = ax.stackplot(
                [_utc(t) for t in times],
                ys,
                colors=[colors[s.spec.id] for s in stack],
                alpha=0.55,
                linewidth=0.8,
            )
            left_values += [sum(column) for column in zip(*ys, strict=True)]
            handles += list(zip(areas, [s for s in stack], strict=True))
    for s in visible:
        if s in stack:
            continue
        target = ax2 if s.spec.y_axis == "right" else ax
        xs, ys = [_utc(t) for t in s.times], s.values
        (line,) = target.plot(
            xs,
            ys,
            color=colors[s.spec.id],
            linewidth=1.4,
            marker="o" if len(xs) <= 30 else None,
            markersize=2.5,
        )
        (right_values if target is ax2 else left_values).extend(ys)
        handles.append((line, s))
    for annotation in (
        properties.get("annotations", {}).get("horizontal", [])
        if isinstance(properties.get("annotations"), dict)
        else []
    ):
        if "value" in annotation:
            target = ax2 if annotation.get("yAxis") == "right" and ax2 else ax
            target.axhline(
                float(annotation["value"]),
                color=annotation.get("color", "#d13212"),
                linewidth=1,
                linestyle="--",
            )
            if annotation.get("label"):
                target.annotate(
                    annotation["label"],
                    (0.005, float(annotation["value"])),
                    xycoords=("axes fraction", "data"),
                    fontsize=7,
                    color=annotation.get("color", "#d13212"),
                    va="bottom",
                )
    ax.set_xlim(_utc(data.start), _utc(data.end))
    locator = mdates.AutoDateLocator(
        tz=UTC, minticks=3, maxticks=max(3, int(ax.get_position().width * canvas.width / 70))
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.DateFormatter("%H:%M" if data.end - data.start <= 2 * 86400 else "%m-%d", tz=UTC)
    )
    _style_axes(ax)
    _apply_axis(ax, y_axes.get("left"), left_values)
    if ax2 is not None:
        ax2.tick_params(colors=MUTED, labelsize=7, length=3)
        for side in ("top", "left"):
            ax2.spines[side].set_visible(False)
        ax2.spines["right"].set_color(BORDER)
        _apply_axis(ax2, y_axes.get("right"), right_values)
    if not left_values and not right_values:
        ax.set_yticks([0, 1])
        ax.set_ylim(0, 1)
        ax.text(
            0.5,
            0.5,
            "No data available.",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color=MUTED,
        )
    if legend == "hidden" or not handles:
        return
    labels = [s.spec.label + (f" (no data: {s.error})" if s.error else "") for _, s in handles]
    artists = [h for h, _ in handles]
    if legend == "right":
        ax.legend(
            artists,
            labels,
            loc="center left",
            bbox_to_anchor=(1.02 if not ax2 else 1.12, 0.5),
            fontsize=7,
            frameon=False,
            handlelength=1.2,
        )
    else:
        per_row = max(1, int((width - 20) // 170))
        ax.legend(
            artists,
            [_clip(x, 40) for x in labels],
            loc="upper left",
            bbox_to_anchor=(0, -0.1),
            ncol=per_row,
            fontsize=7,
            frameon=False,
            handlelength=1.2,
            borderaxespad=1.2 if legend_rows else 0,
        )


def draw_log_table(canvas: Canvas, box, table: LogTable | None, error: str | None = None) -> None:
    left, top, width, height = box
    if table is None or table.error or error:
        _message(canvas, box, (table.error if table else None) or error or "no result", color="#d13212")
        return
    if not table.rows:
        _message(canvas, box, "No data found in the time range.")
        return
    line_px, font = 15, 7.5
    char_px = 6.3  # DejaVu Sans Mono: 0.6 em at 7.5 pt and 100 dpi
    capacity = max(1, int((height - 4) // line_px) - 1)
    shown = table.rows[:capacity]
    more = len(table.rows) - len(shown)
    if more:
        shown = table.rows[: capacity - 1]
        more = len(table.rows) - len(shown)
    total_chars = max(10, int((width - 12) / char_px))
    natural = [min(60, max(len(c), *(len(r.get(c, "")) for r in shown))) for c in table.columns]
    budget = total_chars - 2 * (len(natural) - 1)
    widths = natural if sum(natural) <= budget else _shrink(natural, budget)
    x = left + 6
    positions = []
    for w in widths:
        positions.append(x)
        x += (w + 2) * char_px
    y = top + 2
    canvas.fig.add_artist(
        Rectangle(
            canvas.rect(left, top, width, line_px)[:2],
            width / canvas.width,
            line_px / canvas.height,
            transform=canvas.fig.transFigure,
            facecolor="#f4f4f4",
            edgecolor="none",
            zorder=-0.5,
        )
    )
    for column, position, w in zip(table.columns, positions, widths, strict=True):
        canvas.text(
            position,
            y + line_px / 2,
            _clip(column, w),
            fontsize=font,
            family="DejaVu Sans Mono",
            weight="bold",
            va="center",
            color=INK,
        )
    for row in shown:
        y += line_px
        for column, position, w in zip(table.columns, positions, widths, strict=True):
            canvas.text(
                position,
                y + line_px / 2,
                _clip(row.get(column, ""), w),
                fontsize=font,
                family="DejaVu Sans Mono",
                va="center",
                color=INK,
            )
    if more:
        y += line_px
        canvas.text(
            left + 6,
            y + line_px / 2,
            f"\u2026 {more} more row(s): see the HTML page",
            fontsize=font,
            va="center",
            color=MUTED,
            style="italic",
        )


def _shrink(natural: list[int], budget: int) -> list[int]:
    widths = list(natural)
    while sum(widths) > budget and max(widths) > 4:
        widths[widths.index(max(widths))] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    text = str(text).replace("\n", " ")
    return text if len(text) <= width else text[: max(1, width - 1)] + "\u2026"


def draw_text(canvas: Canvas, box, markdown: str) -> None:
    left, top, width, height = box
    sizes = {"h1": 13, "h2": 11.5, "h3": 10, "li": 8.5, "p": 8.5}
    y = top + 4
    for style, text in markdown_to_lines(markdown):
        size = sizes[style]
        wrap_at = max(10, int((width - 16) / (size * 0.58)))
        for piece in textwrap.wrap(text, wrap_at) or [""]:
            if y + size * 1.45 > top + height:
                return
            canvas.text(
                left + 8,
                y,
                piece,
                fontsize=size,
                va="top",
                color=INK,
                weight="bold" if style.startswith("h") else "normal",
            )
            y += size * 1.45 + (3 if style.startswith("h") else 0)


def draw_widget(canvas: Canvas, box, item: Rendered) -> None:
    widget = item.widget
    if widget.type == "metric":
        draw_metric(canvas, box, item)
    elif widget.type == "log":
        draw_log_table(canvas, box, item.table, item.error)
    elif widget.type == "text":
        draw_text(canvas, box, str(widget.properties.get("markdown", "")))
    else:
        _message(canvas, box, f"widget type '{widget.type}' is not rendered here")


def draw_dashboard(name: str, items: list[Rendered], start: float, end: float) -> Figure:
    widgets = [i.widget for i in items]
    width_px, height_px = png_size(widgets)
    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor=BACKGROUND)
    canvas = Canvas(fig, width_px, height_px)
    canvas.text(16, 22, name, fontsize=15, weight="bold", va="center", color=INK)
    canvas.text(16, 44, describe_range(start, end), fontsize=9, va="center", color=MUTED)
    for item in items:
        w = item.widget
        left = w.x * COLUMN_PX + PAD_PX
        top = HEADER_PX + w.y * ROW_PX + PAD_PX
        width = w.width * COLUMN_PX - 2 * PAD_PX
        height = w.height * ROW_PX - 2 * PAD_PX
        fig.add_artist(
            Rectangle(
                canvas.rect(left, top, width, height)[:2],
                width / width_px,
                height / height_px,
                transform=fig.transFigure,
                facecolor=PANEL if w.type != "text" else "#fbfbfb",
                edgecolor=BORDER,
                linewidth=1,
                zorder=-1,
            )
        )
        title = w.title
        if title:
            canvas.text(
                left + 8,
                top + TITLE_PX / 2 + 1,
                _clip(title, max(8, int(width / 7.5))),
                fontsize=10,
                weight="bold",
                va="center",
                color=INK,
            )
        content_top = top + (TITLE_PX if title else 4)
        draw_widget(canvas, (left + 2, content_top, width - 4, top + height - content_top - 2), item)
    return fig


def widget_png(item: Rendered) -> bytes:
    """One widget's drawing for the page (without its title and the data toggle, which are HTML)."""
    w = item.widget
    width_px = w.width * COLUMN_PX - 2 * PAD_PX - 10
    height_px = max(40, w.height * ROW_PX - 2 * PAD_PX - TITLE_PX - DETAILS_PX - 6)
    fig = Figure(figsize=(width_px / DPI, max(1, height_px) / DPI), dpi=DPI, facecolor=PANEL)
    draw_widget(Canvas(fig, width_px, max(1, height_px)), (2, 2, width_px - 4, height_px - 4), item)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor=PANEL)
    return buffer.getvalue()


# --- HTML ---------------------------------------------------------------------------------------

STYLE = f"""
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: {BACKGROUND}; color: {INK}; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
header {{ padding: 12px 16px 4px; }}
header h1 {{ margin: 0; font-size: 20px; }}
header p {{ margin: 2px 0 0; color: {MUTED}; }}
.grid {{ display: grid; grid-template-columns: repeat({GRID_COLUMNS}, minmax(0, 1fr)); grid-auto-rows: {ROW_PX}px;
        max-width: {GRID_COLUMNS * COLUMN_PX}px; padding: 0; }}
.widget {{ margin: {PAD_PX}px; background: {PANEL}; border: 1px solid {BORDER}; display: flex; flex-direction: column;
          min-width: 0; min-height: 0; overflow: hidden; }}
.widget h2 {{ font-size: 14px; margin: 0; padding: 4px 8px; height: {TITLE_PX}px; white-space: nowrap; overflow: hidden;
             text-overflow: ellipsis; }}
.widget .body {{ flex: 1; min-height: 0; overflow: auto; padding: 0 4px 4px; }}
.widget img {{ width: 100%; height: auto; display: block; }}
.widget.text .body {{ padding: 4px 12px; }}
.widget.text h3, .widget.text h4 {{ margin: 4px 0; }}
table {{ border-collapse: collapse; width: 100%; font: 12px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; }}
th, td {{ text-align: left; padding: 2px 6px; border-bottom: 1px solid #eaeded; white-space: nowrap; }}
th {{ position: sticky; top: 0; background: #fafafa; }}
.singles {{ display: flex; flex-wrap: wrap; justify-content: space-around; align-items: center; height: 100%; }}
.single {{ text-align: center; padding: 4px 12px; }}
.single .value {{ font-size: 30px; }}
.single .value.none {{ font-size: 16px; color: {MUTED}; }}
.single .label, .note {{ color: {MUTED}; font-size: 12px; }}
.error {{ color: #d13212; }}
details {{ font-size: 12px; color: {MUTED}; padding: 2px 4px; }}
"""


def _series_table(data: MetricData) -> str:
    times = sorted(set().union(*(s.points for s in data.series)))
    head = "<th>time (UTC)</th>" + "".join(f"<th>{html.escape(s.spec.label)}</th>" for s in data.series)
    rows = "".join(
        f"<tr><td>{_utc(t):%Y-%m-%d %H:%M}</td>"
        + "".join(f"<td>{format_number(s.points.get(t)) if t in s.points else ''}</td>" for s in data.series)
        + "</tr>"
        for t in times
    )
    return f"<details><summary>data</summary><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>"


def widget_html(item: Rendered) -> str:
    w = item.widget
    title = w.title
    classes = f"widget {html.escape(w.type)}"
    style = f"grid-column: {w.x + 1} / span {w.width}; grid-row: {w.y + 1} / span {w.height};"
    heading = f"<h2>{html.escape(title)}</h2>" if title else ""
    if (
        w.type == "metric"
        and not item.error
        and item.metrics is not None
        and w.view in ("singleValue", "gauge")
    ):
        singles = []
        for series in (s for s in item.metrics.series if s.spec.visible):
            value = _range_or_latest(series, item.metrics)
            note = f' <span class="error">({html.escape(series.error)})</span>' if series.error else ""
            shown = "No data" if value is None and not series.error else format_number(value)
            singles.append(
                f'<div class="single"><div class="value{" none" if value is None else ""}">{html.escape(shown)}</div>'
                f'<div class="label">{html.escape(series.spec.label)}{note}</div></div>'
            )
        content = f'<div class="singles">{"".join(singles)}</div>'
    elif w.type == "metric":
        if item.error or item.metrics is None:
            content = f'<p class="error">{html.escape(item.error or "no data")}</p>'
        else:
            labels = ", ".join(s.spec.label for s in item.metrics.series if s.spec.visible)
            image = base64.b64encode(widget_png(item)).decode("ascii")
            content = (
                f'<img alt="{html.escape(w.view)} graph of {html.escape(labels)}" src="data:image/png;base64,{image}">'
                + _series_table(item.metrics)
            )
    elif w.type == "log":
        table = item.table
        if table is None or table.error or item.error:
            content = (
                f'<p class="error">{html.escape((table.error if table else None) or item.error or "")}</p>'
            )
        elif not table.rows:
            content = '<p class="note">No data found in the time range.</p>'
        else:
            head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(r.get(c, ''))}</td>" for c in table.columns) + "</tr>"
                for r in table.rows
            )
            content = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    elif w.type == "text":
        content = markdown_to_html(str(w.properties.get("markdown", "")))
    else:
        content = f"<p class=\"note\">widget type '{html.escape(w.type)}' is not rendered here</p>"
    return (
        f'<section class="{classes}" style="{style}" data-widget="{w.index}">{heading}'
        f'<div class="body">{content}</div></section>'
    )


def page_html(name: str, items: list[Rendered], start: float, end: float) -> str:
    rows = grid_rows([i.widget for i in items])
    sections = "\n".join(widget_html(item) for item in items)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(name)} \u2013 dashboard</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>{html.escape(name)}</h1><p>{html.escape(describe_range(start, end))}; rendered from the deployed dashboard body</p></header>
<main class="grid" style="grid-template-rows: repeat({rows}, {ROW_PX}px)">
{sections}
</main>
</body>
</html>
"""


# --- entry points -------------------------------------------------------------------------------


def render_body(
    cloudwatch, logs, body: dict | str, name: str, out_dir, start=None, end=None
) -> tuple[Path, Path]:
    """Render a dashboard body (dict or JSON text) as `name`; see render()."""
    if isinstance(body, str):
        body = json.loads(body)
    start_s, end_s = resolve_range(start, end, body)
    widgets = layout(body)
    items = collect(cloudwatch, logs, widgets, start_s, end_s)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "dashboard"
    png_path, html_path = out / f"{stem}.png", out / f"{stem}.html"
    figure = draw_dashboard(name, items, start_s, end_s)
    figure.savefig(png_path, format="png", dpi=DPI, facecolor=BACKGROUND)
    html_path.write_text(page_html(name, items, start_s, end_s), encoding="utf-8")
    return png_path, html_path


def render(cloudwatch, logs, dashboard_name: str, out_dir, start=None, end=None) -> tuple[Path, Path]:
    """Render the deployed dashboard `dashboard_name` into out_dir; returns (png_path, html_path).

    `end` is the caller's now (epoch seconds or datetime; the emulator clock on the emulator),
    `start` a duration before it ("-PT3H"), an absolute time, or None for the body's `start`.
    """
    body = cloudwatch.get_dashboard(DashboardName=dashboard_name)["DashboardBody"]
    return render_body(cloudwatch, logs, body, dashboard_name, out_dir, start, end)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dashboard", required=True, help="dashboard name")
    parser.add_argument("--out", default=str(ROOT / "build" / "dashboard"), help="output folder")
    parser.add_argument(
        "--hours", type=float, help="time range ending now (default: the body's start, else 3)"
    )
    parser.add_argument("--start", help="ISO start time (UTC), instead of --hours")
    parser.add_argument(
        "--end", help="ISO end time (UTC); default now (the emulator's clock on the emulator)"
    )
    args = parser.parse_args(argv)

    import boto3

    endpoint = use_emulator_if_running()
    cloudwatch = boto3.client("cloudwatch", endpoint_url=endpoint)
    logs = boto3.client("logs", endpoint_url=endpoint)
    if args.end:
        end = to_epoch(args.end)
    else:
        end = (emulator_now(endpoint) if endpoint else None) or time.time()
    start = args.start or (f"-PT{args.hours:g}H" if args.hours else None)
    png_path, html_path = render(cloudwatch, logs, args.dashboard, args.out, start=start, end=end)
    print(png_path)
    print(html_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
