"""What `make apply` prints: progress, errors and a summary; the whole output stays in a file."""

from __future__ import annotations

import io

from cartmon.ops.apply_summary import PROGRESS_EVERY, outputs_summary, progress

PLAN_LINES = [f'  + resource "aws_cloudwatch_metric_alarm" "a{i}" {{\n' for i in range(500)]


def applied(count: int) -> list[str]:
    return [f"module.m.aws_x.r[{i}]: Creation complete after 1s [id=r{i}]\n" for i in range(count)]


def test_a_piped_apply_prints_counts_not_the_plan_or_the_outputs():
    lines = [
        *PLAN_LINES,
        "Plan: 60 to add, 0 to change, 0 to destroy.\n",
        *applied(60),
        "│ Warning: Deprecated attribute\n",
        "Apply complete! Resources: 60 added, 0 changed, 0 destroyed.\n",
        "Outputs:\n",
        *[f'slos = {{ "line" = {i} }}\n' for i in range(1000)],
    ]
    log, out = io.StringIO(), io.StringIO()
    assert progress(lines, log, out, terminal=False) == 60
    assert log.getvalue() == "".join(lines), "the log keeps every line"
    printed = out.getvalue().splitlines()
    assert printed == [
        "Plan: 60 to add, 0 to change, 0 to destroy.",
        *[f"  {n} resources done" for n in range(PROGRESS_EVERY, 61, PROGRESS_EVERY)],
        "  Warning: Deprecated attribute",
        "Apply complete! Resources: 60 added, 0 changed, 0 destroyed.",
    ]
    assert "\x1b[" not in out.getvalue()


def test_an_error_is_printed_in_full():
    lines = [
        *applied(3),
        "╷\n",
        "│ Error: creating alarm: boom\n",
        "│ \n",
        "│   with module.m.aws_x.r,\n",
        "╵\n",
    ]
    out = io.StringIO()
    progress(lines, io.StringIO(), out, terminal=True)
    assert out.getvalue().startswith("\r  1 resources done")
    assert out.getvalue().endswith("\n│ Error: creating alarm: boom\n│ \n│   with module.m.aws_x.r,\n╵\n")


def test_the_summary_counts_the_alarms_and_names_where_the_rest_is():
    def wrapped(value):
        return {"value": value, "type": "any", "sensitive": False}

    outputs = {
        "alarm_names": wrapped(["A-1", "A-2", "A-3", "A-P"]),
        "alarms": wrapped(
            {
                "1": {"name": "A-1", "notifies": True},
                "2": {"name": "A-2", "notifies": False},
                "3": {"name": "A-3", "notifies": False},
            }
        ),
        "composite_alarms": wrapped({"P": {"name": "A-P", "page": True, "notifies": True}}),
        "sns_topic_arns": wrapped({"page": "arn:page", "alerts": "arn:alerts", "critical": "arn:page"}),
        "lambda_function_name": wrapped("fn"),
        "query_definition_names": wrapped({"Top Failure Reasons": "x/Top Failure Reasons"}),
        "slos": wrapped({f"slo{i}": {} for i in range(50)}),
    }
    text = outputs_summary(outputs)
    assert "Alarms: 4: 1 page (composite alarms), 1 file a ticket (0 composite), 2 notify nobody" in text
    assert "Page topic:   arn:page" in text and "Alerts topic: arn:alerts" in text
    assert "slo7" not in text and "build/outputs.json" in text
    assert len(text.splitlines()) < 15
