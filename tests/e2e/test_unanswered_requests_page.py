"""End to end: the incidents the function cannot describe in its own lines page, once, on the page topic;
a single timed-out request in a busy minute pages nobody (docs/slo-arithmetic.md).

The data is shaped as AWS publishes it, minute by minute on the emulator's clock:
- the function's own lines (migration_success, performance_metric, migration_failure), written by the real
  event code into the deployed function's log group, where the deployed filters count them;
- the platform's report line of a timed-out invocation, in the JSON log format of the module's function
  ({"type": "platform.report", "record": {..., "status": "timeout"}}; AWS Lambda Developer Guide,
  https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html);
- AWS/Lambda Invocations, Errors, Duration and Throttles with FunctionName, as the Lambda metrics page
  documents them (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html): a timeout or an
  init failure is an Error of an invocation; a throttled request is a Throttle and in neither Invocations
  nor Errors.

Each scenario drives its own copy of the stack's monitoring (the `scenario` fixture,
tests/e2e/scenario_monitoring.py): the deployed filters on a log group of its own, the stack's alarms under
a name prefix of its own, AWS/Lambda metrics under a function name of its own. It starts from no data
wherever the shared clock stands, so the scenarios run alone or in any order, and it proves an absence by
its alarms' history and states and by notifications read up to a sentinel.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from cart_migration.event_log import CartMigrationMetrics, log_operational
from cartmon.local.stdout import captured_stdout
from tests.e2e.scenario_monitoring import ScenarioMonitoring

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

MINUTE = 60
BUSY = 200  # requests a minute: every window's guard is met (the Quick pair's 100 in 2 minutes too)
FUNCTION_TIMEOUT_MS = 15_000
OPERATION = "migrate_single_store"
PAGES = ("AvailabilityPage", "LatencyPage", "NoSuccessfulMigrationsPage")


def function_lines(event_type: str, **fields) -> str:
    """One line as the function writes it."""
    with captured_stdout() as out:
        getattr(CartMigrationMetrics, f"log_{event_type}")(**fields)
    (line,) = [line for line in out.getvalue().splitlines() if line.strip()]
    return line


def timeout_report(request_id: str) -> str:
    """The platform's last line of a timed-out invocation, in the JSON log format."""
    return json.dumps(
        {
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "type": "platform.report",
            "record": {
                "requestId": request_id,
                "metrics": {
                    "durationMs": float(FUNCTION_TIMEOUT_MS),
                    "billedDurationMs": FUNCTION_TIMEOUT_MS,
                    "memorySizeMB": 512,
                    "maxMemoryUsedMB": 90,
                },
                "status": "timeout",
            },
        }
    )


