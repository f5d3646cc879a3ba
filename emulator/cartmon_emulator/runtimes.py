"""Synchronous invocations handed to a function runtime that a harness serves over HTTP.

The emulator runs no function code (host mode, no Docker). AWS runs the function when API Gateway
invokes it (Invoke, RequestResponse); here a harness that runs the function itself
(``cartmon.local.api_runtime``, around ``cartmon.local.runtime.LocalLambda``) registers a URL for a
function name, and Invoke posts the event there and returns what comes back, so a request can
cross the emulator's API Gateway, the function and back. A function with no runtime registered is
left to moto, as before.

* ``POST /_cartmon/runtimes {"functionName": NAME, "url": URL}`` registers (``"url": null`` removes);
* the runtime answers ``POST URL`` (body: the event) with the function's result as JSON, and the
  header ``X-Amz-Function-Error: Unhandled`` when the function raised (Invoke's FunctionError).
"""

from __future__ import annotations

import threading
import urllib.request

from localstack.http import Request, Response

RUNTIMES_PATH = "/_cartmon/runtimes"
INVOKE_TIMEOUT_SECONDS = 900  # Lambda's longest timeout: only a hung runtime reaches it

_lock = threading.Lock()
_runtimes: dict[str, str] = {}


def function_name_of(name_or_arn: str) -> str:
    """The name in a FunctionName parameter: a name, a partial or a full ARN, maybe qualified."""
    if ":function:" in name_or_arn:
        return name_or_arn.split(":function:", 1)[1].split(":", 1)[0]
    return name_or_arn.split(":", 1)[0]


def runtime_url(name_or_arn: str) -> str | None:
    with _lock:
        return _runtimes.get(function_name_of(name_or_arn))


def invoke(url: str, payload: bytes) -> tuple[bytes, str | None]:
    """The runtime's result and its function error, if any."""
    request = urllib.request.Request(url, data=payload, method="POST")
    with urllib.request.urlopen(request, timeout=INVOKE_TIMEOUT_SECONDS) as response:
        return response.read(), response.headers.get("X-Amz-Function-Error")


def _register_endpoint(request: Request) -> Response:
    body = request.get_json(force=True, silent=True) or {}
    name, url = body.get("functionName"), body.get("url")
    if not isinstance(name, str) or not name or (url is not None and not isinstance(url, str)):
        return Response.for_json(
            {"message": "functionName (string) and url (string or null) are required"}, 400
        )
    with _lock:
        if url is None:
            _runtimes.pop(name, None)
        else:
            _runtimes[name] = url
    return Response.for_json({"functionName": name, "url": url})


def install_routes() -> None:
    from localstack.services.edge import ROUTER

    ROUTER.add(RUNTIMES_PATH, _register_endpoint, methods=["POST"])
