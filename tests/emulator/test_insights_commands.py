"""The Logs Insights engine: stats, sort, dedup, display, the original scalar functions, and query errors.

Pure unit tests: no emulator needed (data set in insights_data.py).
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines.insights import (
    InsightsQueryError,
    LogEvent,
    MalformedQuery,
    UnsupportedQuery,
    parse_query,
)
from tests.emulator.insights_data import (
    CCF,
    PTE,
    at,
    query,
    row,
)

# -- stats -----------------------------------------------------------------------------------------------------


def test_count_star_count_empty_and_count_field_differ_only_on_missing_values():
    rows = query(
        "stats count(*) as all_events, count() as same, count(error_type) as with_error, count_distinct(customer_id) as customers"
    )
    assert rows == [row(("all_events", "19"), ("same", "19"), ("with_error", "6"), ("customers", "4"))]


def test_pct_returns_a_nearest_rank_value_of_the_field():
    events = [LogEvent(at(i), json.dumps({"latency": value})) for i, value in enumerate(range(20, 0, -1))]
    assert query(
        "stats pct(latency, 95) as p95, pct(latency, 50) as p50, pct(latency, 100) as p100", events
    ) == [row(("p95", "19"), ("p50", "10"), ("p100", "20"))]


def test_stats_by_bin_renders_bins_for_seconds_hours_and_caps_seconds_at_sixty():
    assert query(
        'filter customer_id = "cust_ab12" and event_type = "migration_success" | stats count(*) by bin(30s)'
    ) == [
        row(("bin(30s)", "2025-11-21 10:40:00.000"), ("count(*)", "1")),
        row(("bin(30s)", "2025-11-21 10:35:30.000"), ("count(*)", "1")),
        row(("bin(30s)", "2025-11-21 10:35:00.000"), ("count(*)", "2")),
        row(("bin(30s)", "2025-11-21 10:30:30.000"), ("count(*)", "1")),
        row(("bin(30s)", "2025-11-21 10:30:00.000"), ("count(*)", "1")),
    ]
    assert query("stats count(*) as n by bin(1h)") == [
        row(("bin(1h)", "2025-11-21 10:00:00.000"), ("n", "19"))
    ]
    # "if you specify bin(300s), CloudWatch Logs actually implements this as 60 seconds"
    assert len(query("stats count(*) by bin(300s)")) == len(query("stats count(*) by bin(1m)")) == 10


def test_sum_of_integers_stays_integral_and_expressions_combine_aggregates():
    rows = query(
        "filter ispresent(duration_ms) | stats sum(total_items) as items, sum(duration_ms) / count(*) as mean, max(@timestamp) as last"
    )
    assert rows == [row(("items", "27"), ("mean", "157.95333333333335"), ("last", "2025-11-21 10:40:40.000"))]


def test_stats_by_missing_field_forms_a_group_without_that_field():
    rows = query("stats count(*) as n by error_type | sort n desc")
    assert rows == [
        row(("n", "13")),
        row(("error_type", CCF), ("n", "3")),
        row(("error_type", PTE), ("n", "2")),
        row(("error_type", "ValidationException"), ("n", "1")),
    ]


def test_second_stats_aggregates_the_first_and_sort_can_name_unaliased_columns():
    text = "stats count(*) by customer_id, bin(5m) | stats max(`count(*)`) as busiest by customer_id | sort busiest desc, customer_id asc"
    assert query("filter ispresent(customer_id) | " + text) == [
        row(("customer_id", "cust_ab12"), ("busiest", "4")),
        row(("customer_id", "cust_cd34"), ("busiest", "2")),
        row(("customer_id", "cust_ef56"), ("busiest", "2")),
        row(("customer_id", "cust_gh78"), ("busiest", "2")),
    ]
    assert query("stats count(*) by event_type | sort count(*) desc | limit 1") == [
        row(("event_type", "migration_success"), ("count(*)", "9"))
    ]


# -- sort, dedup, display, fields --------------------------------------------------------------------------


def test_sort_uses_the_documented_natural_order_and_puts_missing_values_last():
    documented = [
        "!:",
        "#",
        "*%04",
        "0#",
        "5A",
        "111A",
        "2345_",
        "@",
        "@_",
        "A",
        "A9876fghj",
        "a12345hfh",
        "0",
        "01",
        "1",
        "2",
        "3",
    ]
    scrambled = documented[::3] + documented[1::3] + documented[2::3]
    events = [LogEvent(at(i), json.dumps({"v": v})) for i, v in enumerate(scrambled)] + [
        LogEvent(at(99), "{}")
    ]

    def values(text: str) -> list[str | None]:
        return [r[0]["value"] if r else None for r in query(text, events)]

    assert values("fields v | sort v asc") == documented + [None]
    assert values("fields v | sort v desc") == documented[::-1] + [None]
    assert values("fields v | sort v") == values("fields v | sort v desc")  # descending unless asc


def test_dedup_keeps_the_first_row_per_value_and_rows_with_nulls():
    text = "fields customer_id, event_type | sort @timestamp desc | dedup customer_id"
    assert query(text) == [
        [],  # the REPORT line: no customer_id, so never a duplicate
        row(("customer_id", "cust_ef56"), ("event_type", "migration_failure")),
        row(("customer_id", "cust_cd34"), ("event_type", "migration_failure")),
        row(("customer_id", "cust_ab12"), ("event_type", "migration_success")),
        row(("customer_id", "cust_gh78"), ("event_type", "no_guest_carts")),
        [],  # the START line
    ]


def test_display_shows_only_the_last_display_fields():
    text = 'fields customer_id, error_type | display customer_id | filter error_type = "ValidationException" | display error_type, duration_ms'
    assert query(text) == [row(("error_type", "ValidationException"), ("duration_ms", "12"))]


def test_coalesce_strcontains_and_string_functions():
    text = (
        'fields coalesce(error_type, event_type) as what, strcontains(event_type, "SUCCESS", true) as ok, '
        "toupper(substr(customer_id, 5)) as who, concat(level, '-', strlen(message)) as tag, isempty(error_type) as clean "
        "| filter ispresent(customer_id) | limit 2"
    )
    assert query(text) == [
        row(("what", CCF), ("ok", "0"), ("who", "EF56"), ("tag", "ERROR-21"), ("clean", "0")),
        row(
            ("what", "ValidationException"), ("ok", "0"), ("who", "CD34"), ("tag", "ERROR-21"), ("clean", "0")
        ),
    ]
    assert query(
        "fields strcontains(event_type, 'success') as s, ispresent(error_type) as e | filter customer_id = 'cust_ef56' | limit 3"
    ) == [
        row(("s", "0"), ("e", "1")),
        row(("s", "1"), ("e", "0")),
        row(("s", "0"), ("e", "1")),
    ]


def test_datefloor_dateceil_and_tomillis():
    event = [LogEvent(at(125.5), "{}")]
    assert query(
        "fields datefloor(@timestamp, 1m) as f, dateceil(@timestamp, 1m) as c, toMillis(@timestamp) as ms",
        event,
    ) == [row(("f", "2025-11-21 10:32:00.000"), ("c", "2025-11-21 10:33:00.000"), ("ms", str(at(125.5))))]


# -- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("fields @message | join other on id", "join"),
        ("fitler level = 'ERROR'", "fitler"),
        ("fields @message | addtotals", "addtotals"),
        ("fields jsonArraySize(@message) as j", "jsonArraySize"),
        ("fields frobnicate(level)", "frobnicate"),
        ("fields @message | lookup users userId", "lookup"),
    ],
)
def test_unsupported_commands_and_functions_are_named(text, named):
    with pytest.raises(UnsupportedQuery, match=named):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("fields level\n| filter level == 'ERROR'", 2, 17, "expected a field"),
        ("filter message = 'unterminated", 1, 18, "unterminated string"),
        ("fields level |", 1, 15, "after '|'"),
        ("filter level like /error/i", 1, 26, r"\(\?i\)"),
        ("filter count(*) > 5", 1, 8, "only be used in stats"),
        ("stats level by customer_id", 1, 7, "aggregate function"),
        ("stats count(*) by customer_id | sort @timestamp desc", 1, 38, "not available after stats"),
        ("parse @message 'a=* b=*' as a", 1, 16, "2 '\\*' wildcard"),
        ("parse @message /a=(\\d+)/", 1, 16, "named capture groups"),
        ("fields level | limit 0", 1, 22, "between 1 and 100000"),
        ("sort level | dedup level | sort level", 1, 28, "after dedup"),
        ("stats count(*) as c by x | limit 5 | stats sum(c)", 1, 28, "after the second stats"),
        ("stats count(*) as a | stats count(*) as b | stats count(*) as c", 1, 45, "at most 2"),
        ("stats count(*) by x | stats count(*) by bin(5m)", 1, 41, "@timestamp"),
        ("", 1, 1, "empty"),
    ],
)
def test_malformed_queries_report_line_and_column(text, line, column, message):
    with pytest.raises(MalformedQuery, match=message) as raised:
        parse_query(text)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert isinstance(raised.value, InsightsQueryError) and not isinstance(raised.value, UnsupportedQuery)
