"""CloudWatch statistics over one period's raw values, in pure Python (stdlib only).

Sources: "CloudWatch statistics definitions" (Statistics-definitions.html) and "Percentile-based alarms
and low data samples" (Amazon CloudWatch User Guide). The rules applied (nearest-rank percentiles,
trimmed statistics, the low-sample minimum) are described in ``alarm_evaluation``'s opening docstring.

Public API: :class:`Unsupported`, :func:`compute_statistic`, :func:`parse_statistic` (a ``Statistic``
with ``compute(values)``), :func:`low_sample_minimum`, ``SIMPLE_STATISTICS``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "SIMPLE_STATISTICS",
    "Statistic",
    "StatisticSet",
    "Unsupported",
    "compute_statistic",
    "low_sample_minimum",
    "parse_statistic",
]


class Unsupported(ValueError):
    """The alarm, statistic or expression cannot be evaluated faithfully by the engines."""


_NUM = r"\d+(?:\.\d+)?"
_PERCENTILE_RE = re.compile(rf"p({_NUM})")
_SHORT_TRIM_RE = re.compile(rf"(tm|wm|tc|ts)({_NUM})")
_LONG_TRIM_RE = re.compile(rf"(TM|WM|TC|TS|PR)\(\s*({_NUM}%?)?\s*:\s*({_NUM}%?)?\s*\)")
SIMPLE_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@dataclass(frozen=True)
class Statistic:
    name: str
    compute: Callable[[list[float]], float | None]
    percentile: float | None = None  # for pNN: NN
    percentile_text: str | None = None  # the NN as written, for exact arithmetic

    def compute_period(
        self, values: Sequence[float], sets: Sequence[StatisticSet] = ()
    ) -> tuple[float | None, int]:
        """``(value, sample count)`` of one period over raw ``values`` and published statistic sets.

        "Publishing statistic sets" (PutMetricData ``StatisticValues``): the simple statistics combine
        the sets with the raw values. Percentiles and trimmed statistics need raw values: a set counts
        only when its SampleCount is 1 or its Minimum equals its Maximum (every sample then has that
        value), as the CloudWatch User Guide says of percentiles over statistic sets; otherwise the
        period has no datapoint for such a statistic.
        """
        raw = [float(v) for v in values]
        count = len(raw) + sum(s.sample_count for s in sets)
        if not sets:
            return self.compute(raw), len(raw)
        if self.name in SIMPLE_STATISTICS:
            if count <= 0:
                return None, 0
            total = math.fsum(raw) + math.fsum(s.total for s in sets)
            lowest = min(raw + [s.minimum for s in sets])
            highest = max(raw + [s.maximum for s in sets])
            value = {
                "SampleCount": float(count),
                "Sum": total,
                "Average": total / count,
                "Minimum": lowest,
                "Maximum": highest,
            }[self.name]
            return value, round(count)
        expanded = list(raw)
        for statistic_set in sets:
            if statistic_set.sample_count == 1 or statistic_set.minimum == statistic_set.maximum:
                expanded += [statistic_set.minimum] * max(1, round(statistic_set.sample_count))
            else:
                return None, round(count)
        return self.compute(expanded), len(expanded)


@dataclass(frozen=True)
class StatisticSet:
    """One PutMetricData ``StatisticValues`` entry."""

    sample_count: float
    total: float
    minimum: float
    maximum: float


def _percentile(values: list[float], p: Fraction) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(Fraction(p) * len(ordered) / 100))  # exact: p99.9 of 1000 samples is rank 999
    return ordered[min(rank, len(ordered)) - 1]


def _bound(text: str | None) -> tuple[bool, Fraction] | None:
    if not text:
        return None
    is_percent = text.endswith("%")
    return is_percent, Fraction(text.rstrip("%"))


def _trimmed(values: list[float], lower, upper) -> tuple[list[float], list[float]]:
    """(kept values, winsorized values) for bounds ``(is_percent, number)`` or None."""
    ordered = sorted(values)
    n = len(ordered)
    kinds = {b[0] for b in (lower, upper) if b is not None}
    if kinds == {True}:
        drop_low = math.floor(lower[1] * n / 100) if lower else 0
        drop_high = math.floor((100 - upper[1]) * n / 100) if upper else 0
        kept = ordered[drop_low : max(drop_low, n - drop_high)]
        if not kept:
            return [], []
        low_edge, high_edge = kept[0], kept[-1]
    else:
        lo = float(lower[1]) if lower else -math.inf
        hi = float(upper[1]) if upper else math.inf
        kept = [v for v in ordered if lo < v <= hi]
        low_edge, high_edge = lo, hi
    winsorized = [min(max(v, low_edge), high_edge) for v in ordered]
    return kept, winsorized


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _trim_statistic(kind: str, lower, upper) -> Callable[[list[float]], float | None]:
    def compute(values: list[float]) -> float | None:
        if not values:
            return None
        kept, winsorized = _trimmed(values, lower, upper)
        if kind == "TM":
            return _mean(kept)
        if kind == "WM":
            return _mean(winsorized) if kept else None
        if kind == "TC":
            return float(len(kept))
        if kind == "TS":
            return math.fsum(kept)
        return 100.0 * len(kept) / len(values)  # PR

    return compute


def parse_statistic(name: str) -> Statistic:
    if not isinstance(name, str):
        raise Unsupported(f"statistic {name!r} is not a string")
    simple = {
        "SampleCount": lambda v: float(len(v)) if v else None,
        "Average": _mean,
        "Sum": lambda v: math.fsum(v) if v else None,
        "Minimum": lambda v: min(v) if v else None,
        "Maximum": lambda v: max(v) if v else None,
    }
    if name in simple:
        return Statistic(name, simple[name])
    if name == "IQM":
        return Statistic(name, _trim_statistic("TM", (True, Fraction(25)), (True, Fraction(75))))
    if m := _PERCENTILE_RE.fullmatch(name):
        p = Fraction(m.group(1))
        if p > 100:
            raise Unsupported(f"statistic {name}: percentile above 100")
        return Statistic(
            name, functools.partial(_percentile, p=p), percentile=float(p), percentile_text=m.group(1)
        )
    if m := _SHORT_TRIM_RE.fullmatch(name):
        p = Fraction(m.group(2))
        if p > 100:
            raise Unsupported(f"statistic {name}: percentage above 100")
        return Statistic(name, _trim_statistic(m.group(1).upper(), None, (True, p)))
    if m := _LONG_TRIM_RE.fullmatch(name):
        kind, lower, upper = m.group(1), _bound(m.group(2)), _bound(m.group(3))
        bounds = [b for b in (lower, upper) if b is not None]
        if not bounds:
            raise Unsupported(f"statistic {name}: no bound")
        if len({b[0] for b in bounds}) > 1:
            raise Unsupported(f"statistic {name}: mixes percentage and absolute bounds")
        if bounds[0][0] and (kind == "PR" or any(b[1] > 100 for b in bounds)):
            raise Unsupported(f"statistic {name}: invalid percentage bounds")
        if lower and upper and lower[1] > upper[1]:
            raise Unsupported(f"statistic {name}: lower bound above upper bound")
        return Statistic(name, _trim_statistic(kind, lower, upper))
    raise Unsupported(f"statistic {name!r} is not a CloudWatch statistic")


def compute_statistic(statistic: str, values: Sequence[float]) -> float | None:
    """One period's ``statistic`` (``Sum``, ``p99``, ``TM(10%:90%)``, ...) over raw ``values``.

    ``None`` when the period has no datapoint (no values, or an empty trimmed mean).
    Raises :class:`Unsupported` for an unknown statistic.
    """
    return parse_statistic(statistic).compute([float(v) for v in values])


def low_sample_minimum(percentile: float | str) -> Fraction | None:
    """Fewest samples for a significant pNN datapoint: ``10 / (1 - p)`` (p >= 0.5) or ``10 / p``.

    Exact arithmetic: with floats, p90 needs 100.00000000000001 samples and 100 samples count as too few.
    Pass the percentile as written (``"99.9"``) to avoid binary rounding of the input as well.
    """
    fraction = Fraction(str(percentile)) / 100
    if 0 < fraction < Fraction(1, 2):
        return 10 / fraction
    if Fraction(1, 2) <= fraction < 1:
        return 10 / (1 - fraction)
    return None
