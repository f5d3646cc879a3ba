"""API Gateway entry point: REST API (payload v1) and HTTP API (payload v2) proxy events.

Every route runs: settings -> JWT auth -> input validation -> rate limit -> work -> audit and
performance events. Validation comes before the rate limit so malformed requests cost no
DynamoDB write and never use up a customer's quota. Reads (GET /all) have their own quota
(READ_RATE_LIMIT_MAX_CALLS), apart from the migrate and cleanup quota (RATE_LIMIT_MAX_CALLS).

Inside Lambda the settings are checked when this module is imported: a misconfigured function
refuses to start, with the reason in its log, instead of failing every request.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from . import catalogue, clients, cors, deadline, idempotency, rate_limit, validation
from .audit import AuditLogWriter, record_audit
from .auth import AuthenticationFailed, Identity, authenticate
from .config import ConfigurationError, Settings, check_startup
from .dynamo import StorageError
from .event_log import CartMigrationMetrics, log_operational, log_unhandled_error, set_lambda_context
from .jwks import KeySetUnavailable
from .migration import CartMigrator, FailureReason, MigrationRequest, MigrationResult, MigrationStatus
from .router import APPLICATION_JSON, Request, Response, Router, proxy_result, request_from
from .secrets import SecretsUnavailable
from .storage import CartTable, cart_summary

MIGRATE_PATH = "/api/v1/cart/migrate"
ALL_CARTS_PATH = "/api/v1/cart/all"
CLEANUP_PATH = "/api/v1/cart/cleanup-guest/<guest_session_id>"
MIGRATE_ENDPOINT = f"POST {MIGRATE_PATH}"
ALL_CARTS_ENDPOINT = f"GET {ALL_CARTS_PATH}"
CLEANUP_ENDPOINT = "DELETE /api/v1/cart/cleanup-guest/{guest_session_id}"

MIGRATE_SINGLE_STORE = catalogue.operation("migrate_single_store")
MIGRATE_MULTI_STORE = catalogue.operation("migrate_multi_store")
GET_ALL_CARTS = catalogue.operation("get_all_carts")
CLEANUP_GUEST_CART = catalogue.operation("cleanup_guest_cart")

MIGRATION_AUDIT_ACTION = "cart_migration"
CLEANUP_AUDIT_ACTION = "guest_cart_cleanup"

# Looks the client up at each write, so a client substituted later (tests) is the one used.
audit_writer = AuditLogWriter(lambda: clients.logs())


class ApiError(Exception):
    def __init__(self, status_code: int, message: str, headers: Mapping[str, str] | None = None, **body: Any):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = dict(headers or {})
        self.body = body


class UnhandledError(Exception):
    """Raised instead of the original error so that its message (possibly personal data) stays
    out of the runtime's unredacted error report; the redacted details are logged first."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _json_response(
    status_code: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        status_code=status_code,
        content_type=APPLICATION_JSON,
        body=json.dumps(body),
        headers=dict(headers or {}),
    )


def source_ip(event: Request) -> str | None:
    request_context = event.raw_event.get("requestContext") or {}
    for section in ("http", "identity"):  # HTTP API v2, then REST API v1
        address: str | None = (request_context.get(section) or {}).get("sourceIp")
        if address:
            return address
    return None


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as error:
        log_operational("ERROR", "Service misconfigured", error_message=str(error))
        raise ApiError(500, "The service is misconfigured") from None
    except SecretsUnavailable as error:
        # SSM did not answer and no good value is at hand: a transient condition, not a bad setting.
        log_operational("ERROR", "Secrets unavailable", error_message=str(error))
        raise ApiError(
            503,
            "The service cannot read its secrets right now; retry shortly",
            {"Retry-After": str(error.retry_after_seconds)},
        ) from None


def _authenticate(event: Request, endpoint: str, settings: Settings) -> Identity:
    try:
        return authenticate(event.headers.get("authorization"), settings)
    except AuthenticationFailed as failure:
        CartMigrationMetrics.log_auth_failure(failure.reason, endpoint, source_ip(event))
        raise ApiError(401, "Unauthorized", {"WWW-Authenticate": "Bearer"}) from None
    except KeySetUnavailable as error:
        # The identity provider's keys are out of reach, not the token at fault: retry, not sign in again.
        log_operational("ERROR", "Token keys unavailable", error_message=str(error))
        raise ApiError(503, "Token keys are unavailable; retry shortly", {"Retry-After": "1"}) from None


def _validated[T](endpoint: str, parse: Callable[[], T]) -> T:
    try:
        return parse()
    except validation.InvalidRequest as invalid:
        CartMigrationMetrics.log_validation_error(endpoint, invalid.field, invalid.message)
        raise ApiError(invalid.status_code, invalid.message) from None


