"""Run the cart-migration handler as Lambda would, against any AWS endpoint, with its logs shipped.

The emulator cannot invoke a Lambda without Docker, so `LocalLambda` plays the Lambda service:
it calls the real handler in-process with API Gateway proxy events and a Lambda context,
collects what the function writes to stdout, frames it with the runtime's START/END/REPORT
lines, ships the lines to the function's log group with PutLogEvents, and publishes the
AWS/Lambda metrics (Invocations, Duration, Errors, Throttles) as Lambda does. The metric filters
and alarms under test then see exactly what they would see in AWS.

Shared by the end-to-end tests, the demo and the benchmarks; the builders of events and tokens
are the ones the unit tests use.

Over 600 lines: one runtime with the three ways Lambda ends an invocation that the function does
not (a timeout, an init failure, a throttle), each with its platform lines and metrics; split, they
would share the invocation's state through private attributes.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt

from cartmon.project import ROOT

SOURCE_IP = "203.0.113.7"
API_HOST = "abc123.execute-api.ap-south-1.amazonaws.com"
CLEANUP_PREFIX = "/api/v1/cart/cleanup-guest/"


# --- tables -----------------------------------------------------------------------------------


TABLES_PATH = ROOT / "modules" / "migration_lambda" / "tables.json"


def table_definitions() -> dict[str, dict[str, Any]]:
    """The tables' keys, attribute types, TTL attribute and indexes, by the key main.tf gives each.

    One definition for both: modules/migration_lambda builds its aws_dynamodb_table resources
    from the same file.
    """
    tables: dict[str, dict[str, Any]] = json.loads(TABLES_PATH.read_text())["tables"]
    return tables


def create_table_request(name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """The CreateTable parameters of one definition of tables.json (on-demand, as the module's)."""

    def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        return keys + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])

    request: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in definition["attributes"].items()
        ],
        "KeySchema": key_schema(definition["hash_key"], definition.get("range_key")),
    }
    indexes = [
        {
            "IndexName": index["name"],
            "KeySchema": key_schema(index["hash_key"], index.get("range_key")),
            "Projection": {
                "ProjectionType": index["projection_type"],
                **(
                    {"NonKeyAttributes": index["non_key_attributes"]}
                    if index.get("non_key_attributes")
                    else {}
                ),
            },
        }
        for index in definition["global_secondary_indexes"]
    ]
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    return request


def create_tables(
    dynamodb: Any, carts_table: str, rate_limit_table: str, idempotency_table: str | None = None
) -> None:
    """The function's tables as modules/migration_lambda declares them (tables.json): keys, on-demand, TTL."""
    definitions = table_definitions()
    names = {"carts": carts_table, "rate_limit": rate_limit_table, "idempotency": idempotency_table}
    created = {key: name for key, name in names.items() if name is not None}
    for key, name in created.items():
        dynamodb.create_table(**create_table_request(name, definitions[key]))
    for key, name in created.items():
        dynamodb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": definitions[key]["ttl_attribute"]},
        )


# --- tokens -----------------------------------------------------------------------------------


def make_token(
    customer_id: str | None,
    key: Any,
    algorithm: str = "HS256",
    expires_in: int = 300,
    headers: dict | None = None,
    **claims: Any,
) -> str:
    payload: dict[str, Any] = {"exp": int(time.time()) + expires_in, "type": "customer", **claims}
    if customer_id is not None:
        payload["customer_id"] = customer_id
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


# --- API Gateway events -----------------------------------------------------------------------


