"""End to end: traffic through the real handler, its log lines in the log group, metrics from the
deployed filters, and each alarm going to ALARM when its condition holds and back to OK when it
clears, with the notification reaching the SQS queue subscribed to the alarm's topic.

The scenarios share the emulator's clock, which only moves forward, so they run in file order.
Between scenarios the clock moves past the 5-minute windows so each starts from quiet metrics.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from cartmon.local.runtime import Throttled
from cartmon.local.traffic import Shop, new_customer, new_guest_session

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

SHORT_WINDOW_GAP = 360  # past a 300-second period, so the previous scenario's datapoints are out of it
MINUTE = 60  # the minute in progress is never evaluated: let it complete
ALERTS = "alerts"  # every metric alarm notifies the alerts topic (the guide's); pages come from composites


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
        """A notification naming the alarm and its new state reached the alerts topic's queue."""
        severity = ALERTS
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


def fired(alarms: Alarms, clock, *keys: str) -> None:
    """Once the minute of the traffic is complete, each alarm is in ALARM and said so to its topic."""
    clock.advance(MINUTE)
    for key in keys:
        alarms.expect(key, "ALARM")
        alarms.notified(key, "ALARM")


def cleared(shop: Shop, alarms: Alarms, clock, *keys: str, successes: int = 1) -> None:
    """Past the alarm's window with healthy traffic, each alarm is back to OK and said so."""
    clock.advance(SHORT_WINDOW_GAP)
    shop.successful_migrations(successes)
    clock.advance(MINUTE)
    for key in keys:
        alarms.expect(key, "OK")
        alarms.notified(key, "OK")


@pytest.fixture(scope="module")
def shop(make_runtime, function_environment, applied_stack):
    return Shop(make_runtime(), function_environment["JWT_SECRET"], applied_stack["carts_table_name"])


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
    # 20 failures: LowSuccessRate needs slo_min_events (20) migrations in its 5 minutes.
    with shop.carts_table_missing():
        for _ in range(20):
            invocation = shop.migrate(new_customer(), new_guest_session())
            assert invocation.status_code >= 500
            assert "migration_failure" in [e["event_type"] for e in invocation.events]
    fired(alarms, emulator_clock, "HighFailureRate", "LowSuccessRate")
    cleared(shop, alarms, emulator_clock, "HighFailureRate", "LowSuccessRate", successes=3)


def test_five_failures_stay_under_the_high_failure_threshold(shop, alarms, emulator_clock):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    shop.failed_migrations(5)
    shop.successful_migrations(45)
    emulator_clock.advance(MINUTE)
    alarms.expect("HighFailureRate", "OK")
    alarms.expect("LowSuccessRate", "OK")


def test_a_rate_limit_burst_raises_excessive_rate_limiting(shop, alarms, emulator_clock):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    # 40 calls: even split across two fixed windows, more than 20 are refused.
    statuses = shop.rate_limit_burst(40)
    assert statuses.count(429) > 20
    fired(alarms, emulator_clock, "ExcessiveRateLimiting")
    cleared(shop, alarms, emulator_clock, "ExcessiveRateLimiting")


def test_function_errors_raise_lambda_errors(shop, alarms, emulator_clock, make_runtime):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    # Lambda counts a timed-out invocation as a function error.
    impatient = make_runtime(timeout_seconds=0.000001)
    for _ in range(6):
        assert (
            shop.migrate(new_customer(), shop.seed_guest_cart(), runtime=impatient).error == "Task timed out"
        )
    fired(alarms, emulator_clock, "LambdaErrors")
    cleared(shop, alarms, emulator_clock, "LambdaErrors")


def test_one_throttle_raises_lambda_throttles(shop, alarms, emulator_clock, make_runtime):
    emulator_clock.advance(SHORT_WINDOW_GAP)
    in_handler, release = threading.Event(), threading.Event()

    def hold():
        in_handler.set()
        release.wait(10)

    single = make_runtime(reserved_concurrency=1, before_call=hold)
    first = threading.Thread(
        target=shop.migrate, args=(new_customer(), shop.seed_guest_cart()), kwargs={"runtime": single}
    )
    first.start()
    assert in_handler.wait(10)
    with pytest.raises(Throttled):
        shop.migrate(new_customer(), shop.seed_guest_cart(), runtime=single)
    release.set()
    first.join(30)
    fired(alarms, emulator_clock, "LambdaThrottles")
    cleared(shop, alarms, emulator_clock, "LambdaThrottles")


def test_traffic_without_successes_for_thirty_minutes_raises_no_successful_migrations(
    shop, alarms, emulator_clock
):
    emulator_clock.advance(1800)
    shop.migration_without_guest_carts()
    fired(alarms, emulator_clock, "NoSuccessfulMigrations")
