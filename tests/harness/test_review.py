"""The weekly review's arithmetic and its reports, on fixed data (no emulator)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from cartmon.ops.review import collect
from cartmon.ops.review.cli import window
from cartmon.ops.review.report import Review, markdown, to_html

HOUR = 3600.0


def history_item(moment: float, old: str, new: str) -> dict:
    data = {"oldState": {"stateValue": old}, "newState": {"stateValue": new}}
    return {
        "HistoryItemType": "StateUpdate",
        "Timestamp": datetime.fromtimestamp(moment, UTC),
        "HistoryData": json.dumps(data),
    }


def test_transitions_are_read_oldest_first_and_ignore_other_items():
    items = [
        history_item(3 * HOUR, "ALARM", "OK"),
        history_item(1 * HOUR, "OK", "ALARM"),
        {
            "HistoryItemType": "Action",
            "Timestamp": datetime.fromtimestamp(2 * HOUR, UTC),
            "HistoryData": "{}",
        },
        history_item(4 * HOUR, "OK", "OK"),
    ]
    assert collect.state_transitions(items) == [(HOUR, "OK", "ALARM"), (3 * HOUR, "ALARM", "OK")]


def test_time_in_alarm_counts_only_the_window():
    transitions = [(HOUR, "OK", "ALARM"), (3 * HOUR, "ALARM", "OK"), (5 * HOUR, "OK", "ALARM")]
    # Window 0..6 h: ALARM 1-3 h and 5-6 h.
    assert collect.time_in_alarm(transitions, "ALARM", 0, 6 * HOUR) == 3 * HOUR
    # No transitions: the whole window in the current state.
    assert collect.time_in_alarm([], "ALARM", 0, 2 * HOUR) == 2 * HOUR
    assert collect.time_in_alarm([], "OK", 0, 2 * HOUR) == 0
    # In ALARM before the window opened, back to OK inside it.
    assert collect.time_in_alarm([(HOUR, "ALARM", "OK")], "OK", 0, 6 * HOUR) == HOUR


def test_flapping_means_three_entries_into_alarm():
    entries = [(t * HOUR, "OK", "ALARM") for t in (1, 3)]
    alarm = collect.AlarmHistory("A", "P1", "OK", entries, 0, len(entries))
    assert not alarm.flapping
    alarm.entries_into_alarm = collect.FLAPPING_ENTRIES
    assert alarm.flapping


def test_success_rate_verdicts_follow_the_guide():
    assert collect.SuccessRate(0, 0).rate is None
    assert collect.SuccessRate(0, 0).verdict == "no migrations"
    assert collect.SuccessRate(996, 4).verdict == "meets the target"
    assert collect.SuccessRate(97, 3).verdict == "acceptable"
    assert collect.SuccessRate(9, 1).verdict == "below the acceptable level"
    assert collect.SuccessRate(9, 1).rate == 90.0


def test_latency_verdicts_against_the_catalogue_lines():
    def item(p99):
        return collect.Latency("get_all_carts", "Get all carts", 200, 400, 800, 10, 150, p99)

    assert [item(v).verdict for v in (None, 150, 300, 500, 900)] == [
        "no data",
        "meets the target",
        "acceptable",
        "above acceptable",
        "above the alert line",
    ]


def test_target_from_terraform_outputs():
    outputs = {
        "query_definition_names": {"value": {"Top Failure Reasons": "stage-cart/Top Failure Reasons"}},
        "alarms": {"value": {"HighFailureRate": {"name": "Stage-Cart-HighFailureRate", "priority": "P1"}}},
        "metric_namespace": {"value": "Stage/Cart"},
        "sns_topic_arns": {"value": {"critical": "arn:aws:sns:ap-south-1:000000000000:stage-cart-alerts"}},
        "lambda_function_name": {"value": "stage-fn"},
    }
    target = collect.Target.from_outputs(outputs)
    assert (target.name_prefix, target.alarm_name_prefix, target.namespace, target.function_name) == (
        "stage-cart",
        "Stage-Cart",
        "Stage/Cart",
        "stage-fn",
    )
    assert target.topic_arns == {"critical": "arn:aws:sns:ap-south-1:000000000000:stage-cart-alerts"}


def test_state_is_read_as_an_unchanged_plan():
    state = {
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_sqs_queue.q",
                        "mode": "managed",
                        "type": "aws_sqs_queue",
                        "values": {"name": "q"},
                    }
                ],
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": "module.m.aws_kms_key.k",
                                "mode": "managed",
                                "type": "aws_kms_key",
                                "values": {},
                            }
                        ]
                    }
                ],
            }
        }
    }
    plan = collect.state_as_plan(state)
    assert [(c["type"], c["change"]["actions"]) for c in plan["resource_changes"]] == [
        ("aws_sqs_queue", ["no-op"]),
        ("aws_kms_key", ["no-op"]),
    ]
    assert plan["resource_changes"][0]["change"]["after"] == {"name": "q"}
    already: dict[str, list] = {"resource_changes": []}
    assert collect.state_as_plan(already) is already


def test_cost_of_a_state_grows_with_traffic():
    state = {
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_cloudwatch_log_group.g",
                        "mode": "managed",
                        "type": "aws_cloudwatch_log_group",
                        "values": {"name": "/aws/lambda/f", "retention_in_days": 30},
                    },
                    {
                        "address": "aws_lambda_function.f",
                        "mode": "managed",
                        "type": "aws_lambda_function",
                        "values": {"memory_size": 256, "architectures": ["x86_64"]},
                    },
                ]
            }
        }
    }
    quiet = collect.month_cost(state, 1_000)
    busy = collect.month_cost(state, 1_000_000)
    assert quiet.total is not None and busy.total is not None
    assert busy.total_without_free_tier is not None and quiet.total_without_free_tier is not None
    assert busy.total_without_free_tier > quiet.total_without_free_tier > 0
    assert collect.month_cost(None, 10).total is None


def test_window_parses_the_since_argument():
    assert window("7d", 1_000_000) == (1_000_000 - 7 * 86400, 1_000_000)
    assert window("90m", 10_000) == (10_000 - 5400, 10_000)


def sample_review() -> Review:
    return Review(
        source="the emulator at http://127.0.0.1:1",
        start=0,
        end=7 * 86400,
        alarms=[
            collect.AlarmHistory(
                "X-HighFailureRate", "P1", "ALARM", [(HOUR, "OK", "ALARM")], 7 * 86400 - HOUR, 1, "page", True
            ),
            collect.AlarmHistory(
                "X-LambdaThrottles", "P3", "OK", [(t, "OK", "ALARM") for t in (1, 2, 3)], 60, 3
            ),
        ],
        failure_reasons=collect.QueryResult(
            "x/Top Failure Reasons", [{"error_type": "ClientError", "failures": "8"}]
        ),
        rate_limited=collect.QueryResult("x/Rate Limit Analysis", [], "not run: no saved query named 'x'"),
        latency=[collect.Latency("get_all_carts", "Get all carts", 200, 400, 800, 12, 90, 150)],
        success=collect.SuccessRate(46, 8),
        cost=collect.CostSummary(12.5, 20.0, [("Alarms", 1.0), ("Free item", 0.0)], 1234),
        topics=[
            collect.Topic(
                "alerts",
                "arn:aws:sns:ap-south-1:000000000000:x-alerts",
                [("sqs", "arn:aws:sqs:ap-south-1:000000000000:inbox")],
                [("email", "oncall@example.com")],
            )
        ],
        notes=[],
    )


def test_markdown_report_answers_the_weekly_checklist():
    text = markdown(sample_review())
    for heading in (
        "## Alarm history",
        "## Top failure reasons",
        "## Rate-limited customers",
        "## Latency per operation",
        "## Success rate against the SLO",
        "## Cost this month (estimate)",
        "## Subscribers per topic",
    ):
        assert heading in text
    assert "| X-HighFailureRate | page | P1 | ALARM | 1 | 167 h 00 min | no |" in text
    assert "| X-LambdaThrottles | ticket | P3 | OK | 3 | 1 min | yes |" in text
    assert "| ClientError | 8 |" in text
    assert "not run: no saved query" in text
    assert "85.19 %" in text and "below the acceptable level" in text
    assert (
        "| Get all carts (`get_all_carts`) | 12 | 90 ms | 150 ms | < 200 ms | < 400 ms | 800 ms | meets the target |"
        in text
    )
    assert "**$12.50**" in text and "| Alarms | 1.00 |" in text and "Free item" not in text
    assert "email:oncall@example.com" in text and "Confirm subscription" in text
    assert "| alerts: `x-alerts` | every alarm that notifies (P1-P3) |" in text


def test_html_report_is_the_same_content_as_a_page():
    text = markdown(sample_review())
    page = to_html(text)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<table>") == text.count("\n|---") and page.count("<table>") >= 6
    assert "<td>X-HighFailureRate</td>" in page
    assert "<code>get_all_carts</code>" in page
    assert "<script" not in page


# --------------------------------------------------------------------------- who hears of it

ARN = "arn:aws:sns:ap-south-1:000000000000:"


def test_topics_are_listed_once_each_page_first_under_the_modules_role_names():
    # sns_topic_arns of the module: each topic under its role and under its former name.
    outputs = {
        "alerts": f"{ARN}x-alerts",
        "page": f"{ARN}x-alerts-page",
        "critical": f"{ARN}x-alerts-page",
        "warning": f"{ARN}x-alerts",
    }
    assert collect.topic_roles(outputs) == {"page": f"{ARN}x-alerts-page", "alerts": f"{ARN}x-alerts"}
    # Only a former name known (an old outputs.json): kept as the module's role.
    assert collect.topic_roles({"critical": f"{ARN}p"}) == {"page": f"{ARN}p"}
    # Two topics under former names, one under the role: each once.
    assert collect.topic_roles({"page": f"{ARN}p", "critical": f"{ARN}q"}) == {
        "page": f"{ARN}p",
        "critical": f"{ARN}q",
    }


class FakeSns:
    """list_topics and list_subscriptions_by_topic of an account holding the module's two topics."""

    def __init__(self, topics: dict[str, list[dict]]):
        self.subscriptions = topics

    def get_paginator(self, operation: str):
        sns = self

        class Paginator:
            def paginate(self, **kwargs):
                if operation == "list_topics":
                    return [{"Topics": [{"TopicArn": arn} for arn in sns.subscriptions]}]
                return [{"Subscriptions": sns.subscriptions[kwargs["TopicArn"]]}]

        return Paginator()


