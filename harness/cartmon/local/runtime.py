"""Run the cart-migration handler as Lambda would, against any AWS endpoint, with its logs shipped.

The emulator cannot invoke a Lambda without Docker, so `LocalLambda` plays the Lambda service:
it calls the real handler in-process with API Gateway proxy events and a Lambda context
(cartmon.local.events), collects what the function writes to stdout (cartmon.local.stdout), frames it
with the platform's lines (cartmon.local.platform_lines), ships the lines to the function's log group
with PutLogEvents, and publishes the AWS/Lambda metrics (Invocations, Duration, Errors, Throttles) as
Lambda does. The metric filters and alarms under test then see exactly what they would see in AWS.

Shared by the end-to-end tests, the demo, `make traffic` and the benchmarks.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cartmon.local.events import LambdaContext
from cartmon.local.platform_lines import LOG_FORMATS, TIMED_OUT, PlatformLines
from cartmon.local.stdout import OutputUntilDeadline, captured_stdout

# What Lambda publishes per invocation, "Types of metrics for Lambda functions"
# (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html):
# - Invocations: every invocation of the function code, errors included; not recorded for a throttled
#   request (nor for other invocation errors).
# - Errors: invocations that end in a function error, the code's exceptions and the runtime's: timeouts
#   and configuration (init) errors. Its timestamp is the invocation's start.
# - Duration: time spent in the function code; at most the configured timeout.
# - Throttles: invocation requests throttled because no concurrency was left; not in Invocations.
LAMBDA_METRICS_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html"


class Throttled(Exception):
    """Lambda refused the invocation: the function's reserved concurrency is in use. The Invoke API
    answers 429 TooManyRequestsException (reason ReservedFunctionConcurrentInvocationLimitExceeded);
    API Gateway turns it into a 5xx for its caller."""

    status_code = 429
    error_type = "TooManyRequestsException"
    reason = "ReservedFunctionConcurrentInvocationLimitExceeded"


@dataclass
class Invocation:
    response: dict[str, Any] | None
    lines: list[str]
    duration_ms: float
    error: str | None = None
    status: str = "success"  # the platform report's status: success | error | timeout

    @property
    def status_code(self) -> int | None:
        return None if self.response is None else self.response.get("statusCode")

    @property
    def body(self) -> Any:
        return json.loads(self.response["body"]) if self.response and self.response.get("body") else None

    @property
    def events(self) -> list[dict[str, Any]]:
        parsed = []
        for line in self.lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict) and "event_type" in record:
                    parsed.append(record)
        return parsed


class LocalLambda:
    """The Lambda service for one function, in this process.

    `environment` is applied to os.environ (the handler reads its settings from there);
    `clock` gives the time stamped on shipped log events and Lambda metrics, so a test can run
    on the emulator's clock. `handler` serves another function than the cart-migration one (the
    bench's bare-boto3 baseline); by default `cart_migration.handler.lambda_handler`.

    As Lambda does (metrics: LAMBDA_METRICS_DOC):
    - the handler runs in its own thread and is stopped at `timeout_seconds`: the caller gets no answer,
      nothing the handler writes afterwards reaches the log, the platform's timeout report does, and
      Errors + 1 with Duration = the timeout. `monotonic` is the clock of that deadline and of the
      context's remaining time (a test can move it instead of waiting);
    - `init` is the init phase (by default the handler's start-up check, `check_configuration`). When it
      raises, every invocation runs it again and fails at init: the init error and the platform's init
      report in the log, Errors + 1 and Invocations + 1, no answer;
    - beyond `reserved_concurrency` concurrent invocations, an invocation is throttled (`Throttled`,
      a 429): Throttles + 1, nothing in Invocations or Errors, no log line;
    - `log_format` ("Text", Lambda's default, or "JSON", the function's logging_config) is the form of the
      platform's lines (START/END/REPORT or platform.start/platform.report).
    """

    def __init__(
        self,
        function_name: str,
        log_group: str,
        logs_client: Any,
        cloudwatch_client: Any,
        environment: dict[str, str],
        clock: Callable[[], float] = time.time,
        reserved_concurrency: int | None = None,
        timeout_seconds: float = 30.0,
        memory_mb: int = 256,
        before_call: Callable[[], None] | None = None,
        handler: Callable[[dict[str, Any], Any], Any] | None = None,
        *,
        init: Callable[[], Any] | None = None,
        log_format: str = "Text",
        monotonic: Callable[[], float] = time.monotonic,
    ):
        if log_format not in LOG_FORMATS:
            raise ValueError(f"log_format must be one of {LOG_FORMATS}, not {log_format!r}")
        self.function_name = function_name
        self.log_group = log_group
        self.logs = logs_client
        self.cloudwatch = cloudwatch_client
        self.clock = clock
        self.monotonic = monotonic
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.before_call = before_call
        self.log_format = log_format
        self.log_stream = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._slots = (
            None if reserved_concurrency is None else threading.BoundedSemaphore(reserved_concurrency)
        )
        self._cold = True
        os.environ.update(environment)
        self.logs.create_log_stream(logGroupName=log_group, logStreamName=self.log_stream)
        if handler is None:
            from cart_migration.handler import check_configuration, lambda_handler

            # Lambda's init phase: a function whose settings are wrong (no LOG_HASH_KEY, a PEM in
            # JWT_SECRET...) fails its init, with the reason logged, and so every request.
            init = init or check_configuration
            handler = lambda_handler
        self._handler = handler
        self._init = init
        self.init_error: BaseException | None = None
        if init is not None:
            # The environment's first init; a failure is retried (and reported) by each invocation.
            with captured_stdout():
                try:
                    init()
                except Exception as exc:
                    self.init_error = exc

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """One invocation: the handler's answer, its log lines (shipped), and Lambda's metrics."""
        if self._slots is not None and not self._slots.acquire(blocking=False):
            # Throttled: counted in Throttles only; Invocations are not recorded for it (LAMBDA_METRICS_DOC).
            self._publish_lambda_metrics(throttles=1)
            raise Throttled(f"Rate Exceeded: reserved concurrency of {self.function_name} is in use")
        try:
            if self.init_error is not None:
                return self._init_again(event)
            return self._run(event)
        finally:
            if self._slots is not None:
                self._slots.release()

    def run_deliveries(self, endpoint: str, function_arn: str | None = None) -> list[Invocation]:
        """Invoke the handler once per invocation the emulator recorded for this function (log
        subscription batches, alarm actions: `/_cartmon/deliveries`), as Lambda would have; each is
        taken, so it runs once. The events are the ones AWS sends (e.g. {"awslogs": {"data": ...}})."""
        from cartmon.project import EmulatorDeliveries

        arn = function_arn or f"arn:aws:lambda:ap-south-1:000000000000:function:{self.function_name}"
        return [
            self.invoke(d["event"]) for d in EmulatorDeliveries(endpoint).take(arn) if d["event"] is not None
        ]

    def _platform_lines(self) -> PlatformLines:
        """The platform's lines, for this function's settings as they are now."""
        return PlatformLines(self.log_format, self.memory_mb, self.timeout_seconds, self.clock)

    # --- one invocation --------------------------------------------------------------------------

    def _context(self) -> LambdaContext:
        return LambdaContext(
            function_name=self.function_name,
            memory_limit_in_mb=self.memory_mb,
            log_group_name=self.log_group,
            log_stream_name=self.log_stream,
            timeout_ms=int(self.timeout_seconds * 1000),
            invoked_function_arn=f"arn:aws:lambda:ap-south-1:000000000000:function:{self.function_name}",
            started_at=self.monotonic(),
            monotonic=self.monotonic,
        )

    def _init_again(self, event: dict[str, Any]) -> Invocation:
        """Lambda runs the init again for this invocation (a failed environment is not reused). If it
        fails again: the init error as the runtime logs it, the platform's init report, and a function error
        (Errors counts configuration errors; Invocations counts invocations ending in a function error)."""
        request_id = str(uuid.uuid4())
        started = self.monotonic()
        buffer = io.StringIO()
        error: BaseException | None = None
        with captured_stdout(buffer):
            try:
                assert self._init is not None
                self._init()
            except Exception as exc:
                error = exc
        init_ms = (self.monotonic() - started) * 1000
        if error is None:  # fixed since: the environment initialises, the invocation runs
            self.init_error = None
            return self._run_after_init(event, request_id, init_ms, buffer)
        error_type = "Runtime.ImportModuleError" if isinstance(error, ImportError) else type(error).__name__
        body_lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
        platform = self._platform_lines()
        error_line = platform.error(error, "", error_type)
        lines = platform.failed_init(request_id, init_ms, error_type, body_lines, error_line)
        self.ship(lines)
        self._publish_lambda_metrics(invocations=1, duration_ms=init_ms, errors=1)
        return Invocation(
            response=None,
            lines=[*body_lines, error_line],
            duration_ms=init_ms,
            error=f"{error_type}: {error}",
            status="error",
        )

    def _run(self, event: dict[str, Any]) -> Invocation:
        return self._run_after_init(event, str(uuid.uuid4()), None, None)

    def _run_after_init(
        self,
        event: dict[str, Any],
        request_id: str,
        init_ms: float | None,
        init_output: io.StringIO | None,
    ) -> Invocation:
        context = self._context()
        context.aws_request_id = request_id
        outcome: dict[str, Any] = {}
        started = context.started_at
        deadline = started + self.timeout_seconds
        output = OutputUntilDeadline(deadline, self.monotonic)

        def call() -> None:
            with captured_stdout(output):
                try:
                    if self.before_call:
                        self.before_call()
                    outcome["response"] = self._handler(event, context)
                except Exception as exc:  # an unhandled exception is a function error, as in Lambda
                    outcome["error"] = exc
                    print(self._platform_lines().error(exc, request_id))

        started_wall = time.perf_counter()
        worker = threading.Thread(target=call, name=f"lambda-{request_id[:8]}", daemon=True)
        worker.start()
        while worker.is_alive():
            remaining = deadline - self.monotonic()
            if remaining <= 0:
                break
            worker.join(min(remaining, 0.05) if self.monotonic is not time.monotonic else remaining)
        captured = output.stop()
        elapsed_s = self.monotonic() - started
        timed_out = worker.is_alive() or elapsed_s > self.timeout_seconds
        if timed_out:
            # Stopped at the timeout: no answer, Duration is the timeout.
            response, error, status, error_type = None, TIMED_OUT, "timeout", "Sandbox.Timedout"
            duration_ms = self.timeout_seconds * 1000
        elif "error" in outcome:
            exc = outcome["error"]
            response, error, status = None, f"{type(exc).__name__}: {exc}", "error"
            error_type = type(exc).__name__
            duration_ms = self._duration_ms(started_wall, elapsed_s)
        else:
            response, error, status, error_type = outcome.get("response"), None, "success", None
            duration_ms = self._duration_ms(started_wall, elapsed_s)
        body_lines = [line for line in captured.splitlines() if line.strip()]
        if init_output is not None:
            body_lines = [line for line in init_output.getvalue().splitlines() if line.strip()] + body_lines
        if self._cold and init_ms is None:
            init_ms = 450.0
        self._cold = False
        platform = self._platform_lines()
        lines = [
            platform.start(request_id),
            *body_lines,
            *platform.closing(request_id, duration_ms, status, error_type, init_ms),
        ]
        self.ship(lines)
        self._publish_lambda_metrics(invocations=1, duration_ms=duration_ms, errors=1 if error else 0)
        return Invocation(
            response=response, lines=body_lines, duration_ms=duration_ms, error=error, status=status
        )

    def _duration_ms(self, started_wall: float, elapsed_s: float) -> float:
        """The wall time of the call; on an injected clock, that clock's time if it moved further."""
        wall_ms = (time.perf_counter() - started_wall) * 1000
        return wall_ms if self.monotonic is time.monotonic else max(wall_ms, elapsed_s * 1000)

    def ship(self, lines: list[str]) -> None:
        """Write lines to the function's log stream, stamped with this runtime's clock."""
        now_ms = int(self.clock() * 1000)
        events = [{"timestamp": now_ms, "message": line} for line in lines]
        for start in range(0, len(events), 5000):
            self.logs.put_log_events(
                logGroupName=self.log_group,
                logStreamName=self.log_stream,
                logEvents=events[start : start + 5000],
            )

    def _publish_lambda_metrics(
        self, invocations: int = 0, duration_ms: float | None = None, errors: int = 0, throttles: int = 0
    ) -> None:
        """An invocation's Invocations, Errors, Throttles (0s included) and Duration; a throttled request's
        Throttles alone (Lambda records no Invocations for it)."""
        timestamp = self.clock()
        dimensions = [{"Name": "FunctionName", "Value": self.function_name}]
        if throttles and not invocations:
            data = [{"MetricName": "Throttles", "Value": throttles, "Unit": "Count"}]
        else:
            data = [
                {"MetricName": "Invocations", "Value": invocations, "Unit": "Count"},
                {"MetricName": "Errors", "Value": errors, "Unit": "Count"},
                {"MetricName": "Throttles", "Value": throttles, "Unit": "Count"},
            ]
        if duration_ms is not None:
            data.append({"MetricName": "Duration", "Value": duration_ms, "Unit": "Milliseconds"})
        self.cloudwatch.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[{**datum, "Dimensions": dimensions, "Timestamp": timestamp} for datum in data],
        )
