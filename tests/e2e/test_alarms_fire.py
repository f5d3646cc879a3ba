"""End to end: traffic through the real handler, its log lines in the log group, metrics from the
deployed filters, and each alarm going to ALARM when its condition holds and back to OK when it
clears, with the notification reaching the SQS queue subscribed to the alarm's topic.

The scenarios share the emulator's clock, which only moves forward, so they run in file order.
Between scenarios the clock moves past the 5-minute windows so each starts from quiet metrics.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cart_migration import clients
from cart_migration.merge import CartItem
from cart_migration.storage import CartTable
from local_lambda import Throttled, api_event, make_token

SHORT_WINDOW_GAP = 360  # past a 300-second period, so the previous scenario's datapoints are out of it
MINUTE = 60  # the minute in progress is never evaluated: let it complete
GUEST_CART_TTL = 7 * 86400
SEVERITY_BY_PRIORITY = {"P1": "critical", "P2": "warning", "P3": "warning"}


class Shop:
    """Customers and their guest carts, driving the deployed function through LocalLambda."""

    def __init__(self, runtime, environment, carts_table):
        self.runtime = runtime
        self.secret = environment["JWT_SECRET"]
        self.carts_table = carts_table

    def token(self, customer_id: str) -> str:
        return make_token(customer_id, self.secret)

    def seed_guest_cart(self, stores=("STORE-001",)) -> str:
        session = f"guest-{uuid.uuid4()}"
        table = CartTable(clients.dynamodb(), self.carts_table)
        for store in stores:
            items = (
                CartItem("P-1", 2, Decimal("120.00"), 10, None),
                CartItem("P-2", 1, Decimal("80.50"), 5, None),
            )
            table.put_guest_cart(session, store, items, datetime.now(UTC), GUEST_CART_TTL)
        return session

    def migrate(self, customer_id: str, session: str, runtime=None, api: str = "http_v2"):
        event = api_event(
            api,
            "POST",
            "/api/v1/cart/migrate",
            {"guest_session_id": session, "merge_strategy": "merge"},
            {"Authorization": f"Bearer {self.token(customer_id)}"},
        )
        return (runtime or self.runtime).invoke(event)

    def successful_migrations(self, count: int) -> None:
        for _ in range(count):
            invocation = self.migrate(f"user-{uuid.uuid4().hex[:10]}", self.seed_guest_cart())
            assert invocation.status_code == 200 and invocation.body["status"] == "success", invocation.body

    def migration_without_guest_carts(self) -> None:
        invocation = self.migrate(f"user-{uuid.uuid4().hex[:10]}", f"guest-{uuid.uuid4()}")
        assert invocation.status_code == 200 and invocation.body["status"] == "no_carts_found", (
            invocation.body
        )

    @contextmanager
    def carts_table_missing(self):
        """The function pointed at a table that is not there: every migration fails in DynamoDB."""
        saved = os.environ["CARTS_TABLE"]
        os.environ["CARTS_TABLE"] = f"{saved}-deleted"
        try:
            yield
        finally:
            os.environ["CARTS_TABLE"] = saved


class Alarms:
    def __init__(self, stack, aws_client, clock):
        self.by_key = stack["alarms"]
        self.cloudwatch = aws_client("cloudwatch")
        self.sqs = aws_client("sqs")
        self.inboxes = stack["alarm_inbox_queue_urls"]
        self.clock = clock
        self.received: list[tuple[str, str, str]] = []

    def name(self, key: str) -> str:
        return self.by_key[key]["name"]

    def state(self, key: str) -> str:
        return self.cloudwatch.describe_alarms(AlarmNames=[self.name(key)])["MetricAlarms"][0]["StateValue"]

    def expect(self, key: str, state: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.clock.evaluate_alarms()
            current = self.state(key)
            if current == state or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        alarm = self.cloudwatch.describe_alarms(AlarmNames=[self.name(key)])["MetricAlarms"][0]
        assert current == state, f"{key} is {current}, expected {state}: {alarm['StateReason']}"

    def notified(self, key: str, state: str, timeout: float = 15) -> None:
        """A notification naming the alarm and its new state reached its severity's queue."""
        severity = SEVERITY_BY_PRIORITY[self.by_key[key]["priority"]]
        wanted = (severity, self.name(key), state)
        deadline = time.monotonic() + timeout
        while wanted not in self.received and time.monotonic() < deadline:
            for inbox_severity, url in self.inboxes.items():
                for message in self.sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                ).get("Messages", []):
                    alarm = json.loads(json.loads(message["Body"])["Message"])
                    self.received.append((inbox_severity, alarm["AlarmName"], alarm["NewStateValue"]))
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert wanted in self.received, (
            f"no {state} notification for {self.name(key)} in the {severity} queue"
        )


@pytest.fixture(scope="module")
def shop(make_runtime, function_environment, applied_stack):
    return Shop(make_runtime(), function_environment, applied_stack["carts_table_name"])


@pytest.fixture(scope="module")
def alarms(applied_stack, aws_client, emulator_clock):
    return Alarms(applied_stack, aws_client, emulator_clock)


