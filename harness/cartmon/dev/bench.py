"""`make bench`: what a migration, a log event, a cold start and a deploy cost, beside baselines.

    cartmon/dev/bench.py [--quick] [--only SECTION,...] [--calls N] [--output BENCHMARKS.md]
    cartmon/dev/bench.py --render build/bench/results.json      # re-render BENCHMARKS.md from saved results

Emulator latency is not AWS latency, so this measures what carries over to AWS, and compares
against baselines measured in the same run on the same machine:

  roundtrips  DynamoDB and CloudWatch Logs calls per migration for 1/5/25 stores x 1/10/100 items,
              counted with botocore event hooks on the Lambda's own clients, beside the original
              system's per-store read-read-delete-put pattern run on the same tables.
  handler     `lambda_handler` in-process against the emulator: wall p50/p99 of each of the four
              operations beside the guide's targets, and the handler's own CPU time (below).
  coldstart   import time of the handler in a fresh interpreter (median of N), the packages it
              spends it in (-X importtime), beside a Powertools-Logger-only handler and boto3.
  logging     cost of one structured event beside a bare Powertools Logger call and stdlib
              json + logging, as ratios from one run.
  deploy      a private emulator's start time and peak memory, and `terraform init/plan/apply/
              destroy` of examples/local on a copy of the module against it.

CPU time of the handler: `time.process_time()` around each call, minus the CPU time spent between
botocore's `before-send` and `before-parse` events (the HTTP exchange), and separately minus the
CPU of whole AWS calls (`provide-client-params` to `after-call`: serialising, signing, sending,
parsing). The emulator runs in another process, so its CPU is never in these numbers.

Needs AWS_ENDPOINT_URL (the Makefile runs this under `bootstrap/emulator_launcher.py run`). Writes
BENCHMARKS.md and build/bench/results.json. No number here is asserted anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cartmon import local_lambda
from cartmon.local_lambda import create_tables
from cartmon.project import LAUNCHER, ROOT

REGION = "ap-south-1"
DEFAULT_OUTPUT = ROOT / "BENCHMARKS.md"
DEFAULT_JSON = ROOT / "build" / "bench" / "results.json"
LAMBDA_PACKAGE = ROOT / "build" / "cart_migration.zip"
EMULATOR_PYTHON = Path(os.environ.get("EMULATOR_PYTHON", ROOT / ".venv" / "emulator" / "bin" / "python"))
SECTIONS = ("coldstart", "logging", "roundtrips", "handler", "deploy")
OPERATIONS = ("migrate_single_store", "migrate_multi_store", "get_all_carts", "cleanup_guest_cart")
JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Settings:
    """How much to measure. `quick` is for the smoke test: every code path, few repetitions."""

    calls: int = 200  # handler calls per operation (the issue asks for at least 200)
    warmup: int = 5
    roundtrip_reps: int = 1  # counts are deterministic; the emulator takes ~25 s for 25 stores x 100 items
    roundtrip_stores: tuple[int, ...] = (1, 5, 25)
    roundtrip_items: tuple[int, ...] = (1, 10, 100)
    coldstart_runs: int = 10
    importtime_runs: int = 3
    log_events: int = 3_000  # events per round per variant
    log_rounds: int = 5

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            calls=10,
            warmup=1,
            roundtrip_reps=1,
            roundtrip_stores=(1, 5),
            roundtrip_items=(1, 10),
            coldstart_runs=2,
            importtime_runs=1,
            log_events=300,
            log_rounds=2,
        )


# --- statistics --------------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0..100), interpolating linearly between the closest ranks
    (numpy's default, Excel's PERCENTILE.INC)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not in 0..100")
    position = (len(ordered) - 1) * q / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def summarize(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


# --- counting AWS calls --------------------------------------------------------------------------


@dataclass
class MeterReading:
    """AWS calls seen by an AwsCallMeter over some interval."""

    calls: Counter = field(default_factory=Counter)  # "dynamodb.Query" -> API calls
    sends: Counter = field(default_factory=Counter)  # HTTP requests (a retried call sends twice)
    send_wall: float = 0.0
    send_cpu: float = 0.0
    call_wall: float = 0.0
    call_cpu: float = 0.0

    def __sub__(self, earlier: MeterReading) -> MeterReading:
        return MeterReading(
            calls=self.calls - earlier.calls,
            sends=self.sends - earlier.sends,
            send_wall=self.send_wall - earlier.send_wall,
            send_cpu=self.send_cpu - earlier.send_cpu,
            call_wall=self.call_wall - earlier.call_wall,
            call_cpu=self.call_cpu - earlier.call_cpu,
        )

    def count(self, service: str | None = None) -> int:
        return sum(n for key, n in self.calls.items() if service is None or key.startswith(f"{service}."))

    def round_trips(self, service: str | None = None) -> int:
        return sum(n for key, n in self.sends.items() if service is None or key.startswith(f"{service}."))

    def operations(self, service: str) -> dict[str, int]:
        prefix = f"{service}."
        return {key[len(prefix) :]: n for key, n in sorted(self.calls.items()) if key.startswith(prefix)}


SERVICE_NAMES = {"cloudwatch-logs": "logs"}


class AwsCallMeter:
    """Counts and times the API calls of the botocore clients it is attached to, with the client's
    event hooks, so the code under test runs unchanged.

    provide-client-params .. after-call   one API call (serialise, sign, send, parse)
    before-send .. before-parse           one HTTP exchange on the wire
    """

    HOOKS = (
        "provide-client-params",
        "before-send",
        "before-parse",
        "response-received",
        "after-call",
        "after-call-error",
    )

    def __init__(
        self, wall: Callable[[], float] = time.perf_counter, cpu: Callable[[], float] = time.process_time
    ):
        self._wall = wall
        self._cpu = cpu
        self._reading = MeterReading()
        self._call_started: tuple[float, float] | None = None
        self._send_started: tuple[float, float] | None = None
        self._clients: list[Any] = []

    @staticmethod
    def _key(event_name: str) -> str:
        parts = event_name.split(".")
        service = SERVICE_NAMES.get(parts[1], parts[1]) if len(parts) > 1 else "?"
        return f"{service}.{parts[-1]}" if len(parts) > 2 else service

    def _unique_id(self, hook: str) -> str:
        return f"bench-meter-{id(self)}-{hook}"

    def attach(self, client: Any) -> Any:
        handlers = {
            "provide-client-params": self._on_call,
            "before-send": self._on_send,
            "before-parse": self._on_received,
            "response-received": self._on_received,
            "after-call": self._on_call_done,
            "after-call-error": self._on_call_done,
        }
        for hook, handler in handlers.items():
            client.meta.events.register(hook, handler, unique_id=self._unique_id(hook))
        self._clients.append(client)
        return client

    def detach(self) -> None:
        for client in self._clients:
            for hook in self.HOOKS:
                client.meta.events.unregister(hook, unique_id=self._unique_id(hook))
        self._clients.clear()

    def reading(self) -> MeterReading:
        current = self._reading
        return MeterReading(
            Counter(current.calls),
            Counter(current.sends),
            current.send_wall,
            current.send_cpu,
            current.call_wall,
            current.call_cpu,
        )

    @contextlib.contextmanager
    def measure(self) -> Iterator[MeterReading]:
        """`with meter.measure() as seen:` -- `seen` holds the calls made inside the block."""
        before = self.reading()
        seen = MeterReading()
        try:
            yield seen
        finally:
            delta = self.reading() - before
            seen.__dict__.update(delta.__dict__)

    def _on_call(self, event_name: str = "", **_: Any) -> None:
        self._reading.calls[self._key(event_name)] += 1
        self._call_started = (self._wall(), self._cpu())

    def _on_send(self, event_name: str = "", **_: Any) -> None:
        self._reading.sends[self._key(event_name)] += 1
        self._send_started = (self._wall(), self._cpu())

    def _on_received(self, **_: Any) -> None:
        if self._send_started is not None:
            wall, cpu = self._send_started
            self._reading.send_wall += self._wall() - wall
            self._reading.send_cpu += self._cpu() - cpu
            self._send_started = None

    def _on_call_done(self, **_: Any) -> None:
        if self._call_started is not None:
            wall, cpu = self._call_started
            self._reading.call_wall += self._wall() - wall
            self._reading.call_cpu += self._cpu() - cpu
            self._call_started = None


# --- the emulator-side fixture: tables, carts, the handler -------------------------------------


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

        from cart_migration import clients

        # The emulator's TransactWriteItems (moto) deep-copies the whole table once per operation
        # in the transaction: 25 stores of 100 items take seconds there, not in DynamoDB. A longer
        # read timeout keeps the Lambda's 5 s from turning that artefact into retries and 503s.
        clients._DYNAMODB_CONFIG = clients._DYNAMODB_CONFIG.merge(Config(read_timeout=120))
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
        return local_lambda.make_token(customer_id, JWT_SECRET, expires_in=3600)

    def event(
        self, operation: str, token: str, guest_session_id: str | None = None, store_id: str | None = None
    ):
        headers = {"Authorization": f"Bearer {token}"}
        if operation in ("migrate_single_store", "migrate_multi_store"):
            body: dict[str, Any] = {"guest_session_id": guest_session_id, "merge_strategy": "merge"}
            if store_id is not None:
                body["store_id"] = store_id
            return local_lambda.api_event("rest_v1", "POST", "/api/v1/cart/migrate", body, headers)
        if operation == "get_all_carts":
            return local_lambda.api_event("rest_v1", "GET", "/api/v1/cart/all", None, headers)
        return local_lambda.api_event(
            "rest_v1", "DELETE", f"/api/v1/cart/cleanup-guest/{guest_session_id}", None, headers
        )

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """One handler call, timed, with its AWS calls and its log lines counted."""
        from cart_migration.handler import lambda_handler

        context = local_lambda.LambdaContext()
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


# --- 1. round trips ------------------------------------------------------------------------------


def original_migrate(
    client: Any, table: str, customer_id: str, guest_session_id: str, store_id: str | None
) -> int:
    """The original system's pattern, for comparison only: per store, read the guest cart, read the
    customer cart, delete the guest cart, then put the merged customer cart; no transaction (a
    crash between the delete and the put loses the cart). Without a store id, the session's stores
    are listed first with a Query. Its rate limit lived in memory: no DynamoDB call."""
    from cart_migration.merge import MergeStrategy, merge_carts
    from cart_migration.storage import StoredCart, cart_attributes, from_item, iso_timestamp, key_of, to_item

    if store_id is not None:
        stores = [store_id]
    else:
        stores = []
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "customer_id = :owner",
            "ExpressionAttributeValues": {":owner": {"S": guest_session_id}},
            "ProjectionExpression": "store_id",
        }
        while True:
            page = client.query(**params)
            stores += [item["store_id"]["S"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    migrated = 0
    for store in stores:
        guest = client.get_item(TableName=table, Key=key_of(guest_session_id, store)).get("Item")
        if guest is None:
            continue
        customer = client.get_item(TableName=table, Key=key_of(customer_id, store)).get("Item")
        guest_cart = StoredCart(from_item(guest)).cart()
        customer_cart = StoredCart(from_item(customer)).cart() if customer else None
        outcome = merge_carts(guest_cart, customer_cart, MergeStrategy.MERGE)
        now = datetime.now(UTC)
        attributes = cart_attributes(customer_id, store, outcome.items, now)
        attributes.update(migrated_from=guest_session_id, migration_timestamp=iso_timestamp(now))
        client.delete_item(TableName=table, Key=key_of(guest_session_id, store))
        client.put_item(TableName=table, Item=to_item(attributes))
        migrated += 1
    return migrated


def measure_roundtrips(bench: Bench, settings: Settings) -> dict[str, Any]:
    bench.purge()
    # A first migration opens the audit log stream (CreateLogStream once per container): not counted.
    warm_session, warm_customer = new_session(), new_customer("warm")
    bench.seed(warm_session, None, 1, 1)
    bench.invoke(bench.event("migrate_single_store", bench.token(warm_customer), warm_session, "store-000"))

    cells = []
    for stores in settings.roundtrip_stores:
        for items in settings.roundtrip_items:
            operation = "migrate_single_store" if stores == 1 else "migrate_multi_store"
            ours: list[MeterReading] = []
            original: list[MeterReading] = []
            for _ in range(settings.roundtrip_reps):
                bench.purge()
                session, customer = new_session(), new_customer("rt")
                # One-item customer carts: a merge in every store, and a table half the size for
                # the emulator's table-copying transactions.
                store_ids = bench.seed(session, customer, stores, items, customer_items=1)
                store_id = store_ids[0] if stores == 1 else None
                call = bench.invoke(bench.event(operation, bench.token(customer), session, store_id))
                migrated = call.body.get("migrated_carts")
                if call.status != 200 or migrated != stores:
                    raise RuntimeError(f"migration of {stores} stores answered {call.status}: {call.body}")
                ours.append(call.aws)

                bench.purge()
                session, customer = new_session(), new_customer("orig")
                bench.seed(session, customer, stores, items, customer_items=1)
                with bench.meter.measure() as seen:
                    moved = original_migrate(bench.dynamodb, bench.carts_table, customer, session, store_id)
                if moved != stores:
                    raise RuntimeError(f"the original pattern moved {moved} of {stores} stores")
                original.append(seen)
            bench.purge()
            cells.append(
                {
                    "stores": stores,
                    "items": items,
                    "request": "one store" if stores == 1 else "all stores",
                    "ours": {
                        "dynamodb": ours[0].count("dynamodb"),
                        "dynamodb_operations": ours[0].operations("dynamodb"),
                        "logs": ours[0].count("logs"),
                        "logs_operations": ours[0].operations("logs"),
                        "round_trips": max(reading.round_trips() for reading in ours),
                        "stable": all(reading.calls == ours[0].calls for reading in ours),
                    },
                    "original": {
                        "dynamodb": original[0].count("dynamodb"),
                        "dynamodb_operations": original[0].operations("dynamodb"),
                        "round_trips": max(reading.round_trips() for reading in original),
                        "stable": all(reading.calls == original[0].calls for reading in original),
                    },
                }
            )
    return {"reps": settings.roundtrip_reps, "cells": cells}


# --- 2. handler time -----------------------------------------------------------------------------

SCENARIOS = {
    "migrate_single_store": "1 store x 5 items into an existing customer cart (merge)",
    "migrate_multi_store": "3 stores x 5 items into existing customer carts (merge)",
    "get_all_carts": "a customer with 5 carts x 5 items",
    "cleanup_guest_cart": "a guest session with 2 carts x 5 items",
}


def measure_handler(bench: Bench, settings: Settings) -> dict[str, Any]:
    from cart_migration.catalogue import OPERATIONS as CATALOGUE_OPERATIONS

    bench.purge()
    results = []
    for operation in OPERATIONS:
        customer = new_customer(operation.replace("_", "-"))
        token = bench.token(customer)
        if operation == "migrate_single_store":
            bench.seed(None, customer, 1, 5)
        elif operation == "migrate_multi_store":
            bench.seed(None, customer, 3, 5)
        elif operation == "get_all_carts":
            bench.seed(None, customer, 5, 5)

        def prepared_event(operation: str = operation, customer: str = customer, token: str = token):
            session = new_session()
            if operation == "migrate_single_store":
                bench.seed(session, None, 1, 5)
                return bench.event(operation, token, session, "store-000"), 1
            if operation == "migrate_multi_store":
                bench.seed(session, None, 3, 5)
                return bench.event(operation, token, session), 3
            if operation == "cleanup_guest_cart":
                bench.seed(session, None, 2, 5)
                return bench.event(operation, token, session), 2
            return bench.event(operation, token), 5

        calls: list[Invocation] = []
        for index in range(settings.warmup + settings.calls):
            event, expected = prepared_event()
            call = bench.invoke(event)
            body = call.body
            done = body.get("migrated_carts", body.get("total_carts", body.get("deleted_carts")))
            if call.status != 200 or done != expected:
                raise RuntimeError(f"{operation} answered {call.status}: {body}")
            if index >= settings.warmup:
                calls.append(call)

        spec = CATALOGUE_OPERATIONS[operation]
        cpu = [call.cpu * 1000 for call in calls]
        send_cpu = [call.aws.send_cpu * 1000 for call in calls]
        call_cpu = [call.aws.call_cpu * 1000 for call in calls]
        results.append(
            {
                "operation": operation,
                "label": spec.label,
                "scenario": SCENARIOS[operation],
                "target_ms": spec.target_ms,
                "acceptable_ms": spec.acceptable_ms,
                "alert_ms": spec.alert_ms,
                "wall_ms": summarize([call.wall * 1000 for call in calls]),
                "aws_wall_ms": summarize([call.aws.call_wall * 1000 for call in calls]),
                "own_wall_ms": summarize([(call.wall - call.aws.call_wall) * 1000 for call in calls]),
                "cpu_ms": summarize(cpu),
                "send_cpu_ms": summarize(send_cpu),
                "cpu_excluding_send_ms": summarize([c - s for c, s in zip(cpu, send_cpu, strict=True)]),
                "cpu_excluding_aws_ms": summarize([c - a for c, a in zip(cpu, call_cpu, strict=True)]),
                "aws_calls": statistics.fmean(call.aws.count() for call in calls),
                "round_trips": statistics.fmean(call.aws.round_trips() for call in calls),
                "round_trips_range": [
                    min(call.aws.round_trips() for call in calls),
                    max(call.aws.round_trips() for call in calls),
                ],
                "log_lines": statistics.fmean(call.log_lines for call in calls),
            }
        )
    return {"calls": settings.calls, "warmup": settings.warmup, "operations": results}


# --- 3. cold start -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRecord:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


_IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")


def parse_importtime(text: str) -> list[ImportRecord]:
    """The records of `python -X importtime` (stderr); other lines are ignored."""
    records = []
    for line in text.splitlines():
        match = _IMPORTTIME_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            records.append(
                ImportRecord(module, int(self_us), int(cumulative_us), max(0, len(indent) - 1) // 2)
            )
    return records


def import_cost_by_package(records: Iterable[ImportRecord], exclude: Iterable[str] = ()) -> dict[str, int]:
    """Self time (us) summed per top-level package, leaving out modules in `exclude` (those the
    bare interpreter imports at start-up anyway); largest first."""
    skipped = set(exclude)
    totals: Counter = Counter()
    for record in records:
        if record.module not in skipped:
            totals[record.module.split(".")[0]] += record.self_us
    return dict(totals.most_common())


def imports_made_by(records: Sequence[ImportRecord], prefix: str) -> dict[str, int]:
    """Modules first imported directly by a module under `prefix` (not themselves under it), with
    their cumulative time (us): what each of our imports costs, dependencies included. The
    records are in -X importtime's order, each module after the modules it imported."""
    pending: dict[int, list[ImportRecord]] = defaultdict(list)
    costs: Counter = Counter()
    for record in records:
        children = pending.pop(record.depth + 1, [])
        if record.module == prefix or record.module.startswith(f"{prefix}."):
            for child in children:
                if not (child.module == prefix or child.module.startswith(f"{prefix}.")):
                    costs[child.module] += child.cumulative_us
        pending[record.depth].append(record)
    return dict(costs.most_common())


