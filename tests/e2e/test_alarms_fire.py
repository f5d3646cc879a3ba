"""End to end: traffic through the real handler, its log lines in the log group, metrics from the
deployed filters, and each alarm going to ALARM when its condition holds and back to OK when it
clears, with the notification reaching the SQS queue subscribed to the alarm's topic.

Each scenario drives its own copy of the stack's monitoring (the `scenario` fixture,
tests/e2e/scenario_monitoring.py): the deployed filters on a log group of its own, the stack's alarms
under a name prefix of its own, and a queue of its own on each alert topic. It starts from no data
wherever the shared clock stands, so the scenarios run alone or in any order; a scenario that needs
time to pass moves the clock itself.
"""

from __future__ import annotations

import threading
import time

import pytest

from cartmon.local.runtime import Throttled
from cartmon.local.traffic import Shop, new_customer, new_guest_session
from tests.e2e.scenario_monitoring import ScenarioMonitoring

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

PAST_THE_WINDOW = 360  # past a 300-second period: the scenario's own burst is out of it
MINUTE = 60  # the minute in progress is never evaluated: let it complete
ALERTS = "alerts"  # every metric alarm notifies the alerts topic (the guide's); pages come from composites


class Alarms:
    """The states of a scenario's copies of the guide's alarms, and their notifications."""

    def __init__(self, scenario: ScenarioMonitoring, clock):
        self.scenario = scenario
        self.clock = clock
        # Per alarm, how many of the scenario's notifications are accounted for: each expected
        # notification is looked for after the alarm's previous one (its first OK, on creation,
        # does not stand for the OK after an incident).
        self.accounted: dict[str, int] = {}

    def expect(self, key: str, state: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.clock.evaluate_alarms()
            current = self.scenario.state(key)
            if current == state or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        alarm = self.scenario.describe(key)
        assert current == state, f"{key} is {current}, expected {state}: {alarm['StateReason']}"

    def notified(self, key: str, state: str) -> None:
        """A notification naming the alarm and its new state reached the alerts topic's queue (the
        scenario's queue, read until a sentinel published after the alarm's evaluation arrives)."""
        self.scenario.notifications()
        wanted = (ALERTS, key, state)
        start = self.accounted.get(key, 0)
        later = self.scenario.received[start:]
        assert wanted in later, (
            f"no {state} notification for {self.scenario.alarm_name(key)} in the {ALERTS} queue: "
            f"{self.scenario.received}"
        )
        self.accounted[key] = start + later.index(wanted) + 1


def fired(alarms: Alarms, clock, *keys: str) -> None:
    """Once the minute of the traffic is complete, each alarm is in ALARM and said so to its topic."""
    clock.advance(MINUTE)
    for key in keys:
        alarms.expect(key, "ALARM")
        alarms.notified(key, "ALARM")


def cleared(shop: Shop, alarms: Alarms, clock, *keys: str, successes: int = 1) -> None:
    """Past the alarm's window with healthy traffic, each alarm is back to OK and said so."""
    clock.advance(PAST_THE_WINDOW)
    shop.successful_migrations(successes)
    clock.advance(MINUTE)
    for key in keys:
        alarms.expect(key, "OK")
        alarms.notified(key, "OK")


@pytest.fixture
def alarms(scenario, emulator_clock):
    return Alarms(scenario, emulator_clock)


def test_no_successful_migrations_alarms_on_silence_and_clears_on_a_success(shop, alarms, emulator_clock):
    # No migration at all yet: its first ALARM, said to the scenario's queue, subscribed before the alarm.
    alarms.expect("NoSuccessfulMigrations", "ALARM")
    alarms.notified("NoSuccessfulMigrations", "ALARM")
    shop.successful_migrations(2)
    emulator_clock.advance(MINUTE)
    alarms.expect("NoSuccessfulMigrations", "OK")
    alarms.notified("NoSuccessfulMigrations", "OK")


def test_a_failure_burst_raises_high_failure_rate_and_low_success_rate(shop, alarms, emulator_clock):
    # 20 failures: LowSuccessRate needs slo_min_events (20) migrations in its 5 minutes.
    with shop.carts_table_missing():
        for _ in range(20):
            invocation = shop.migrate(new_customer(), new_guest_session())
            assert invocation.status_code >= 500
            assert "migration_failure" in [e["event_type"] for e in invocation.events]
    fired(alarms, emulator_clock, "HighFailureRate", "LowSuccessRate")
    cleared(shop, alarms, emulator_clock, "HighFailureRate", "LowSuccessRate", successes=3)


def test_five_failures_stay_under_the_high_failure_threshold(shop, alarms, emulator_clock):
    shop.failed_migrations(5)
    shop.successful_migrations(45)
    emulator_clock.advance(MINUTE)
    alarms.expect("HighFailureRate", "OK")
    alarms.expect("LowSuccessRate", "OK")


def test_a_rate_limit_burst_raises_excessive_rate_limiting(shop, alarms, emulator_clock):
    # 40 calls: even split across two fixed windows, more than 20 are refused.
    statuses = shop.rate_limit_burst(40)
    assert statuses.count(429) > 20
    fired(alarms, emulator_clock, "ExcessiveRateLimiting")
    cleared(shop, alarms, emulator_clock, "ExcessiveRateLimiting")


def test_function_errors_raise_lambda_errors(shop, alarms, emulator_clock, make_runtime, scenario):
    # Lambda counts a timed-out invocation as a function error.
    impatient = make_runtime(timeout_seconds=0.000001, **scenario.runtime_target())
    for _ in range(6):
        assert (
            shop.migrate(new_customer(), shop.seed_guest_cart(), runtime=impatient).error == "Task timed out"
        )
    fired(alarms, emulator_clock, "LambdaErrors")
    cleared(shop, alarms, emulator_clock, "LambdaErrors")


def test_one_throttle_raises_lambda_throttles(shop, alarms, emulator_clock, make_runtime, scenario):
    in_handler, release = threading.Event(), threading.Event()

    def hold():
        in_handler.set()
        release.wait(10)

    single = make_runtime(reserved_concurrency=1, before_call=hold, **scenario.runtime_target())
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
    # A success first: the alarm is OK, and the ALARM below comes from the thirty minutes without one.
    shop.successful_migrations(1)
    emulator_clock.advance(MINUTE)
    alarms.expect("NoSuccessfulMigrations", "OK")
    alarms.notified("NoSuccessfulMigrations", "OK")
    emulator_clock.advance(1800)
    shop.migration_without_guest_carts()
    fired(alarms, emulator_clock, "NoSuccessfulMigrations")