def subscription(protocol: str, endpoint: str, confirmed: bool = True) -> dict:
    arn = f"{ARN}t:{endpoint}" if confirmed else "pending confirmation"
    return {"Protocol": protocol, "Endpoint": endpoint, "SubscriptionArn": arn}


def test_subscribers_come_from_the_outputs_of_make_apply():
    sns = FakeSns(
        {
            f"{ARN}x-alerts": [subscription("email", "team@example.com", confirmed=False)],
            f"{ARN}x-alerts-page": [subscription("sqs", "pager-queue")],
            f"{ARN}someone-else": [subscription("sqs", "other")],
        }
    )
    outputs = {
        "sns_topic_arns": {
            "value": {
                "alerts": f"{ARN}x-alerts",
                "page": f"{ARN}x-alerts-page",
                "critical": f"{ARN}x-alerts-page",
                "warning": f"{ARN}x-alerts",
            }
        }
    }
    found = collect.topics(sns, collect.Target.from_outputs(outputs))
    assert [(t.role, t.arn, t.confirmed, t.pending) for t in found] == [
        ("page", f"{ARN}x-alerts-page", [("sqs", "pager-queue")], []),
        ("alerts", f"{ARN}x-alerts", [], [("email", "team@example.com")]),
    ]


def test_without_outputs_the_topics_are_found_by_the_modules_default_names():
    sns = FakeSns(
        {
            f"{ARN}x-alerts": [subscription("sqs", "ticket-queue")],
            f"{ARN}x-alerts-page": [subscription("sqs", "pager-queue")],
            f"{ARN}x-alerts-warning": [subscription("sqs", "stale")],
        }
    )
    found = collect.topics(sns, collect.Target(name_prefix="x"))
    assert [(t.role, t.arn) for t in found] == [("page", f"{ARN}x-alerts-page"), ("alerts", f"{ARN}x-alerts")]
    text = markdown(replace(sample_review(), topics=found))
    rows = [line for line in section(text, "Subscribers per topic").splitlines() if line.startswith("| ")]
    assert len(rows) == 3 and "x-alerts-warning" not in text  # header and the two topics


