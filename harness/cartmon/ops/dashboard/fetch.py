"""Metric data of a widget: GetMetricData per region and period, then its metric-math expressions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cartmon.ops.dashboard.metric_math import MathError, evaluate_on_grid
from cartmon.ops.dashboard.metrics_array import MetricSpec, metric_specs
from cartmon.ops.dashboard.settings import DEFAULT_PERIOD, MAX_DATAPOINTS, RANGE_VIEWS
from cartmon.ops.dashboard.timerange import to_epoch, utc


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
            failed = [
                other
                for ident, other in by_id.items()
                if other.error and re.search(rf"\b{re.escape(ident)}\b", spec.expression)
            ]
            if failed:  # a series the service refused is not "no data points": say so
                series.error = (
                    f"expression not evaluated: {failed[0].spec.id} has no data ({failed[0].error})"
                )
                continue
            operands = {ident: other.points for ident, other in by_id.items() if ident != spec.id}
            try:
                series.points = evaluate_on_grid(spec.expression, operands, grid, grid_period)
            except MathError as error:
                series.error = f"expression not evaluated: {error}"
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
                StartTime=utc(start),
                EndTime=utc(end),
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
            errors[spec.id] = short_error(error)
    return results, errors


def short_error(error: Exception) -> str:
    """The service's own message of a ClientError, else the exception's first line."""
    details = getattr(error, "response", {}).get("Error", {}) if hasattr(error, "response") else {}
    text = details.get("Message") or details.get("Code") or str(error).strip() or type(error).__name__
    return text.strip().splitlines()[0][:160] if text.strip() else type(error).__name__
