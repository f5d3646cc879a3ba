"""cartmon/ops/dashboard/: the dashboard as deployed, drawn from its body and the emulator's data.

The rendering tests run on the embedded emulator (they fail, never skip, without one): a body
with text, metric (time series and single value) and log widgets is put with PutDashboard,
metric data and log lines are put on the emulator's clock, and the PNG and the HTML are read
back. The parsing tests (metrics-array shorthand, SOURCE clauses, durations, layout, math)
need nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from cartmon import project
from cartmon.ops.dashboard import (
    layout,
    log_widget,
    markdown,
    metric_math,
    metrics_array,
    render,
    settings,
    timerange,
)

# One worker for the group: its outcome depends on the emulator clock, which the e2e tests move.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

# --- the body's syntax, without the emulator ------------------------------------------------------


def test_dot_repeats_the_value_at_the_same_position_of_the_previous_metric():
    rows = metrics_array.expand_metric_rows(
        [
            ["AWS/Lambda", "Errors", "FunctionName", "f1"],
            [".", "Throttles", ".", ".", {"stat": "Maximum"}],
        ]
    )
    assert rows[1] == (["AWS/Lambda", "Throttles", "FunctionName", "f1"], {"stat": "Maximum"})


def test_ellipsis_repeats_the_previous_metric_up_to_the_values_that_follow_it():
    rows = metrics_array.expand_metric_rows(
        [
            ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1", {"label": "first"}],
            ["...", "i-2"],
            ["...", {"stat": "p99"}],
            ["AWS/EC2", "...", "i-3"],
        ]
    )
    assert [values for values, _ in rows] == [
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"],
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-2"],
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-2"],
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-3"],
    ]
    # The options object is the entry's own: the label of the first is not inherited.
    assert rows[1][1] == {} and rows[2][1] == {"stat": "p99"}


def test_an_expression_entry_does_not_become_the_previous_metric():
    rows = metrics_array.expand_metric_rows([["NS", "A"], [{"expression": "m1 * 2", "id": "e1"}], [".", "B"]])
    assert rows[2][0] == ["NS", "B"]


def test_dot_without_a_previous_value_is_an_error():
    with pytest.raises(ValueError, match="previous metric"):
        metrics_array.expand_metric_rows([["NS", "A"], [".", ".", ".", "."]])


def test_widget_defaults_and_labels():
    specs = metrics_array.metric_specs(
        {
            "stat": "Sum",
            "period": 60,
            "metrics": [
                ["AWS/Lambda", "Duration", "FunctionName", "f", {"stat": "Average"}],
                ["...", {"stat": "Maximum", "yAxis": "right"}],
                ["NS", "Count", {"label": "Mine", "period": 300, "visible": False}],
            ],
        }
    )
    assert [(s.id, s.stat, s.period, s.y_axis, s.visible) for s in specs] == [
        ("m1", "Average", 60, "left", True),
        ("m2", "Maximum", 60, "right", True),
        ("m3", "Sum", 300, "left", False),
    ]
    # Two metrics of one name are told apart by what differs, as CloudWatch labels them.
    assert [s.label for s in specs] == ["Duration Average", "Duration Maximum", "Mine"]


def test_source_clauses_are_split_from_the_query():
    groups, query = log_widget.split_log_query(
        "SOURCE '/aws/lambda/a' | SOURCE \"/b\" | fields @message | limit 5"
    )
    assert groups == ["/aws/lambda/a", "/b"]
    assert query == "fields @message | limit 5"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("-PT3H", -10800), ("-P1D", -86400), ("PT15M", 900), ("-P1W", -604800), ("-PT1H30M", -5400)],
)
def test_iso_durations(text, seconds):
    assert timerange.parse_duration(text) == seconds


def test_the_range_ends_at_the_callers_now():
    assert timerange.resolve_range("-PT2H", 1_000_000) == (1_000_000 - 7200, 1_000_000)
    assert timerange.resolve_range(None, 1_000_000, {"start": "-PT30M"}) == (1_000_000 - 1800, 1_000_000)
    assert timerange.resolve_range(None, 1_000_000) == (1_000_000 - 10800, 1_000_000)


def test_widgets_without_a_position_take_the_next_free_place():
    widgets = layout.layout(
        {
            "widgets": [
                {"type": "text", "x": 0, "y": 0, "width": 12, "height": 2, "properties": {"markdown": "a"}},
                {"type": "text", "properties": {"markdown": "b"}},
                {"type": "text", "width": 18, "height": 3, "properties": {"markdown": "c"}},
            ]
        }
    )
    assert [(w.x, w.y, w.width, w.height) for w in widgets] == [(0, 0, 12, 2), (12, 0, 6, 6), (0, 6, 18, 3)]
    assert layout.png_size(widgets) == (1440, settings.HEADER_PX + 9 * settings.ROW_PX)


def test_metric_math_runs_on_the_alarms_engine_over_the_fetched_series():
    series = {"s": {0.0: 9.0, 60.0: 0.0, 120.0: 5.0}, "f": {0.0: 1.0, 60.0: 0.0}}
    grid = [0.0, 60.0, 120.0]
    # A point missing in one series counts as 0 beside the other, as in CloudWatch (and the alarms):
    # at 120, s + f is 5.
    assert metric_math.evaluate_on_grid("IF((s + f) > 0, 100 * s / (s + f), 100)", series, grid, 60) == {
        0.0: 90.0,
        60.0: 100.0,
        120.0: 100.0,
    }
    assert metric_math.evaluate_on_grid("FILL(f, 0) + 1", series, grid, 60) == {
        0.0: 2.0,
        60.0: 1.0,
        120.0: 1.0,
    }
    assert metric_math.evaluate_on_grid("SUM([s, f])", series, grid, 60) == {0.0: 10.0, 60.0: 0.0, 120.0: 5.0}
    assert metric_math.evaluate_on_grid("s * 0 + 7", series, grid, 60) == {0.0: 7.0, 60.0: 7.0, 120.0: 7.0}
    for expression in ("IF(f > 0, 1, 0)", "FILL(f, 0) + 1", "100 * s / (s + f)"):
        aligned = {ident: [points.get(t) for t in grid] for ident, points in series.items()}
        engine = metric_math.evaluate_expression(expression, aligned, 60)  # the engine itself
        assert isinstance(engine, list)
        assert metric_math.evaluate_on_grid(expression, series, grid, 60) == {
            t: v for t, v in zip(grid, engine, strict=True) if v is not None
        }
    with pytest.raises(metric_math.MathError, match="unknown id"):
        metric_math.evaluate_on_grid("s + x", series, grid, 60)


def test_markdown_becomes_html_without_letting_markup_through():
    page = markdown.markdown_to_html(
        "# Runbooks\n- **P1**: page <b>now</b>\n\nSee [docs](https://example.com/r)."
    )
    assert "<h3>Runbooks</h3>" in page
    assert "<li><strong>P1</strong>: page &lt;b&gt;now&lt;/b&gt;</li>" in page
    assert '<a href="https://example.com/r">docs</a>' in page


# --- rendering on the emulator --------------------------------------------------------------------

PERIOD = 300


@pytest.fixture
def emulator_now(aws_endpoint) -> float:
    now = project.emulator_now(aws_endpoint)
    assert now is not None, f"{aws_endpoint}/_cartmon/clock does not answer: not this project's emulator"
    return now


@pytest.fixture
def stack(aws_client, emulator_now):
    """A log group with log lines, metric data in a fresh namespace, all on the emulator's clock."""
    suffix = uuid.uuid4().hex[:8]
    namespace = f"RenderTest/{suffix}"
    group = f"/aws/lambda/render-{suffix}"
    logs, cloudwatch = aws_client("logs"), aws_client("cloudwatch")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    # Three whole periods ago, two ago and one ago: the buckets and their sums are known.
    base = (int(emulator_now) // PERIOD - 3) * PERIOD
    successes = {base: [3, 4], base + PERIOD: [5], base + 2 * PERIOD: [1, 1, 1]}
    failures = {base: [1], base + 2 * PERIOD: [2]}
    data = []
    for bucket, values in successes.items():
        data += [
            {"MetricName": "MigrationSuccessCount", "Value": v, "Timestamp": bucket + 10 + k}
            for k, v in enumerate(values)
        ]
    for bucket, values in failures.items():
        data += [
            {"MetricName": "MigrationFailureCount", "Value": v, "Timestamp": bucket + 20} for v in values
        ]
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)
    customers = [f"cust-{suffix}-{k}" for k in range(4)]
    events: list[dict[str, Any]] = [
        {
            "timestamp": int((emulator_now - 600 + 60 * k) * 1000),
            "message": json.dumps(
                {
                    "event_type": "migration_success",
                    "message": "Cart migration successful",
                    "customer_id": customer,
                }
            ),
        }
        for k, customer in enumerate(customers)
    ]
    events.append({"timestamp": int((emulator_now - 500) * 1000), "message": "START RequestId: not an event"})
    events.sort(key=lambda e: e["timestamp"])
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=events)
    dashboards: list[str] = []
    yield {
        "namespace": namespace,
        "group": group,
        "customers": customers,
        "success_total": 15,
        "success_by_bucket": {bucket: sum(values) for bucket, values in successes.items()},
        "dashboards": dashboards,
    }
    for name in dashboards:
        cloudwatch.delete_dashboards(DashboardNames=[name])
    logs.delete_log_group(logGroupName=group)