def rest_v1_event(
    method: str,
    path: str,
    body: str | None = None,
    headers: dict | None = None,
    resource: str | None = None,
    path_parameters: dict | None = None,
    is_base64: bool = False,
    source_ip: str = SOURCE_IP,
) -> dict[str, Any]:
    """A REST API proxy integration event, shaped as API Gateway sends it (stage `prod`)."""
    headers = {
        "Host": API_HOST,
        "User-Agent": "cart-client",
        "Content-Type": "application/json",
        **(headers or {}),
    }
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource or path,
            "httpMethod": method,
            "extendedRequestId": "Xyz=",
            "requestTime": "21/Nov/2025:10:30:00 +0000",
            "path": f"/prod{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": "abc123",
            "requestTimeEpoch": 1763721000000,
            "requestId": str(uuid.uuid4()),
            "identity": {
                "sourceIp": source_ip,
                "userAgent": "cart-client",
                "accountId": None,
                "caller": None,
            },
            "domainName": API_HOST,
            "apiId": "abc123",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def http_v2_event(
    method: str,
    path: str,
    body: str | None = None,
    headers: dict | None = None,
    route_key: str | None = None,
    path_parameters: dict | None = None,
    is_base64: bool = False,
    source_ip: str = SOURCE_IP,
) -> dict[str, Any]:
    """An HTTP API payload format 2.0 event (default stage, lower-case header names)."""
    headers = {
        "host": API_HOST,
        "user-agent": "cart-client",
        "content-type": "application/json",
        **{name.lower(): value for name, value in (headers or {}).items()},
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": API_HOST,
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": "cart-client",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": route_key or f"{method} {path}",
            "stage": "$default",
            "time": "21/Nov/2025:10:30:00 +0000",
            "timeEpoch": 1763721000000,
        },
        "isBase64Encoded": is_base64,
    }
    if body is not None:
        event["body"] = body
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def api_event(
    api: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict | None = None,
    is_base64: bool = False,
    source_ip: str = SOURCE_IP,
) -> dict[str, Any]:
    """An event for one of our routes (`api` is "rest_v1" or "http_v2"); a dict body is JSON-encoded."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if is_base64 and body is not None:
        body = base64.b64encode(body.encode("utf-8")).decode("ascii")
    template, parameters = path, None
    if path.startswith(CLEANUP_PREFIX):
        template = CLEANUP_PREFIX + "{guest_session_id}"
        parameters = {"guest_session_id": path[len(CLEANUP_PREFIX) :]}
    if api == "rest_v1":
        return rest_v1_event(
            method,
            path,
            body,
            headers,
            resource=template,
            path_parameters=parameters,
            is_base64=is_base64,
            source_ip=source_ip,
        )
    return http_v2_event(
        method,
        path,
        body,
        headers,
        route_key=f"{method} {template}",
        path_parameters=parameters,
        is_base64=is_base64,
        source_ip=source_ip,
    )


@dataclass
class LambdaContext:
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_name: str = "cart-migration"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:ap-south-1:123456789012:function:cart-migration"
    log_group_name: str = "/aws/lambda/cart-migration"
    log_stream_name: str = "local"
    timeout_ms: int = 30_000
    started_at: float = field(default_factory=time.monotonic)
    # The clock the remaining time is read from (seconds, monotonic): a test can move it instead of waiting.
    monotonic: Callable[[], float] = time.monotonic

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.timeout_ms - (self.monotonic() - self.started_at) * 1000))


# --- the runtime ------------------------------------------------------------------------------

# What Lambda publishes per invocation, "Types of metrics for Lambda functions"
# (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html):
# - Invocations: every invocation of the function code, errors included; not recorded for a throttled
#   request (nor for other invocation errors).
# - Errors: invocations that end in a function error, the code's exceptions and the runtime's: timeouts
#   and configuration (init) errors. Its timestamp is the invocation's start.
# - Duration: time spent in the function code; at most the configured timeout.
# - Throttles: invocation requests throttled because no concurrency was left; not in Invocations.
LAMBDA_METRICS_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html"
TIMED_OUT = "Task timed out"
LOG_FORMATS = ("Text", "JSON")


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


class _UntilDeadline(io.StringIO):
    """An invocation's stdout: once Lambda has stopped the invocation (its timeout on `monotonic`),
    nothing the abandoned handler thread still writes reaches the log."""

    def __init__(self, deadline: float, monotonic: Callable[[], float]) -> None:
        super().__init__()
        self.deadline = deadline
        self.monotonic = monotonic
        self.stopped = False
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            if self.stopped or self.monotonic() > self.deadline:
                return len(text)
            return super().write(text)

    def stop(self) -> str:
        with self.lock:
            self.stopped = True
            return self.getvalue()


class _StdoutByThread(io.TextIOBase):
    """sys.stdout stand-in that routes each thread's writes to that thread's buffer, so
    concurrent invocations keep their lines apart as separate Lambda instances would."""

    def __init__(self, fallback) -> None:
        self.fallback = fallback
        self.buffers: dict[int, io.StringIO] = {}

    def write(self, text: str) -> int:
        buffer = self.buffers.get(threading.get_ident())
        return buffer.write(text) if buffer is not None else self.fallback.write(text)

    def flush(self) -> None:
        self.fallback.flush()


_stdout_lock = threading.Lock()
_stdout_router: _StdoutByThread | None = None
_stdout_users = 0


@contextlib.contextmanager
def captured_stdout(buffer: io.StringIO | None = None) -> Iterator[io.StringIO]:
    """This thread's stdout, captured (into `buffer` if given); other threads are unaffected."""
    import sys

    global _stdout_router, _stdout_users
    with _stdout_lock:
        if _stdout_router is None:
            _stdout_router = _StdoutByThread(sys.stdout)
            sys.stdout = _stdout_router
        _stdout_users += 1
        router = _stdout_router
    buffer = io.StringIO() if buffer is None else buffer
    router.buffers[threading.get_ident()] = buffer
    try:
        yield buffer
    finally:
        router.buffers.pop(threading.get_ident(), None)
        with _stdout_lock:
            _stdout_users -= 1
            if _stdout_users == 0:
                sys.stdout = router.fallback
                _stdout_router = None


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

    # --- the platform's lines, in the function's log format ------------------------------------

    def _stamp(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.clock())) + ".000Z"

    def _platform(self, event_type: str, record: dict[str, Any]) -> str:
        """A system log line in JSON format: the Telemetry API event schema
        (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html)."""
        return json.dumps({"time": self._stamp(), "type": event_type, "record": record})

    def _start_line(self, request_id: str) -> str:
        if self.log_format == "JSON":
            return self._platform("platform.start", {"requestId": request_id, "version": "$LATEST"})
        return f"START RequestId: {request_id} Version: $LATEST"

    def _closing_lines(
        self, request_id: str, duration_ms: float, status: str, error_type: str | None, init_ms: float | None
    ) -> list[str]:
        """END and REPORT (Text) or platform.report (JSON). A timed-out invocation's report has status
        "timeout" (and, in Text, the runtime's "Task timed out after N seconds" line before END)."""
        billed = max(1, int(duration_ms + 0.999))
        if self.log_format == "JSON":
            metrics: dict[str, Any] = {
                "durationMs": round(duration_ms, 3),
                "billedDurationMs": billed,
                "memorySizeMB": self.memory_mb,
                "maxMemoryUsedMB": min(self.memory_mb, 90),
            }
            if init_ms is not None:
                metrics["initDurationMs"] = init_ms
            record: dict[str, Any] = {"requestId": request_id, "metrics": metrics, "status": status}
            if error_type:
                record["errorType"] = error_type
            return [self._platform("platform.report", record)]
        lines = []
        if status == "timeout":
            lines.append(f"{self._stamp()} {request_id} {TIMED_OUT} after {self.timeout_seconds:.2f} seconds")
        lines.append(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {min(self.memory_mb, 90)} MB"
        )
        if init_ms is not None:
            report += f"\tInit Duration: {init_ms:.2f} ms"
        if status != "success":
            report += f"\tStatus: {status}"
            if error_type:
                report += f"\tError Type: {error_type}"
        return [*lines, report]

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
        error_line = self._error_line(error, "", error_type)
        if self.log_format == "JSON":
            lines = [
                self._platform(
                    "platform.initStart",
                    {"initializationType": "on-demand", "phase": "invoke", "runtimeVersion": "python:3.12"},
                ),
                *body_lines,
                error_line,
                self._platform(
                    "platform.initReport",
                    {
                        "initializationType": "on-demand",
                        "phase": "invoke",
                        "status": "error",
                        "errorType": error_type,
                        "metrics": {"durationMs": round(init_ms, 3)},
                    },
                ),
                self._start_line(request_id),
                *self._closing_lines(request_id, init_ms, "error", error_type, None),
            ]
        else:
            lines = [
                "INIT_START Runtime Version: python:3.12",
                *body_lines,
                error_line,
                f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: invoke\tStatus: error\t"
                f"Error Type: {error_type}",
                self._start_line(request_id),
                *self._closing_lines(request_id, init_ms, "error", error_type, None),
            ]
        self.ship(lines)
        self._publish_lambda_metrics(invocations=1, duration_ms=init_ms, errors=1)
        return Invocation(
            response=None,
            lines=[*body_lines, error_line],
            duration_ms=init_ms,
            error=f"{error_type}: {error}",
            status="error",
        )

    def _error_line(self, exc: BaseException, request_id: str, error_type: str | None = None) -> str:
        """An unhandled exception as the Python runtime logs it."""
        record = {
            "errorMessage": str(exc),
            "errorType": error_type or type(exc).__name__,
            "requestId": request_id,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
        if self.log_format == "JSON":
            return json.dumps({"timestamp": self._stamp(), "level": "ERROR", **record})
        return f"[ERROR] {record['errorType']}: {exc}"

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
        output = _UntilDeadline(deadline, self.monotonic)

        def call() -> None:
            with captured_stdout(output):
                try:
                    if self.before_call:
                        self.before_call()
                    outcome["response"] = self._handler(event, context)
                except Exception as exc:  # an unhandled exception is a function error, as in Lambda
                    outcome["error"] = exc
                    print(self._error_line(exc, request_id))

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
        lines = [
            self._start_line(request_id),
            *body_lines,
            *self._closing_lines(request_id, duration_ms, status, error_type, init_ms),
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
