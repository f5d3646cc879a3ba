"""End to end: the pages. Traffic through the real handler, its log lines in the log group, metrics from
the deployed filters (the SLO's slow-request filters included), the burn-rate window alarms, the
composite alarms with their ActionsSuppressor, and what reaches the SQS queue subscribed to the page topic.

- A quiet night with one failure pages nobody (the minimum-events guard).
- An outage pages once, on the page topic (AvailabilityPage), while the guide's alarms tell the alerts topic.
- A suppressed composite (NoSuccessfulMigrationsPage) goes to ALARM during the outage and sends nothing
  while its suppressor, AvailabilityPage, is in ALARM.

The scenarios share the emulator's clock, which only moves forward, so they run in file order, after
test_alarms_fire.py.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from cartmon.local.traffic import Shop, new_customer, new_guest_session

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

MINUTE = 60
HUNG_SECONDS = 120  # a sentinel that takes longer than this is lost, not late
PAST_THE_PAGE_WINDOWS = 7 * 3600  # past the longest page window (6 h): earlier scenarios are out of them


class Pages:
    """States of metric and composite alarms, and the notifications of the two topics' queues."""

    def __init__(self, stack, aws_client, clock):
        self.prefix = stack["composite_alarms"]["AvailabilityPage"]["name"].removesuffix("AvailabilityPage")
        self.cloudwatch = aws_client("cloudwatch")
        self.sqs = aws_client("sqs")
        self.inboxes = stack["alarm_inbox_queue_urls"]
        self.topics = stack["sns_topic_arns"]
        self.sns = aws_client("sns")
        self.clock = clock
        self.received: list[tuple[str, str, str]] = []

    def describe(self, key: str) -> dict:
        found = self.cloudwatch.describe_alarms(
            AlarmNames=[self.prefix + key], AlarmTypes=["CompositeAlarm", "MetricAlarm"]
        )
        (alarm,) = found["CompositeAlarms"] + found["MetricAlarms"]
        return alarm

    def expect(self, key: str, state: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            self.clock.evaluate_alarms()
            alarm = self.describe(key)
            if alarm["StateValue"] == state or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert alarm["StateValue"] == state, (
            f"{key} is {alarm['StateValue']}, expected {state}: {alarm['StateReason']}"
        )
        return alarm

    def drain(self) -> list[tuple[str, str, str]]:
        """Every notification the alarms sent so far, proven complete by a sentinel: after the alarms'
        evaluation has returned (their actions published), a sentinel message is published to each
        topic, and each queue is read until its sentinel arrives. What was sent before the sentinel
        has arrived by then; nothing is concluded from a queue that merely stayed empty for a while."""
        got = []
        for topic, url in self.inboxes.items():
            sentinel = f"sentinel-{uuid.uuid4()}"
            self.sns.publish(TopicArn=self.topics[topic], Message=json.dumps({"sentinel": sentinel}))
            deadline = time.monotonic() + HUNG_SECONDS
            seen = False
            while not seen:
                assert time.monotonic() < deadline, f"the {topic} queue never received its sentinel"
                for message in self.sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                ).get("Messages", []):
                    body = json.loads(json.loads(message["Body"])["Message"])
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    if "sentinel" in body:
                        seen = seen or body["sentinel"] == sentinel
                        continue
                    got.append((topic, body["AlarmName"].removeprefix(self.prefix), body["NewStateValue"]))
        self.received += got
        return got

    def pages(self, got) -> list[str]:
        return [name for topic, name, state in got if topic == "page" and state == "ALARM"]


@pytest.fixture(scope="module")
def shop(make_runtime, function_environment, applied_stack):
    return Shop(make_runtime(), function_environment["JWT_SECRET"], applied_stack["carts_table_name"])


@pytest.fixture(scope="module")
def pages(applied_stack, aws_client, emulator_clock):
    return Pages(applied_stack, aws_client, emulator_clock)


def test_the_page_topic_receives_only_composite_pages(applied_stack):
    composites = applied_stack["composite_alarms"]
    paging = {k for k, c in composites.items() if c["page"]}
    assert paging == {"AvailabilityPage", "LatencyPage", "NoSuccessfulMigrationsPage"}
    assert composites["NoSuccessfulMigrationsPage"]["rule"].endswith('-NoSuccessfulMigrations")')


def test_a_quiet_night_with_one_failure_pages_nobody(shop, pages, emulator_clock):
    emulator_clock.advance(PAST_THE_PAGE_WINDOWS)
    # Night traffic: two migrations every five minutes. The first ones end the silence that
    # NoSuccessfulMigrations saw; what that silence sent is cleared before the night is judged.
    shop.successful_migrations(2)
    emulator_clock.advance(MINUTE)
    pages.expect("NoSuccessfulMigrations", "OK")
    pages.expect("AvailabilityPage", "OK")
    pages.drain()
    for step in range(6):
        emulator_clock.advance(5 * MINUTE - MINUTE)
        shop.successful_migrations(2)
        if step == 2:
            shop.failed_migrations(1)  # 2 successes and 1 failure in 5 minutes: 66 %
        emulator_clock.advance(MINUTE)
        for key in ("AvailabilityPage", "LowSuccessRate", "HighFailureRate", "NoSuccessfulMigrations"):
            pages.expect(key, "OK")
    got = pages.drain()
    assert pages.pages(got) == [], got
    # The failure reached the metrics: the guard, not a missing datapoint, kept the windows quiet.
    window = pages.describe("AvailabilityBurnOutage15m")
    assert window["StateValue"] == "OK", window["StateReason"]


def test_an_outage_pages_once_and_the_suppressed_page_sends_nothing(shop, pages, emulator_clock):
    shop.successful_migrations(2)
    emulator_clock.advance(MINUTE)
    pages.drain()
    last_success = emulator_clock.now()
    with shop.carts_table_missing():
        for _ in range(30):
            invocation = shop.migrate(new_customer(), new_guest_session())
            assert invocation.status_code >= 500
    emulator_clock.advance(MINUTE)
    pages.expect("AvailabilityPage", "ALARM")
    pages.expect("HighFailureRate", "ALARM")
    got = pages.drain()
    assert pages.pages(got) == ["AvailabilityPage"], got
    # The guide's alarms tell the alerts topic (and only it) about the same incident.
    assert ("alerts", "HighFailureRate", "ALARM") in got
    assert ("page", "HighFailureRate", "ALARM") not in got

    # The outage goes on, no migration succeeds: after 30 minutes NoSuccessfulMigrations is in ALARM,
    # and so is its page, whose actions are held back while AvailabilityPage is in ALARM.
    emulator_clock.advance(14 * MINUTE)
    with shop.carts_table_missing():
        shop.failed_migrations(30)
    emulator_clock.advance(last_success + 31 * MINUTE - emulator_clock.now())
    pages.expect("NoSuccessfulMigrations", "ALARM")
    suppressed = pages.expect("NoSuccessfulMigrationsPage", "ALARM")
    assert pages.describe("AvailabilityPage")["StateValue"] == "ALARM"
    assert suppressed.get("ActionsSuppressedBy") == "Alarm", suppressed
    got = pages.drain()
    assert pages.pages(got) == [], got
    assert ("alerts", "NoSuccessfulMigrationsPage", "ALARM") not in got
    # The guide's alarm itself still tells the alerts topic.
    assert ("alerts", "NoSuccessfulMigrations", "ALARM") in got
