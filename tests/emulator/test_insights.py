"""The Logs Insights engine the emulator's StartQuery/GetQueryResults run (cartmon_emulator.engines.insights):
the saved queries of the module, the time range and row shape, filter and parse.

Pure unit tests: no emulator needed. The data set is in insights_data.py; stats, sort and the other commands
are in test_insights_commands.py, functions in test_insights_functions.py.
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines.insights import LogEvent, execute, parse_query
from tests.emulator.insights_data import (
    ACCOUNT,
    CCF,
    END,
    EVENTS,
    GROUP,
    IN_RANGE,
    PTE,
    START,
    STREAM,
    at,
    customers,
    query,
    row,
)

# -- the saved queries of the monitoring module --------------------------------------------------------------

SAVED_MIGRATION_TIMELINE = """fields @timestamp, event_type
| filter event_type in ["migration_success", "migration_failure"]
| stats count(*) as total, sum(strcontains(event_type, "success")) as success, sum(strcontains(event_type, "failure")) as failed by bin(5m)"""

SAVED_TOP_FAILURES = """filter event_type = "migration_failure"
| stats count(*) as failures by error_type, error_message
| sort failures desc
| limit 10"""

SAVED_LATENCY = """filter event_type = "migration_success"
| stats avg(duration_ms) as avg_ms, max(duration_ms) as max_ms, min(duration_ms) as min_ms by bin(5m)"""

SAVED_HEAVY_CUSTOMERS = (
    'filter event_type = "migration_success" | stats count(*) as migration_count by customer_id '
    "| filter migration_count > 5 | sort migration_count desc"
)

SAVED_RECENT_EVENTS = (
    "fields @timestamp, event_type, message, customer_id | filter ispresent(event_type) "
    "| sort @timestamp desc | limit 20"
)


def test_saved_timeline_counts_outcomes_per_five_minute_bin():
    # Bins come newest first (first appearance while scanning newest first); the START line, the
    # migration_start and no_guest_carts events and the two out-of-window failures are not counted.
    assert query(SAVED_MIGRATION_TIMELINE) == [
        row(("bin(5m)", "2025-11-21 10:40:00.000"), ("total", "4"), ("success", "2"), ("failed", "2")),
        row(("bin(5m)", "2025-11-21 10:35:00.000"), ("total", "5"), ("success", "3"), ("failed", "2")),
        row(("bin(5m)", "2025-11-21 10:30:00.000"), ("total", "6"), ("success", "4"), ("failed", "2")),
    ]


def test_saved_top_failures_groups_by_two_fields_and_sorts_by_count():
    assert query(SAVED_TOP_FAILURES) == [
        row(("error_type", CCF), ("error_message", "Cart version conflict"), ("failures", "3")),
        row(("error_type", PTE), ("error_message", "Rate exceeded"), ("failures", "2")),
        row(
            ("error_type", "ValidationException"),
            ("error_message", "Invalid guest session"),
            ("failures", "1"),
        ),
    ]


def test_saved_latency_query_renders_numbers_like_aws():
    # avg is a double (integral values without ".0"); min/max are field values, rendered as logged.
    assert query(SAVED_LATENCY) == [
        row(
            ("bin(5m)", "2025-11-21 10:40:00.000"),
            ("avg_ms", "204.75"),
            ("max_ms", "210"),
            ("min_ms", "199.5"),
        ),
        row(
            ("bin(5m)", "2025-11-21 10:35:00.000"),
            ("avg_ms", "210.25"),
            ("max_ms", "300.5"),
            ("min_ms", "150"),
        ),
        row(
            ("bin(5m)", "2025-11-21 10:30:00.000"),
            ("avg_ms", "237.6375"),
            ("max_ms", "310.25"),
            ("min_ms", "120"),
        ),
    ]


def test_saved_heavy_customers_filters_and_sorts_on_the_stats_output():
    assert query(SAVED_HEAVY_CUSTOMERS) == [row(("customer_id", "cust_ab12"), ("migration_count", "6"))]
    # The filter on the aggregate is strict: nobody has more than six migrations.
    assert query(SAVED_HEAVY_CUSTOMERS.replace("> 5", "> 6")) == []


def test_saved_recent_events_lists_json_events_newest_first():
    expected = [
        ("10:40:40.000", "migration_failure", "Cart migration failed", "cust_ef56"),
        ("10:40:30.000", "migration_failure", "Cart migration failed", "cust_cd34"),
        ("10:40:20.000", "migration_success", "Cart migration successful", "cust_ef56"),
        ("10:40:10.000", "migration_success", "Cart migration successful", "cust_ab12"),
        ("10:37:30.000", "no_guest_carts", "No guest carts found", "cust_gh78"),
        ("10:36:50.000", "migration_failure", "Cart migration failed", "cust_gh78"),
        ("10:36:40.000", "migration_failure", "Cart migration failed", "cust_ef56"),
        ("10:35:30.000", "migration_success", "Cart migration successful", "cust_ab12"),
        ("10:35:20.000", "migration_success", "Cart migration successful", "cust_ab12"),
        ("10:35:10.000", "migration_success", "Cart migration successful", "cust_ab12"),
        ("10:34:10.000", "migration_success", "Cart migration successful", "cust_cd34"),
        ("10:33:20.000", "migration_failure", "Cart migration failed", "cust_ab12"),
        ("10:32:10.000", "migration_success", "Cart migration successful", "cust_ef56"),
        ("10:31:15.000", "migration_failure", "Cart migration failed", "cust_cd34"),
        ("10:30:40.000", "migration_success", "Cart migration successful", "cust_ab12"),
        ("10:30:10.250", "migration_success", "Cart migration successful", "cust_ab12"),
        ("10:30:05.000", "migration_start", "Cart migration started", "cust_ab12"),
    ]
    assert query(SAVED_RECENT_EVENTS) == [
        row(
            ("@timestamp", f"2025-11-21 {time}"),
            ("event_type", kind),
            ("message", text),
            ("customer_id", customer),
        )
        for time, kind, text, customer in expected
    ]


@pytest.mark.parametrize(
    "text",
    [SAVED_MIGRATION_TIMELINE, SAVED_TOP_FAILURES, SAVED_LATENCY, SAVED_HEAVY_CUSTOMERS, SAVED_RECENT_EVENTS],
)
def test_saved_queries_parse(text):
    assert parse_query(text).commands[0] in ("fields", "filter")


# -- time range, statistics, default shape -----------------------------------------------------------------


def test_time_range_is_inclusive_at_one_second_resolution():
    events = [
        LogEvent(START * 1000 - 1, "just before"),
        LogEvent(START * 1000, "first millisecond"),
        LogEvent(END * 1000 + 999, "last millisecond"),
        LogEvent((END + 1) * 1000, "just after"),
    ]
    rows = query("fields @message", events)
    assert [r[0]["value"] for r in rows] == ["last millisecond", "first millisecond"]


def test_statistics_count_scanned_and_matched_records():
    outcome = execute(SAVED_MIGRATION_TIMELINE, EVENTS, START, END)
    assert outcome.records_scanned == 19 == len(IN_RANGE)
    assert outcome.records_matched == 15  # events that passed the filter into stats
    assert outcome.bytes_scanned == sum(len(e.message.encode()) for e in IN_RANGE)
    assert outcome.statistics == {
        "recordsMatched": 15.0,
        "recordsScanned": 19.0,
        "bytesScanned": float(outcome.bytes_scanned),
    }


def test_query_without_fields_returns_timestamp_and_message_newest_first():
    rows = query('filter @message like "RequestId"')
    assert rows == [
        row(("@timestamp", "2025-11-21 10:41:40.000"), ("@message", IN_RANGE[-1].message)),
        row(
            ("@timestamp", "2025-11-21 10:30:00.000"), ("@message", "START RequestId: 8f2c Version: $LATEST")
        ),
    ]


def test_api_limit_and_query_limit_both_cap_the_rows():
    assert len(query(SAVED_RECENT_EVENTS, limit=3)) == 3
    assert [
        r[1]["value"]
        for r in query("fields @timestamp, customer_id | filter ispresent(customer_id) | limit 2")
    ] == [
        "cust_ef56",
        "cust_cd34",
    ]
    with pytest.raises(ValueError):
        query("fields @message", limit=10_001)


def test_builtin_fields_and_missing_values_are_omitted_from_rows():
    rows = query("fields @log, @logStream, @ingestionTime, error_type | filter customer_id = 'cust_gh78'")
    assert rows == [
        row(
            ("@log", f"{ACCOUNT}:{GROUP}"),
            ("@logStream", STREAM),
            ("@ingestionTime", "2025-11-21 10:37:30.150"),
        ),
        row(
            ("@log", f"{ACCOUNT}:{GROUP}"),
            ("@logStream", STREAM),
            ("@ingestionTime", "2025-11-21 10:36:50.150"),
            ("error_type", PTE),
        ),
    ]


def test_ptr_is_added_on_request_for_event_rows_only():
    rows = query("fields customer_id | filter ispresent(customer_id) | limit 1", include_ptr=True)
    assert [f["field"] for f in rows[0]] == ["customer_id", "@ptr"] and rows[0][1]["value"]
    assert all(f["field"] != "@ptr" for r in query("stats count(*)", include_ptr=True) for f in r)


def test_nested_json_is_discovered_with_dotted_names_and_array_indexes():
    event = LogEvent(
        at(1),
        json.dumps(
            {
                "cart": {"store": {"id": "s1"}, "items": [{"sku": "A"}, {"sku": "B"}]},
                "@odd": True,
                "gone": None,
            }
        ),
    )
    rows = query(
        "fields cart.store.id, cart.items.1.sku, @@odd, ispresent(gone) as has_gone, ispresent(cart) as has_cart",
        [event],
    )
    assert rows == [
        row(
            ("cart.store.id", "s1"),
            ("cart.items.1.sku", "B"),
            ("@@odd", "true"),
            ("has_gone", "0"),
            ("has_cart", "0"),
        )
    ]


def test_lambda_log_groups_discover_the_first_embedded_json_fragment():
    line = (
        '[INFO]\t2025-11-21T10:30:01Z\treq-1\t{"event_type": "audit_log", "outcome": "ok"} trailing {"x": 1}'
    )
    embedded = [LogEvent(at(1), line, STREAM, GROUP)]
    other_group = [LogEvent(at(1), line, "s", "/app/cart")]
    assert query("fields event_type, x", embedded) == [row(("event_type", "audit_log"))]
    assert query("fields event_type", other_group) == [[]]


# -- filter ----------------------------------------------------------------------------------------------------


def test_like_substring_is_case_sensitive_and_regex_takes_inline_flags():
    assert customers('fields customer_id | filter error_message like "conflict"') == [
        "cust_ef56",
        "cust_ab12",
        "cust_cd34",
    ]
    assert customers('fields customer_id | filter error_message like "CONFLICT"') == []
    assert customers("fields customer_id | filter error_message like /(?i)CONFLICT/") == [
        "cust_ef56",
        "cust_ab12",
        "cust_cd34",
    ]
    assert customers("fields customer_id | filter error_type =~ /^Valid/") == ["cust_cd34"]
    assert customers("fields customer_id | filter error_type like /^(?i)validationexception$/") == [
        "cust_cd34"
    ]


def test_not_like_and_not_in_exclude_matches_and_missing_fields():
    rows = customers(
        'fields customer_id | filter event_type = "migration_failure" and error_type not like /Exceeded/'
    )
    assert rows == ["cust_ef56", "cust_cd34", "cust_ab12", "cust_cd34"]
    # A missing field is unknown, so `!=`/`not in` do not select events that lack it (the START line).
    assert len(query('filter event_type != "migration_success"')) == 8
    assert len(query('filter event_type not in ["migration_success", "migration_failure"]')) == 2
    assert len(query('filter event_type != "migration_success" or not ispresent(event_type)')) == 10
    # `not` of an unknown condition stays unknown: only failures that are not conditional-check ones.
    assert customers("fields customer_id | filter not (error_type like /Conditional/)") == [
        "cust_cd34",
        "cust_gh78",
        "cust_ef56",
    ]


def test_in_compares_numbers_with_numeric_strings_and_arithmetic_works():
    events = [
        LogEvent(at(i), json.dumps(body))
        for i, body in enumerate([{"code": 200}, {"code": "404"}, {"code": 500.0}])
    ]
    assert [r[0]["value"] for r in query("fields code | filter code in [404, 500]", events)] == [
        "500.0",
        "404",
    ]
    rows = query(
        "fields duration_ms / 1000 as secs, duration_ms * 2 + 1 as twice, -duration_ms % 7 as m | filter duration_ms >= 300",
        EVENTS,
    )
    assert rows == [
        row(("secs", "0.3005"), ("twice", "602"), ("m", "-6.5")),
        row(("secs", "0.31025"), ("twice", "621.5"), ("m", "-2.25")),
    ]


def test_boolean_precedence_and_parentheses():
    base = 'fields customer_id | filter event_type = "migration_failure" and '
    assert customers(base + '(customer_id = "cust_ab12" or customer_id = "cust_gh78")') == [
        "cust_gh78",
        "cust_ab12",
    ]
    # without parentheses `and` binds tighter than `or`
    assert len(customers(base + 'customer_id = "cust_ab12" or customer_id = "cust_gh78"')) == 3


def test_comments_are_ignored_but_hash_inside_strings_is_kept():
    text = """# recent failures
    fields customer_id   # trailing comment
    # | filter customer_id = "cust_ab12"
    | filter error_message != "#not a comment" and event_type = "migration_failure"
    | limit 1"""
    assert query(text) == [row(("customer_id", "cust_ef56"))]


# -- parse -----------------------------------------------------------------------------------------------------

DOC_LINES = [
    LogEvent(
        at(1), "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException"
    ),
    LogEvent(at(2), "25 May 2019 10:24:40,001 user=alice, method:GET, latency := 216"),
    LogEvent(at(3), "25 May 2019 10:24:41,002 user=alice, method:GET, latency := 100"),
    LogEvent(at(4), "25 May 2019 10:24:42,003 user=bob, method:PUT, latency := 50"),
]


def test_parse_glob_from_the_docs_extracts_fields_and_keeps_unmatched_events():
    rows = query('parse @message "[*] * The error was: *" as level, config, exception', DOC_LINES)
    assert rows[-1] == row(
        ("@timestamp", "2025-11-21 10:30:01.000"),
        ("@message", DOC_LINES[0].message),
        ("level", "ERROR"),
        ("config", "{foo=2, bar=data}"),
        ("exception", "DataIntegrityException"),
    )
    assert len(rows) == 4 and all(len(r) == 2 for r in rows[:3])  # no match: no extracted fields


def test_parse_regex_named_groups_match_the_glob_result():
    text = r"parse @message /\[(?<level>\S+)\]\s+(?<config>\{.*\})\s+The error was: (?<exception>\S+)/ | filter ispresent(level) | display level, config, exception"
    assert query(text, DOC_LINES) == [
        row(("level", "ERROR"), ("config", "{foo=2, bar=data}"), ("exception", "DataIntegrityException"))
    ]


def test_parse_then_stats_from_the_docs():
    glob = 'parse @message "user=*, method:*, latency := *" as @user, @method, @latency | stats avg(@latency) by @method, @user'
    regex = (  # @message is parsed when the field is omitted
        "parse /user=(?<user2>.*?), method:(?<method2>.*?), latency := (?<latency2>.*)/ "
        "| filter ispresent(user2) | stats avg(latency2) as avg by method2, user2 | sort avg asc"
    )
    assert query(glob, DOC_LINES[1:]) == [
        row(("@method", "PUT"), ("@user", "bob"), ("avg(@latency)", "50")),
        row(("@method", "GET"), ("@user", "alice"), ("avg(@latency)", "158")),
    ]
    assert [r[-1]["value"] for r in query(regex, DOC_LINES)] == ["50", "158"]


def test_parse_regex_group_names_may_start_with_at():
    events = [LogEvent(at(1), "transactionId: a4c47551 done")]
    assert query(r"parse @message /transactionId:[ ]?(?<@transId>[a-z0-9]+)/ | display @transId", events) == [
        row(("@transId", "a4c47551"))
    ]