def _quota(endpoint: str, settings: Settings) -> int:
    """Reads have their own, larger quota: a front end refreshes the cart list far more often than
    it migrates."""
    return (
        settings.read_rate_limit_max_calls
        if endpoint == ALL_CARTS_ENDPOINT
        else settings.rate_limit_max_calls
    )


def rate_limit_clock() -> float:
    """The moment a request is counted against its quota; tests pin it to one fixed window."""
    return time.time()


def _enforce_rate_limit(identity: Identity, endpoint: str, settings: Settings) -> None:
    max_calls = _quota(endpoint, settings)
    decision = rate_limit.consume(
        clients.dynamodb(),
        settings.rate_limit_table,
        endpoint,
        identity.customer_id,
        max_calls,
        settings.rate_limit_window_seconds,
        now=rate_limit_clock(),
    )
    if not decision.allowed:
        CartMigrationMetrics.log_rate_limit_exceeded(
            identity.customer_id,
            endpoint,
            max_calls,
            settings.rate_limit_window_seconds,
            decision.retry_after_seconds,
        )
        raise ApiError(
            429,
            "Too many requests",
            {"Retry-After": str(decision.retry_after_seconds)},
            retry_after_seconds=decision.retry_after_seconds,
        )


def _enforce_rate_limit_or_log(
    identity: Identity,
    endpoint: str,
    settings: Settings,
    operation: str,
    started: float,
    on_failure: Callable[[StorageError], None] | None = None,
) -> None:
    """The rate limit of a read or a cleanup. When its check fails (the table, or the invocation's
    time, ran out), the request still writes its latency line (and, through on_failure, its audit
    entry) before the 503: the SLIs see it however it ended. Migrations have their own failure
    lines (_log_migration_refused)."""
    try:
        _enforce_rate_limit(identity, endpoint, settings)
    except StorageError as error:
        CartMigrationMetrics.log_performance_metric(
            operation, _elapsed_ms(started), None, None, error_type=type(error).__name__
        )
        if on_failure is not None:
            on_failure(error)
        raise


@contextmanager
def _performance_metric(operation: str, started: float) -> Iterator[dict[str, int]]:
    """Emit ``performance_metric`` when the operation ends, however it ends."""
    counts: dict[str, int] = {}
    error_type = None
    try:
        yield counts
    except Exception as error:
        # A failed get-all or cleanup is visible in its event, whatever the exception.
        error_type = type(error).__name__
        raise
    finally:
        CartMigrationMetrics.log_performance_metric(
            operation,
            _elapsed_ms(started),
            counts.get("store_count"),
            counts.get("item_count"),
            error_type=error_type,
        )


# Not Powertools idempotency: it would replay the first answer, while a repeat must answer
# no_carts_found from the table as it is; the conditional transaction makes repeats safe.
def handle_migrate(event: Request) -> Response:
    started = time.perf_counter()
    settings = _settings()
    identity = _authenticate(event, MIGRATE_ENDPOINT, settings)
    body = _validated(
        MIGRATE_ENDPOINT, lambda: validation.migrate_body(validation.json_object_body(event.raw_event))
    )
    operation = MIGRATE_SINGLE_STORE if body.store_id is not None else MIGRATE_MULTI_STORE
    try:
        _enforce_rate_limit(identity, MIGRATE_ENDPOINT, settings)
    except StorageError as error:
        # The rate-limit table failed or time ran out: still a failed migration, counted as one.
        _log_migration_refused(event, settings, identity, body, operation, started, error)
        raise
    with _performance_metric(operation, started) as counts:
        migrator = CartMigrator(
            CartTable(clients.dynamodb(), settings.carts_table),
            settings.customer_cart_ttl_seconds,
            clock=_utc_now,
        )
        result = migrator.migrate(
            MigrationRequest(identity.customer_id, body.guest_session_id, body.store_id, body.strategy)
        )
        counts.update(store_count=len(result.migrated), item_count=result.total_items)
        record_audit(
            audit_writer,
            settings.audit_log_group,
            MIGRATION_AUDIT_ACTION,
            identity.customer_id,
            body.guest_session_id,
            result.audit_outcome,
            source_ip(event),
            store_id=body.store_id,
            merge_strategy=body.strategy.value,
            error_type=type(result.unexpected_error).__name__ if result.unexpected_error else None,
        )
        if result.unexpected_error is not None:
            # Counted (migration_failure, audit) above; re-raised so that Lambda counts an Error
            # too (see lambda_src/README.md, "Failures").
            raise result.unexpected_error
    return _migration_response(result)