BARE_HANDLER = '''"""A Lambda handler that does nothing but log through Powertools Logger."""
from aws_lambda_powertools import Logger

logger = Logger(service="bare")


def lambda_handler(event, context):
    logger.info("hello")
    return {"statusCode": 200}
'''


def _python_env(pythonpath: Sequence[Path]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in pythonpath)
    return env


def _timed_python(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed: {result.stderr[-2000:]}")
    return elapsed, result.stderr


def medians_largest_first(runs: list[dict[str, float]], name: str, value: str) -> list[dict[str, Any]]:
    """Per key, the median over runs of microseconds (absent = 0), in ms, largest first."""
    keys = {key for costs in runs for key in costs}
    rows = [{name: key, value: percentile([costs.get(key, 0) for costs in runs], 50) / 1000} for key in keys]
    return sorted(rows, key=lambda row: (-row[value], row[name]))


def measure_coldstart(settings: Settings) -> dict[str, Any]:
    import zipfile

    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as scratch:
        scratch_dir = Path(scratch)
        (scratch_dir / "bare").mkdir()
        (scratch_dir / "bare" / "bare_handler.py").write_text(BARE_HANDLER)
        variants: list[tuple[str, str, list[str], list[Path]]] = [
            ("interpreter", "`python -c pass`: interpreter start-up and exit", ["-c", "pass"], []),
            ("boto3", "`import boto3` (the runtime provides it)", ["-c", "import boto3"], []),
            (
                "bare_powertools",
                "a handler that only creates a Powertools Logger",
                ["-c", "import bare_handler"],
                [scratch_dir / "bare"],
            ),
            (
                "handler",
                "`import cart_migration.handler` (PYTHONPATH=lambda_src, bytecode cached)",
                ["-c", "import cart_migration.handler"],
                [ROOT / "lambda_src"],
            ),
        ]
        if LAMBDA_PACKAGE.is_file():
            deployed = scratch_dir / "task"
            with zipfile.ZipFile(LAMBDA_PACKAGE) as archive:
                archive.extractall(deployed)
            # /var/task is read-only and the zip has no .pyc: every cold start compiles its sources.
            variants.append(
                (
                    "handler_deployed",
                    "the same from the deployment zip, no bytecode cache (as in Lambda)",
                    ["-B", "-c", "import cart_migration.handler"],
                    [deployed],
                )
            )
        results = []
        # Run the variants in turn, so that a slow moment of the machine hits all of them alike.
        walls: dict[str, list[float]] = defaultdict(list)
        envs = {name: _python_env(path) for name, _, _, path in variants}
        for _ in range(settings.coldstart_runs):
            for name, _, args, _ in variants:
                elapsed, _ = _timed_python(args, envs[name])
                walls[name].append(elapsed * 1000)
        interpreter = percentile(walls["interpreter"], 50)
        for name, description, _, _ in variants:
            median = percentile(walls[name], 50)
            results.append(
                {
                    "name": name,
                    "description": description,
                    "runs": len(walls[name]),
                    "median_ms": median,
                    "min_ms": min(walls[name]),
                    "max_ms": max(walls[name]),
                    "over_interpreter_ms": median - interpreter if name != "interpreter" else 0.0,
                }
            )

        # Where the import time goes: -X importtime, modules the bare interpreter loads left out.
        startup = {
            record.module
            for record in parse_importtime(
                _timed_python(["-X", "importtime", "-c", "pass"], envs["interpreter"])[1]
            )
        }
        runs, direct_runs = [], []
        for _ in range(settings.importtime_runs):
            _, stderr = _timed_python(
                ["-X", "importtime", "-c", "import cart_migration.handler"], envs["handler"]
            )
            records = parse_importtime(stderr)
            runs.append(import_cost_by_package(records, exclude=startup))
            direct_runs.append(imports_made_by(records, "cart_migration"))
        total_us = percentile([sum(costs.values()) for costs in runs], 50)
        contributors = medians_largest_first(runs, "package", "self_ms")
        direct = medians_largest_first(direct_runs, "module", "cumulative_ms")
    return {
        "runs": settings.coldstart_runs,
        "importtime_runs": settings.importtime_runs,
        "variants": results,
        "import_total_ms": total_us / 1000,
        "contributors": contributors,
        "direct_imports": direct,
    }


# --- 4. logging cost -----------------------------------------------------------------------------

LOG_FIELDS = {
    "customer_id": "user-123456",
    "guest_session_id": "guest-3f2b1c9e-8a47-4d1e-9b5a-2c6d7e8f9a0b",
    "migrated_carts": 2,
    "total_items": 5,
    "total_value": Decimal("1250.00"),
    "merge_strategy": "merge",
    "duration_ms": 245.3,
}


def _log_variants() -> dict[str, tuple[str, Callable[[], Any]]]:
    """Each variant writes one `migration_success`-shaped line to stdout (a NullSink while timed),
    except `ours_redaction_only`, which is the redaction step of ours on its own."""
    import logging

    from aws_lambda_powertools import Logger

    from cart_migration.event_log import CartMigrationMetrics
    from cart_migration.redaction import redact_record

    class _CurrentStdout:
        def write(self, text: str) -> int:
            return sys.stdout.write(text)

        def flush(self) -> None:
            pass

    bare = Logger(service="bench-bare", stream=_CurrentStdout())
    message = "Cart migration successful"
    stdlib = logging.getLogger(f"bench.stdlib.{uuid.uuid4().hex}")
    stdlib.propagate = False
    stdlib.setLevel(logging.INFO)
    handler = logging.StreamHandler(_CurrentStdout())
    handler.setFormatter(logging.Formatter("%(message)s"))
    stdlib.addHandler(handler)

    def stdlib_line() -> None:
        record = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": "INFO",
            "message": message,
            "event_type": "migration_success",
            "service": "bench-stdlib",
            **LOG_FIELDS,
        }
        stdlib.info(json.dumps(record, default=str))

    formatted = {
        "timestamp": "2025-11-21T10:30:00.000Z",
        "level": "INFO",
        "message": message,
        "event_type": "migration_success",
        "service": "cart-migration",
        "request_id": str(uuid.uuid4()),
        **LOG_FIELDS,
    }

    return {
        "ours_migration_success": (
            "`CartMigrationMetrics.log_migration_success` (catalogue, redaction, HMAC of customer_id)",
            lambda: CartMigrationMetrics.log_migration_success(**LOG_FIELDS),
        ),
        "ours_performance_metric": (
            "`CartMigrationMetrics.log_performance_metric` (the event every call writes)",
            lambda: CartMigrationMetrics.log_performance_metric("migrate_single_store", 245.3, 1, 5),
        ),
        "ours_redaction_only": (
            "of which: `redact_record` of that event's record alone (writes nothing)",
            lambda: redact_record(formatted),
        ),
        "bare_powertools": (
            "bare Powertools `Logger.info(message, extra=fields)`",
            lambda: bare.info(message, extra={"event_type": "migration_success", **LOG_FIELDS}),
        ),
        "stdlib": ("stdlib `logging` of a `json.dumps` line", stdlib_line),
    }


