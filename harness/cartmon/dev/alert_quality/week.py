"""A simulated week of shop traffic, minute by minute, with incidents of known start and end.

Traffic follows a diurnal curve from about one migration a minute at 04:00 to the peak at 16:00.
Per minute it yields what the metric filters, AWS/Lambda and AWS/ApiGateway would publish: migration
successes and failures, rate-limit refusals, timed-out invocations (the platform's timeout report),
Lambda invocations, errors and throttles, the API's requests and 5XX errors, and per operation the number
of requests, those slower than the latency SLO threshold and those slower than the p99 alarm line.

What each incident class leaves, as Lambda documents its metrics ("Types of metrics for Lambda functions",
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html) and as the local runtime
(cartmon.local.runtime) reproduces it:
- a timed-out invocation: no line of the function, the platform's timeout report (TimedOutInvocationCount),
  Invocations + 1, Errors + 1, Duration = the timeout; the API answers 5XX;
- an init failure: no line of the function, Invocations + 1, Errors + 1; 5XX;
- a throttled request: Throttles + 1 only (not in Invocations); 5XX;
- a stalled dependency: the function answers 503 at its deadline budget, with its failure and latency
  lines (slower than every latency line); 5XX;
- the API no longer reaching the function: the API's Count and 5XXError only. Durations follow
a log-normal distribution around 40 % of the operation's SLO threshold; a latency regression scales
them. The random generator is seeded: every run replays the same week.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

MINUTES_PER_DAY = 1440
# Log-normal durations: median 40 % of the SLO threshold, 0.2 % of requests above it at normal speed.
MEDIAN_SHARE = 0.4
SIGMA = math.log(1 / MEDIAN_SHARE) / 2.878  # z of the 99.8th percentile
PEAK_MIGRATIONS_PER_MINUTE = 600.0  # at 16:00
FLOOR_MIGRATIONS_PER_MINUTE = 1.0  # at 04:00
BACKGROUND_FAILURE = 0.001  # 0.2x burn of a 99.5 % SLO: healthy
RATE_LIMITED_SHARE = 0.001  # refusals per request: 20 in 5 minutes only well above the peak
OPERATION_SHARE = {
    "migrate_single_store": 0.85,
    "migrate_multi_store": 0.15,
    "get_all_carts": 0.3,
    "cleanup_guest_cart": 0.2,
}
MIGRATIONS = ("migrate_single_store", "migrate_multi_store")


@dataclass(frozen=True)
class Incident:
    name: str
    start: int  # minute of the week
    end: int  # first minute after it
    failure_share: float = 0.0  # share of migrations that fail
    latency_factor: float = 1.0  # durations scaled
    throttles_per_minute: int = 0
    failures: int = 0  # exact extra failures (a single failure at night)
    should_page: bool | None = None  # None: decided by the burn rate (report.goal)
    timeout_share: float = 0.0  # share of invocations stopped at the function timeout
    init_failure: bool = False  # every invocation fails at init
    throttle_share: float = 0.0  # share of requests throttled at the concurrency limit
    stalled_share: float = 0.0  # share of requests answered 503 at the deadline budget
    api_broken: bool = False  # the API answers 5XX without invoking the function


@dataclass
class Week:
    minutes: int
    success: list[float] = field(default_factory=list)
    failure: list[float] = field(default_factory=list)
    rate_limited: list[float] = field(default_factory=list)
    lambda_errors: list[float] = field(default_factory=list)
    throttles: list[float] = field(default_factory=list)
    invocations: list[float] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)  # platform timeout reports (log-derived)
    api_requests: list[float] = field(default_factory=list)  # AWS/ApiGateway Count
    api_5xx: list[float] = field(default_factory=list)  # AWS/ApiGateway 5XXError
    active: list[bool] = field(default_factory=list)  # any log event in the minute
    requests: dict[str, list[int]] = field(default_factory=dict)
    slow: dict[str, list[int]] = field(default_factory=dict)  # above the latency SLO threshold
    very_slow: dict[str, list[int]] = field(default_factory=dict)  # above the p99 alarm line
    incidents: list[Incident] = field(default_factory=list)
    budget_share: dict[str, float] = field(
        default_factory=dict
    )  # incident -> share of the monthly budget burned
    burn_rate: dict[str, float] = field(
        default_factory=dict
    )  # incident -> its SLIs' burn rate while it lasts


def rate(minute: int, peak: float, floor: float) -> float:
    """Migrations per minute: lowest at 04:00, highest at 16:00."""
    hour = (minute % MINUTES_PER_DAY) / 60
    shape = ((1 - math.cos(2 * math.pi * (hour - 4) / 24)) / 2) ** 2
    return floor + (peak - floor) * shape


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def share_above(limit_ms: float, threshold_ms: float, factor: float) -> float:
    """Share of requests slower than limit_ms, for an operation whose SLO threshold is threshold_ms."""
    median = MEDIAN_SHARE * threshold_ms * factor
    z = math.log(limit_ms / median) / SIGMA
    return 0.5 * math.erfc(z / math.sqrt(2))


def default_incidents() -> list[Incident]:
    day = MINUTES_PER_DAY
    return [
        Incident("10-minute total outage at peak", day + 16 * 60, day + 16 * 60 + 10, failure_share=1.0),
        Incident("1 % error leak for 6 hours", 2 * day + 9 * 60, 2 * day + 15 * 60, failure_share=0.01),
        Incident("5 % error leak for 3 hours", 3 * day + 10 * 60, 3 * day + 13 * 60, failure_share=0.05),
        Incident(
            "single failure at 03:00", 4 * day + 3 * 60, 4 * day + 3 * 60 + 1, failures=1, should_page=False
        ),
        Incident(
            "2x latency regression for 1 hour", 5 * day + 13 * 60, 5 * day + 14 * 60, latency_factor=2.0
        ),
        Incident(
            "throttling burst, 5 minutes at peak",
            6 * day + 17 * 60,
            6 * day + 17 * 60 + 5,
            # The guide makes throttling a P3 (a ticket); the availability SLI counts throttled requests as
            # bad, so its burn rate decides like any other incident's.
            throttles_per_minute=40,
        ),
        # Incidents the function cannot describe in its own lines (issue: SLIs measured where the user is).
        Incident(
            "timeout brownout: 40 % of invocations time out for 15 min",
            day + 11 * 60,
            day + 11 * 60 + 15,
            timeout_share=0.4,
        ),
        Incident(
            "init failure after a deploy, 10 min",
            2 * day + 17 * 60,
            2 * day + 17 * 60 + 10,
            init_failure=True,
        ),
        Incident(
            "throttling at the concurrency limit: half the requests for 10 min",
            3 * day + 15 * 60,
            3 * day + 15 * 60 + 10,
            throttle_share=0.5,
        ),
        Incident(
            "stalled dependency: 503 at the deadline budget for 10 min",
            4 * day + 12 * 60,
            4 * day + 12 * 60 + 10,
            stalled_share=1.0,
        ),
        Incident(
            "the API no longer reaches the function, 10 min",
            6 * day + 11 * 60,
            6 * day + 11 * 60 + 10,
            api_broken=True,
        ),
    ]


def simulate(
    *,
    days: int,
    slo_threshold_ms: dict[str, float],
    alert_ms: dict[str, float],
    availability_target: float,
    latency_target: float,
    incidents: list[Incident],
    peak: float = PEAK_MIGRATIONS_PER_MINUTE,
    floor: float = FLOOR_MIGRATIONS_PER_MINUTE,
    silent: tuple[tuple[int, int], ...] = (),
    seed: int = 20261201,
    period_days: float = 30,
) -> Week:
    """Per-minute counts of the simulated days. `silent`: (start, end) minutes without any request."""
    rng = random.Random(seed)
    minutes = days * MINUTES_PER_DAY
    week = Week(minutes, incidents=list(incidents))
    for op in OPERATION_SHARE:
        week.requests[op], week.slow[op], week.very_slow[op] = [], [], []
    bad_by_incident = dict.fromkeys((i.name for i in incidents), 0.0)
    # While an incident lasts: the availability SLI's good and bad, the latency SLI's slow and all (per
    # operation), as the SLIs count them (docs/slo-arithmetic.md).
    good_in = dict.fromkeys((i.name for i in incidents), 0.0)
    bad_in = dict.fromkeys((i.name for i in incidents), 0.0)
    slow_in = {i.name: dict.fromkeys(OPERATION_SHARE, 0.0) for i in incidents}
    all_in = {i.name: dict.fromkeys(OPERATION_SHARE, 0.0) for i in incidents}
    total_migrations = 0
    total_requests = 0
    for minute in range(minutes):
        now = [i for i in incidents if i.start <= minute < i.end]
        quiet = any(a <= minute < b for a, b in silent)
        mean = 0.0 if quiet else rate(minute, peak, floor)
        api_broken = any(i.api_broken for i in now)
        init_failure = any(i.init_failure for i in now)
        throttle_share = max([i.throttle_share for i in now] or [0.0])
        timeout_share = max([i.timeout_share for i in now] or [0.0])
        stalled_share = max([i.stalled_share for i in now] or [0.0])
        migrations_by_op = {}
        stalled_migrations = 0
        arrived = api_failed = throttled = init_failed = timed_out = stalled_other = 0
        for op, share in OPERATION_SHARE.items():
            factor = max([i.latency_factor for i in now] or [1.0])
            n = poisson(rng, mean * share)
            arrived += n
            # What never reaches the handler's lines: the API's own failures, throttles, init failures,
            # invocations stopped at the timeout.
            if api_broken:
                api_failed += n
                n = 0
            dropped = rng.binomialvariate(n, throttle_share) if n and throttle_share else 0
            throttled += dropped
            n -= dropped
            if init_failure:
                init_failed += n
                n = 0
            dropped = rng.binomialvariate(n, timeout_share) if n and timeout_share else 0
            timed_out += dropped
            n -= dropped
            stalled = rng.binomialvariate(n, stalled_share) if n and stalled_share else 0
            p_slow = min(1.0, share_above(slo_threshold_ms[op], slo_threshold_ms[op], factor))
            slow = rng.binomialvariate(n - stalled, p_slow) if n - stalled else 0
            p_very = min(1.0, share_above(alert_ms[op], slo_threshold_ms[op], factor) / max(p_slow, 1e-12))
            very = rng.binomialvariate(slow, p_very) if slow else 0
            # A stalled request answers at the deadline budget: slower than every latency line.
            slow += stalled
            very += stalled
            week.requests[op].append(n)
            week.slow[op].append(slow)
            week.very_slow[op].append(very)
            if op in MIGRATIONS:
                migrations_by_op[op] = n - stalled
                stalled_migrations += stalled
            else:
                stalled_other += stalled
            # Requests slower than the SLO threshold while a regression runs: budget of the latency SLO.
            for i in now:
                if i.latency_factor != 1.0:
                    bad_by_incident[i.name] += slow - n * share_above(
                        slo_threshold_ms[op], slo_threshold_ms[op], 1.0
                    )
                slow_in[i.name][op] += slow
                all_in[i.name][op] += n
        for i in now:
            for op in OPERATION_SHARE:  # a timed-out request is slow for every operation's SLI
                slow_in[i.name][op] += timed_out
                all_in[i.name][op] += timed_out
        migrations = sum(migrations_by_op.values())
        failure_share = max([i.failure_share for i in now] + [BACKGROUND_FAILURE])
        failures = rng.binomialvariate(migrations, failure_share) if migrations else 0
        failures += stalled_migrations  # the 503 of a stalled migration is a logged failure
        extra = sum(i.failures for i in now)
        failures += extra
        burst = sum(i.throttles_per_minute for i in now)
        # Errors beyond the logged failures, and Throttles
        unanswered = throttled + burst + init_failed + timed_out
        total_migrations += migrations + stalled_migrations + extra + unanswered + api_failed
        for i in now:
            if i.failure_share:
                bad_by_incident[i.name] += failures - migrations * BACKGROUND_FAILURE
            if i.failures:
                bad_by_incident[i.name] += i.failures
            if i.latency_factor == 1.0:
                bad_by_incident[i.name] += stalled_migrations + unanswered + api_failed
            good_in[i.name] += migrations + stalled_migrations - (failures - extra)
            bad_in[i.name] += failures + unanswered + api_failed
        requests = sum(week.requests[op][-1] for op in OPERATION_SHARE)
        total_requests += arrived
        week.success.append(float(migrations + stalled_migrations - (failures - extra)))
        week.failure.append(float(failures))
        week.rate_limited.append(float(rng.binomialvariate(requests, RATE_LIMITED_SHARE) if requests else 0))
        week.lambda_errors.append(float(init_failed + timed_out))
        week.throttles.append(float(burst + throttled))
        week.invocations.append(float(requests + init_failed + timed_out))
        week.timeouts.append(float(timed_out))
        week.api_requests.append(float(arrived))
        week.api_5xx.append(
            float(
                failures + stalled_other + unanswered + api_failed + sum(i.throttles_per_minute for i in now)
            )
        )
        # Log events: the function's lines, or the platform's (an init failure or a timeout writes them).
        week.active.append(requests + extra + init_failed + timed_out > 0)
    # The budgets: (100 - target) % of the SLO period (slo_period_days) of this traffic.
    availability_budget = (100 - availability_target) / 100 * total_migrations * period_days / days
    latency_budget = (100 - latency_target) / 100 * total_requests * period_days / days
    week.budget_share = {
        i.name: 100
        * max(bad_by_incident[i.name], 0.0)
        / (latency_budget if i.latency_factor != 1.0 else availability_budget)
        for i in incidents
    }
    for i in incidents:
        counted = good_in[i.name] + bad_in[i.name]
        availability = bad_in[i.name] / counted / ((100 - availability_target) / 100) if counted else 0.0
        latency = max(
            (slow_in[i.name][op] / all_in[i.name][op] for op in OPERATION_SHARE if all_in[i.name][op]),
            default=0.0,
        ) / ((100 - latency_target) / 100)
        week.burn_rate[i.name] = max(availability, latency)
    return week
