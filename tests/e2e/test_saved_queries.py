"""The saved Logs Insights queries and the dashboard's log widget, run by the emulator on a known
set of lines written by the real `CartMigrationMetrics` code, with exact expected rows.

The saved queries name the deployed function log group (checked here); to know every line a query
reads, whatever other tests wrote there, the lines are shipped into a log group of this module's own
(`<function log group>-<short uid>`, as tests/e2e/scenario_monitoring.py names its copies), and each
saved query's text runs over it, on exactly the window of the lines.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest

from cart_migration.event_log import CartMigrationMetrics
from cart_migration.redaction import hash_customer_id
from cartmon.local.stdout import captured_stdout
from cartmon.project import CATALOGUE_PATH
from tests.e2e.scenario_monitoring import short_uid

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

IN_THE_PAST = 2 * 3600  # the lines sit in a complete hour before the clock
DURATIONS = {"A": [100.5, 110.5, 120.5, 130.5, 140.5, 150.5], "B": [300.5, 500.5]}


def customer(letter: str) -> str:
    return f"user-query-{letter}"


def scripted_events() -> list[tuple[str, dict]]:
    """(event_type, fields) in the order they happen; one second apart."""
    events: list[tuple[str, dict]] = []
    for strategy, count in (("merge", 4), ("replace", 2), ("keep_newest", 1)):
        events += [
            (
                "migration_start",
                dict(customer_id=customer("A"), guest_session_id="guest-q1", merge_strategy=strategy),
            )
        ] * count
    for letter, strategy in (("A", "merge"), ("B", "replace")):
        for duration in DURATIONS[letter]:
            events.append(
                (
                    "migration_success",
                    dict(
                        customer_id=customer(letter),
                        guest_session_id="guest-q1",
                        migrated_carts=1,
                        total_items=3,
                        total_value=320.5,
                        merge_strategy=strategy,
                        duration_ms=duration,
                    ),
                )
            )
    events += [
        (
            "migration_failure",
            dict(
                customer_id=customer("C"),
                guest_session_id="guest-q2",
                error_message="DynamoDB operation failed",
                error_type="StorageError",
                merge_strategy="merge",
            ),
        )
    ] * 3
    events.append(
        (
            "migration_failure",
            dict(
                customer_id=customer("C"),
                guest_session_id="guest-q3",
                error_message="store_id is not valid",
                error_type="ValidationError",
                merge_strategy="merge",
            ),
        )
    )
    events += [
        (
            "rate_limit_exceeded",
            dict(
                customer_id=customer("C"),
                endpoint="POST /api/v1/cart/migrate",
                limit=5,
                window_seconds=60,
                retry_after_seconds=30,
            ),
        )
    ] * 3
    events.append(
        (
            "rate_limit_exceeded",
            dict(
                customer_id=customer("A"),
                endpoint="POST /api/v1/cart/migrate",
                limit=5,
                window_seconds=60,
                retry_after_seconds=12,
            ),
        )
    )
    # Lines the dashboard's "Recent Migration Logs" leaves out: not migration events.
    events.append(
        ("performance_metric", dict(operation="migrate_single_store", duration_ms=120.5, store_count=1))
    )
    events.append(
        (
            "audit_log",
            dict(action="migrate", customer_id=customer("A"), guest_session_id="guest-q1", outcome="ok"),
        )
    )
    return events


@pytest.fixture(scope="module")
def log_group(applied_stack, aws_client):
    """The module's own log group, deleted afterwards."""
    name = f"{applied_stack['log_group_names']['function']}-{short_uid()}"
    aws_client("logs").create_log_group(logGroupName=name)
    yield name
    aws_client("logs").delete_log_group(logGroupName=name)