def measure_logging(settings: Settings) -> dict[str, Any]:
    os.environ.setdefault("LOG_HASH_KEY", "bench-log-hash-key")
    os.environ["LOG_SAMPLE_RATE"] = "1.0"
    variants = _log_variants()
    sample_lines: dict[str, str] = {}
    for name, (_, emit) in variants.items():
        captured = io.StringIO()
        with stdout_to(captured):
            emit()
        lines = captured.getvalue().strip().splitlines()
        if lines:
            sample_lines[name] = lines[-1]

    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    n = settings.log_events
    for _ in range(settings.log_rounds):
        for name, (_, emit) in variants.items():  # interleaved: drift hits all variants alike
            sink = NullSink()
            with stdout_to(sink):
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for _ in range(n):
                    emit()
                wall1, cpu1 = time.perf_counter(), time.process_time()
            if name in sample_lines and sink.lines != n:
                raise RuntimeError(f"{name} wrote {sink.lines} lines for {n} events")
            wall[name].append((wall1 - wall0) / n * 1e6)
            cpu[name].append((cpu1 - cpu0) / n * 1e6)
    stdlib_us = percentile(wall["stdlib"], 50)
    bare_us = percentile(wall["bare_powertools"], 50)
    rows = []
    for name, (description, _) in variants.items():
        us = percentile(wall[name], 50)
        rows.append(
            {
                "name": name,
                "description": description,
                "us_per_event": us,
                "cpu_us_per_event": percentile(cpu[name], 50),
                "vs_stdlib": us / stdlib_us,
                "vs_bare_powertools": us / bare_us,
                "bytes": len(sample_lines[name].encode("utf-8")) + 1 if name in sample_lines else None,
            }
        )
    return {"events": n, "rounds": settings.log_rounds, "variants": rows, "sample_lines": sample_lines}


