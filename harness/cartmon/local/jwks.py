"""A JWKS endpoint on 127.0.0.1, served from a thread: the identity provider of RS256 tests.

It publishes whatever key set the test gives it, counts the fetches (the evidence that the
function caches and rate-limits its refreshes), and can hold a request until the test lets go (the
evidence that the function's fetch timeout is bounded). Every request is answered or released
when the server stops, so a test never leaves a thread behind.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jwt.algorithms import RSAAlgorithm

# How long a held request waits for the test at most: a hung test ends instead of hanging.
HOLD_LIMIT_SECONDS = 30.0


def public_jwk(private_key: Any, kid: str, **members: Any) -> dict[str, Any]:
    """The public JWK of an RSA private key, as an identity provider publishes it."""
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256", **members}


class JwksEndpoint:
    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self.status = 200
        self.hold = threading.Event()  # cleared: requests wait (up to HOLD_LIMIT_SECONDS)
        self.hold.set()
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/.well-known/jwks.json"

    def publish(self, *keys: dict[str, Any]) -> None:
        with self._lock:
            self.keys = list(keys)

    def _answer(self) -> tuple[int, bytes]:
        with self._lock:
            self.fetches += 1
            return self.status, json.dumps({"keys": self.keys}).encode()

    def start(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                endpoint.hold.wait(HOLD_LIMIT_SECONDS)
                status, body = endpoint._answer()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (its timeout): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="local-jwks", daemon=True).start()

    def stop(self) -> None:
        self.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@contextmanager
def serving_jwks(*keys: dict[str, Any]) -> Iterator[JwksEndpoint]:
    endpoint = JwksEndpoint()
    endpoint.publish(*keys)
    endpoint.start()
    try:
        yield endpoint
    finally:
        endpoint.stop()