@pytest.fixture(scope="module")
def window(log_group, aws_client, emulator_clock):
    """Ship the scripted lines; return (start, end, shipped) where shipped is [(timestamp_ms, record)]."""
    start = (int(emulator_clock.now() - IN_THE_PAST) // 3600) * 3600 + 600  # 10 minutes into an hour
    shipped = []
    for index, (event_type, fields) in enumerate(scripted_events()):
        with captured_stdout() as out:
            getattr(CartMigrationMetrics, f"log_{event_type}")(**fields)
        (line,) = out.getvalue().splitlines()
        shipped.append(((start + index) * 1000, line))
    logs = aws_client("logs")
    logs.create_log_stream(logGroupName=log_group, logStreamName="saved-queries-test")
    logs.put_log_events(
        logGroupName=log_group,
        logStreamName="saved-queries-test",
        logEvents=[{"timestamp": ts, "message": line} for ts, line in shipped],
    )
    return start, start + len(shipped), [(ts, json.loads(line)) for ts, line in shipped]


def saved_queries(applied_stack, aws_client) -> dict[str, dict]:
    prefix = next(iter(applied_stack["query_definition_names"].values())).rsplit("/", 1)[0] + "/"
    definitions = aws_client("logs").describe_query_definitions(queryDefinitionNamePrefix=prefix)[
        "queryDefinitions"
    ]
    return {d["name"][len(prefix) :]: d for d in definitions}


def run(aws_client, query: str, log_groups: list[str], start: int, end: int) -> list[dict[str, str]]:
    logs = aws_client("logs")
    query_id = logs.start_query(logGroupNames=log_groups, startTime=start, endTime=end, queryString=query)[
        "queryId"
    ]
    deadline = time.monotonic() + 30
    while True:
        result = logs.get_query_results(queryId=query_id)
        if result["status"] in ("Complete", "Failed", "Cancelled", "Timeout") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert result["status"] == "Complete", result
    return [
        {cell["field"]: cell["value"] for cell in row if cell["field"] != "@ptr"} for row in result["results"]
    ]


def insights_time(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.000")


def test_the_seven_guide_queries_are_saved_against_the_function_log_group(applied_stack, aws_client):
    queries = saved_queries(applied_stack, aws_client)
    assert set(queries) >= {
        "Migration Success Rate",
        "Top Failure Reasons",
        "Average Migration Response Time",
        "Merge Strategy Distribution",
        "Customers with Multiple Migrations",
        "Rate Limit Analysis",
        "Performance by Merge Strategy",
    }
    for definition in queries.values():
        assert definition["logGroupNames"] == [applied_stack["log_group_names"]["function"]]


def test_each_saved_query_gives_the_exact_rows(applied_stack, aws_client, window, log_group):
    start, end, _ = window
    queries = saved_queries(applied_stack, aws_client)
    bin_5m = insights_time(start - start % 300)
    bin_1h = insights_time(start - start % 3600)
    a, c = hash_customer_id(customer("A")), hash_customer_id(customer("C"))
    expected = {
        "Migration Success Rate": [{"bin(5m)": bin_5m, "total": "12", "success": "8", "failed": "4"}],
        "Top Failure Reasons": [
            {"error_type": "StorageError", "error_message": "DynamoDB operation failed", "failures": "3"},
            {"error_type": "ValidationError", "error_message": "store_id is not valid", "failures": "1"},
        ],
        "Average Migration Response Time": [
            {"bin(5m)": bin_5m, "avg_ms": "194.25", "max_ms": "500.5", "min_ms": "100.5"}
        ],
        "Merge Strategy Distribution": [
            {"merge_strategy": "merge", "migrations": "4"},
            {"merge_strategy": "replace", "migrations": "2"},
            {"merge_strategy": "keep_newest", "migrations": "1"},
        ],
        "Customers with Multiple Migrations": [{"customer_id": a, "migration_count": "6"}],
        "Rate Limit Analysis": [
            {"customer_id": c, "bin(1h)": bin_1h, "rate_limit_hits": "3"},
            {"customer_id": a, "bin(1h)": bin_1h, "rate_limit_hits": "1"},
        ],
        "Performance by Merge Strategy": [
            {
                "merge_strategy": "replace",
                "avg_duration": "400.5",
                "p99_duration": "500.5",
                "migrations": "2",
            },
            {"merge_strategy": "merge", "avg_duration": "125.5", "p99_duration": "150.5", "migrations": "6"},
        ],
    }
    for name, rows in expected.items():
        definition = queries[name]
        assert definition["logGroupNames"] == [applied_stack["log_group_names"]["function"]], name
        assert run(aws_client, definition["queryString"], [log_group], start, end) == rows, name


def test_the_dashboard_log_widget_shows_the_twenty_newest_migration_events(
    applied_stack, aws_client, window, log_group
):
    start, end, shipped = window
    body = json.loads(
        aws_client("cloudwatch").get_dashboard(DashboardName=applied_stack["dashboard_name"])["DashboardBody"]
    )
    (widget,) = [w for w in body["widgets"] if w["type"] == "log"]
    assert widget["properties"]["title"] == "Recent Migration Logs"
    source = re.match(r"\s*SOURCE\s+'([^']+)'\s*\|\s*(.*)", widget["properties"]["query"], re.S)
    assert source, "the log widget query must name its log group with SOURCE"
    widget_log_group, query = source.groups()
    assert widget_log_group == applied_stack["log_group_names"]["function"]
    catalogue = json.loads(CATALOGUE_PATH.read_text())
    migration = {name for name, spec in catalogue["events"].items() if spec["category"] == "migration"}
    assert {r["event_type"] for _, r in shipped} - migration >= {"rate_limit_exceeded", "performance_metric"}
    newest_first = sorted(
        [(ts, r) for ts, r in shipped if r["event_type"] in migration], key=lambda pair: pair[0], reverse=True
    )[:20]
    expected = [
        {
            "@timestamp": insights_time(ts / 1000),
            "event_type": r["event_type"],
            "message": r["message"],
            "customer_id": r["customer_id"],
        }
        for ts, r in newest_first
    ]
    assert run(aws_client, query, [log_group], start, end) == expected
