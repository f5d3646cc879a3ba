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
