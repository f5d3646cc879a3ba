"""How early can any alarm page a slow leak without paging on noise? A bound computed from the simulated
week's own rates (week.py), not from a replay.

The best possible detector for the first minutes of a leak looks at one window of that length and pages
when its failures reach k. It is given every advantage: it looks exactly at the leak's first window; its
minimum-events guard is as high as can be while that window still passes (the window's expected
migrations), so quieter windows never page; and it scales k with the traffic, as a burn-rate threshold
does: a window of n migrations pages at ceil(k x n / n_leak) failures, the same failure share. Then

- it pages the leak with probability P(Poisson(leak share x n_leak) >= k);
- background noise draws, per week, the sum over the week's non-overlapping windows that pass the guard
  of P(Poisson(background share x n) >= ceil(k x n / n_leak)). An alarm evaluated every minute sees
  five times as many, overlapping windows, so this undercounts its noise.

For comparison, the noise of the same k as a fixed count in every window (no scaling with traffic).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from cartmon.dev.alert_quality.week import (
    BACKGROUND_FAILURE,
    FLOOR_MIGRATIONS_PER_MINUTE,
    MIGRATIONS,
    MINUTES_PER_DAY,
    OPERATION_SHARE,
    PEAK_MIGRATIONS_PER_MINUTE,
    Incident,
    rate,
)

DETECT_AT_LEAST = 0.9  # probability of paging the leak
NOISE_BELOW = 0.1  # expected noise pages a week


@dataclass(frozen=True)
class Row:
    k: int
    burn_rate: float  # of the failure share k / n_leak, for the availability SLO
    detects: float  # probability of paging the leak's first window
    noise_per_week: float  # share scaled with traffic
    noise_fixed_count_per_week: float


@dataclass(frozen=True)
class Limit:
    incident: str
    window_minutes: int
    migrations: float  # expected in the leak's first window
    leak_failures: float  # expected failures in it
    background_failures: float  # expected failures in it without the leak
    guard: int
    windows_passing: int  # of the week's non-overlapping windows
    windows: int
    rows: tuple[Row, ...]

    def achievable(self) -> list[Row]:
        return [r for r in self.rows if r.detects >= DETECT_AT_LEAST and r.noise_per_week < NOISE_BELOW]


def poisson_at_least(mean: float, k: int) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    term, below = math.exp(-mean), 0.0
    for i in range(k):
        below += term
        term *= mean / (i + 1)
    return max(0.0, 1.0 - below)


def detection_limit(
    leak: Incident,
    *,
    days: int,
    availability_target: float,
    window_minutes: int = 5,
    ks: range = range(1, 11),
) -> Limit:
    migration_share = sum(OPERATION_SHARE[op] for op in MIGRATIONS)
    per_minute = [
        rate(m, PEAK_MIGRATIONS_PER_MINUTE, FLOOR_MIGRATIONS_PER_MINUTE) * migration_share
        for m in range(days * MINUTES_PER_DAY)
    ]
    n_leak = sum(per_minute[leak.start : leak.start + window_minutes])
    guard = math.floor(n_leak)
    windows = [sum(per_minute[s : s + window_minutes]) for s in range(0, len(per_minute), window_minutes)]
    passing = [n for n in windows if n >= guard]
    budget = (100 - availability_target) / 100
    rows = tuple(
        Row(
            k=k,
            burn_rate=k / n_leak / budget,
            detects=poisson_at_least(leak.failure_share * n_leak, k),
            noise_per_week=sum(
                poisson_at_least(BACKGROUND_FAILURE * n, math.ceil(k * n / n_leak - 1e-9)) for n in passing
            )
            * 7
            / days,
            noise_fixed_count_per_week=sum(poisson_at_least(BACKGROUND_FAILURE * n, k) for n in passing)
            * 7
            / days,
        )
        for k in ks
    )
    return Limit(
        incident=leak.name,
        window_minutes=window_minutes,
        migrations=n_leak,
        leak_failures=leak.failure_share * n_leak,
        background_failures=BACKGROUND_FAILURE * n_leak,
        guard=guard,
        windows_passing=len(passing),
        windows=len(windows),
        rows=rows,
    )


def markdown(limit: Limit) -> list[str]:
    start = limit.incident
    method = (
        f"The {start}: its first {limit.window_minutes} minutes hold about {limit.migrations:.0f} migrations and "
        f"{limit.leak_failures:.1f} expected failures, against {limit.background_failures:.2f} without the leak. "
        "The best possible detector looks at exactly that window and pages when its failures reach k. Its guard "
        f"is as high as that window allows ({limit.guard} migrations: {limit.windows_passing} of the week's "
        f"{limit.windows} non-overlapping {limit.window_minutes}-minute windows pass it), and k scales with the "
        "traffic as a burn-rate threshold does (a window of n migrations needs "
        f"ceil(k x n / {limit.migrations:.0f}) failures). It pages the leak with "
        f"P(Poisson({limit.leak_failures:.2f}) >= k). Noise pages a week: the sum over the passing windows of "
        f"P(Poisson({100 * BACKGROUND_FAILURE:g} % of n) >= that window's k), the background alone on the week's "
        "traffic curve (incidents left out); an alarm evaluated every minute sees overlapping windows and draws "
        "more. The last column keeps k fixed in every window instead. Computed from the simulated week's rates "
        "(harness/cartmon/dev/alert_quality/detection_limit.py), not replayed."
    )
    lines = [
        *textwrap.wrap(method, width=110, break_on_hyphens=False),
        "",
        "| k | Burn rate | Pages the leak | Noise pages a week | Noise pages a week, k fixed |",
        "|---|---|---|---|---|",
    ]
    for r in limit.rows:
        lines.append(
            f"| {r.k} | {r.burn_rate:.1f}x | {100 * r.detects:.1f} % | {pages(r.noise_per_week)} | "
            f"{pages(r.noise_fixed_count_per_week)} |"
        )
    lines.append("")
    lines += textwrap.wrap(conclusion(limit), width=110, break_on_hyphens=False)
    return lines


def pages(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3g}"


def conclusion(limit: Limit) -> str:
    achievable = limit.achievable()
    if achievable:
        best = achievable[0]
        return (
            f"At k={best.k} ({best.burn_rate:.1f}x) a detector pages the leak with {100 * best.detects:.0f} % "
            f"probability and draws {best.noise_per_week:.3g} noise pages a week: paging it within "
            f"{limit.window_minutes} minutes is achievable."
        )
    sure = max((r for r in limit.rows if r.detects >= DETECT_AT_LEAST), key=lambda r: r.k, default=None)
    quiet = min((r for r in limit.rows if r.noise_per_week < NOISE_BELOW), key=lambda r: r.k, default=None)
    parts = []
    if sure is not None:
        parts.append(
            f"the largest k that pages it with at least {100 * DETECT_AT_LEAST:.0f} % (k={sure.k}) draws "
            f"{sure.noise_per_week:.3g} noise pages a week"
        )
    if quiet is not None:
        parts.append(
            f"the smallest k that draws fewer than {NOISE_BELOW:g} (k={quiet.k}) pages it with "
            f"{100 * quiet.detects:.0f} %"
        )
    return (
        f"No detector pages the {limit.incident} within {limit.window_minutes} minutes without paging on noise: "
        + "; ".join(parts)
        + ". In a few minutes its failures stay within the background's own variation."
    )
