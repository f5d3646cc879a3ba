"""The Logs Insights engine's stats functions added to the aggregates (stddev, and the non-aggregation
functions earliest, latest, sortsFirst, sortsLast) and the limit command up to its documented maximum.

Pages: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
(stats functions) and https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html .
Pure unit tests: no emulator needed. Expected values are worked by hand in the comments; the data set of
cart-migration events is in insights_data.py.
"""

from __future__ import annotations

import json
import math

import pytest

from cartmon_emulator.engines.insights import LogEvent, MalformedQuery, parse_query
from tests.emulator.insights_data import CCF, at, query, row

LIMIT_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html"


def events_with(field: str, values: list) -> list[LogEvent]:
    return [LogEvent(at(index), json.dumps({field: value})) for index, value in enumerate(values)]


def test_stddev_is_the_sample_standard_deviation():
    # Values 2 4 4 4 5 5 7 9: mean 40 / 8 = 5; squared deviations 9 1 1 1 0 0 4 16 sum to 32.
    # Sample variance 32 / (8 - 1) = 4.571428...; stddev = sqrt(32 / 7) = 2.138089935299395.
    # (The population form would give sqrt(32 / 8) = 2; AWS does not say which: docs/insights-emulation.md.)
    [result] = query("stats stddev(v) as sd", events_with("v", [2, 4, 4, 4, 5, 5, 7, 9]))
    assert result[0]["field"] == "sd"
    assert float(result[0]["value"]) == pytest.approx(math.sqrt(32 / 7))
    assert result[0]["value"].startswith("2.13808993529")


def test_stddev_of_one_value_is_zero_and_ignores_missing_and_text_values():
    # Only 7 is numeric: one value deviates by 0. "seven" is not a number, the {} event has no v.
    events = events_with("v", [7, "seven"]) + [LogEvent(at(9), "{}")]
    assert query("stats stddev(v) as sd, count(v) as n", events) == [row(("sd", "0"), ("n", "2"))]


def test_earliest_and_latest_by_customer_on_the_cart_migration_events():
    # Per customer, in time order (offsets in seconds within the window):
    #   cust_ef56: 130 success, 400 failure, 620 success, 640 failure -> earliest success, latest failure
    #   cust_cd34: 75 failure, 250 success, 630 failure              -> failure / failure
    #   cust_ab12: 5 start, 10.25 ... 610 success                    -> migration_start / migration_success
    #   cust_gh78: 410 failure, 450 no_guest_carts                   -> failure / no_guest_carts
    # Groups come in order of first appearance scanning newest first: ef56 (640), cd34 (630), ab12 (610),
    # gh78 (450). The out-of-window events (-3600 s, +7200 s) are not scanned; the filter drops the START and
    # REPORT lines, which would form a group of their own with neither field.
    text = "filter ispresent(customer_id) | stats earliest(event_type) as first, latest(event_type) as last by customer_id"
    assert query(text) == [
        row(("customer_id", "cust_ef56"), ("first", "migration_success"), ("last", "migration_failure")),
        row(("customer_id", "cust_cd34"), ("first", "migration_failure"), ("last", "migration_failure")),
        row(("customer_id", "cust_ab12"), ("first", "migration_start"), ("last", "migration_success")),
        row(("customer_id", "cust_gh78"), ("first", "migration_failure"), ("last", "no_guest_carts")),
    ]


def test_earliest_and_latest_skip_events_without_the_field():
    # cust_ab12's first event (5 s, migration_start) has no error_type; the only one that does is the
    # failure at 200 s. Its latest event with duration_ms is the success at 610 s (210 ms).
    text = 'filter customer_id = "cust_ab12" | stats earliest(error_type) as e, latest(duration_ms) as d'
    assert query(text) == [row(("e", CCF), ("d", "210"))]


def test_earliest_and_latest_break_timestamp_ties_by_ingestion_time():
    # Same timestamp; "a" was ingested 10 ms after it, "b" 20 ms after: earliest is "a", latest "b".
    events = [
        LogEvent(at(1), json.dumps({"v": "a"}), ingestion_time_ms=at(1) + 10),
        LogEvent(at(1), json.dumps({"v": "b"}), ingestion_time_ms=at(1) + 20),
    ]
    assert query("stats earliest(v) as e, latest(v) as l", events) == [row(("e", "a"), ("l", "b"))]


def test_earliest_after_a_stats_without_timestamp_has_no_value():
    # The first stats keeps only customer_id and n: no @timestamp to order by, so no value (the row is empty).
    assert query("stats count(*) as n by customer_id | stats earliest(n) as e") == [[]]


def test_sorts_first_and_last_follow_the_documented_sort_order():
    # Customer ids sort cust_ab12 < cust_cd34 < cust_ef56 < cust_gh78. Durations in the window range from
    # 12 (630 s, ValidationException) to 310.25 (130 s): numbers compare as numbers.
    text = (
        "stats sortsFirst(customer_id) as f, sortsLast(customer_id) as l, "
        "sortsFirst(duration_ms) as fd, sortsLast(duration_ms) as ld"
    )
    assert query(text) == [row(("f", "cust_ab12"), ("l", "cust_gh78"), ("fd", "12"), ("ld", "310.25"))]


def test_sorts_first_puts_text_before_numbers_and_sorts_last_compares_numeric_text_as_numbers():
    # The sort page orders non-number values before number values; "10" is a number (10 > 5), "abc" is not.
    events = events_with("v", ["abc", 5, "10"])
    assert query("stats sortsFirst(v) as f, sortsLast(v) as l", events) == [row(("f", "abc"), ("l", "10"))]


def test_pct_over_no_values_gives_no_row_and_over_text_gives_no_value():
    # Ungrouped stats over no events gives no row; over events whose field is text only, pct has no value.
    assert query('filter event_type = "nothing" | stats pct(duration_ms, 50) as p') == []
    assert query("stats pct(v, 50) as p, count(*) as n", events_with("v", ["x", "y"])) == [row(("n", "2"))]


# -- limit -------------------------------------------------------------------------------------------------


def many_events(count: int) -> list[LogEvent]:
    return [LogEvent(at(0) + index, "{}") for index in range(count)]


def test_limit_above_ten_thousand_returns_that_many_rows():
    # LIMIT_PAGE: without limit a query returns up to 10,000 events; limit accepts up to 100,000.
    events = many_events(10_005)
    assert len(query("fields @timestamp", events)) == 10_000
    assert len(query("fields @timestamp | limit 10005", events)) == 10_005
    assert len(query("fields @timestamp | limit 10003", events)) == 10_003
    assert len(query("fields @timestamp | limit 10005", events, limit=20)) == 20  # StartQuery's limit caps


def test_limit_accepts_one_hundred_thousand_and_refuses_more():
    assert parse_query("fields @message | limit 100000").commands == ("fields", "limit")
    with pytest.raises(MalformedQuery, match="between 1 and 100000"):
        parse_query("fields @message | limit 100001")


def test_limit_any_returns_that_many_matching_events():
    # LIMIT_PAGE, "limit any": stop once N matches are found, in no particular order. The emulator returns
    # the first N in its scan order (newest first).
    rows = query("fields customer_id | filter ispresent(customer_id) | limit any 2")
    assert rows == [row(("customer_id", "cust_ef56")), row(("customer_id", "cust_cd34"))]
