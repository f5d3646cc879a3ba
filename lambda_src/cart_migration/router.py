"""API Gateway proxy events in, proxy results out: REST API (payload v1) and HTTP API (payload v2).

Hand-written instead of Powertools' Event Handler. Measured with ``python -X importtime`` on the
deployment's Python, the Event Handler costs about 90-120 ms at every cold start (it imports
asyncio, email, the AppSync and Bedrock resolvers and the data classes of every event source) to
route three fixed paths; this module costs well under a millisecond. What the Event Handler does
for these routes, and is reproduced here with the same results: the payload format read from the
event, method and path matching (a trailing slash allowed), a ``<name>`` path segment passed to the route (the same characters Powertools accepts, '/'
excluded), case-insensitive request headers, and the response shape of each format
(``multiValueHeaders`` for REST, ``headers`` and ``cookies`` for HTTP APIs). What is given up and
not used here: compression, OpenAPI, middlewares and validation (CORS: cors.py).

Routes match what API Gateway itself matched, never the raw request path: the raw path carries
whatever sits in front of the API (``/prod`` for a REST stage, ``/carts`` for a custom domain's
base path mapping, ``/live`` for an HTTP API named stage), and a path that happens to start with
the stage's name (a stage called ``api``) cannot be told apart from one that does. So:

* REST API and HTTP API payload 1.0: ``resource`` (the API's resource or route path, such as
  ``/api/v1/cart/cleanup-guest/{guest_session_id}`` or ``/{proxy+}``) with ``pathParameters``
  put in its placeholders;
* HTTP API payload 2.0: the path of ``routeKey`` (``DELETE /api/v1/cart/cleanup-guest/{guest_session_id}``,
  ``ANY /{proxy+}``) with ``pathParameters`` put in;
* only a catch-all ``$default`` route, which names no path, falls back to the raw path with the
  stage removed (``requestContext.stage``); behind a custom domain's base path that route cannot
  be routed, use explicit routes or ``/{proxy+}`` there.

Event shapes: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
and https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

APPLICATION_JSON = "application/json"
REST_V1 = "rest_v1"
HTTP_V2 = "http_v2"
# The characters Powertools lets a <name> path segment hold (RFC 3986 safe and unsafe, no '/').
_SEGMENT = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"
_PARAMETER = re.compile(r"<(\w+)>")
# A placeholder in an API Gateway resource path or route key: {name}, or greedy {name+}.
_GATEWAY_PLACEHOLDER = re.compile(r"\{([^{}/+]+)(\+?)\}")
DEFAULT_ROUTE = "$default"


class Headers(dict[str, str]):
    """Request headers by lower-case name: HTTP header names are case-insensitive."""

    def __init__(self, headers: Mapping[str, Any] | None) -> None:
        super().__init__(
            (str(name).lower(), value) for name, value in (headers or {}).items() if isinstance(value, str)
        )

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


class Request:
    """One proxy event; route bodies read ``raw_event`` and ``headers`` as they read Powertools' event.

    The value classes here and in config, auth, catalogue and rate_limit are plain classes with
    slots: a dataclass or NamedTuple costs 0.5-10 ms of code generation at every cold start."""

    __slots__ = ("raw_event", "api", "method", "path", "headers")

    def __init__(
        self, *, raw_event: dict[str, Any], api: str, method: str, path: str, headers: Headers
    ) -> None:
        self.raw_event = raw_event
        self.api = api
        self.method = method
        self.path = path
        self.headers = headers


class Response:
    __slots__ = ("body", "content_type", "headers", "status_code")

    def __init__(
        self,
        status_code: int,
        body: str,
        content_type: str | None = APPLICATION_JSON,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})


def _stage_stripped(path: str, stage: Any) -> str:
    if isinstance(stage, str) and stage and stage != DEFAULT_ROUTE:
        prefix = f"/{stage}"
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path


def _filled_in(template: str, parameters: Any) -> str | None:
    """The API-relative path API Gateway matched: ``template`` with its placeholders filled from
    ``pathParameters``; None when a placeholder has no value (not an event API Gateway sends)."""
    values = parameters if isinstance(parameters, dict) else {}
    missing = False

    def value_of(placeholder: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(placeholder.group(1))
        if not isinstance(value, str):
            missing = True
            return ""
        return value

    path = _GATEWAY_PLACEHOLDER.sub(value_of, template)
    return None if missing else path


def _matched_path(template: Any, parameters: Any, raw_path: str, stage: Any) -> str:
    if isinstance(template, str) and template.startswith("/"):
        path = _filled_in(template, parameters)
        if path is not None:
            return path
    return _stage_stripped(raw_path, stage)


def request_from(event: Any) -> Request | None:
    """HTTP API payload v2 says so in ``version``; REST API and payload v1 carry ``httpMethod``.
    Anything else is not a proxy event (None)."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    context = context if isinstance(context, dict) else {}
    http = context.get("http")
    if event.get("version") == "2.0" and isinstance(http, dict):
        method, raw_path = http.get("method"), event.get("rawPath")
        if not isinstance(method, str) or not isinstance(raw_path, str):
            return None
        route_key = event.get("routeKey")
        route_path = route_key.partition(" ")[2] if isinstance(route_key, str) else None
        return Request(
            raw_event=event,
            api=HTTP_V2,
            method=method.upper(),
            path=_matched_path(route_path, event.get("pathParameters"), raw_path, context.get("stage")),
            headers=Headers(event.get("headers")),
        )
    method, raw_path = event.get("httpMethod"), event.get("path")
    if isinstance(method, str) and isinstance(raw_path, str):
        headers = event.get("headers")
        if not isinstance(headers, dict):  # only multiValueHeaders: the last value of each wins
            multi = event.get("multiValueHeaders")
            multi = multi if isinstance(multi, dict) else {}
            headers = {
                name: values[-1] for name, values in multi.items() if isinstance(values, list) and values
            }
        # REST API `path` never holds the stage (it may hold a custom domain's base path); HTTP API
        # payload 1.0 `path` holds a named stage. `resource` holds neither.
        stage = context.get("stage") if event.get("version") == "1.0" else None
        path = _matched_path(event.get("resource"), event.get("pathParameters"), raw_path, stage)
        return Request(
            raw_event=event, api=REST_V1, method=method.upper(), path=path, headers=Headers(headers)
        )
    return None