# --- 5. deploy -----------------------------------------------------------------------------------


def parse_proc_status(text: str) -> dict[str, int]:
    """The `kB` fields of /proc/<pid>/status (VmRSS, VmHWM, ...) in kB."""
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            fields[name] = int(parts[0])
    return fields


def parse_proc_ppid(stat_text: str) -> int:
    """The parent pid from /proc/<pid>/stat (the command name may hold spaces and parentheses)."""
    return int(stat_text.rpartition(")")[2].split()[1])


def process_tree(root: int, proc: Path = Path("/proc")) -> list[int]:
    """root and all its descendants that are alive now."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in proc.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                children[parse_proc_ppid((entry / "stat").read_text())].append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        if (proc / str(pid)).exists():
            tree.append(pid)
            pending.extend(children.get(pid, []))
    return tree


class TreeMemoryMonitor:
    """Polls the RSS of a process tree: the peak of its sum, and each process's own peak (VmHWM)."""

    def __init__(self, root_pid: Callable[[], int | None], interval: float = 0.2):
        self._root_pid = root_pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_rss_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.samples = 0

    def __enter__(self) -> TreeMemoryMonitor:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        root = self._root_pid()
        if root is None:
            return
        total = 0
        for pid in process_tree(root):
            with contextlib.suppress(OSError):
                status = parse_proc_status(Path(f"/proc/{pid}/status").read_text())
                total += status.get("VmRSS", 0)
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status.get("VmHWM", 0))
        self.samples += 1
        self.peak_rss_kb = max(self.peak_rss_kb, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval)


