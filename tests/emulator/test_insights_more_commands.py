"""The Logs Insights engine's later commands and units: time periods in weeks, unnest, filterIndex, SOURCE,
the parse variants and the command form of unmask; lookup stays refused with its reason.

Each test cites the page it follows; expected values are worked by hand in the comments. The emulator's
choices where AWS documents none are in docs/insights-emulation.md. Pure unit tests: no emulator needed.
"""

from __future__ import annotations

import json

from cartmon_emulator.engines.insights import (
    LogEvent,
    run_query,
)
from tests.emulator.insights_data import ACCOUNT, BASE, GROUP, STREAM, at, query, row

FUNCTIONS_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html"


def json_event(offset: float, body: dict, group: str = GROUP) -> LogEvent:
    return LogEvent(at(offset), json.dumps(body), STREAM, group, at(offset) + 150, ACCOUNT)


# -- time periods in weeks ---------------------------------------------------------------------------------
# FUNCTIONS_PAGE (datetime functions) lists time periods for bin/datefloor/dateceil; a week is 7 days.


def test_datefloor_and_dateceil_in_weeks_start_on_monday():
    # The event is at 2025-11-21 10:30:00 UTC, a Friday. Its week (Monday-based, the emulator's choice) runs
    # from Monday 2025-11-17 00:00 to Monday 2025-11-24 00:00.
    events = [json_event(0, {"k": 1})]
    assert query("fields datefloor(@timestamp, 1w) as f, dateceil(@timestamp, 1w) as c", events) == [
        row(("f", "2025-11-17 00:00:00.000"), ("c", "2025-11-24 00:00:00.000"))
    ]


def test_bin_by_weeks_groups_events_of_the_same_monday_based_week():
    # Offsets in days from Friday 2025-11-21 10:30: +0 (Fri) and +2 (Sun 23rd) share the week of Monday the
    # 17th; +3 (Mon 24th 10:30) starts the next one. 2w bins count weeks from Monday 1969-12-29 in pairs:
    # 2025-11-17 is 20412 days = 2916 weeks after it, even, so a 2-week bin starts on the 17th and also
    # holds the 24th: all three events.
    events = [json_event(day * 86_400, {"k": day}) for day in (0, 2, 3)]

    def four_days(text: str):
        return run_query(text, events, BASE, BASE + 4 * 86_400)

    assert four_days("stats count(*) as n by bin(1w) as week | sort week asc") == [
        row(("week", "2025-11-17 00:00:00.000"), ("n", "2")),
        row(("week", "2025-11-24 00:00:00.000"), ("n", "1")),
    ]
    assert four_days("stats count(*) as n by bin(2w) as fortnight") == [
        row(("fortnight", "2025-11-17 00:00:00.000"), ("n", "3"))
    ]