def body_for(stack: dict, series_title: str = "Migration Success vs Failure") -> dict:
    return {
        "widgets": [
            {
                "type": "text",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 2,
                "properties": {"markdown": "# Cart migration\nP1 alarms page **on-call**."},
            },
            {
                "type": "metric",
                "x": 0,
                "y": 2,
                "width": 16,
                "height": 6,
                "properties": {
                    "title": series_title,
                    "view": "timeSeries",
                    "stacked": False,
                    "region": "ap-south-1",
                    "period": PERIOD,
                    "stat": "Sum",
                    "metrics": [
                        [stack["namespace"], "MigrationSuccessCount"],
                        [".", "MigrationFailureCount"],
                    ],
                },
            },
            {
                "type": "metric",
                "x": 16,
                "y": 2,
                "width": 8,
                "height": 6,
                "properties": {
                    "title": "Total Successes",
                    "view": "singleValue",
                    "region": "ap-south-1",
                    "period": PERIOD,
                    "stat": "Sum",
                    "setPeriodToTimeRange": True,
                    "metrics": [[stack["namespace"], "MigrationSuccessCount"]],
                },
            },
            {
                "type": "log",
                "x": 0,
                "y": 8,
                "width": 24,
                "height": 6,
                "properties": {
                    "title": "Recent Migration Logs",
                    "region": "ap-south-1",
                    "view": "table",
                    "query": f"SOURCE '{stack['group']}' | fields @timestamp, event_type, customer_id "
                    "| filter ispresent(event_type) | sort @timestamp desc | limit 20",
                },
            },
        ]
    }