@dataclass
class CommandRun:
    seconds: float
    returncode: int
    output: str
    max_rss_kb: int


def run_measured(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> CommandRun:
    """Run a command; its wall time, and the peak RSS of its largest process (itself or a child it
    waited for, e.g. Terraform's provider plugin) from wait4's rusage."""
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return CommandRun(seconds, process.returncode, output.read(), usage.ru_maxrss)


_PLAN_SUMMARY = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")


def parse_plan_summary(output: str) -> int | None:
    match = _PLAN_SUMMARY.search(output)
    return int(match.group(1)) if match else None


def measure_deploy(settings: Settings) -> dict[str, Any]:
    from cartmon.project import copy_module

    if not LAMBDA_PACKAGE.is_file():
        raise RuntimeError(f"{LAMBDA_PACKAGE} is missing: run `make package`")
    cli_config = Path(os.environ.get("TF_CLI_CONFIG_FILE") or ROOT / "build" / "terraformrc")
    if not cli_config.is_file():
        cli_config = ROOT / "build" / "terraformrc"
    launcher = [sys.executable, str(LAUNCHER)]
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as scratch:
        scratch_dir = Path(scratch)
        state_file = scratch_dir / "emulator-state.json"
        launcher_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        launcher_env.update(EMULATOR_STATE_FILE=str(state_file), EMULATOR_PORT="")

        def emulator_pid() -> int | None:
            with contextlib.suppress(OSError, ValueError, KeyError):
                return json.loads(state_file.read_text())["pid"]
            return None

        steps = []
        with TreeMemoryMonitor(emulator_pid) as monitor:
            started = time.perf_counter()
            start = subprocess.run(
                [*launcher, "start", "--owner-pid", str(os.getpid())],
                env=launcher_env,
                capture_output=True,
                text=True,
            )
            start_seconds = time.perf_counter() - started
            try:
                if start.returncode != 0:
                    raise RuntimeError(f"the private emulator did not start: {start.stderr[-2000:]}")
                monitor.sample()
                peak_at_start_kb = monitor.peak_rss_kb
                url = start.stdout.strip().splitlines()[-1].split("=", 1)[1]

                (scratch_dir / "module").mkdir()
                module = copy_module(scratch_dir / "module")
                example = module / "examples" / "local"
                prefix = f"bench-{uuid.uuid4().hex[:6]}"
                variables = [
                    "-var",
                    f"lambda_package_path={LAMBDA_PACKAGE}",
                    "-var",
                    f"name_prefix={prefix}",
                    "-var",
                    f"function_name={prefix}-fn",
                    "-var",
                    f"alarm_name_prefix={prefix}",
                ]
                tf_env = dict(
                    launcher_env,
                    AWS_ENDPOINT_URL=url,
                    AWS_ACCESS_KEY_ID="test",
                    AWS_SECRET_ACCESS_KEY="test",
                    AWS_DEFAULT_REGION=REGION,
                    AWS_REGION=REGION,
                    TF_CLI_CONFIG_FILE=str(cli_config),
                    TF_IN_AUTOMATION="1",
                    TF_INPUT="0",
                )
                commands = [
                    ("init", ["terraform", "init", "-input=false", "-no-color"]),
                    (
                        "plan",
                        ["terraform", "plan", "-input=false", "-no-color", "-out=bench.tfplan", *variables],
                    ),
                    ("apply", ["terraform", "apply", "-input=false", "-no-color", "bench.tfplan"]),
                    (
                        "destroy",
                        ["terraform", "destroy", "-input=false", "-no-color", "-auto-approve", *variables],
                    ),
                ]
                resources = None
                for step, command in commands:
                    run = run_measured(command, example, tf_env)
                    if run.returncode != 0:
                        raise RuntimeError(f"terraform {step} failed:\n{run.output[-3000:]}")
                    if step == "plan":
                        resources = parse_plan_summary(run.output)
                    steps.append({"step": step, "seconds": run.seconds, "max_rss_mb": run.max_rss_kb / 1024})
                monitor.sample()
            finally:
                subprocess.run([*launcher, "stop"], env=launcher_env, capture_output=True, text=True)
    return {
        "emulator": {
            "start_seconds": start_seconds,
            "peak_rss_at_start_mb": peak_at_start_kb / 1024,
            "peak_rss_mb": monitor.peak_rss_kb / 1024,
            "hwm_sum_mb": sum(monitor.hwm_kb.values()) / 1024,
            "processes": len(monitor.hwm_kb),
        },
        "resources": resources,
        "steps": steps,
    }


# --- the machine ---------------------------------------------------------------------------------


def parse_cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("model name", "Model", "Hardware") and value.strip():
            return value.strip()
    return "unknown"


def parse_mem_total_gib(meminfo: str) -> float | None:
    kb = parse_proc_status(meminfo).get("MemTotal")
    return None if kb is None else kb / 1024 / 1024


def _command_output(command: list[str]) -> str | None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def machine_info() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    terraform = _command_output(["terraform", "version", "-json"])
    try:
        terraform_version = json.loads(terraform)["terraform_version"] if terraform else None
    except (ValueError, KeyError):
        terraform_version = None
    localstack = _command_output(
        [
            str(EMULATOR_PYTHON),
            "-c",
            "from importlib.metadata import version; print(version('localstack-core'))",
        ]
    )
    packages = {}
    for name in ("boto3", "botocore", "aws-lambda-powertools", "pyjwt"):
        with contextlib.suppress(PackageNotFoundError):
            packages[name] = version(name)
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": parse_cpu_model(read("/proc/cpuinfo")),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": parse_mem_total_gib(read("/proc/meminfo")),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "terraform": terraform_version,
        "localstack": localstack,
        "packages": packages,
    }


