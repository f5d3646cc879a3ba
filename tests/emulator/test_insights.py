"""The Logs Insights engine the emulator's StartQuery/GetQueryResults run (cartmon_emulator.engines.insights).

Pure unit tests: no emulator needed. The data set mimics the cart-migration Lambda's JSON log lines, plus
the Lambda runtime's plain-text START/REPORT lines and two events outside the queried time range.

Over 600 lines: one case per documented Insights command and function, against one shared data set.
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines.insights import (
    InsightsQueryError,
    LogEvent,
    MalformedQuery,
    UnsupportedQuery,
    execute,
    parse_query,
    run_query,
)

BASE = 1_763_721_000  # 2025-11-21 10:30:00 UTC, epoch seconds
GROUP = "/aws/lambda/cart-migration"
STREAM = "2025/11/21/[$LATEST]0123456789abcdef"
ACCOUNT = "123456789012"
START, END = BASE, BASE + 3599  # the queried window: one hour

CCF = "ConditionalCheckFailedException"
PTE = "ProvisionedThroughputExceededException"
TEXTS = {
    "migration_start": ("INFO", "Cart migration started"),
    "migration_success": ("INFO", "Cart migration successful"),
    "migration_failure": ("ERROR", "Cart migration failed"),
    "no_guest_carts": ("INFO", "No guest carts found"),
}


def at(offset: float) -> int:
    """Epoch milliseconds `offset` seconds after BASE."""
    return BASE * 1000 + round(offset * 1000)


def cart_event(offset: float, event_type: str, **fields) -> LogEvent:
    level, text = TEXTS[event_type]
    body = {
        "timestamp": f"2025-11-21T10:30:00Z+{offset}s",
        "level": level,
        "message": text,
        "event_type": event_type,
        "service": "cart-migration",
        **fields,
    }
    return LogEvent(at(offset), json.dumps(body), STREAM, GROUP, at(offset) + 150, ACCOUNT)


def success(offset: float, customer: str, duration) -> LogEvent:
    return cart_event(
        offset,
        "migration_success",
        customer_id=customer,
        guest_session_id=f"guest_{int(offset)}",
        migrated_carts=1,
        total_items=3,
        merge_strategy="merge",
        duration_ms=duration,
    )


def failure(offset: float, customer: str, error_type: str, error_message: str, duration) -> LogEvent:
    return cart_event(
        offset,
        "migration_failure",
        customer_id=customer,
        guest_session_id=f"guest_{int(offset)}",
        error_type=error_type,
        error_message=error_message,
        merge_strategy="merge",
        duration_ms=duration,
    )


def plain(offset: float, message: str) -> LogEvent:
    return LogEvent(at(offset), message, STREAM, GROUP, at(offset) + 150, ACCOUNT)


EVENTS = [
    plain(0, "START RequestId: 8f2c Version: $LATEST"),
    cart_event(5, "migration_start", customer_id="cust_ab12", merge_strategy="merge"),
    success(10.25, "cust_ab12", 245.3),
    success(40, "cust_ab12", 120),
    failure(75, "cust_cd34", CCF, "Cart version conflict", 80.5),
    success(130, "cust_ef56", 310.25),
    failure(200, "cust_ab12", CCF, "Cart version conflict", 95),
    success(250, "cust_cd34", 275),
    success(310, "cust_ab12", 300.5),
    success(320, "cust_ab12", 150),
    success(330, "cust_ab12", 180.25),
    failure(400, "cust_ef56", PTE, "Rate exceeded", 60),
    failure(410, "cust_gh78", PTE, "Rate exceeded", 61),
    cart_event(450, "no_guest_carts", customer_id="cust_gh78"),
    success(610, "cust_ab12", 210),
    success(620, "cust_ef56", 199.5),
    failure(630, "cust_cd34", "ValidationException", "Invalid guest session", 12),
    failure(640, "cust_ef56", CCF, "Cart version conflict", 70),
    plain(700, "REPORT RequestId: 8f2c\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"),
    failure(-3600, "cust_zz99", "StaleException", "before the window", 1),
    success(7200, "cust_ab12", 999),
]
IN_RANGE = [event for event in EVENTS if START <= event.timestamp_ms // 1000 <= END]


def row(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"field": field, "value": value} for field, value in pairs]


def query(text: str, events=EVENTS, **kwargs):
    return run_query(text, events, START, END, **kwargs)


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


def customers(text: str, events=EVENTS) -> list[str]:
    return [{f["field"]: f["value"] for f in r}.get("customer_id") for r in query(text, events)]


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
        ("fields @message | pattern @message", "pattern"),
        ("fitler level = 'ERROR'", "fitler"),
        ("stats stddev(duration_ms)", "stddev"),
        ("fields jsonParse(@message) as j", "jsonParse"),
        ("fields frobnicate(level)", "frobnicate"),
        ("parse @message logfmt as lf", "logfmt"),
        ("stats count(*) by bin(1w)", "weeks"),
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
        ("fields level | limit 0", 1, 22, "between 1 and 10000"),
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