def deploy(aws_client, stack: dict, body: dict) -> str:
    name = f"render-{uuid.uuid4().hex[:8]}"
    aws_client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))
    stack["dashboards"].append(name)
    return name


@pytest.mark.emulator
def test_renders_the_deployed_dashboard_to_png_and_html(aws_client, stack, emulator_now, tmp_path):
    name = deploy(aws_client, stack, body_for(stack))

    png, page = render.render(
        aws_client("cloudwatch"), aws_client("logs"), name, tmp_path, start="-PT1H", end=emulator_now
    )

    # The PNG is the 24-column grid, 14 rows deep, under the header: 60 px a column, 50 a row.
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == (1440, 56 + 14 * 50)
        assert image.size[0] / image.size[1] == pytest.approx(
            24 * settings.COLUMN_PX / (settings.HEADER_PX + 14 * settings.ROW_PX)
        )
    text = page.read_text()
    for title in ("Migration Success vs Failure", "Total Successes", "Recent Migration Logs"):
        assert f"<h2>{title}</h2>" in text
    assert "<h3>Cart migration</h3>" in text and "<strong>on-call</strong>" in text
    # Every log row the query returns, and only those (the START line has no event_type).
    for customer in stack["customers"]:
        assert f"<td>{customer}</td>" in text
    assert text.count("<td>migration_success</td>") == len(stack["customers"])
    assert "not an event" not in text
    # The single value is the sum over the whole range; the graph's data are the period sums.
    assert f'<div class="value">{stack["success_total"]}</div>' in text
    assert re.search(r"<th>MigrationSuccessCount</th><th>MigrationFailureCount</th>", text)
    for bucket, total in stack["success_by_bucket"].items():
        stamp = timerange.utc(bucket).strftime("%Y-%m-%d %H:%M")
        assert f"<tr><td>{stamp}</td><td>{total}</td>" in text
    # Self-contained: the graph is inline, nothing is fetched.
    assert text.count("data:image/png;base64,") == 1
    assert not re.search(r"""(src|href)=["']https?:""", text)
    assert "<link" not in text and "<script" not in text


@pytest.mark.emulator
def test_the_picture_follows_the_body(aws_client, stack, emulator_now, tmp_path):
    cloudwatch, logs = aws_client("cloudwatch"), aws_client("logs")
    name = deploy(aws_client, stack, body_for(stack))
    first_png, _ = render.render(cloudwatch, logs, name, tmp_path / "first", start="-PT1H", end=emulator_now)
    again_png, _ = render.render(cloudwatch, logs, name, tmp_path / "again", start="-PT1H", end=emulator_now)
    # The same body and data draw the same picture, so a difference below is the body's doing.
    assert first_png.read_bytes() == again_png.read_bytes()

    cloudwatch.put_dashboard(
        DashboardName=name, DashboardBody=json.dumps(body_for(stack, "Outcomes per 5 minutes"))
    )
    changed_png, changed_page = render.render(
        cloudwatch, logs, name, tmp_path / "changed", start="-PT1H", end=emulator_now
    )

    assert changed_png.read_bytes() != first_png.read_bytes()
    text = changed_page.read_text()
    assert "<h2>Outcomes per 5 minutes</h2>" in text
    assert "Migration Success vs Failure" not in text