def _log_migration_refused(
    event: Request,
    settings: Settings,
    identity: Identity,
    body: validation.MigrateBody,
    operation: str,
    started: float,
    error: StorageError,
) -> None:
    """The failure, latency and audit lines of a migration stopped before it began."""
    elapsed = _elapsed_ms(started)
    CartMigrationMetrics.log_migration_failure(
        identity.customer_id,
        body.guest_session_id,
        f"not started: the rate-limit check failed (DynamoDB {error.operation}: {error.error_code})",
        error.error_code,
        body.strategy.value,
        elapsed,
        store_id=body.store_id,
    )
    CartMigrationMetrics.log_performance_metric(
        operation, elapsed, None, None, error_type=type(error).__name__
    )
    record_audit(
        audit_writer,
        settings.audit_log_group,
        MIGRATION_AUDIT_ACTION,
        identity.customer_id,
        body.guest_session_id,
        "failed",
        source_ip(event),
        store_id=body.store_id,
        merge_strategy=body.strategy.value,
        error_type=error.error_code,
    )


def _migration_response(result: MigrationResult) -> Response:
    if result.status is not MigrationStatus.FAILED:
        return _json_response(200, result.as_response())
    if result.outcome_unknown:
        return _json_response(
            503,
            {
                "message": "Cart storage did not answer; the migration may or may not have been applied. "
                "Retrying is safe: a migrated cart is not migrated twice",
                **result.as_response(),
            },
            {"Retry-After": "1"},
        )
    if result.storage_error is not None:
        if result.storage_error.transient:
            return _json_response(
                503,
                {
                    "message": "Cart storage is busy; nothing was migrated, retry shortly",
                    **result.as_response(),
                },
                {"Retry-After": "1"},
            )
        return _json_response(
            500, {"message": "Cart storage failed; nothing was migrated", **result.as_response()}
        )
    if result.failure_reason is FailureReason.CONCURRENT_MODIFICATION:
        return _json_response(
            409, {"message": "The carts kept changing during migration; retry", **result.as_response()}
        )
    if result.failure_reason is FailureReason.CART_TOO_LARGE:
        message = (
            "The merged carts would be over DynamoDB's item size limit; the guest carts were left in place"
        )
    else:
        message = "The guest carts hold invalid data and were left in place"
    return _json_response(422, {"message": message, **result.as_response()})


def handle_all_carts(event: Request) -> Response:
    started = time.perf_counter()
    settings = _settings()
    identity = _authenticate(event, ALL_CARTS_ENDPOINT, settings)
    _enforce_rate_limit_or_log(identity, ALL_CARTS_ENDPOINT, settings, GET_ALL_CARTS, started)
    with _performance_metric(GET_ALL_CARTS, started) as counts:
        now = _utc_now()
        stored = CartTable(clients.dynamodb(), settings.carts_table).query_owner(identity.customer_id)
        readable = [
            summary
            for cart in stored
            if not cart.is_expired(now) and (summary := _cart_summary(cart)) is not None
        ]
        total_items = sum(cart["item_count"] for cart in readable)
        counts.update(store_count=len(readable), item_count=total_items)
    return _json_response(
        200,
        {
            "carts": readable,
            "total_carts": len(readable),
            "total_items": total_items,
            "total_value": round(sum(cart["total"] for cart in readable), 2),
        },
    )


def _cart_summary(stored: Any) -> dict[str, Any] | None:
    """One odd cart never breaks the listing: it is skipped, and logged with its store and why."""
    try:
        return cart_summary(stored)
    except Exception as error:  # noqa: BLE001 - any stored shape at all must not fail the listing
        log_operational(
            "WARNING",
            "Unreadable cart skipped",
            store_id=str(stored.attributes.get("store_id")),
            reason=f"{type(error).__name__}: {error}"[:300],
        )
        return None


def handle_cleanup(event: Request, raw_guest_session_id: str) -> Response:
    started = time.perf_counter()
    settings = _settings()
    identity = _authenticate(event, CLEANUP_ENDPOINT, settings)
    session = _validated(CLEANUP_ENDPOINT, lambda: validation.guest_session_id(raw_guest_session_id))

    def audit(outcome: str, error_type: str | None = None) -> None:
        record_audit(
            audit_writer,
            settings.audit_log_group,
            CLEANUP_AUDIT_ACTION,
            identity.customer_id,
            session,
            outcome,
            source_ip(event),
            error_type=error_type,
        )

    _enforce_rate_limit_or_log(
        identity,
        CLEANUP_ENDPOINT,
        settings,
        CLEANUP_GUEST_CART,
        started,
        on_failure=lambda error: audit("failed", error.error_code),
    )

    with _performance_metric(CLEANUP_GUEST_CART, started) as counts:
        table = CartTable(clients.dynamodb(), settings.carts_table)
        try:
            keys = [(cart.owner_id, cart.store_id) for cart in table.query_owner(session, keys_only=True)]
            deleted = table.delete_all(keys)
        except Exception as error:
            audit("failed", type(error).__name__)
            raise
        counts.update(store_count=deleted)
        CartMigrationMetrics.log_cleanup_success(identity.customer_id, session, deleted, _elapsed_ms(started))
        audit("success")
    message = f"Deleted {deleted} guest cart(s)" if deleted else "No guest carts found"
    return _json_response(200, {"success": True, "deleted_carts": deleted, "message": message})


