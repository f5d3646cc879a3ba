"""The carts table: item layout, reads, and the conditional writes a migration is made of.

Layout (see lambda_src/README.md): partition key ``customer_id`` holds either a customer id or a
``guest-...`` session id; sort key ``store_id``; one item per (owner, store) cart. The service
reads only the attributes named below; every other attribute, of a cart or of a line, passes
through a migration unchanged.
"""

from __future__ import annotations

import base64
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from . import dynamo
from .merge import MAX_ITEM_QUANTITY, Cart, CartItem, compute_totals

PARTITION_KEY = "customer_id"
SORT_KEY = "store_id"
ITEMS = "items"
VERSION = "version"
UPDATED_AT = "updated_at"
EXPIRES_AT = "expires_at"
MIGRATED_FROM = "migrated_from"
MIGRATION_TIMESTAMP = "migration_timestamp"

# Guest carts are written by the shop front end, which may choose another lifetime.
DEFAULT_GUEST_CART_TTL_SECONDS = 7 * 86_400
MAX_BATCH_GET_KEYS = 100
MAX_TRANSACTION_OPERATIONS = 100
MAX_UNPROCESSED_ATTEMPTS = 5
MAX_CONFLICT_ATTEMPTS = 3
# The largest price the service reads: with MAX_ITEM_QUANTITY it keeps every total well inside
# DynamoDB's 38 digits. A larger price makes the cart invalid (left in place, skipped in listings).
MAX_ITEM_PRICE = Decimal("1e12")
# DynamoDB refuses an item over 400 KB and a transaction over 4 MB. The estimate below follows
# DynamoDB's sizing rules, rounding up; these budgets leave a margin under the hard limits.
ITEM_SIZE_LIMIT_BYTES = 400 * 1024
MAX_ITEM_BYTES = 400_000
MAX_TRANSACTION_BYTES = 4_000_000
# Line attributes the service reads; every other one is carried in ``CartItem.extra``.
LINE_ATTRIBUTES = ("product_id", "quantity", "price", "max_stock", "name", "variant_id")
# Cancellation reasons that mean "someone else wrote first": re-read and try again.
CONCURRENCY_CANCELLATION_CODES = frozenset({"None", "ConditionalCheckFailed", "TransactionConflict"})

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

CartKey = tuple[str, str]


class InvalidCartData(ValueError):
    """A stored cart does not have the expected shape; it is left untouched."""


class TransactionConflict(Exception):
    """A condition of the transaction failed: another writer changed a cart since it was read."""


def attribute_size(value: Any) -> int:
    """Bytes DynamoDB counts for one attribute value (rounded up where DynamoDB approximates)."""
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | Decimal):
        digits = len(Decimal(value).as_tuple().digits)
        return 2 + (digits + 1) // 2
    if isinstance(value, bytes | bytearray | Binary):
        return len(bytes(value))
    if isinstance(value, set | frozenset):
        return sum(attribute_size(element) for element in value)
    if isinstance(value, dict):
        return 3 + sum(
            1 + len(str(name).encode("utf-8")) + attribute_size(element) for name, element in value.items()
        )
    if isinstance(value, list | tuple):
        return 3 + sum(1 + attribute_size(element) for element in value)
    return len(str(value).encode("utf-8"))


