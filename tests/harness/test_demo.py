"""The demo's picture spans the traffic it drove."""

from __future__ import annotations

import inspect

from cartmon.dev import demo


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