def _api_error_response(error: ApiError) -> Response:
    return _json_response(error.status_code, {"message": error.message, **error.body}, error.headers)


def _storage_error_response(error: StorageError) -> Response:
    if error.transient:
        return _json_response(503, {"message": "Cart storage is busy; retry shortly"}, {"Retry-After": "1"})
    return _json_response(500, {"message": "Cart storage failed"})


def _not_found_response() -> Response:
    CartMigrationMetrics.log_validation_error("unmatched route", "path", "no such route")
    return _json_response(404, {"message": "Not found"})


def _build_router() -> Router:
    router = Router()
    router.add("POST", MIGRATE_PATH, handle_migrate)
    router.add("GET", ALL_CARTS_PATH, handle_all_carts)
    router.add("DELETE", CLEANUP_PATH, handle_cleanup)
    return router


router = _build_router()
# Routes a retry may repeat with an Idempotency-Key header (idempotency.py): endpoint, request kind.
IDEMPOTENT_ROUTES: dict[Callable[..., Response], tuple[str, str]] = {
    handle_migrate: (MIGRATE_ENDPOINT, "migrate"),
    handle_cleanup: (CLEANUP_ENDPOINT, "cleanup"),
}


def _options_response(request: Request) -> Response | None:
    """OPTIONS on a routed path (a CORS preflight, or a client asking what is allowed) is answered
    here, not routed: it is no request for cart data, and no validation error."""
    methods = router.methods_for(request.path)
    if not methods:
        return None
    headers = {"Allow": ", ".join([*methods, "OPTIONS"])}
    if cors.is_preflight(request.method, request.headers):
        headers.update(cors.preflight_headers(request.headers.get("origin"), methods))
    return Response(204, "", content_type=None, headers=headers)


def _respond(request: Request) -> Response:
    if request.method == "OPTIONS":
        options = _options_response(request)
        if options is not None:
            return options
    matched = router.match(request)
    if matched is None:
        return _not_found_response()
    route, parameters = matched
    try:
        idempotent = IDEMPOTENT_ROUTES.get(route)
        if idempotent is not None and request.headers.get(idempotency.HEADER) is not None:
            endpoint, kind = idempotent
            return idempotency.answer_once(
                request, endpoint, kind, parameters, lambda: route(request, *parameters.values())
            )
        return route(request, *parameters.values())
    except ApiError as error:
        return _api_error_response(error)
    except StorageError as error:
        return _storage_error_response(error)


def check_configuration() -> Settings | None:
    """The start-up check: the settings, or a logged ConfigurationError that stops the function."""
    try:
        return check_startup()
    except ConfigurationError as error:
        log_operational("ERROR", "Service misconfigured; the function cannot start", error_message=str(error))
        raise


# The Lambda runtime sets AWS_LAMBDA_RUNTIME_API: there, a bad setting fails the init phase, with
# its reason logged. Elsewhere (tests, tools) importing the module checks nothing, and each request
# still checks its settings (a 500 and a "Service misconfigured" line).
if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
    check_configuration()


def _correlation_id(event: Any) -> Any:
    """API Gateway's request id: the access log's ``correlation_id`` (modules/api_gateway)."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    return context.get("requestId") if isinstance(context, dict) else None


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    set_lambda_context(context, _correlation_id(event))
    idempotency.register_lambda_context(context)
    deadline.start(context)  # every AWS call of this invocation fits before its timeout
    try:
        return _handle(event)
    finally:
        deadline.clear()


def _handle(event: Any) -> dict[str, Any]:
    request = request_from(event)
    if request is None:
        CartMigrationMetrics.log_validation_error("lambda event", "event", "not an API Gateway proxy event")
        return {
            "statusCode": 400,
            "headers": {"Content-Type": APPLICATION_JSON},
            "body": json.dumps({"message": "Expected an API Gateway proxy event"}),
            "isBase64Encoded": False,
        }
    try:
        response = _respond(request)
        if "Vary" not in response.headers:  # preflight answers have their CORS headers already
            response.headers.update(cors.response_headers(request.headers.get("origin")))
        return proxy_result(request.api, response)
    except Exception:
        log_unhandled_error("Unhandled error")
        raise UnhandledError(
            "Unhandled error; the log line before this one has the redacted details"
        ) from None