def item_size(attributes: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it against the 400 KB limit: names plus values."""
    return sum(len(name.encode("utf-8")) + attribute_size(value) for name, value in attributes.items())


def iso_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_item(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in attributes.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def key_of(owner_id: str, store_id: str) -> dict[str, Any]:
    return to_item({PARTITION_KEY: owner_id, SORT_KEY: store_id})


@dataclass(frozen=True)
class StoredCart:
    """A cart item exactly as read, kept whole so a write can require it to be unchanged."""

    attributes: dict[str, Any]

    @property
    def owner_id(self) -> str:
        owner_id: str = self.attributes[PARTITION_KEY]
        return owner_id

    @property
    def store_id(self) -> str:
        store_id: str = self.attributes[SORT_KEY]
        return store_id

    @property
    def version(self) -> int:
        version = self.attributes.get(VERSION, Decimal(0))
        if not isinstance(version, Decimal) or version != version.to_integral_value():
            raise InvalidCartData("version is not a whole number")
        return int(version)

    @property
    def size(self) -> int:
        return item_size(self.attributes)

    def is_expired(self, now: datetime) -> bool:
        # TTL deletion runs up to days late, so an expired item must be treated as gone.
        expires_at = self.attributes.get(EXPIRES_AT)
        return isinstance(expires_at, Decimal) and expires_at <= int(now.timestamp())

    def cart(self) -> Cart:
        raw_items = self.attributes.get(ITEMS, [])
        if not isinstance(raw_items, list):
            raise InvalidCartData("items is not a list")
        return Cart(
            store_id=self.store_id,
            items=tuple(_parse_item(raw) for raw in raw_items),
            updated_at=_parse_time(self.attributes.get(UPDATED_AT)),
        )


def _parse_item(raw: Any) -> CartItem:
    if not isinstance(raw, dict):
        raise InvalidCartData("cart item is not a map")
    product_id = raw.get("product_id")
    if not isinstance(product_id, str) or not product_id:
        raise InvalidCartData("cart item has no product_id")
    name = raw.get("name")
    extra = {key: value for key, value in raw.items() if key not in LINE_ATTRIBUTES}
    if name is not None and not isinstance(name, str):
        extra["name"] = name  # not the service's to read, but the line's all the same
    return CartItem(
        product_id=product_id,
        quantity=_whole_number(raw.get("quantity"), "quantity"),
        price=_money(raw.get("price")),
        max_stock=None if raw.get("max_stock") is None else _whole_number(raw.get("max_stock"), "max_stock"),
        name=name if isinstance(name, str) else None,
        variant_id=raw.get("variant_id"),
        extra=extra,
    )


def _whole_number(value: Any, field: str) -> int:
    if (
        not isinstance(value, Decimal)
        or value != value.to_integral_value()
        or not 0 <= value <= MAX_ITEM_QUANTITY
    ):
        raise InvalidCartData(f"cart item {field} is not a whole number in range")
    return int(value)


def _money(value: Any) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= MAX_ITEM_PRICE:
        raise InvalidCartData("cart item price is not a number from 0 to 10^12")
    return value


def _parse_time(value: Any) -> datetime | None:
    """ISO-8601 text, or epoch seconds as some writers store them; anything else is unknown."""
    if isinstance(value, Decimal):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def item_attributes(item: CartItem) -> dict[str, Any]:
    """A line as stored: the attributes the service reads, and every other one as it was read."""
    attributes: dict[str, Any] = {
        **item.extra,
        "product_id": item.product_id,
        "quantity": item.quantity,
        "price": item.price,
    }
    if item.max_stock is not None:
        attributes["max_stock"] = item.max_stock
    if item.name is not None:
        attributes["name"] = item.name
    if item.variant_id is not None:
        attributes["variant_id"] = item.variant_id
    return attributes


def cart_attributes(
    owner_id: str, store_id: str, items: tuple[CartItem, ...], now: datetime
) -> dict[str, Any]:
    totals = compute_totals(items)
    return {
        PARTITION_KEY: owner_id,
        SORT_KEY: store_id,
        ITEMS: [item_attributes(item) for item in items],
        "subtotal": totals.subtotal,
        "delivery_fee": totals.delivery_fee,
        "tax": totals.tax,
        "total": totals.total,
        UPDATED_AT: iso_timestamp(now),
    }


def migrated_cart_attributes(
    customer_id: str,
    store_id: str,
    items: tuple[CartItem, ...],
    previous: StoredCart | None,
    guest_session_id: str,
    now: datetime,
    ttl_seconds: int,
) -> dict[str, Any]:
    """The customer's cart after migration; attributes this service does not own are kept."""
    attributes = dict(previous.attributes) if previous is not None and not previous.is_expired(now) else {}
    attributes.pop(EXPIRES_AT, None)
    attributes.update(cart_attributes(customer_id, store_id, items, now))
    attributes[VERSION] = (previous.version if previous is not None else 0) + 1
    attributes[MIGRATED_FROM] = guest_session_id
    attributes[MIGRATION_TIMESTAMP] = iso_timestamp(now)
    if ttl_seconds:
        attributes[EXPIRES_AT] = int(now.timestamp()) + ttl_seconds
    return attributes


# The listing (GET /all): every value JSON-safe, whatever is stored.


def json_safe(value: Any) -> Any:
    """A stored value as plain JSON: whole numbers as ints, other numbers as floats (as text if a
    float cannot hold them), sets as sorted lists, binary as base64 text."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        if number.is_finite() and number == number.to_integral_value() and abs(number) < 2**53:
            return int(number)
        as_float = float(number)
        return as_float if math.isfinite(as_float) else str(number)
    if isinstance(value, bytes | bytearray | Binary):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(name): json_safe(element) for name, element in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((json_safe(element) for element in value), key=lambda element: str(element))
    if isinstance(value, list | tuple):
        return [json_safe(element) for element in value]
    return str(value)


def cart_summary(stored: StoredCart) -> dict[str, Any]:
    """One cart as GET /all answers it. Raises InvalidCartData (or a decimal error) on a cart the
    service cannot read; the caller skips that cart."""
    cart = stored.cart()
    totals = compute_totals(cart.items)
    updated_at = _parse_time(stored.attributes.get(UPDATED_AT))
    raw_updated_at = stored.attributes.get(UPDATED_AT)
    summary: dict[str, Any] = {
        "store_id": cart.store_id,
        "items": [_line_summary(item) for item in cart.items],
        "item_count": sum(item.quantity for item in cart.items),
        "subtotal": float(totals.subtotal),
        "delivery_fee": float(totals.delivery_fee),
        "tax": float(totals.tax),
        "total": float(totals.total),
        # Text as stored; a number (epoch seconds, from another writer) as ISO text; else null.
        "updated_at": raw_updated_at
        if isinstance(raw_updated_at, str)
        else (iso_timestamp(updated_at) if updated_at is not None else None),
    }
    if MIGRATED_FROM in stored.attributes:
        summary[MIGRATED_FROM] = json_safe(stored.attributes[MIGRATED_FROM])
    return summary


def _line_summary(item: CartItem) -> dict[str, Any]:
    summary: dict[str, Any] = {str(name): json_safe(value) for name, value in item.extra.items()}
    summary.update(product_id=item.product_id, quantity=item.quantity, price=float(item.price))
    if item.name is not None:
        summary["name"] = item.name
    if item.max_stock is not None:
        summary["max_stock"] = item.max_stock
    if item.variant_id is not None:
        summary["variant_id"] = json_safe(item.variant_id)
    return summary


# Transaction operations. Every one carries a condition that the item is still as it was read.


def _unchanged_condition(snapshot: StoredCart | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    names = {"#owner": PARTITION_KEY}
    if snapshot is None:
        return "attribute_not_exists(#owner)", names, {}
    names.update({"#version": VERSION, "#updated_at": UPDATED_AT})
    clauses = ["attribute_exists(#owner)"]
    values: dict[str, Any] = {}
    # Writers of carts bump `version` or `updated_at`; requiring both to match catches either.
    for placeholder, attribute in (("version", VERSION), ("updated_at", UPDATED_AT)):
        if attribute in snapshot.attributes:
            clauses.append(f"#{placeholder} = :{placeholder}")
            values[f":{placeholder}"] = _serializer.serialize(snapshot.attributes[attribute])
        else:
            clauses.append(f"attribute_not_exists(#{placeholder})")
    return " AND ".join(clauses), names, values


def _conditional(operation: dict[str, Any], snapshot: StoredCart | None) -> dict[str, Any]:
    expression, names, values = _unchanged_condition(snapshot)
    operation["ConditionExpression"] = expression
    operation["ExpressionAttributeNames"] = names
    if values:
        operation["ExpressionAttributeValues"] = values
    return operation


def delete_if_unchanged(table: str, snapshot: StoredCart) -> dict[str, Any]:
    return {
        "Delete": _conditional(
            {"TableName": table, "Key": key_of(snapshot.owner_id, snapshot.store_id)}, snapshot
        )
    }


def put_if_unchanged(table: str, attributes: dict[str, Any], snapshot: StoredCart | None) -> dict[str, Any]:
    return {"Put": _conditional({"TableName": table, "Item": to_item(attributes)}, snapshot)}


def check_unchanged(table: str, snapshot: StoredCart) -> dict[str, Any]:
    return {
        "ConditionCheck": _conditional(
            {"TableName": table, "Key": key_of(snapshot.owner_id, snapshot.store_id)}, snapshot
        )
    }


# Waits between BatchGetItem calls for keys DynamoDB left unprocessed (throttling).
BACKOFF_BASE_SECONDS = 0.02
BACKOFF_CAP_SECONDS = 0.5
backoff_jitter = random.Random()


class CartTable:
    """The carts table through one DynamoDB client; every failure is reported as ``dynamo_error``."""

    def __init__(self, client: Any, table_name: str, sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self.name = table_name
        self._sleep = sleep

    def get_many(self, keys: Iterable[CartKey]) -> dict[CartKey, StoredCart]:
        """Strongly consistent BatchGetItem; one call per 100 keys unless DynamoDB defers some."""
        found: dict[CartKey, StoredCart] = {}
        for chunk in _chunks(list(dict.fromkeys(keys)), MAX_BATCH_GET_KEYS):
            request = {self.name: {"Keys": [key_of(*key) for key in chunk], "ConsistentRead": True}}
            for attempt in range(MAX_UNPROCESSED_ATTEMPTS):
                response = dynamo.call(self.client, "BatchGetItem", self.name, RequestItems=request)
                for item in response.get("Responses", {}).get(self.name, []):
                    stored = StoredCart(from_item(item))
                    found[(stored.owner_id, stored.store_id)] = stored
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                self._back_off(attempt)
            else:
                dynamo.report_failure("BatchGetItem", self.name, "UnprocessedKeys", "keys left unprocessed")
                raise dynamo.StorageError("BatchGetItem", self.name, "UnprocessedKeys")
        return found

    def query_owner(self, owner_id: str, keys_only: bool = False) -> list[StoredCart]:
        """Every cart of one owner (a customer or a guest session), strongly consistent."""
        params: dict[str, Any] = {
            "KeyConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": PARTITION_KEY},
            "ExpressionAttributeValues": {":owner": {"S": owner_id}},
            "ConsistentRead": True,
        }
        if keys_only:
            params["ProjectionExpression"] = "#owner, #store"
            params["ExpressionAttributeNames"]["#store"] = SORT_KEY
        carts: list[StoredCart] = []
        while True:
            response = dynamo.call(self.client, "Query", self.name, TableName=self.name, **params)
            carts.extend(StoredCart(from_item(item)) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return carts
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def transact(self, operations: list[dict[str, Any]], request_token: str) -> None:
        """All operations or none. Raises TransactionConflict when only conditions failed.

        The request token makes an SDK retry of a transaction that did commit a no-op success.
        """
        try:
            dynamo.call(
                self.client,
                "TransactWriteItems",
                self.name,
                expected_error_codes=("TransactionCanceledException",),
                TransactItems=operations,
                ClientRequestToken=request_token,
            )
        except ClientError as error:
            reasons = {
                reason.get("Code") or "None" for reason in error.response.get("CancellationReasons", [])
            }
            if reasons and reasons <= CONCURRENCY_CANCELLATION_CODES:
                raise TransactionConflict(sorted(reasons)) from error
            # A reason retrying cannot cure (a validation error) names the failure before a
            # transient one (throttling), which would invite a retry.
            other = reasons - CONCURRENCY_CANCELLATION_CODES
            permanent = other - dynamo.TRANSIENT_ERROR_CODES
            code = min(permanent or other, default="TransactionCanceledException")
            dynamo.report_failure(
                "TransactWriteItems", self.name, code, error.response.get("Error", {}).get("Message")
            )
            raise dynamo.StorageError("TransactWriteItems", self.name, code) from error

    def delete_all(self, keys: list[CartKey]) -> int:
        """Unconditional deletes, up to 100 per transaction so that each batch is all or nothing.

        A transaction rather than BatchWriteItem: no partial batches to chase, and the function
        needs no permission beyond DeleteItem.
        """
        for chunk in _chunks(keys, MAX_TRANSACTION_OPERATIONS):
            operations = [{"Delete": {"TableName": self.name, "Key": key_of(*key)}} for key in chunk]
            for attempt in range(MAX_CONFLICT_ATTEMPTS):
                try:
                    self.transact(operations, request_token=str(uuid.uuid4()))
                    break
                except TransactionConflict:
                    self._back_off(attempt)
            else:
                dynamo.report_failure(
                    "TransactWriteItems", self.name, "TransactionConflict", "items kept changing"
                )
                raise dynamo.StorageError("TransactWriteItems", self.name, "TransactionConflict")
        return len(keys)

    def put_guest_cart(
        self,
        guest_session_id: str,
        store_id: str,
        items: tuple[CartItem, ...],
        now: datetime,
        ttl_seconds: int = DEFAULT_GUEST_CART_TTL_SECONDS,
    ) -> None:
        """How the shop front end stores a guest cart (used by tests and the demo)."""
        attributes = cart_attributes(guest_session_id, store_id, items, now)
        attributes[VERSION] = 1
        attributes[EXPIRES_AT] = int(now.timestamp()) + ttl_seconds
        dynamo.call(self.client, "PutItem", self.name, TableName=self.name, Item=to_item(attributes))

    def _back_off(self, attempt: int) -> None:
        # Full jitter: a random wait up to the exponential ceiling, so that functions throttled
        # together do not retry together (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/).
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
        self._sleep(backoff_jitter.uniform(0, ceiling))


def _chunks[T](values: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
