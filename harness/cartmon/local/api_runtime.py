"""Serve a `LocalLambda` to the emulator, so requests through its API Gateway run the function.

The emulator runs no function code; it posts each synchronous Invoke of a function registered at
its `/_cartmon/runtimes` endpoint to a URL (emulator/cartmon_emulator/runtimes.py). `serving`
starts that URL on 127.0.0.1 for one runtime, registers it, and removes both on exit.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RUNTIMES_PATH = "/_cartmon/runtimes"


def _register(endpoint: str, function_name: str, url: str | None) -> None:
    body = json.dumps({"functionName": function_name, "url": url}).encode()
    request = urllib.request.Request(
        endpoint.rstrip("/") + RUNTIMES_PATH,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@contextlib.contextmanager
def serving(runtime: Any, endpoint: str, function_name: str) -> Iterator[list[Any]]:
    """Run `runtime.invoke(event)` (a LocalLambda) for each Invoke of `function_name` the emulator at
    `endpoint` makes; yields the list of those invocations, appended as they end."""
    invocations: list[Any] = []
    lock = threading.Lock()  # one invocation at a time: the runtime is one execution environment

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            event = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with lock:
                invocation = runtime.invoke(event)
                invocations.append(invocation)
            if invocation.error is not None:
                payload = json.dumps({"errorMessage": invocation.error, "errorType": "Unhandled"}).encode()
            else:
                payload = json.dumps(invocation.response).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if invocation.error is not None:
                self.send_header("X-Amz-Function-Error", "Unhandled")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the function's own lines are what the tests read

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name=f"runtime-{function_name}", daemon=True)
    thread.start()
    try:
        _register(endpoint, function_name, f"http://127.0.0.1:{server.server_address[1]}/")
        yield invocations
    finally:
        try:
            _register(endpoint, function_name, None)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=30)