def test_who_hears_of_an_alarm_is_read_from_its_actions():
    page = f"{ARN}x-alerts-page"
    assert collect.who_hears({"AlarmActions": [f"{ARN}x-alerts", page]}, page) == "page"
    assert collect.who_hears({"AlarmActions": [f"{ARN}x-alerts"]}, page) == "ticket"
    assert collect.who_hears({"AlarmActions": []}, page) == "nobody"
    assert collect.who_hears({}, None) == "nobody"


def section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def deploy_then_incident() -> list[collect.AlarmHistory]:
    """97 state changes, as in a review of a deploy and an incident: 94 deploy-time
    INSUFFICIENT_DATA -> OK (sorted before the incident by time and by name), a window going
    OK -> ALARM, then a page and a ticket going OK -> ALARM."""
    quiet = [
        collect.AlarmHistory(
            f"A-Window{index:02d}", "-", "OK", [(60.0, "INSUFFICIENT_DATA", "OK")], 0, 0, "nobody"
        )
        for index in range(92)
    ]
    window = collect.AlarmHistory(
        "A-Window-burning",
        "-",
        "ALARM",
        [(60.0, "INSUFFICIENT_DATA", "OK"), (HOUR, "OK", "ALARM")],
        60,
        1,
        "nobody",
    )
    page = collect.AlarmHistory(
        "Z-ErrorBudgetBurn", "P1", "ALARM", [(2 * HOUR, "OK", "ALARM")], 60, 1, "page", True
    )
    ticket = collect.AlarmHistory(
        "Z-HighLatency", "P2", "OK", [(60.0, "INSUFFICIENT_DATA", "OK"), (2 * HOUR, "OK", "ALARM")], 60, 1
    )
    return [*quiet, window, page, ticket]