def test_no_successful_migrations_alarms_on_silence_and_clears_on_a_success(shop, alarms, emulator_clock):
    # Its first ALARM comes as the stack is created, maybe before the inbox subscribes; the
    # notification of a later ALARM is checked by the last scenario.
    alarms.expect("NoSuccessfulMigrations", "ALARM")
    shop.successful_migrations(2)
    emulator_clock.advance(MINUTE)
    alarms.expect("NoSuccessfulMigrations", "OK")
    alarms.notified("NoSuccessfulMigrations", "OK")


def test_a_failure_burst_raises_high_failure_rate_and_low_success_rate(shop, alarms, emulator_clock):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    with shop.carts_table_missing():
        for _ in range(6):
            invocation = shop.migrate(f"user-{uuid.uuid4().hex[:10]}", f"guest-{uuid.uuid4()}")
            assert invocation.status_code >= 500
            assert "migration_failure" in [e["event_type"] for e in invocation.events]
    emulator_clock.advance(MINUTE)
    alarms.expect("HighFailureRate", "ALARM")
    alarms.expect("LowSuccessRate", "ALARM")
    alarms.notified("HighFailureRate", "ALARM")
    alarms.notified("LowSuccessRate", "ALARM")

    emulator_clock.advance(SHORT_WINDOW_GAP)
    shop.successful_migrations(3)
    emulator_clock.advance(MINUTE)
    alarms.expect("HighFailureRate", "OK")
    alarms.expect("LowSuccessRate", "OK")
    alarms.notified("HighFailureRate", "OK")
    alarms.notified("LowSuccessRate", "OK")


def test_five_failures_stay_under_the_high_failure_threshold(shop, alarms, emulator_clock):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    with shop.carts_table_missing():
        for _ in range(5):
            shop.migrate(f"user-{uuid.uuid4().hex[:10]}", f"guest-{uuid.uuid4()}")
    shop.successful_migrations(45)
    emulator_clock.advance(MINUTE)
    alarms.expect("HighFailureRate", "OK", timeout=3)
    alarms.expect("LowSuccessRate", "OK", timeout=3)


def test_a_rate_limit_burst_raises_excessive_rate_limiting(shop, alarms, emulator_clock):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    customer = f"user-{uuid.uuid4().hex[:10]}"
    # 40 calls: even split across two fixed windows, more than 20 are refused.
    statuses = [shop.migrate(customer, f"guest-{uuid.uuid4()}").status_code for _ in range(40)]
    assert statuses.count(429) > 20
    emulator_clock.advance(MINUTE)
    alarms.expect("ExcessiveRateLimiting", "ALARM")
    alarms.notified("ExcessiveRateLimiting", "ALARM")

    emulator_clock.advance(SHORT_WINDOW_GAP)
    shop.successful_migrations(1)
    emulator_clock.advance(MINUTE)
    alarms.expect("ExcessiveRateLimiting", "OK")
    alarms.notified("ExcessiveRateLimiting", "OK")


def test_function_errors_raise_lambda_errors(shop, alarms, emulator_clock, make_runtime):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    # Lambda counts a timed-out invocation as a function error.
    impatient = make_runtime(timeout_seconds=0.000001)
    for _ in range(6):
        assert (
            shop.migrate(f"user-{uuid.uuid4().hex[:10]}", shop.seed_guest_cart(), runtime=impatient).error
            == "Task timed out"
        )
    emulator_clock.advance(MINUTE)
    alarms.expect("LambdaErrors", "ALARM")
    alarms.notified("LambdaErrors", "ALARM")

    emulator_clock.advance(SHORT_WINDOW_GAP)
    shop.successful_migrations(1)
    emulator_clock.advance(MINUTE)
    alarms.expect("LambdaErrors", "OK")
    alarms.notified("LambdaErrors", "OK")


def test_one_throttle_raises_lambda_throttles(shop, alarms, emulator_clock, make_runtime):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    in_handler, release = threading.Event(), threading.Event()

    def hold():
        in_handler.set()
        release.wait(10)

    single = make_runtime(reserved_concurrency=1, before_call=hold)
    first = threading.Thread(
        target=shop.migrate, args=(f"user-{uuid.uuid4().hex[:10]}", shop.seed_guest_cart(), single)
    )
    first.start()
    assert in_handler.wait(10)
    with pytest.raises(Throttled):
        shop.migrate(f"user-{uuid.uuid4().hex[:10]}", shop.seed_guest_cart(), runtime=single)
    release.set()
    first.join(30)
    emulator_clock.advance(MINUTE)
    alarms.expect("LambdaThrottles", "ALARM")
    alarms.notified("LambdaThrottles", "ALARM")

    emulator_clock.advance(SHORT_WINDOW_GAP)
    shop.successful_migrations(1)
    emulator_clock.advance(MINUTE)
    alarms.expect("LambdaThrottles", "OK")
    alarms.notified("LambdaThrottles", "OK")


def test_traffic_without_successes_for_thirty_minutes_raises_no_successful_migrations(
    shop, alarms, emulator_clock
):
    emulator_clock.advance(1800)
    shop.migration_without_guest_carts()
    emulator_clock.advance(MINUTE)
    alarms.expect("NoSuccessfulMigrations", "ALARM")
    alarms.notified("NoSuccessfulMigrations", "ALARM")
