"""CORS for shop front ends on other origins: preflights answered, headers on every answer.

``CORS_ALLOWED_ORIGINS`` (the module's ``cors_allowed_origins``) lists the origins, comma
separated, each ``scheme://host[:port]``, or is ``*``. Unset or empty: no CORS headers at all,
which is what a same-origin or server-to-server caller needs. The root module validates the list
at plan time; here an entry that is not an origin simply never equals a browser's ``Origin``.

* A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) on a path the API
  routes is answered 204 by the function itself, never routed as a request (so it is not logged as
  ``validation_error``): ``Access-Control-Allow-Origin``, ``-Methods`` (the path's methods),
  ``-Headers`` (what the API reads), ``-Max-Age``. An origin not on the list gets the 204 without
  them, and the browser stops there.
* Every other answer of a CORS-enabled function, errors included, carries
  ``Access-Control-Allow-Origin`` for an allowed ``Origin`` and ``Access-Control-Expose-Headers``
  (so a page can read ``Retry-After`` on a 429 or 503).
* ``Vary: Origin`` on every answer when origins are listed: the answer depends on the origin, and a
  shared cache must not serve one origin's answer to another.

Bearer tokens travel in the Authorization header, not cookies, so no
``Access-Control-Allow-Credentials``; and ``*`` is then valid for requests with an Authorization
header (https://fetch.spec.whatwg.org/#http-access-control-allow-origin).
Hand-written rather than Powertools' CORSConfig: the router here is not the Event Handler (router.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

ALLOWED_ORIGINS_ENV = "CORS_ALLOWED_ORIGINS"
ANY_ORIGIN = "*"
# The request headers the API reads besides the CORS-safelisted ones.
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
# Headers of our answers a page may read.
EXPOSED_HEADERS = "Retry-After, WWW-Authenticate"
# Browsers cap it (Chromium at 2 hours, Firefox at 24 hours); 10 minutes keeps a list change quick to apply.
MAX_AGE_SECONDS = 600

_parsed: tuple[str, frozenset[str]] = ("", frozenset())


def allowed_origins() -> frozenset[str]:
    """The configured origins (parsed once per distinct setting: the environment is read per request)."""
    global _parsed
    raw = os.environ.get(ALLOWED_ORIGINS_ENV) or ""
    if raw != _parsed[0]:
        _parsed = (raw, frozenset(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()))
    return _parsed[1]


def _allow_origin(origins: frozenset[str], origin: str | None) -> str | None:
    if ANY_ORIGIN in origins:
        return ANY_ORIGIN
    if origin and origin in origins:
        return origin
    return None


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    return (
        method == "OPTIONS"
        and bool(headers.get("origin"))
        and bool(headers.get("access-control-request-method"))
    )


def preflight_headers(origin: str | None, methods: list[str]) -> dict[str, str]:
    """The headers of a 204 preflight answer for a path served with ``methods``."""
    origins = allowed_origins()
    if not origins:
        return {}
    headers = {"Vary": "Origin"}
    allow_origin = _allow_origin(origins, origin)
    if allow_origin is not None:
        headers.update(
            {
                "Access-Control-Allow-Origin": allow_origin,
                "Access-Control-Allow-Methods": ", ".join([*methods, "OPTIONS"]),
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
            }
        )
    return headers


def response_headers(origin: str | None) -> dict[str, str]:
    """The CORS headers of any other answer (successes and errors alike)."""
    origins = allowed_origins()
    if not origins:
        return {}
    headers = {"Vary": "Origin"}
    allow_origin = _allow_origin(origins, origin)
    if allow_origin is not None:
        headers["Access-Control-Allow-Origin"] = allow_origin
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return headers
