"""The weekly review's arithmetic and its reports, on fixed data (no emulator)."""

from __future__ import annotations

import json
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
    already = {"resource_changes": []}
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
                "X-HighFailureRate", "P1", "ALARM", [(HOUR, "OK", "ALARM")], 7 * 86400 - HOUR, 1
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
                "critical",
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
    assert "| X-HighFailureRate | P1 | ALARM | 1 | 167 h 00 min | no |" in text
    assert "| X-LambdaThrottles | P3 | OK | 3 | 1 min | yes |" in text
    assert "| ClientError | 8 |" in text
    assert "not run: no saved query" in text
    assert "85.19 %" in text and "below the acceptable level" in text
    assert (
        "| Get all carts (`get_all_carts`) | 12 | 90 ms | 150 ms | < 200 ms | < 400 ms | 800 ms | meets the target |"
        in text
    )
    assert "**$12.50**" in text and "| Alarms | 1.00 |" in text and "Free item" not in text
    assert "email:oncall@example.com" in text and "Confirm subscription" in text


def test_html_report_is_the_same_content_as_a_page():
    text = markdown(sample_review())
    page = to_html(text)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<table>") == text.count("\n|---") and page.count("<table>") >= 6
    assert "<td>X-HighFailureRate</td>" in page
    assert "<code>get_all_carts</code>" in page
    assert "<script" not in page
