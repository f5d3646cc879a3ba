"""Run the cart-migration handler as Lambda would, against any AWS endpoint, with its logs shipped.

The emulator cannot invoke a Lambda without Docker, so `LocalLambda` plays the Lambda service:
it calls the real handler in-process with API Gateway proxy events and a Lambda context,
collects what the function writes to stdout, frames it with the runtime's START/END/REPORT
lines, ships the lines to the function's log group with PutLogEvents, and publishes the
AWS/Lambda metrics (Invocations, Duration, Errors, Throttles) as Lambda does. The metric filters
and alarms under test then see exactly what they would see in AWS.

Shared by the end-to-end tests, the demo and the benchmarks; the builders of events and tokens
are the ones the unit tests use.
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

SOURCE_IP = "203.0.113.7"
API_HOST = "abc123.execute-api.ap-south-1.amazonaws.com"
CLEANUP_PREFIX = "/api/v1/cart/cleanup-guest/"


# --- tables -----------------------------------------------------------------------------------


def create_tables(
    dynamodb: Any, carts_table: str, rate_limit_table: str, idempotency_table: str | None = None
) -> None:
    """The function's tables as modules/migration_lambda declares them: keys, on-demand, TTL."""
    if idempotency_table is not None:
        dynamodb.create_table(
            TableName=idempotency_table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        dynamodb.get_waiter("table_exists").wait(
            TableName=idempotency_table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        dynamodb.update_time_to_live(
            TableName=idempotency_table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
        )
    dynamodb.create_table(
        TableName=carts_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "store_id", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "customer_id", "KeyType": "HASH"},
            {"AttributeName": "store_id", "KeyType": "RANGE"},
        ],
    )
    dynamodb.create_table(
        TableName=rate_limit_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "rate_key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "rate_key", "KeyType": "HASH"}],
    )
    for table in (carts_table, rate_limit_table):
        dynamodb.get_waiter("table_exists").wait(
            TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
        dynamodb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
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

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.timeout_ms - (time.monotonic() - self.started_at) * 1000))


# --- the runtime ------------------------------------------------------------------------------


class Throttled(Exception):
    """Lambda refused the invocation: the function's reserved concurrency is in use (429)."""


@dataclass
class Invocation:
    response: dict[str, Any] | None
    lines: list[str]
    duration_ms: float
    error: str | None = None

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
def captured_stdout() -> Iterator[io.StringIO]:
    """This thread's stdout, captured; other threads are unaffected."""
    import sys

    global _stdout_router, _stdout_users
    with _stdout_lock:
        if _stdout_router is None:
            _stdout_router = _StdoutByThread(sys.stdout)
            sys.stdout = _stdout_router
        _stdout_users += 1
        router = _stdout_router
    buffer = io.StringIO()
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
    ):
        self.function_name = function_name
        self.log_group = log_group
        self.logs = logs_client
        self.cloudwatch = cloudwatch_client
        self.clock = clock
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.before_call = before_call
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
            # JWT_SECRET...) refuses to start, with the reason, rather than fail every request.
            check_configuration()
            handler = lambda_handler
        self._handler = handler

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """One invocation: the handler's answer, its log lines (shipped), and Lambda's metrics."""
        if self._slots is not None and not self._slots.acquire(blocking=False):
            self._publish_lambda_metrics(throttles=1)
            raise Throttled(f"Rate Exceeded: reserved concurrency of {self.function_name} is in use")
        try:
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

    def _run(self, event: dict[str, Any]) -> Invocation:
        context = LambdaContext(
            function_name=self.function_name,
            memory_limit_in_mb=self.memory_mb,
            log_group_name=self.log_group,
            log_stream_name=self.log_stream,
            timeout_ms=int(self.timeout_seconds * 1000),
            invoked_function_arn=f"arn:aws:lambda:ap-south-1:000000000000:function:{self.function_name}",
        )
        request_id = context.aws_request_id
        response, error = None, None
        started = time.perf_counter()
        with captured_stdout() as captured:
            try:
                if self.before_call:
                    self.before_call()
                response = self._handler(event, context)
            except Exception as exc:  # an unhandled exception is a function error, as in Lambda
                error = f"{type(exc).__name__}: {exc}"
                print(
                    json.dumps(
                        {
                            "errorMessage": str(exc),
                            "errorType": type(exc).__name__,
                            "requestId": request_id,
                            "stackTrace": traceback.format_tb(exc.__traceback__),
                        }
                    )
                )
        duration_ms = (time.perf_counter() - started) * 1000
        if error is None and duration_ms > self.timeout_seconds * 1000:
            error = "Task timed out"
            response = None
        body_lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        lines = [f"START RequestId: {request_id} Version: $LATEST", *body_lines]
        if error == "Task timed out":
            lines.append(
                f"{time.strftime('%Y-%m-%dT%H:%M:%S')}Z {request_id} Task timed out after {self.timeout_seconds:.2f} seconds"
            )
        lines.append(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, int(duration_ms + 0.999))} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {min(self.memory_mb, 90)} MB"
        )
        if self._cold:
            report += "\tInit Duration: 450.00 ms"
            self._cold = False
        lines.append(report)
        self.ship(lines)
        self._publish_lambda_metrics(invocations=1, duration_ms=duration_ms, errors=1 if error else 0)
        return Invocation(response=response, lines=body_lines, duration_ms=duration_ms, error=error)

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
        timestamp = self.clock()
        dimensions = [{"Name": "FunctionName", "Value": self.function_name}]
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
