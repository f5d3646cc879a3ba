"""The invocation's deadline, and the limits of every dependency call made before it.

Lambda kills an invocation at its timeout: no failure, latency or audit line is written, and the
caller gets a bare 5XX. So the function keeps ``SAFETY_MARGIN_SECONDS`` of its time to answer and
log, and every AWS call (DynamoDB, CloudWatch Logs, SSM) gets connect/read timeouts and a number
of attempts that fit in what is left: ``context.get_remaining_time_in_millis()`` less the margin.
When too little is left for even one short attempt the call is not made (``DeadlineExceeded``),
and the request answers 503 with its lines written.

The worst case of one call with botocore's "standard" retry mode is
``attempts * (connect + read)`` plus its back-off between attempts: a random delay of at most
``scale * 2 ** (n - 1)`` seconds after attempt ``n``, where scale is 1 s after a throttling error and
50 ms (25 ms for DynamoDB) otherwise (botocore.retries.standard.ExponentialBackoff), so at most
``2 ** (attempts - 1) - 1`` seconds in all (an ``x-amz-retry-after`` response header could add more;
DynamoDB, SSM and CloudWatch Logs do not send one). ``call_limits`` keeps that sum within the
budget. Outside Lambda (tools, tests without a context) no deadline is set and the clients use
their longest limits (``MAX_*``).

The root module refuses ``lambda_timeout`` below ``MIN_FUNCTION_TIMEOUT_SECONDS`` (variables-function.tf):
the margin, plus one DynamoDB call that can be retried once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# Kept before the deadline to answer 503 and write the failure, latency and audit lines.
SAFETY_MARGIN_SECONDS = 1.0
# Longest limits of a call, when time is not short (API Gateway gives up after 29 s anyway).
MAX_CONNECT_TIMEOUT_SECONDS = 2.0
MAX_READ_TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 3
# A retry is planned only when each attempt gets at least this long: a DynamoDB round trip is
# milliseconds, so half a second tells a stalled endpoint from a slow answer.
MIN_RETRIED_ATTEMPT_SECONDS = 0.5
# Below this, a single attempt is not worth starting: it would only time out.
MIN_ATTEMPT_SECONDS = 0.2
# Limits are rounded down to this step, so that few distinct clients are ever built.
STEP_SECONDS = 0.1
# The margin and a call retried once: two attempts of MIN_RETRIED_ATTEMPT_SECONDS and at most
# one second of back-off. Mirrored by the validation of lambda_timeout in variables-function.tf.
MIN_FUNCTION_TIMEOUT_SECONDS = 3


class DeadlineExceeded(Exception):
    """Too little of the invocation is left for a dependency call: it was not made."""

    def __init__(self, service: str, operation: str, budget_seconds: float) -> None:
        super().__init__(
            f"{service} {operation} not called: {max(0.0, budget_seconds):.3f} s left before the "
            f"function's safety margin ({SAFETY_MARGIN_SECONDS} s before its timeout)"
        )
        self.service = service
        self.operation = operation
        self.budget_seconds = budget_seconds


@dataclass(frozen=True)
class CallLimits:
    connect_timeout: float
    read_timeout: float
    attempts: int

    @property
    def worst_case_seconds(self) -> float:
        """Longest the call can take: every attempt timing out, with the largest back-off."""
        return self.attempts * (self.connect_timeout + self.read_timeout) + backoff_bound(self.attempts)

    def within(self, cap: CallLimits | None) -> CallLimits:
        """These limits, none longer than ``cap``'s."""
        if cap is None:
            return self
        return CallLimits(
            min(self.connect_timeout, cap.connect_timeout),
            min(self.read_timeout, cap.read_timeout),
            min(self.attempts, cap.attempts),
        )


UNBOUNDED = CallLimits(MAX_CONNECT_TIMEOUT_SECONDS, MAX_READ_TIMEOUT_SECONDS, MAX_ATTEMPTS)


def backoff_bound(attempts: int) -> float:
    """Most botocore's standard mode sleeps between ``attempts`` attempts."""
    return float(2 ** (attempts - 1) - 1)


def _step_down(seconds: float) -> float:
    return round(int(seconds / STEP_SECONDS + 1e-9) * STEP_SECONDS, 3)


def call_limits(budget_seconds: float) -> CallLimits | None:
    """The longest limits whose worst case fits in ``budget_seconds``; None if no attempt fits."""
    for attempts in range(MAX_ATTEMPTS, 0, -1):
        per_attempt = (budget_seconds - backoff_bound(attempts)) / attempts
        floor = MIN_RETRIED_ATTEMPT_SECONDS if attempts > 1 else MIN_ATTEMPT_SECONDS
        if per_attempt < floor:
            continue
        # A connection is set up in well under a second; most of the attempt waits for the answer.
        connect = _step_down(min(MAX_CONNECT_TIMEOUT_SECONDS, max(STEP_SECONDS, per_attempt * 0.3)))
        read = _step_down(min(MAX_READ_TIMEOUT_SECONDS, per_attempt - connect))
        if read < STEP_SECONDS:
            continue
        return CallLimits(connect, read, attempts)
    return None


class _Context(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


class Deadline:
    """When the invocation must have answered, on the monotonic clock."""

    def __init__(self, remaining_ms: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.remaining_ms_at_start = remaining_ms
        self.expires_at = clock() + remaining_ms / 1000

    def budget_seconds(self) -> float:
        """Time left for dependency calls: the remaining time less the safety margin."""
        return self.expires_at - self._clock() - SAFETY_MARGIN_SECONDS

    def limits(self, service: str, operation: str) -> CallLimits:
        budget = self.budget_seconds()
        limits = call_limits(budget)
        if limits is None:
            raise DeadlineExceeded(service, operation, budget)
        return limits


_current: Deadline | None = None


def start(context: Any) -> Deadline | None:
    """Set the deadline of the invocation that ``context`` describes (None without a context)."""
    global _current
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    _current = Deadline(int(remaining())) if callable(remaining) else None
    return _current


def clear() -> None:
    global _current
    _current = None


def current() -> Deadline | None:
    return _current


def limits_for(service: str, operation: str) -> CallLimits:
    """Limits of the next call: the longest ones outside an invocation."""
    return UNBOUNDED if _current is None else _current.limits(service, operation)