class Route:
    __slots__ = ("method", "pattern", "function")

    def __init__(self, method: str, pattern: re.Pattern[str], function: Callable[..., Response]) -> None:
        self.method = method
        self.pattern = pattern
        self.function = function


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, function: Callable[..., Response]) -> None:
        """``template`` is a path such as ``/carts/<cart_id>``; each ``<name>`` is passed by name."""
        pattern = _PARAMETER.sub(lambda match: f"(?P<{match.group(1)}>{_SEGMENT})", template.rstrip("/"))
        self.routes.append(Route(method.upper(), re.compile(f"^{pattern}/*$"), function))

    def methods_for(self, path: str) -> list[str]:
        """The methods routed for ``path`` (what an OPTIONS request asks)."""
        return sorted({route.method for route in self.routes if route.pattern.match(path)})

    def match(self, request: Request) -> tuple[Callable[..., Response], dict[str, str]] | None:
        for route in self.routes:
            if route.method == request.method:
                found = route.pattern.match(request.path)
                if found:
                    return route.function, found.groupdict()
        return None


def proxy_result(request_api: str, response: Response) -> dict[str, Any]:
    """The response in the shape the request's API expects."""
    headers = {"Content-Type": response.content_type} if response.content_type else {}
    headers.update(response.headers)
    if request_api == REST_V1:
        return {
            "statusCode": response.status_code,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
            "body": response.body,
            "isBase64Encoded": False,
        }
    return {
        "statusCode": response.status_code,
        "headers": headers,
        "cookies": [],
        "body": response.body,
        "isBase64Encoded": False,
    }
