"""Metric math for the dashboard, by the emulator's engine: the picture computes what the alarms compute.

The engine works on series aligned to one grid of periods (oldest first, None = no datapoint);
the dashboard's series are {bucket start: value}. This module is the one place that imports
the engine.
"""

from __future__ import annotations

from collections.abc import Mapping

from cartmon_emulator.engines.metric_math import evaluate_expression


class MathError(Exception):
    """An expression the engine cannot evaluate, or one that names a series without data."""


def evaluate_on_grid(
    expression: str, series: Mapping[str, Mapping[float, float]], grid: list[float], period: int
) -> dict[float, float]:
    """`expression` over `series` ({id: {bucket start: value}}) on `grid` (bucket starts, oldest
    first); a scalar result fills every bucket, points the engine drops are absent."""
    aligned = {ident: [points.get(t) for t in grid] for ident, points in series.items()}
    try:
        value = evaluate_expression(expression, aligned, period)
    except ValueError as error:  # the engine's Unsupported is a ValueError
        raise MathError(str(error).removeprefix("metric math: ")) from error
    if isinstance(value, list):
        return {t: v for t, v in zip(grid, value, strict=True) if v is not None}
    return {} if value is None else {t: float(value) for t in grid}
