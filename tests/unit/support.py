"""Builders shared by the unit tests: API Gateway events, tokens, captured log lines, carts."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings

from cart_migration import clients
from cart_migration.handler import lambda_handler
from cart_migration.merge import CartItem
from cart_migration.storage import CartTable, cart_attributes, from_item, to_item
from cartmon.local import tokens
from cartmon.local.events import SOURCE_IP as SOURCE_IP
from cartmon.local.events import LambdaContext as LambdaContext
from cartmon.local.events import api_event as api_event
from cartmon.local.events import http_v2_event as http_v2_event
from cartmon.local.events import rest_v1_event as rest_v1_event

REGION = "ap-south-1"
CARTS_TABLE = "unit-carts"
RATE_LIMIT_TABLE = "unit-rate-limits"
AUDIT_LOG_GROUP = "/unit/cart-migration/audit"
JWT_SECRET = "unit-test-jwt-secret-long-enough-for-hs512-too-0123456789abcdef0123456789"
CUSTOMER_ID = "user-123456"

# Set per test rather than as a global profile, so other suites keep their own settings.
# Fixtures such as `aws` hold state shared by all examples of a test, which is intended here.
unit_settings = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- tokens -----------------------------------------------------------------------------------


def make_token(
    customer_id: str | None = CUSTOMER_ID,
    key: Any = JWT_SECRET,
    algorithm: str = "HS256",
    expires_in: int = 300,
    headers: dict | None = None,
    **claims: Any,
) -> str:
    return tokens.make_token(customer_id, key, algorithm, expires_in, headers, **claims)


def bearer(token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or make_token()}"}


# --- log capture ------------------------------------------------------------------------------


class CapturedLines:
    def __init__(self) -> None:
        self.buffer = io.StringIO()

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [record for record in self.records if record.get("event_type") == event_type]

    @property
    def event_types(self) -> list[str]:
        return [record["event_type"] for record in self.records if "event_type" in record]


@contextlib.contextmanager
def captured_stdout() -> Iterator[CapturedLines]:
    """The Lambda logger writes to whatever sys.stdout is when it writes, so redirecting works
    inside hypothesis examples too (where capsys cannot be used per example)."""
    captured = CapturedLines()
    with contextlib.redirect_stdout(captured.buffer):
        yield captured


@dataclass
class Invocation:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    lines: CapturedLines


def invoke(event: dict[str, Any]) -> Invocation:
    with captured_stdout() as lines:
        response = lambda_handler(event, LambdaContext())
    body = json.loads(response["body"]) if response.get("body") else {}
    # REST API responses carry multiValueHeaders, HTTP API responses plain headers.
    headers = {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
    headers.update(response.get("headers") or {})
    return Invocation(response["statusCode"], body, headers, lines)


def migrate(api: str, body: Any, token: str | None = None) -> Invocation:
    return invoke(api_event(api, "POST", "/api/v1/cart/migrate", body, bearer(token)))


@dataclass
class Outcome:
    """A migration that may raise: its answer (None if it raised), log lines and exception."""

    answer: Invocation | None
    lines: CapturedLines
    error: Exception | None


def try_migrate(api: str, body: Any) -> Outcome:
    """Like ``migrate``, but an exception the handler raises is returned with the lines logged."""
    event = api_event(api, "POST", "/api/v1/cart/migrate", body, bearer())
    with captured_stdout() as lines:
        try:
            response = lambda_handler(event, LambdaContext())
        except Exception as error:  # noqa: BLE001 - the tests assert on it
            return Outcome(None, lines, error)
    body_out = json.loads(response["body"]) if response.get("body") else {}
    headers = {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
    headers.update(response.get("headers") or {})
    return Outcome(Invocation(response["statusCode"], body_out, headers, lines), lines, None)


TERMINAL_EVENTS = ("migration_success", "migration_failure", "no_guest_carts")


def terminal_events(lines: CapturedLines) -> list[str]:
    return [event for event in lines.event_types if event in TERMINAL_EVENTS]


# --- carts ------------------------------------------------------------------------------------


def item(
    product_id: str,
    quantity: int,
    price: str = "100.00",
    max_stock: int | None = None,
    name: str | None = None,
) -> CartItem:
    return CartItem(product_id, quantity, Decimal(price), max_stock, name)


def cart_table() -> CartTable:
    return CartTable(clients.dynamodb(), CARTS_TABLE)


def seed_guest_cart(
    session: str,
    store_id: str,
    items: tuple[CartItem, ...],
    now: datetime | None = None,
    ttl_seconds: int = 7 * 86_400,
) -> None:
    cart_table().put_guest_cart(session, store_id, items, now or datetime.now(UTC), ttl_seconds)


def seed_customer_cart(
    customer_id: str,
    store_id: str,
    items: tuple[CartItem, ...],
    updated_at: str = "2025-11-21T10:00:00.000Z",
    version: int = 3,
) -> None:
    attributes = cart_attributes(customer_id, store_id, items, datetime.now(UTC))
    attributes.update(updated_at=updated_at, version=version)
    clients.dynamodb().put_item(TableName=CARTS_TABLE, Item=to_item(attributes))


def seed_raw_cart(owner: str, store_id: str, lines: list[dict[str, Any]], **attributes: Any) -> None:
    """A cart exactly as given: lines with any attributes, and any cart attributes (a guest cart
    gets a week's expiry unless ``expires_at`` is given)."""
    item_map: dict[str, Any] = {"customer_id": owner, "store_id": store_id, "items": lines, "version": 1}
    if owner.startswith("guest-"):
        item_map["expires_at"] = int(datetime.now(UTC).timestamp()) + 7 * 86_400
    item_map.update(attributes)
    clients.dynamodb().put_item(TableName=CARTS_TABLE, Item=to_item(item_map))


def clear_carts(client: Any = None) -> None:
    """Empty the carts table (between hypothesis examples, which share one moto table)."""
    client = client or clients.dynamodb()
    for existing in client.scan(TableName=CARTS_TABLE)["Items"]:
        client.delete_item(TableName=CARTS_TABLE, Key={k: existing[k] for k in ("customer_id", "store_id")})


def all_carts(api: str = "http_v2", token: str | None = None) -> Invocation:
    return invoke(api_event(api, "GET", "/api/v1/cart/all", headers=bearer(token)))


def new_guest_session() -> str:
    return f"guest-{uuid.uuid4()}"


def quantities(attributes: dict[str, Any]) -> dict[str, int]:
    return {line["product_id"]: int(line["quantity"]) for line in attributes.get("items", [])}


def table_state(client: Any = None) -> dict[tuple[str, str], dict[str, int]]:
    """Every cart in the table as {(owner, store): {product_id: quantity}}."""
    client = client or clients.dynamodb()
    items = client.scan(TableName=CARTS_TABLE, ConsistentRead=True)["Items"]
    return {(cart["customer_id"], cart["store_id"]): quantities(cart) for cart in map(from_item, items)}


def stored_cart(owner: str, store_id: str) -> dict[str, Any] | None:
    response = clients.dynamodb().get_item(
        TableName=CARTS_TABLE, Key=to_item({"customer_id": owner, "store_id": store_id}), ConsistentRead=True
    )
    return from_item(response["Item"]) if "Item" in response else None


# --- DynamoDB call recording and fault injection -----------------------------------------------


class RecordingClient:
    """Wraps a boto3 client: records every API call, and can run a hook before or after one.

    ``before(operation, call_number, params)`` and ``after(...)`` may raise to inject a fault.
    """

    def __init__(
        self,
        client: Any,
        before: Callable | None = None,
        after: Callable | None = None,
        lock: threading.Lock | None = None,
    ):
        self._client = client
        self._before = before
        self._after = after
        self._lock = lock
        self._count_lock = threading.Lock()
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or name in {"meta", "exceptions"} or not callable(attribute):
            return attribute

        def recorded(**params: Any) -> Any:
            with self._count_lock:
                self.calls.append(name)
                number = len(self.calls)
            if self._before:
                self._before(name, number, params)
            with self._lock or contextlib.nullcontext():
                response = attribute(**params)
            if self._after:
                self._after(name, number, params)
            return response

        return recorded

    def count(self, name: str) -> int:
        return self.calls.count(name)


def record_dynamodb_calls(monkeypatch, **hooks: Any) -> RecordingClient:
    """Make the Lambda use a recording wrapper around the (moto) DynamoDB client."""
    recorder = RecordingClient(clients.dynamodb(), **hooks)
    monkeypatch.setattr(clients, "dynamodb", lambda: recorder)
    return recorder


class ForbiddenClient:
    """Stands in for an AWS client where a test proves no call is made: records, then fails."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def forbidden(**_: Any) -> Any:
            self.calls.append(name)
            raise AssertionError(f"unexpected AWS call: {name}")

        return forbidden


def forbid_aws_calls(monkeypatch) -> ForbiddenClient:
    forbidden = ForbiddenClient()
    monkeypatch.setattr(clients, "dynamodb", lambda: forbidden)
    monkeypatch.setattr(clients, "logs", lambda: forbidden)
    return forbidden


def disagreements(outcome: Outcome, state: dict, initial: dict, final: dict) -> list[str]:
    """Where the answer, the events, the audit entry and the stored carts of one migration disagree.

    ``initial`` and ``final`` are the table before and after the fault-free migration.
    """
    problems = []
    events = outcome.lines.event_types
    if "migration_start" not in events:
        # Refused before the migration began (the rate-limit table failed): nothing may change.
        return [] if state == initial else ["refused before starting, yet the carts changed"]
    if events.count("migration_start") != 1 or len(terminal_events(outcome.lines)) != 1:
        problems.append(f"not one start and one outcome event: {events}")
    audits = outcome.lines.of_type("audit_log")
    if len(audits) != 1:
        return [*problems, f"{len(audits)} audit entries"]
    audited = audits[0]["outcome"]
    if outcome.answer is None:
        # An unexpected exception: counted as a failure, then raised for Lambda to count.
        if "migration_failure" not in events:
            problems.append("an unexpected exception without migration_failure")
        if audited == "failed" and state != initial:
            problems.append("audited failed but the carts changed")
        return problems
    answer = outcome.answer
    status = answer.body.get("status")
    if answer.status == 200:
        if audited != status:
            problems.append(f"answered {status}, audited {audited}")
        if status == "success" and (state != final or "migration_success" not in events):
            problems.append("answered success but the carts (or events) say otherwise")
        return problems
    if "migration_failure" not in events:
        problems.append(f"answered {answer.status} without migration_failure")
    unknown = "may or may not" in answer.body.get("message", "")
    if audited != ("unknown" if unknown else "failed"):
        problems.append(f"answered {answer.status} ({'unknown' if unknown else 'failed'}), audited {audited}")
    if not unknown and state != initial:
        problems.append(f"answered {answer.status} (nothing migrated) but the carts changed")
    if unknown and state not in (initial, final):
        problems.append("half-migrated carts")
    if answer.status == 503 and "Retry-After" not in answer.headers:
        problems.append("503 without Retry-After")
    return problems


# --- a dependency that never answers ------------------------------------------------------------

# A generous bound on a hung test, never a measure of speed.
STALLED_ENDPOINT_HUNG_SECONDS = 60


class StalledEndpoint:
    """A TCP server on 127.0.0.1 that accepts connections and never answers; counts them. It closes
    everything when stopped or, at the latest, after STALLED_ENDPOINT_HUNG_SECONDS."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        give_up_at = time.monotonic() + STALLED_ENDPOINT_HUNG_SECONDS
        while not self._stop.is_set() and time.monotonic() < give_up_at:
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self._held.append(connection)  # held open, never read, never answered
        self._close_all()

    def _close_all(self) -> None:
        for connection in self._held:
            connection.close()
        self._server.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
