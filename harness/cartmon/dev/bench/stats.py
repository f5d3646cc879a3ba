"""Percentiles and summaries of timings, and per-key medians over repeated runs."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0..100), interpolating linearly between the closest ranks
    (numpy's default, Excel's PERCENTILE.INC)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not in 0..100")
    position = (len(ordered) - 1) * q / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def summarize(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def medians_largest_first(runs: Sequence[Mapping[str, float]], name: str, value: str) -> list[dict[str, Any]]:
    """Per key, the median over runs of microseconds (absent = 0), in ms, largest first."""
    keys = {key for costs in runs for key in costs}
    rows = [{name: key, value: percentile([costs.get(key, 0) for costs in runs], 50) / 1000} for key in keys]
    return sorted(rows, key=lambda row: (-row[value], row[name]))
