"""Replays a simulated week through the planned alarms on a simulated clock, with the emulator's pure
engines (`cartmon_emulator.engines`): every minute, once the minute's data is complete, each metric alarm
is evaluated as CloudWatch would (`alarm_evaluation.evaluate_metric_alarm`), then the composite alarms
(`composite_alarms.rule_state`), and each notification is recorded with the topics it goes to, held back
while an actions suppressor says so (`composite_alarms.actions_suppression`).

The metrics are handed to the engine as statistic sets per period (what PutMetricData StatisticValues
would carry), summed from per-minute counts with prefix sums, so that a 3-day window costs as little as a
5-minute one. Durations are sets of equal values (fast, slower than the SLO threshold, slower than the p99
line), which the engine may expand for a percentile; for the p99 alarms a period's sets are scaled down to
at most 1,100 samples (their proportions kept; above 1,000 samples a p99 counts as significant either way).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from cartmon.dev.alert_quality.definitions import AlarmSet
from cartmon.dev.alert_quality.week import Week
from cartmon_emulator.engines import alarm_evaluation, composite_alarms
from cartmon_emulator.engines.statistics import StatisticSet

WILDCARD = (("*", "*"),)  # a series whatever its dimensions
EPOCH = 1_767_225_600  # 2026-01-01 00:00 UTC: minute 0 of the simulated week
PERCENTILE_SAMPLE_CAP = 1100


@dataclass(frozen=True)
class Notification:
    minute: float  # minutes since the start of the week
    alarm: str
    state: str
    topics: tuple[str, ...]


def _prefix(values) -> list[float]:
    return [0.0, *itertools.accumulate(float(v) for v in values)]


class MetricStore:
    """The week's metrics by (namespace, name, dimensions), with prefix sums per series."""

    def __init__(
        self,
        week: Week,
        namespace: str,
        function_name: str,
        durations_ms: dict[str, tuple[float, float, float]],
        function_timeout_ms: float = 15_000.0,
    ):
        self.minutes = week.minutes
        active = [1.0 if a else 0.0 for a in week.active]
        self.counts: dict[tuple, tuple[list[float], list[float]]] = {}

        def counts(name: str, values, dims=(), present=None) -> None:
            present = present if present is not None else active
            self.counts[
                (namespace if not name.startswith("AWS/") else name.split(":")[0], name.split(":")[-1], dims)
            ] = (
                _prefix(values),
                _prefix(present),
            )

        counts("MigrationSuccessCount", week.success)
        counts("MigrationFailureCount", week.failure)
        counts("RateLimitExceededCount", week.rate_limited)
        counts("MergeConflictCount", [0.0] * week.minutes)
        counts("NoGuestCartsCount", [0.0] * week.minutes)
        counts("TimedOutInvocationCount", week.timeouts or [0.0] * week.minutes)
        counts("MigrationFailureReraisedCount", [0.0] * week.minutes)
        # AWS/Lambda publishes datapoints for a function only in minutes it is invoked or throttled.
        lambda_dims = (("FunctionName", function_name),)
        invocations = week.invocations or [0.0] * week.minutes
        lambda_present = [1.0 if i or t else 0.0 for i, t in zip(invocations, week.throttles, strict=True)]
        counts("AWS/Lambda:Errors", week.lambda_errors, lambda_dims, present=lambda_present)
        counts("AWS/Lambda:Throttles", week.throttles, lambda_dims, present=lambda_present)
        counts("AWS/Lambda:Invocations", invocations, lambda_dims, present=lambda_present)
        # AWS/ApiGateway, for whatever ApiName and Stage the plan's alarms name (WILDCARD): a stage's Count
        # and 5XXError in the minutes it serves requests.
        api_requests = week.api_requests or [0.0] * week.minutes
        api_present = [1.0 if n else 0.0 for n in api_requests]
        counts("AWS/ApiGateway:Count", api_requests, WILDCARD, present=api_present)
        counts("AWS/ApiGateway:5XXError", week.api_5xx or [0.0] * week.minutes, WILDCARD, present=api_present)
        self.durations: dict[
            tuple, tuple[list[float], list[float], list[float], tuple[float, float, float]]
        ] = {}
        for op, n in week.requests.items():
            dims = (("Operation", op),)
            slow = week.slow[op]
            counts("SlowOperationCount", slow, dims, present=[1.0 if k else 0.0 for k in slow])
            self.durations[(namespace, "OperationDuration", dims)] = (
                _prefix(n),
                _prefix(slow),
                _prefix(week.very_slow[op]),
                durations_ms[op],
            )
        # AWS/Lambda Duration: a typical invocation, and the timed-out ones at the function timeout.
        timeouts = week.timeouts or [0.0] * week.minutes
        self.durations[("AWS/Lambda", "Duration", lambda_dims)] = (
            _prefix(invocations),
            _prefix(timeouts),
            _prefix(timeouts),
            (100.0, function_timeout_ms, function_timeout_ms),
        )

    def fetch_for(self, period: int, percentile: bool):
        def fetch(metric: dict, start: float, end: float):
            key = (
                metric["Namespace"],
                metric["MetricName"],
                tuple(sorted((d["Name"], d["Value"]) for d in metric["Dimensions"])),
            )
            if key not in self.counts and key not in self.durations:
                key = (key[0], key[1], WILDCARD)
            out = []
            first = int((start - EPOCH) // 60)
            buckets = int((end - start) // period)
            step = period // 60
            for j in range(buckets):
                lo = max(0, first + j * step)
                hi = min(self.minutes, first + (j + 1) * step)
                if hi <= lo:
                    continue
                stamp = EPOCH + lo * 60
                if key in self.counts:
                    values, present = self.counts[key]
                    minutes_with_data = present[hi] - present[lo]
                    if minutes_with_data:
                        total = values[hi] - values[lo]
                        out.append((stamp, StatisticSet(minutes_with_data, total, 0.0, total)))
                elif key in self.durations:
                    n, slow, very, (fast_ms, slow_ms, very_ms) = self.durations[key]
                    count, k, v = n[hi] - n[lo], slow[hi] - slow[lo], very[hi] - very[lo]
                    if not count:
                        continue
                    scale = (
                        PERCENTILE_SAMPLE_CAP / count if percentile and count > PERCENTILE_SAMPLE_CAP else 1.0
                    )
                    for samples, ms in ((count - k, fast_ms), (k - v, slow_ms), (v, very_ms)):
                        samples = round(samples * scale) if scale != 1.0 else samples
                        if samples > 0:
                            out.append((stamp, StatisticSet(samples, samples * ms, ms, ms)))
            return out

        return fetch


def _period(alarm: dict) -> int:
    if "Period" in alarm:
        return int(alarm["Period"])
    return int(next(q["MetricStat"]["Period"] for q in alarm["Metrics"] if "MetricStat" in q))


def replay(alarms: AlarmSet, store: MetricStore, *, only: set[str] | None = None) -> list[Notification]:
    """Every notification of the week, in time order. `only`: metric alarm names to evaluate (and the
    composites whose rules need nothing else)."""
    metric = {n: dict(a) for n, a in alarms.metric.items() if only is None or n in only}
    fetchers = {n: store.fetch_for(_period(a), "ExtendedStatistic" in a) for n, a in metric.items()}
    rules = {n: composite_alarms.parse_rule(c.rule) for n, c in alarms.composite.items()}
    composites = {
        n: c
        for n, c in alarms.composite.items()
        if all(r in metric or r in alarms.composite for r in rules[n].references)
    }
    # Composites that name composites come after those they name.
    order = sorted(composites, key=lambda n: any(r in composites for r in rules[n].references))
    state = {n: "INSUFFICIENT_DATA" for n in [*metric, *composites]}
    left_alarm_at: dict[str, float] = {}
    pending: dict[str, tuple[float, str]] = {}
    out: list[Notification] = []

    def changed(name: str, new: str, now: float) -> None:
        if state[name] == "ALARM" and new != "ALARM":
            left_alarm_at[name] = now
        state[name] = new

    for minute in range(store.minutes):
        now = EPOCH + (minute + 1) * 60 + 1  # the minute's data is complete
        at = minute + 1.0  # minutes since the start of the week when the data of `minute` is complete
        for name, alarm in metric.items():
            alarm["StateValue"] = state[name]
            evaluation = alarm_evaluation.evaluate_metric_alarm(alarm, fetchers[name], now)
            if evaluation.state and evaluation.state != state[name]:
                changed(name, evaluation.state, now)
                if alarms.actions[name]:
                    out.append(Notification(at, name, evaluation.state, tuple(alarms.actions[name])))
        for name in order:
            new = composite_alarms.rule_state(rules[name], state.get)
            if new != state[name]:
                changed(name, new, now)
                pending[name] = (now, new)
        for name, (transitioned_at, owed) in list(pending.items()):
            c = composites[name]
            suppression = composite_alarms.actions_suppression(
                transitioned_at=transitioned_at,
                suppressor_state=state.get(c.suppressor) if c.suppressor else None,
                suppressor_left_alarm_at=left_alarm_at.get(c.suppressor) if c.suppressor else None,
                wait_period=c.wait_period,
                extension_period=c.extension_period,
                now=now,
            )
            if suppression.by is None:
                del pending[name]
                if state[name] == owed and c.actions:
                    out.append(Notification(at, name, owed, tuple(c.actions)))
    return out