class Service:
    """One minute of traffic at a time: the function's lines and Lambda's metrics for it, then the clock
    moves past the minute (the minute in progress is never evaluated) and the alarms are evaluated."""

    def __init__(self, scenario: ScenarioMonitoring, aws_client, clock):
        self.scenario = scenario
        self.function = scenario.function_name
        self.log_group = scenario.log_group
        self.logs = aws_client("logs")
        self.cloudwatch = aws_client("cloudwatch")
        self.clock = clock
        self.stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.logs.create_log_stream(logGroupName=self.log_group, logStreamName=self.stream)
        self.success = function_lines(
            "migration_success",
            customer_id="user-sli-1",
            guest_session_id="guest-5e1a",
            migrated_carts=1,
            total_items=2,
            total_value=100.0,
            merge_strategy="merge",
            duration_ms=120.0,
        )
        self.fast = function_lines(
            "performance_metric", operation=OPERATION, duration_ms=120.0, store_count=1
        )
        with captured_stdout() as out:
            log_operational(
                "ERROR", "Service misconfigured; the function cannot start", error_message="bad setting"
            )
        self.cannot_start = out.getvalue().strip()

    def minute(self, ok: int = BUSY, timeouts: int = 0, init_failures: int = 0, throttles: int = 0) -> None:
        now = self.clock.now()
        stamp = int(now * 1000)
        lines = [self.success, self.fast] * ok + [timeout_report(uuid.uuid4().hex) for _ in range(timeouts)]
        lines += [self.cannot_start] * init_failures
        if lines:
            events = [{"timestamp": stamp, "message": line} for line in lines]
            for start in range(0, len(events), 5000):
                self.logs.put_log_events(
                    logGroupName=self.log_group,
                    logStreamName=self.stream,
                    logEvents=events[start : start + 5000],
                )
        data = [
            ("Invocations", ok + timeouts + init_failures, "Count"),
            ("Errors", timeouts + init_failures, "Count"),
            ("Throttles", throttles, "Count"),
        ]
        metric_data = [
            {
                "MetricName": name,
                "Dimensions": [{"Name": "FunctionName", "Value": self.function}],
                "Timestamp": datetime.fromtimestamp(now, UTC),
                "Value": float(value),
                "Unit": unit,
            }
            for name, value, unit in data
        ]
        if ok + timeouts:
            durations = [120.0] * ok + [float(FUNCTION_TIMEOUT_MS)] * timeouts
            metric_data.append(
                {
                    "MetricName": "Duration",
                    "Dimensions": [{"Name": "FunctionName", "Value": self.function}],
                    "Timestamp": datetime.fromtimestamp(now, UTC),
                    "StatisticValues": {
                        "SampleCount": float(len(durations)),
                        "Sum": sum(durations),
                        "Minimum": min(durations),
                        "Maximum": max(durations),
                    },
                    "Unit": "Milliseconds",
                }
            )
        self.cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=metric_data)
        self.clock.advance(MINUTE)
        self.clock.evaluate_alarms()

    def describe(self, key: str) -> dict:
        return self.scenario.describe(key)

    def state(self, key: str) -> str:
        return self.describe(key)["StateValue"]

    def alarm_transitions(self, key: str, since: float) -> list[str]:
        """The ALARM transitions of an alarm's history since a time of the emulator's clock."""
        history = self.cloudwatch.describe_alarm_history(
            AlarmName=self.scenario.alarm_name(key),
            AlarmTypes=["CompositeAlarm", "MetricAlarm"],
            HistoryItemType="StateUpdate",
            StartDate=datetime.fromtimestamp(since, UTC),
            EndDate=datetime.fromtimestamp(self.clock.now() + MINUTE, UTC),
        )["AlarmHistoryItems"]
        return [
            item["HistorySummary"]
            for item in history
            if json.loads(item["HistoryData"])["newState"]["stateValue"] == "ALARM"
        ]

    def drain(self) -> list[tuple[str, str, str]]:
        """Every notification the scenario's alarms sent since the last drain, proven complete by a
        sentinel (ScenarioMonitoring.notifications)."""
        return self.scenario.notifications()

    @staticmethod
    def pages(got) -> list[str]:
        return [name for topic, name, state in got if topic == "page" and state == "ALARM"]

    def quiet_start(self) -> float:
        """A few busy minutes end the silence the scenario's new alarms saw: nothing is in ALARM and,
        once the pages' wait for their suppressor is over, what that silence sent has been sent and is
        drained. Returns the clock at the start of the scenario."""
        for _ in range(3):
            self.minute()
        for key in (*PAGES, "NoSuccessfulMigrations"):
            assert self.state(key) == "OK", self.describe(key)["StateReason"]
        wait = max(self.describe(key).get("ActionsSuppressorWaitPeriod", 0) for key in PAGES)
        for _ in range(-(-wait // MINUTE)):
            self.minute()
        self.drain()
        return self.clock.now()

    def until_quiet(self, limit_minutes: int = 45) -> None:
        """Healthy traffic until no page composite is in ALARM (the incident is over)."""
        for _ in range(limit_minutes):
            if all(self.state(key) == "OK" for key in PAGES):
                return
            self.minute(ok=40)
        raise AssertionError({key: self.describe(key)["StateReason"] for key in PAGES})


@pytest.fixture
def service(scenario, aws_client, emulator_clock):
    return Service(scenario, aws_client, emulator_clock)


def incident(service: Service, minutes: int, **traffic) -> int | None:
    """Run the incident; the minute (1-based) at whose end AvailabilityPage was first in ALARM."""
    paged_at = None
    for minute in range(1, minutes + 1):
        service.minute(**traffic)
        if paged_at is None and service.state("AvailabilityPage") == "ALARM":
            paged_at = minute
    return paged_at


def test_a_timeout_brownout_pages_once(service):
    """40 % of the invocations time out for 15 minutes (a dependency brownout): they write no outcome
    line, only Lambda's Errors and the platform's timeout report line."""
    service.quiet_start()
    paged_at = incident(service, 15, ok=BUSY * 6 // 10, timeouts=BUSY * 4 // 10)
    # 40 % bad on a 0.5 % budget burns 80x: a page within 5 minutes.
    assert paged_at is not None and paged_at <= 5, paged_at
    # The latency SLOs counted the timeouts as slow requests too; their page waits behind the availability page.
    assert service.state("LatencyMigrateSingleStoreBurnOutage2m") == "ALARM"
    service.until_quiet()
    got = service.drain()
    assert service.pages(got) == ["AvailabilityPage"], got


def test_an_init_failure_after_a_deploy_pages_within_five_minutes(service):
    """Every invocation fails at init for 10 minutes: Errors, and no migration line at all."""
    service.quiet_start()
    paged_at = incident(service, 10, ok=0, init_failures=BUSY)
    assert paged_at is not None and paged_at <= 5, paged_at
    service.until_quiet()
    got = service.drain()
    assert service.pages(got) == ["AvailabilityPage"], got


def test_throttling_half_the_requests_pages_once(service):
    """Half the requests throttled for 10 minutes: Throttles, in neither Invocations nor Errors, no line."""
    service.quiet_start()
    paged_at = incident(service, 10, ok=BUSY // 2, throttles=BUSY // 2)
    assert paged_at is not None and paged_at <= 5, paged_at
    service.until_quiet()
    got = service.drain()
    assert service.pages(got) == ["AvailabilityPage"], got


def test_a_single_timeout_in_a_busy_minute_pages_nobody(service, applied_stack):
    start = service.quiet_start()
    service.minute(ok=BUSY - 1, timeouts=1)
    # Past every window that holds it: the long windows of the page pairs (6 h at most) keep it, so they
    # are evaluated with it a few busy minutes on; the 2- and 5-minute windows have seen it come and go.
    for _ in range(6):
        service.minute()
    # It arrived: one timeout counted by the timeout filter, one Error.
    namespace = service.scenario.namespace
    counted = service.cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName="TimedOutInvocationCount",
        StartTime=datetime.fromtimestamp(start, UTC),
        EndTime=datetime.fromtimestamp(service.clock.now(), UTC),
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    assert sum(p["Sum"] for p in counted) == 1, counted
    # No page composite, and no availability or latency window, went to ALARM over the scenario.
    for key in PAGES:
        assert service.alarm_transitions(key, start) == [], key
        assert service.state(key) == "OK"
    windows = [k for k in applied_stack["alarms"] if "Burn" in k and "Ticket" not in k]
    assert windows
    for key in windows:
        assert service.alarm_transitions(key, start) == [], key
    assert service.pages(service.drain()) == []
