"""The emulator-side fixture: fresh tables and an audit log group, seeded carts, handler events and
timed invocations of `lambda_handler` with their AWS calls and log lines counted."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cartmon.dev.bench.call_meter import AwsCallMeter, MeterReading
from cartmon.dev.bench.settings import (
    JWT_SECRET,
    REGION,
)
from cartmon.local.events import LambdaContext, api_event
from cartmon.local.tables import create_tables
from cartmon.local.tokens import make_token

# Lambda's longest timeout: far from its deadline, each call of the handler gets the longest limits.
BENCH_CONTEXT_MS = 900_000


class NullSink(io.TextIOBase):
    """A stdout that counts lines and throws them away."""

    def __init__(self) -> None:
        self.lines = 0
        self.chars = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        self.chars += len(text)
        return len(text)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def stdout_to(sink: io.TextIOBase) -> Iterator[io.TextIOBase]:
    with contextlib.redirect_stdout(sink):
        yield sink


class Bench:
    """Fresh tables and an audit log group on the emulator, the handler configured to use them,
    and a meter on the Lambda's own boto3 clients."""

    def __init__(self, endpoint: str):
        import boto3
        from botocore.config import Config

        self.run_id = uuid.uuid4().hex[:8]
        self.carts_table = f"bench-{self.run_id}-carts"
        self.rate_limit_table = f"bench-{self.run_id}-rate-limits"
        self.audit_log_group = f"/bench/{self.run_id}/cart-migration-audit"
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION") or REGION,
            AWS_REGION=os.environ.get("AWS_DEFAULT_REGION") or REGION,
            CARTS_TABLE=self.carts_table,
            RATE_LIMIT_TABLE=self.rate_limit_table,
            AUDIT_LOG_GROUP=self.audit_log_group,
            JWT_SECRET=JWT_SECRET,
            LOG_HASH_KEY="bench-log-hash-key",
            LOG_SAMPLE_RATE="1.0",
            RATE_LIMIT_MAX_CALLS="1000000",
            READ_RATE_LIMIT_MAX_CALLS="1000000",
        )
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        for name in (
            "JWT_ALGORITHM",
            "JWT_PUBLIC_KEY",
            "RATE_LIMIT_WINDOW_SECONDS",
            "CUSTOMER_CART_TTL_DAYS",
        ):
            os.environ.pop(name, None)

        from cart_migration import clients, deadline

        # The emulator's TransactWriteItems (moto) deep-copies the whole table once per operation
        # in the transaction: 25 stores of 100 items take seconds there, not in DynamoDB. A longer
        # read timeout keeps the Lambda's 5 s from turning that artefact into retries and 503s;
        # with BENCH_CONTEXT_MS left, every call gets these longest limits (one client, metered).
        deadline.MAX_READ_TIMEOUT_SECONDS = 120.0
        deadline.UNBOUNDED = deadline.CallLimits(
            deadline.MAX_CONNECT_TIMEOUT_SECONDS, 120.0, deadline.MAX_ATTEMPTS
        )
        clients.reset()
        config = Config(retries={"mode": "standard", "max_attempts": 3})
        # The fixture's own client: seeding and clean-up are not counted.
        self.admin = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint, config=config)
        self.admin_logs = boto3.client("logs", region_name=REGION, endpoint_url=endpoint, config=config)
        self.meter = AwsCallMeter()
        self.meter.attach(clients.dynamodb())
        self.meter.attach(clients.logs())
        self.dynamodb = clients.dynamodb()
        self._created = False

    def __enter__(self) -> Bench:
        self.create()
        return self

    def __exit__(self, *_: Any) -> None:
        self.meter.detach()
        self.delete()

    def create(self) -> None:
        """Both tables as the module declares them, and the audit log group."""
        self._created = True
        create_tables(self.admin, self.carts_table, self.rate_limit_table)
        self.admin_logs.create_log_group(logGroupName=self.audit_log_group)

    def delete(self) -> None:
        if not self._created:
            return
        for table in (self.carts_table, self.rate_limit_table):
            with contextlib.suppress(Exception):
                self.admin.delete_table(TableName=table)
        with contextlib.suppress(Exception):
            self.admin_logs.delete_log_group(logGroupName=self.audit_log_group)

    # carts

    @staticmethod
    def items(count: int, quantity: int = 1) -> tuple:
        from cart_migration.merge import CartItem

        return tuple(
            CartItem(f"prod-{index:03d}", quantity, Decimal("99.50"), None, f"Product {index}")
            for index in range(count)
        )

    def seed(
        self,
        guest_session_id: str | None,
        customer_id: str | None,
        stores: int,
        items: int,
        customer_items: int | None = None,
    ) -> list[str]:
        """Guest carts (as the shop writes them) of `items` items and/or customer carts of
        `customer_items` (default `items`) overlapping products, one per store; written with
        BatchWriteItem by the fixture's own client."""
        from cart_migration.storage import DEFAULT_GUEST_CART_TTL_SECONDS, cart_attributes, to_item

        now = datetime.now(UTC)
        store_ids = [f"store-{index:03d}" for index in range(stores)]
        cart_items = self.items(items)
        customer_cart_items = self.items(items if customer_items is None else customer_items)
        records = []
        for store in store_ids:
            if guest_session_id is not None:
                guest = cart_attributes(guest_session_id, store, cart_items, now)
                guest.update(version=1, expires_at=int(now.timestamp()) + DEFAULT_GUEST_CART_TTL_SECONDS)
                records.append(guest)
            if customer_id is not None:
                customer = cart_attributes(customer_id, store, customer_cart_items, now)
                customer.update(version=1)
                records.append(customer)
        self._batch_put([to_item(record) for record in records])
        return store_ids

    def purge(self) -> None:
        """Empty the carts table: the emulator's transactions cost in proportion to its size."""
        params: dict[str, Any] = {
            "TableName": self.carts_table,
            "ProjectionExpression": "customer_id, store_id",
        }
        keys: list[dict[str, Any]] = []
        while True:
            page = self.admin.scan(**params)
            keys += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self._batch_write([{"DeleteRequest": {"Key": key}} for key in keys])

    def _batch_put(self, items: list[dict[str, Any]]) -> None:
        self._batch_write([{"PutRequest": {"Item": item}} for item in items])

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), 25):
            request = {self.carts_table: requests[start : start + 25]}
            for _ in range(10):
                response = self.admin.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or {}
                if not request:
                    break
                time.sleep(0.05)
            else:
                raise RuntimeError("BatchWriteItem left items unprocessed")

    # requests

    @staticmethod
    def token(customer_id: str) -> str:
        return make_token(customer_id, JWT_SECRET, expires_in=3600)

    def event(
        self, operation: str, token: str, guest_session_id: str | None = None, store_id: str | None = None
    ):
        headers = {"Authorization": f"Bearer {token}"}
        if operation in ("migrate_single_store", "migrate_multi_store"):
            body: dict[str, Any] = {"guest_session_id": guest_session_id, "merge_strategy": "merge"}
            if store_id is not None:
                body["store_id"] = store_id
            return api_event("rest_v1", "POST", "/api/v1/cart/migrate", body, headers)
        if operation == "get_all_carts":
            return api_event("rest_v1", "GET", "/api/v1/cart/all", None, headers)
        return api_event("rest_v1", "DELETE", f"/api/v1/cart/cleanup-guest/{guest_session_id}", None, headers)

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """One handler call, timed, with its AWS calls and its log lines counted."""
        from cart_migration.handler import lambda_handler

        context = LambdaContext(timeout_ms=BENCH_CONTEXT_MS)
        sink = NullSink()
        with stdout_to(sink), self.meter.measure() as seen:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            response = lambda_handler(event, context)
            wall1, cpu1 = time.perf_counter(), time.process_time()
        return Invocation(response, wall1 - wall0, cpu1 - cpu0, seen, sink.lines)


@dataclass
class Invocation:
    response: dict[str, Any]
    wall: float
    cpu: float
    aws: MeterReading
    log_lines: int

    @property
    def status(self) -> int:
        return self.response["statusCode"]

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.response.get("body") or "{}")


def new_session() -> str:
    return f"guest-{uuid.uuid4()}"


def new_customer(label: str) -> str:
    return f"bench-{label}-{uuid.uuid4().hex[:8]}"