def test_pages_and_tickets_are_never_cut_and_the_rest_says_how_much_is_shown():
    changes = collect.state_changes(deploy_then_incident(), limit=50)
    assert [(c.alarm, c.old, c.new, c.notifies) for c in changes.notified] == [
        ("Z-ErrorBudgetBurn", "OK", "ALARM", "page"),
        ("Z-HighLatency", "OK", "ALARM", "ticket"),
    ]
    assert changes.other_total == 95 and len(changes.other) == 50
    # A window's way into ALARM comes before the deploy-time noise.
    assert (changes.other[0].alarm, changes.other[0].new) == ("A-Window-burning", "ALARM")

    text = markdown(replace(sample_review(), alarms=deploy_then_incident()))
    notified = section(text, "State changes of pages and tickets")
    assert "**page** Z-ErrorBudgetBurn: OK -> ALARM" in notified
    assert "**ticket** Z-HighLatency: OK -> ALARM" in notified
    other = section(text, "Other state changes")
    assert "50 of 95 shown" in other and "45 more not shown" in other
    assert sum(line.startswith("- ") for line in other.splitlines()) == 50


def test_a_short_list_says_it_is_whole_and_a_quiet_window_says_so():
    deploy = [
        collect.AlarmHistory("Y-Ticket", "P2", "OK", [(60.0, "INSUFFICIENT_DATA", "OK")], 0, 0),
        collect.AlarmHistory("Y-Window", "-", "OK", [(60.0, "INSUFFICIENT_DATA", "OK")], 0, 0, "nobody"),
    ]
    text = markdown(replace(sample_review(), alarms=deploy))
    assert "all 2 shown." in section(text, "Other state changes")
    assert "nobody was paged or ticketed" in text
    quiet = markdown(replace(sample_review(), alarms=[]))
    assert "nobody was paged or ticketed" in quiet and "None in the window." in quiet


def test_windows_that_notify_nobody_are_not_listed_as_p1():
    text = markdown(replace(sample_review(), alarms=deploy_then_incident()))
    history = section(text, "Alarm history")
    row = next(line for line in history.splitlines() if line.startswith("| A-Window-burning |"))
    assert "| nobody (input of a composite) | - |" in row and "P1" not in row
    rows = [line for line in history.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows[0].startswith("| Z-ErrorBudgetBurn | page |")  # pages first, whatever the name
    assert rows[1].startswith("| Z-HighLatency | ticket |")
