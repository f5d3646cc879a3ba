"""The Logs Insights commands AWS computes with machine learning, served by documented deterministic
approximations (docs/insights-emulation.md): pattern, diff and anomaly. The tests check the output fields the
pages name and the emulator's rule, with answers worked by hand. Pure unit tests: no emulator needed.
"""

from __future__ import annotations

import pytest

from cartmon_emulator.engines.insights import LogEvent, MalformedQuery, parse_query
from tests.emulator.insights_data import ACCOUNT, GROUP, STREAM, at, query, row

PATTERN_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Pattern.html"


def text_events(*messages: str) -> list[LogEvent]:
    """Plain-text events, the first newest (one second apart)."""
    return [LogEvent(at(len(messages) - i), m, STREAM, GROUP, None, ACCOUNT) for i, m in enumerate(messages)]


LINES = text_events(
    "[INFO] Request time: 327 ms",
    "[INFO] Request time: 12 ms",
    "[ERROR] Connection from 10.0.0.7 refused",
    "[INFO] Request time: 5 ms",
)


def test_pattern_groups_messages_by_token_shape_with_the_documented_fields():
    # PATTERN_PAGE output: @pattern, @ratio, @sampleCount, @severityLabel. Three of the four lines differ only
    # in their number: pattern "[INFO] Request time: <Number-1> ms", 3 samples, ratio 3/4 = 0.75, Info.
    # The fourth has an IP address: 1 sample, ratio 0.25, Error. Most frequent first.
    assert query("pattern @message", LINES) == [
        row(
            ("@pattern", "[INFO] Request time: <Number-1> ms"),
            ("@ratio", "0.75"),
            ("@sampleCount", "3"),
            ("@severityLabel", "Info"),
        ),
        row(
            ("@pattern", "[ERROR] Connection from <IP-1> refused"),
            ("@ratio", "0.25"),
            ("@sampleCount", "1"),
            ("@severityLabel", "Error"),
        ),
    ]


def test_pattern_after_filter_and_parse_then_sort_as_the_page_example():
    # PATTERN_PAGE's third example: ERROR lines only, the cause after "Failed to do: ", sorted by count
    # ascending. Causes: "save order 42" and "save order 7" share "save order <Number-1>" (2 of 3, ratio
    # 0.6666666666666666 rendered by the engine's float format), "load cart" alone (1 of 3).
    events = text_events(
        "ERROR Failed to do: save order 42",
        "INFO all good",
        "ERROR Failed to do: load cart",
        "ERROR Failed to do: save order 7",
    )
    text = "filter @message like /ERROR/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc"
    result = query(text, events)
    assert [{f["field"]: f["value"] for f in r}["@pattern"] for r in result] == [
        "load cart",
        "save order <Number-1>",
    ]
    assert [{f["field"]: f["value"] for f in r}["@sampleCount"] for r in result] == ["1", "2"]
    assert float({f["field"]: f["value"] for f in result[1]}["@ratio"]) == pytest.approx(2 / 3)


def test_pattern_numbers_dynamic_tokens_in_order_and_keeps_wrapping_punctuation():
    # Two dynamic tokens: the timestamp (Time, first) and the quoted request id (Token, second: it has digits
    # but is neither a number, a time, an IP nor a UUID); the quotes and the comma stay in the pattern.
    events = text_events('2025-11-21T10:30:00Z start "req-8f2c1",', '2025-11-21T10:31:00Z start "req-77",')
    assert query("pattern @message | display @pattern, @sampleCount", events) == [
        row(("@pattern", '<Time-1> start "<Token-2>",'), ("@sampleCount", "2"))
    ]


def test_after_pattern_only_its_fields_exist():
    with pytest.raises(MalformedQuery, match="not available"):
        parse_query("pattern @message | filter level = 'ERROR'")


DIFF_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Diff.html"
COMPARE_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData_Compare.html"


def timed(offset: float, message: str) -> LogEvent:
    return LogEvent(at(offset), message, STREAM, GROUP, None, ACCOUNT)