# --- BENCHMARKS.md -------------------------------------------------------------------------------


SECTION_TITLES = {
    "roundtrips": "## 1. DynamoDB round trips per migration",
    "handler": "## 2. Handler time",
    "coldstart": "## 3. Cold start: importing the handler",
    "logging": "## 4. Logging cost per event",
    "deploy": "## 5. Deploy",
}


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], align: str | None = None) -> str:
    """A Markdown table; `align` has one letter per column (l, r, c), default left."""
    align = (align or "l" * len(headers)).ljust(len(headers), "l")
    marks = {"l": "---", "r": "---:", "c": ":---:"}

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_number(value: float | None, unit: str = "") -> str:
    """Three significant digits or whole numbers, whichever is longer: 0.0123, 1.23, 12.3, 123, 1234."""
    if value is None:
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == 0:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".rstrip()


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def _range_text(bounds: Sequence[int] | None) -> str | None:
    if not bounds:
        return None
    low, high = bounds
    return str(low) if low == high else f"{low}-{high}"


def _operations_text(operations: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in operations.items()) or "none"


def render_roundtrips(section: dict[str, Any]) -> str:
    rows = []
    for cell in section["cells"]:
        ours, original = cell["ours"], cell["original"]
        rows.append(
            [
                cell["stores"],
                cell["items"],
                cell["request"],
                f"**{ours['dynamodb']}**" + ("" if ours["stable"] else " (varied between runs)"),
                _operations_text(ours["dynamodb_operations"]),
                ours["logs"],
                ours["round_trips"],
                f"**{original['dynamodb']}**" + ("" if original["stable"] else " (varied between runs)"),
                _operations_text(original["dynamodb_operations"]),
                fmt_ratio(original["dynamodb"] / ours["dynamodb"]) if ours["dynamodb"] else "n/a",
            ]
        )
    return "\n".join(
        [
            SECTION_TITLES["roundtrips"],
            "",
            "Counted with botocore event hooks on the Lambda's own clients (`cart_migration.clients.dynamodb()`",
            "and `.logs()`): `provide-client-params` marks an API call, `before-send` an HTTP request (a retry",
            "sends again). Ours is one `POST /api/v1/cart/migrate` through `lambda_handler`, merge strategy,",
            "every store also holding a one-item customer cart. The original's pattern is `original_migrate` in",
            "`cartmon/dev/bench.py`: per store `GetItem` guest, `GetItem` customer, `DeleteItem` guest, `PutItem`",
            "customer, no transaction, plus one `Query` to list the stores when no store is named (its rate",
            "limit lived in memory: no call). Same tables, same client, same run; "
            f"{section['reps']} run(s) per row.",
            "",
            "Ours is constant: the rate-limit `UpdateItem`, one read (`BatchGetItem`; `Query` + `BatchGetItem`",
            "for all stores), one `TransactWriteItems` per 50 stores. The Logs call is the audit entry",
            "(`AUDIT_LOG_GROUP`, which the module sets); its `CreateLogStream` comes once per container and is",
            "not counted. All calls are sequential, so in AWS the latency grows with the count.",
            "",
            md_table(
                [
                    "stores",
                    "items/cart",
                    "request",
                    "ours: DynamoDB calls",
                    "which",
                    "ours: Logs calls",
                    "ours: HTTP round trips",
                    "original: DynamoDB calls",
                    "which",
                    "original / ours",
                ],
                rows,
                "rrlrlrrrlr",
            ),
            "",
            "Wall times are left out on purpose: the emulator's `TransactWriteItems` (moto) deep-copies the",
            "table once per operation in the transaction, so there a transaction costs in proportion to",
            "table size x operations, which DynamoDB's does not. (For the same reason the bench empties its",
            "table between runs and gives the Lambda's DynamoDB client a longer read timeout.)",
        ]
    )


