"""What the handler is called with: API Gateway proxy events for our routes, and a Lambda context.

The end-to-end tests, the demo, `make traffic`, the bench and the unit tests build their requests here,
so that every caller sends the events API Gateway sends (REST API v1 and HTTP API payload 2.0).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SOURCE_IP = "203.0.113.7"
API_HOST = "abc123.execute-api.ap-south-1.amazonaws.com"
CLEANUP_PREFIX = "/api/v1/cart/cleanup-guest/"


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