@pytest.mark.emulator
def test_a_widget_moved_down_makes_the_picture_taller(aws_client, stack, emulator_now, tmp_path):
    body = body_for(stack)
    body["widgets"][3]["y"] = 20  # the log widget, 6 rows high: 26 rows in all
    name = deploy(aws_client, stack, body)

    png, _ = render.render(
        aws_client("cloudwatch"), aws_client("logs"), name, tmp_path, start="-PT1H", end=emulator_now
    )

    with Image.open(png) as image:
        assert image.size == (1440, 56 + 26 * 50)


@pytest.mark.emulator
def test_a_query_the_service_refuses_is_shown_on_its_widget(aws_client, stack, emulator_now, tmp_path):
    body = body_for(stack)
    body["widgets"][3]["properties"]["query"] = f"SOURCE '{stack['group']}-missing' | fields @message"
    name = deploy(aws_client, stack, body)

    _, page = render.render(
        aws_client("cloudwatch"), aws_client("logs"), name, tmp_path, start="-PT1H", end=emulator_now
    )

    text = page.read_text()
    assert re.search(r'<p class="error">[^<]*does not exist', text)
    # The other widgets still render.
    assert f'<div class="value">{stack["success_total"]}</div>' in text


# --------------------------------------------------------------------------- alarm widget, range title


def test_the_range_title_reads_as_people_say_it():
    from cartmon.ops.dashboard.timerange import describe_range, describe_span

    assert [describe_span(s) for s in (30, 1462.4, 3600, 7500, 3 * 86400 + 4 * 3600)] == [
        "30 s",
        "24 min",
        "1 h",
        "2 h 05 min",
        "3 days 4 h",
    ]
    assert describe_range(0, 1500).endswith("(25 min)")


def test_the_alarm_widget_lists_its_alarms_in_order_with_their_states(tmp_path):
    from cartmon.ops.dashboard.collect import Rendered, alarm_statuses
    from cartmon.ops.dashboard.draw import draw_dashboard
    from cartmon.ops.dashboard.layout import layout
    from cartmon.ops.dashboard.page import widget_html

    arn = "arn:aws:cloudwatch:ap-south-1:000000000000:alarm:"

    class CloudWatch:
        def get_paginator(self, operation):
            class Pages:
                def paginate(self, **kwargs):
                    assert kwargs["AlarmTypes"] == ["MetricAlarm", "CompositeAlarm"]
                    return [
                        {
                            "MetricAlarms": [{"AlarmName": "X-HighFailureRate", "StateValue": "OK"}],
                            "CompositeAlarms": [
                                {
                                    "AlarmName": "X-AvailabilityPage",
                                    "StateValue": "ALARM",
                                    "StateUpdatedTimestamp": datetime(2026, 12, 7, 10, 5, tzinfo=UTC),
                                }
                            ],
                        }
                    ]

            return Pages()

    statuses = alarm_statuses(
        CloudWatch(), [f"{arn}X-AvailabilityPage", f"{arn}X-HighFailureRate", f"{arn}X-Gone"]
    )
    assert [(s.name, s.state, s.since) for s in statuses] == [
        ("X-AvailabilityPage", "ALARM", "2026-12-07 10:05 UTC"),
        ("X-HighFailureRate", "OK", ""),
        ("X-Gone", "not found", ""),
    ]
    (widget,) = layout(
        {
            "widgets": [
                {
                    "type": "alarm",
                    "x": 0,
                    "y": 0,
                    "width": 24,
                    "height": 3,
                    "properties": {"title": "Pages and tickets"},
                }
            ]
        }
    )
    item = Rendered(widget, alarms=statuses)
    page = widget_html(item)
    assert page.index("X-AvailabilityPage") < page.index("X-HighFailureRate")
    assert 'class="state-alarm">ALARM' in page
    figure = draw_dashboard("X", [item], 0, 1500)
    texts = [t.get_text() for t in figure.texts]
    assert "AvailabilityPage  ALARM" in texts and "Gone  not found" in texts
    assert any(t.endswith("(25 min)") for t in texts)
    figure.savefig(tmp_path / "alarm-widget.png")
