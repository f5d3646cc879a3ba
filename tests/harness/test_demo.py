"""The demo's picture spans the traffic it drove."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

from cartmon.dev import alarm_table, demo


def test_the_window_is_the_traffic_with_one_widget_period_either_side():
    start, end = demo.traffic_window(10_000.0, 11_560.0)
    assert (start, end) == (10_000.0 - 300, 11_560.0 + 300)
    assert end - start < 3 * 3600, "not the renderer's three-hour default"


def test_the_story_passes_the_traffic_window_to_the_renderer_and_ends_with_a_review():
    story = inspect.getsource(demo.tell_the_story)
    assert "traffic_started = clock.now()" in story
    assert story.index("traffic_started = clock.now()") < story.index("drive_traffic(")
    assert "start, end = traffic_window(traffic_started, clock.now())" in story
    assert (
        'render(clients["cloudwatch"], clients["logs"], outputs["dashboard_name"], OUT, start, end)' in story
    )
    assert story.rstrip().endswith("write_review(outputs)")


# --------------------------------------------------------------------------- the alarm table

PAGE_TOPIC = "arn:aws:sns:ap-south-1:000000000000:x-alerts-page"
ALERTS_TOPIC = "arn:aws:sns:ap-south-1:000000000000:x-alerts"


def described(name: str, state: str, actions: list[str], minute: int, reason: str = "r") -> dict:
    return {
        "AlarmName": name,
        "StateValue": state,
        "AlarmActions": actions,
        "StateUpdatedTimestamp": datetime(2026, 12, 7, 10, minute, tzinfo=UTC),
        "StateReason": reason,
    }


def test_reasons_read_well():
    reason = (
        "Threshold Crossed: 1 out of the last 1 datapoints [12.121212121212121 (07/12/26 10:05:00)] "
        "was greater than the threshold (5.0)."
    )
    readable = alarm_table.readable_reason(reason)
    assert "[12.12 (2026-12-07T10:05:00Z)]" in readable and "(5.0)" in readable
    short = alarm_table.shorten(readable, 60)
    assert len(short) <= 60 and short.endswith("…")
    assert readable.startswith(short[:-1]) and readable[len(short) - 1] == " ", "cut between words"
    assert alarm_table.shorten("short reason", 60) == "short reason"
    composite = "arn:aws:cloudwatch:ap-south-1:000000000000:alarm:X-BurnFast1h transitioned to ALARM"
    assert alarm_table.readable_reason(composite) == "X-BurnFast1h transitioned to ALARM"


def test_pages_come_first_and_the_terminal_shows_what_changed():
    metric = [
        described("X-AvailabilityBurnFast5m", "ALARM", [], 6),
        described("X-HighFailureRate", "ALARM", [ALERTS_TOPIC], 6),
        described("X-LambdaErrors", "OK", [ALERTS_TOPIC], 1),
    ]
    composite = [described("X-AvailabilityPage", "ALARM", [ALERTS_TOPIC, PAGE_TOPIC], 7)]
    table = alarm_table.rows(metric, composite, PAGE_TOPIC)
    assert [(r.name, r.notifies, r.kind) for r in table] == [
        ("X-AvailabilityPage", "page", "composite"),
        ("X-HighFailureRate", "ticket", "metric"),
        ("X-LambdaErrors", "ticket", "metric"),
        ("X-AvailabilityBurnFast5m", "nobody", "metric"),
    ]
    traffic_started = datetime(2026, 12, 7, 10, 5, tzinfo=UTC).timestamp()
    changed = [r.name for r in table if r.changed_since(traffic_started)]
    assert "X-LambdaErrors" not in changed and changed[0] == "X-AvailabilityPage"
    text = alarm_table.render(table, "X-")
    assert text.splitlines()[1].split()[:4] == ["AvailabilityPage", "page", "ALARM", "2026-12-07T10:07:00Z"]


def test_the_demo_writes_every_alarm_to_a_file_and_prints_the_changes(tmp_path, monkeypatch):
    class CloudWatch:
        def get_paginator(self, operation):
            class Pages:
                def paginate(self, **kwargs):
                    assert kwargs["AlarmTypes"] == ["MetricAlarm", "CompositeAlarm"]
                    return [
                        {
                            "MetricAlarms": [
                                described("X-A", "OK", [ALERTS_TOPIC], 1, "quiet " * 40),
                                described("X-B", "ALARM", [ALERTS_TOPIC], 9),
                            ],
                            "CompositeAlarms": [
                                described("X-P", "ALARM", [PAGE_TOPIC], 9),
                                described("X-Q", "ALARM", [PAGE_TOPIC], 2),  # paging since before the run
                            ],
                        }
                    ]

            return Pages()

    monkeypatch.setattr(demo, "ALARMS_FILE", tmp_path / "alarms.txt")
    outputs = {"alarm_names": ["X-A", "X-B", "X-P", "X-Q"], "sns_topic_arns": {"page": PAGE_TOPIC}}
    printed = demo.alarm_table(CloudWatch(), outputs, datetime(2026, 12, 7, 10, 5, tzinfo=UTC).timestamp())
    assert "2 page(s) in ALARM; 2 of 4 alarms changed state" in printed
    assert " A " not in printed and printed.index("  P ") < printed.index("  Q ") < printed.index("  B ")
    whole = (tmp_path / "alarms.txt").read_text()
    assert "X-A" in whole and ("quiet " * 40).strip() in whole