def fields_of(result):
    return [{f["field"]: f["value"] for f in r} for r in result]


def test_diff_compares_patterns_with_the_previous_period_of_equal_length():
    # The queried window is the hour [BASE, BASE + 3599]; the previous period is the hour before it.
    # Now: "timeout after <Number-1> ms" 3 times, "cache miss <Number-1>" once. Before: timeout once,
    # "disk full" once. COMPARE_PAGE: event count (now), difference (now - before, positive: more now).
    events = [
        timed(10, "ERROR timeout after 30 ms"),
        timed(20, "ERROR timeout after 31 ms"),
        timed(30, "ERROR timeout after 32 ms"),
        timed(40, "INFO cache miss 7"),
        timed(-100, "ERROR timeout after 29 ms"),
        timed(-200, "WARN disk full"),
        timed(-3700, "INFO cache miss 1"),  # two hours back: outside both periods
    ]
    assert fields_of(query("diff", events)) == [
        # ordered by the size of the change: +2, then the two changes of size 1 by pattern text
        {
            "@pattern": "ERROR timeout after <Number-1> ms",
            "@eventCount": "3",
            "@diffEventCount": "2",
            "@diffDescription": "Increased by 2",
            "@severityLabel": "Error",
        },
        {
            "@pattern": "INFO cache miss <Number-1>",
            "@eventCount": "1",
            "@diffEventCount": "1",
            "@diffDescription": "New pattern",
            "@severityLabel": "Info",
        },
        {
            "@pattern": "WARN disk full",
            "@eventCount": "0",
            "@diffEventCount": "-1",
            "@diffDescription": "Not seen in the current period",
            "@severityLabel": "Warning",
        },
    ]


def test_diff_previous_day_applies_the_earlier_commands_to_both_periods():
    # DIFF_PAGE: `diff previousDay` compares with the same hour one day (86,400 s) earlier. The filter keeps
    # ERROR lines in both periods: now 1 "ERROR boom", a day earlier 2 of them (the INFO line is filtered).
    day = 86_400
    events = [
        timed(5, "ERROR boom"),
        timed(5 - day, "ERROR boom"),
        timed(9 - day, "ERROR boom"),
        timed(7 - day, "INFO x"),
    ]
    result = fields_of(query("filter @message like /ERROR/ | diff previousDay", events))
    assert [
        (r["@pattern"], r["@eventCount"], r["@diffEventCount"], r["@diffDescription"]) for r in result
    ] == [("ERROR boom", "1", "-1", "Decreased by 1")]


def test_diff_previous_week_and_month_windows():
    # previousWeek shifts by 7 days; previousMonth by one calendar month: 2025-11-21 10:30 -> 2025-10-21 10:30,
    # which is 31 days (October has 31) = 2,678,400 s earlier.
    week, month = 7 * 86_400, 31 * 86_400
    events = [timed(1 - week, "seen a week ago"), timed(1 - month, "seen a month ago")]
    assert [r["@pattern"] for r in fields_of(query("diff previousWeek", events))] == ["seen a week ago"]
    assert [r["@pattern"] for r in fields_of(query("diff previousMonth", events))] == ["seen a month ago"]


def test_diff_rejects_an_unknown_period():
    with pytest.raises(MalformedQuery, match="previousDay"):
        parse_query("diff previousYear")


ANOMALY_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Anomaly.html"


def test_anomaly_after_pattern_keeps_its_input_fields_as_the_page_says():
    # ANOMALY_PAGE: "keeps all fields of the input data"; the emulator has no learned baseline, so it flags
    # nothing and the pattern rows pass unchanged (docs/insights-emulation.md).
    assert query("fields @timestamp, @message | pattern @message | anomaly", LINES) == query(
        "fields @timestamp, @message | pattern @message", LINES
    )
    with pytest.raises(MalformedQuery, match="no arguments"):
        parse_query("pattern @message | anomaly @message")
