"""Safe retries: an ``Idempotency-Key`` request header on migrate and cleanup.

A client that lost the answer to a migration (a timeout, a dropped connection) and retries it
would otherwise get ``no_carts_found``: the carts moved the first time, and the retry cannot tell
what moved. With the header, a retry by the same customer with the same key, within
``EXPIRES_AFTER_SECONDS`` (24 hours), gets the first answer again and touches no cart (and uses
no rate-limit quota); the same key with a different request (another guest session, store or
strategy) is refused with 422. Without the header nothing changes.

Powertools' Idempotency utility does the bookkeeping (``idempotent_function`` with a
``DynamoDBPersistenceLayer`` on ``IDEMPOTENCY_TABLE``, the table modules/migration_lambda creates
with TTL on ``expiration``): an ``INPROGRESS`` record written conditionally before the work, so two
concurrent retries do not both run (the second gets 409 and retries); the answer stored with the
record; the payload hash that tells a different request under the same key. Imported only when a
request carries the header, so requests without one pay nothing for it at cold start.

What is stored: the idempotency key is a SHA-256 of (customer pseudonym, endpoint, client key),
the customer pseudonym keyed with LOG_HASH_KEY as in the logs, so the table holds no customer id.
Only final answers are kept: a 5xx, a 409 (carts changed concurrently) or a 429 is not what a
retry should get again, so the record is dropped and the retry runs anew.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

from . import clients, validation
from .auth import AuthenticationFailed, authenticate
from .config import ConfigurationError, Settings
from .event_log import CartMigrationMetrics, log_operational
from .jwks import KeySetUnavailable
from .redaction import hash_customer_id
from .router import Request, Response

HEADER = "idempotency-key"
TABLE_ENV = "IDEMPOTENCY_TABLE"
EXPIRES_AFTER_SECONDS = 24 * 60 * 60
# Printable ASCII, no spaces: what clients send (UUIDs, ULIDs, random tokens), bounded.
_KEY = re.compile(r"[!-~]{1,255}")
# Answers a retry must not get again: it should run anew.
_RETRYABLE_STATUSES = frozenset({409, 429})

_lambda_context: Any = None
_functions: dict[tuple[str, str], Callable[..., dict[str, Any]]] = {}


class InvalidKey(Exception):
    """The Idempotency-Key header is empty, too long or holds characters outside printable ASCII."""


class _NotFinal(Exception):  # noqa: N818 - not an error: how an answer is kept out of the store
    """Carries an answer that must not be stored: Powertools drops the record on an exception."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("answer not stored")
        self.answer = answer


def register_lambda_context(context: Any) -> None:
    """Powertools sets an in-progress record to expire with the invocation (a crashed one does
    not block its key for 24 hours)."""
    global _lambda_context
    _lambda_context = context if hasattr(context, "get_remaining_time_in_millis") else None


def requested_key(headers: Any) -> str | None:
    """The client's key, None without the header; InvalidKey when it cannot be one."""
    key: str | None = headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise InvalidKey("Idempotency-Key must be 1-255 printable ASCII characters without spaces")
    return key


def _as_answer(response: Response) -> dict[str, Any]:
    return {
        "status_code": response.status_code,
        "body": response.body,
        "content_type": response.content_type,
        "headers": response.headers,
    }


def _as_response(answer: dict[str, Any]) -> Response:
    return Response(
        int(answer["status_code"]),
        str(answer["body"]),
        content_type=answer.get("content_type"),
        headers={str(name): str(value) for name, value in dict(answer.get("headers") or {}).items()},
    )


def _idempotent(table: str, endpoint: str, dynamodb: Any) -> Callable[..., dict[str, Any]]:
    cached = _functions.get((table, endpoint))
    if cached is not None:
        return cached
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[customer, endpoint, key]",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
    )
    store = DynamoDBPersistenceLayer(table_name=table, boto3_client=dynamodb)

    def run(attempt: dict[str, Any], work: Callable[[], Response]) -> dict[str, Any]:
        answer = _as_answer(work())
        if answer["status_code"] >= 500 or answer["status_code"] in _RETRYABLE_STATUSES:
            raise _NotFinal(answer)
        return answer

    function = idempotent_function(
        run, data_keyword_argument="attempt", persistence_store=store, config=config, key_prefix=endpoint
    )

    def call(attempt: dict[str, Any], work: Callable[[], Response]) -> dict[str, Any]:
        if _lambda_context is not None:
            config.register_lambda_context(_lambda_context)
        response: dict[str, Any] = function(attempt=attempt, work=work)
        return response

    _functions[(table, endpoint)] = call
    return call


def _fingerprint(request: Request, endpoint_kind: str, parameters: dict[str, str]) -> dict[str, Any] | None:
    """What makes two requests the same request; None when the route will refuse it anyway."""
    try:
        if endpoint_kind == "cleanup":
            return {"guest_session_id": validation.guest_session_id(parameters.get("guest_session_id"))}
        body = validation.migrate_body(validation.json_object_body(request.raw_event))
    except validation.InvalidRequest:
        return None
    return {
        "guest_session_id": body.guest_session_id,
        "store_id": body.store_id,
        "strategy": body.strategy.value,
    }


def _json_answer(status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code, json.dumps({"message": message}), headers=headers)


def answer_once(
    request: Request,
    endpoint: str,
    endpoint_kind: str,
    parameters: dict[str, str],
    route: Callable[[], Response],
) -> Response:
    """The route's answer, or the stored answer of this customer's first request with this key.

    Requests this cannot key (no table configured, no valid token, a body the route refuses) go to
    the route as they are: it answers and logs them as it always does."""
    table = os.environ.get(TABLE_ENV)
    if not table:
        return route()
    try:
        key = requested_key(request.headers)
    except InvalidKey as invalid:
        CartMigrationMetrics.log_validation_error(endpoint, "Idempotency-Key", str(invalid))
        return _json_answer(400, str(invalid))
    try:
        settings = Settings.from_env()
        customer_id = authenticate(request.headers.get("authorization"), settings).customer_id
    except (ConfigurationError, AuthenticationFailed, KeySetUnavailable):
        return route()
    fingerprint = _fingerprint(request, endpoint_kind, parameters)
    if key is None or fingerprint is None:
        return route()

    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    attempt = {
        "customer": hash_customer_id(customer_id),
        "endpoint": endpoint,
        "key": key,
        "request": fingerprint,
    }
    try:
        return _as_response(_idempotent(table, endpoint, clients.dynamodb())(attempt, route))
    except _NotFinal as not_final:
        return _as_response(not_final.answer)
    except IdempotencyValidationError:
        CartMigrationMetrics.log_validation_error(
            endpoint, "Idempotency-Key", "the key was used for a different request"
        )
        return _json_answer(
            422, "This Idempotency-Key was used for a different request; use a new key for a new request"
        )
    except IdempotencyAlreadyInProgressError:
        return _json_answer(
            409,
            "The first request with this Idempotency-Key is still running; retry shortly",
            {"Retry-After": "1"},
        )
    except IdempotencyPersistenceLayerError:
        log_operational("ERROR", "Idempotency store unavailable", endpoint=endpoint)
        return _json_answer(
            503, "The request could not be recorded; nothing was changed, retry shortly", {"Retry-After": "1"}
        )