def render_handler(section: dict[str, Any]) -> str:
    latency_rows, cpu_rows = [], []
    for op in section["operations"]:
        wall = op["wall_ms"]
        latency_rows.append(
            [
                op["label"],
                op["scenario"],
                fmt_number(wall["p50"], "ms"),
                fmt_number(wall["p99"], "ms"),
                f"< {op['target_ms']} ms",
                f"< {op['acceptable_ms']} ms",
                f"> {op['alert_ms']} ms",
                fmt_number(op["aws_wall_ms"]["p50"], "ms"),
                fmt_number(op["own_wall_ms"]["p50"], "ms") if "own_wall_ms" in op else "n/a",
                _range_text(op.get("round_trips_range")) or fmt_number(op["round_trips"]),
                f"{op['log_lines']:g}"
                if float(op["log_lines"]).is_integer()
                else fmt_number(op["log_lines"]),
            ]
        )
        cpu_rows.append(
            [
                op["label"],
                fmt_number(op["cpu_ms"]["p50"], "ms"),
                fmt_number(op["send_cpu_ms"]["p50"], "ms"),
                f"**{fmt_number(op['cpu_excluding_send_ms']['p50'], 'ms')}**",
                fmt_number(op["cpu_excluding_send_ms"]["p99"], "ms"),
                fmt_number(op["cpu_excluding_aws_ms"]["p50"], "ms"),
            ]
        )
    return "\n".join(
        [
            SECTION_TITLES["handler"],
            "",
            f"`lambda_handler` called in-process with REST API events, {section['calls']} calls per operation after",
            f"{section['warmup']} warm-up calls, against the emulator (fresh guest carts seeded before each call,",
            "outside the timing; rate limit set high; `LOG_SAMPLE_RATE=1`, so every event is written). An",
            "emulator round trip is local HTTP to a Python process (whose transactions copy the table), not",
            "DynamoDB's latency: *outside AWS calls* is what the function itself adds and carries over; the",
            "time *in AWS calls* becomes round trips x DynamoDB's latency in AWS.",
            "",
            md_table(
                [
                    "operation",
                    "scenario",
                    "p50",
                    "p99",
                    "guide target",
                    "acceptable",
                    "alert",
                    "in AWS calls (p50)",
                    "outside AWS calls (p50)",
                    "round trips/call",
                    "log lines/call",
                ],
                latency_rows,
                "llrrrrrrrrr",
            ),
            "",
            "CPU time of the handler per call (median; p99 where noted), with `time.process_time()`. The",
            "emulator is another process, so its work is never counted. *HTTP send* is the CPU spent between",
            "botocore's `before-send` and `before-parse` events (urllib3, sockets): what an AWS endpoint",
            "changes. *Excluding AWS calls entirely* also leaves out botocore's serialising, signing and",
            "parsing (`provide-client-params` to `after-call`), which does carry over to Lambda.",
            "",
            md_table(
                [
                    "operation",
                    "CPU total",
                    "of which HTTP send",
                    "CPU excluding send",
                    "CPU excluding send, p99",
                    "CPU excluding AWS calls entirely",
                ],
                cpu_rows,
                "lrrrrr",
            ),
        ]
    )


def render_coldstart(section: dict[str, Any]) -> str:
    variant_rows = [
        [
            variant["description"],
            fmt_number(variant["median_ms"], "ms"),
            fmt_number(variant["over_interpreter_ms"], "ms") if variant["name"] != "interpreter" else "",
            f"{fmt_number(variant['min_ms'])}-{fmt_number(variant['max_ms'])} ms",
        ]
        for variant in section["variants"]
    ]
    by_name = {variant["name"]: variant for variant in section["variants"]}
    notes = []
    if "handler" in by_name and "bare_powertools" in by_name:
        ratio = by_name["handler"]["over_interpreter_ms"] / max(
            by_name["bare_powertools"]["over_interpreter_ms"], 1e-9
        )
        notes.append(
            f"Our handler's imports cost {fmt_ratio(ratio)} those of the Powertools-Logger-only handler."
        )
    total = section["import_total_ms"]
    contributor_rows = [
        [f"`{row['package']}`", fmt_number(row["self_ms"], "ms"), f"{row['self_ms'] / total * 100:.0f}%"]
        for row in section["contributors"][:10]
        if total
    ]
    direct_rows = [
        [
            f"`{row['module']}`",
            fmt_number(row["cumulative_ms"], "ms"),
            f"{row['cumulative_ms'] / total * 100:.0f}%",
        ]
        for row in section.get("direct_imports", [])[:8]
        if total and row["cumulative_ms"] >= total / 100
    ]
    direct_lines = (
        [
            "",
            "The same run seen from our side: each module `cart_migration` imports first-hand, with",
            "everything it pulls in (modules already loaded by an earlier import count there).",
            "",
            md_table(["imported by cart_migration", "cumulative", "share"], direct_rows, "lrr"),
        ]
        if direct_rows
        else []
    )
    return "\n".join(
        [
            SECTION_TITLES["coldstart"],
            "",
            f"Wall time of a fresh `python` process (the one running this benchmark), median of {section['runs']}",
            'runs, the variants taking turns. "Over the interpreter" subtracts the bare interpreter\'s',
            "start-up and exit, leaving the import itself. Lambda adds its own runtime start-up on top.",
            "",
            md_table(["what is imported", "median", "over the interpreter", "range"], variant_rows, "lrrr"),
            "",
            *([" ".join(notes), ""] if notes else []),
            "Where `import cart_migration.handler` spends its time, from `python -X importtime` (median of",
            f"{section['importtime_runs']}; self time summed per top-level package, modules the bare interpreter",
            f"loads anyway left out): {fmt_number(total, 'ms')} in all, -X importtime's own overhead included.",
            "",
            md_table(["package", "import time (self)", "share"], contributor_rows, "lrr"),
            *direct_lines,
        ]
    )


def render_logging(section: dict[str, Any]) -> str:
    rows = [
        [
            variant["description"],
            fmt_number(variant["us_per_event"], "us"),
            fmt_number(variant["cpu_us_per_event"], "us"),
            fmt_ratio(variant["vs_stdlib"]),
            fmt_ratio(variant["vs_bare_powertools"]),
            variant["bytes"] if variant["bytes"] is not None else "",
        ]
        for variant in section["variants"]
    ]
    return "\n".join(
        [
            SECTION_TITLES["logging"],
            "",
            f"One `migration_success`-shaped JSON line to stdout, {section['events']} events per round, median of",
            f"{section['rounds']} interleaved rounds, stdout replaced by a sink that discards. Ours adds the",
            "catalogue lookup, field flattening, redaction of every value (emails, phones, card numbers) and",
            "the HMAC of `customer_id`.",
            "",
            md_table(
                [
                    "logger",
                    "per event (wall)",
                    "per event (CPU)",
                    "vs stdlib",
                    "vs bare Powertools",
                    "bytes/line",
                ],
                rows,
                "lrrrrr",
            ),
        ]
    )


