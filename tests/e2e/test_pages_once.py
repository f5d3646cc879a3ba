"""End to end: the pages. Traffic through the real handler, its log lines in the log group, metrics from
the deployed filters (the SLO's slow-request filters included), the burn-rate window alarms, the
composite alarms with their ActionsSuppressor, and what reaches the SQS queue subscribed to the page topic.

- A quiet night with one failure pages nobody (the minimum-events guard).
- An outage pages once, on the page topic (AvailabilityPage), while the guide's alarms tell the alerts topic.
- A suppressed composite (NoSuccessfulMigrationsPage) goes to ALARM during the outage and sends nothing
  while its suppressor, AvailabilityPage, is in ALARM.

Each scenario drives its own copy of the stack's monitoring (the `scenario` fixture,
tests/e2e/scenario_monitoring.py): it starts from no data and from the alarms' initial states, wherever
the shared clock stands, so the scenarios run alone or in any order.
"""

from __future__ import annotations

import time

import pytest

from cartmon.local.traffic import Shop, new_customer, new_guest_session
from tests.e2e.scenario_monitoring import ScenarioMonitoring

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

MINUTE = 60


class Pages:
    """States of a scenario's metric and composite alarms, and the notifications of its two queues."""

    def __init__(self, scenario: ScenarioMonitoring, clock):
        self.scenario = scenario
        self.clock = clock

    def describe(self, key: str) -> dict:
        return self.scenario.describe(key)

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
        """Every notification the scenario's alarms sent since the last drain, proven complete by a
        sentinel (ScenarioMonitoring.notifications)."""
        return self.scenario.notifications()

    def pages(self, got) -> list[str]:
        return [name for topic, name, state in got if topic == "page" and state == "ALARM"]


def quiet_start(shop: Shop, pages: Pages, clock) -> None:
    """The first migrations end the silence that the scenario's new NoSuccessfulMigrations (and its page)
    saw; once the page's wait for its suppressor is over, whatever that silence sent has been sent, and
    is drained, so that what the scenario then judges is its own."""
    shop.successful_migrations(2)
    clock.advance(MINUTE)
    for key in ("NoSuccessfulMigrations", "NoSuccessfulMigrationsPage", "AvailabilityPage"):
        pages.expect(key, "OK")
    clock.advance(pages.describe("NoSuccessfulMigrationsPage").get("ActionsSuppressorWaitPeriod", 0))
    clock.evaluate_alarms()
    pages.drain()


@pytest.fixture
def pages(scenario, emulator_clock):
    return Pages(scenario, emulator_clock)


def test_the_page_topic_receives_only_composite_pages(applied_stack):
    composites = applied_stack["composite_alarms"]
    paging = {k for k, c in composites.items() if c["page"]}
    assert paging == {"AvailabilityPage", "LatencyPage", "NoSuccessfulMigrationsPage"}
    assert composites["NoSuccessfulMigrationsPage"]["rule"].endswith('-NoSuccessfulMigrations")')


def test_a_quiet_night_with_one_failure_pages_nobody(shop, pages, emulator_clock):
    # Night traffic: two migrations every five minutes.
    quiet_start(shop, pages, emulator_clock)
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
    quiet_start(shop, pages, emulator_clock)
    shop.successful_migrations(2)
    emulator_clock.advance(MINUTE)
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