def render_deploy(section: dict[str, Any]) -> str:
    emulator = section["emulator"]
    rows = [
        [
            "emulator start (to healthy)",
            fmt_number(emulator["start_seconds"], "s"),
            fmt_number(emulator["peak_rss_at_start_mb"], "MB"),
        ]
    ]
    for step in section["steps"]:
        rows.append(
            [
                f"`terraform {step['step']}`",
                fmt_number(step["seconds"], "s"),
                fmt_number(step["max_rss_mb"], "MB"),
            ]
        )
    total = sum(step["seconds"] for step in section["steps"] if step["step"] in ("plan", "apply", "destroy"))
    rows.append(["plan + apply + destroy", fmt_number(total, "s"), ""])
    resources = section.get("resources")
    return "\n".join(
        [
            SECTION_TITLES["deploy"],
            "",
            "A private emulator started for this (`bootstrap/emulator_launcher.py start` with its own `EMULATOR_STATE_FILE`),",
            f"then `examples/local` on a copy of the module ({resources if resources is not None else 'n/a'} resources,",
            "the Lambda from `build/cart_migration.zip`) planned, applied and destroyed against it. Emulator",
            "memory is the RSS of its process tree, sampled every 0.2 s; Terraform's is the peak RSS of its",
            "largest process (Terraform or the AWS provider plugin), from `wait4`.",
            "",
            md_table(["step", "wall time", "peak memory"], rows, "lrr"),
            "",
            f"Emulator peak over start, plan, apply and destroy: {fmt_number(emulator['peak_rss_mb'], 'MB')} RSS "
            f"({emulator['processes']} process(es); sum of per-process peaks {fmt_number(emulator['hwm_sum_mb'], 'MB')}).",
        ]
    )


RENDERERS = {
    "roundtrips": render_roundtrips,
    "handler": render_handler,
    "coldstart": render_coldstart,
    "logging": render_logging,
    "deploy": render_deploy,
}
REPORT_ORDER = ("roundtrips", "handler", "coldstart", "logging", "deploy")


def render(results: dict[str, Any]) -> str:
    machine = results.get("machine", {})
    packages = ", ".join(f"{name} {version}" for name, version in machine.get("packages", {}).items())
    memory = machine.get("memory_gib")
    load = results.get("load")
    load_text = (
        f"{' / '.join(f'{x:.2f}' for x in load['before'])} before, "
        f"{' / '.join(f'{x:.2f}' for x in load['after'])} after (other work on the machine skews times)"
        if load
        else "n/a"
    )
    header = [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (cartmon/dev/bench.py); do not edit by hand. -->",
        "Generated by `make bench`: do not edit by hand. Emulator latency is not AWS latency; these",
        "tables measure what carries over (round trips, CPU time, import time) and compare with",
        "baselines measured in the same run. No test asserts any of these numbers.",
        "",
        md_table(
            ["", ""],
            [
                ["date", results.get("generated_at", "n/a")],
                ["mode", "quick (smoke run, few repetitions)" if results.get("quick") else "full"],
                ["CPU", machine.get("cpu", "n/a")],
                ["cores", f"{machine.get('cores')} ({machine.get('usable_cores')} usable)"],
                ["memory", fmt_number(memory, "GiB") if memory else "n/a"],
                ["OS", machine.get("os", "n/a")],
                ["Python", machine.get("python", "n/a")],
                ["Terraform", machine.get("terraform") or "n/a"],
                ["LocalStack", machine.get("localstack") or "n/a"],
                ["packages", packages or "n/a"],
                ["load average (1, 5, 15 min)", load_text],
                ["duration of the run", fmt_number(results.get("seconds"), "s")],
            ],
        ),
    ]
    parts = ["\n".join(header)]
    for name in REPORT_ORDER:
        section = results.get("sections", {}).get(name)
        if section is None:
            continue
        if "error" in section:
            parts.append(f"{SECTION_TITLES[name]}\n\nNot measured in this run: {section['error']}")
        else:
            parts.append(RENDERERS[name](section))
    return "\n\n".join(parts) + "\n"


# --- main ----------------------------------------------------------------------------------------


def run_sections(names: Sequence[str], settings: Settings, endpoint: str | None) -> dict[str, Any]:
    sections: dict[str, Any] = {}

    def attempt(name: str, measure: Callable[[], dict[str, Any]]) -> None:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            sections[name] = measure()
        except Exception as error:  # one failed section must not cost the others
            traceback.print_exc()
            sections[name] = {
                "error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            }
        print(f"bench: {name} took {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)

    if "coldstart" in names:
        attempt("coldstart", lambda: measure_coldstart(settings))
    if "logging" in names:
        attempt("logging", lambda: measure_logging(settings))
    emulator_sections = [name for name in ("roundtrips", "handler") if name in names]
    if emulator_sections:
        if not endpoint:
            for name in emulator_sections:
                sections[name] = {"error": "no emulator: AWS_ENDPOINT_URL is not set (run `make bench`)"}
        else:
            with Bench(endpoint) as bench:
                if "roundtrips" in names:
                    attempt("roundtrips", lambda: measure_roundtrips(bench, settings))
                if "handler" in names:
                    attempt("handler", lambda: measure_handler(bench, settings))
    if "deploy" in names:
        attempt("deploy", lambda: measure_deploy(settings))
    return sections


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks that everything runs")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--calls", type=int, help="handler calls per operation (default 200)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the Markdown report")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="the raw results")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON", help="only re-render saved results")
    args = parser.parse_args(argv)

    if args.render:
        results = json.loads(args.render.read_text())
        args.output.write_text(render(results))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0

    names = [name.strip() for name in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = set(names) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    settings = Settings.quick() if args.quick else Settings()
    if args.calls:
        settings = dataclasses.replace(settings, calls=args.calls)
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/") or None

    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "settings": {**settings.__dict__},
        "machine": machine_info(),
    }
    load_before = os.getloadavg()
    results["sections"] = run_sections(names, settings, endpoint)
    results["seconds"] = time.perf_counter() - started
    results["load"] = {"before": load_before, "after": os.getloadavg()}

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str))
    args.output.write_text(render(results))
    failed = [name for name, section in results["sections"].items() if "error" in section]
    print(
        f"wrote {args.output} in {results['seconds']:.0f}s"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        file=sys.stderr,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
