"""`make review` against the applied stack on the emulator: every section answers from the stack."""

from __future__ import annotations

import json

import pytest

from cartmon.local.traffic import Shop
from cartmon.ops.review.cli import main as review_main

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")


@pytest.fixture(scope="module")
def review_text(applied_stack, make_runtime, function_environment, tmp_path_factory, emulator_clock):
    shop = Shop(make_runtime(), function_environment["JWT_SECRET"], applied_stack["carts_table_name"])
    shop.successful_migrations(3)
    shop.failed_migrations(2)
    emulator_clock.advance(60)
    folder = tmp_path_factory.mktemp("review")
    (folder / "outputs.json").write_text(json.dumps(applied_stack))
    assert (
        review_main(
            ["--since", "7d", "--outputs", str(folder / "outputs.json"), "--out", str(folder), "--quiet"]
        )
        == 0
    )
    (report,) = folder.glob("review-*.md")
    assert report.with_suffix(".html").is_file()
    return report.read_text()


def section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_every_alarm_of_the_stack_has_a_history_row(review_text, applied_stack):
    history = section(review_text, "Alarm history")
    for name in applied_stack["alarm_names"]:
        assert f"| {name} | " in history, name


def history_row(review_text: str, name: str) -> list[str]:
    history = section(review_text, "Alarm history")
    row = next(line for line in history.splitlines() if line.startswith(f"| {name} | "))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_pages_say_page_and_silent_windows_have_no_priority(review_text, applied_stack):
    pages = [c for c in applied_stack["composite_alarms"].values() if c["page"] and c["notifies"]]
    silent = [a for a in applied_stack["alarms"].values() if not a["notifies"]]
    assert pages and silent, "the local example has pages and burn-rate windows"
    for composite in pages:
        assert history_row(review_text, composite["name"])[1:3] == ["page", composite["priority"]]
    for alarm in silent:
        assert history_row(review_text, alarm["name"])[1:3] == ["nobody (input of a composite)", "-"]


def test_failure_reasons_come_from_the_saved_query(review_text):
    reasons = section(review_text, "Top failure reasons")
    assert "/Top Failure Reasons`" in reasons
    assert "| error_type |" in reasons and "failures" in reasons


def test_success_rate_counts_the_migrations(review_text):
    row = section(review_text, "Success rate against the SLO").strip().splitlines()[-1]
    successes, failures = (float(cell) for cell in row.strip("|").split("|")[:2])
    assert successes >= 3 and failures >= 2
    assert "%" in row


def test_latency_rows_cover_every_operation(review_text):
    latency = section(review_text, "Latency per operation")
    for operation in ("migrate_single_store", "migrate_multi_store", "get_all_carts", "cleanup_guest_cart"):
        assert f"(`{operation}`)" in latency
    single = next(line for line in latency.splitlines() if "`migrate_single_store`" in line)
    assert " ms |" in single, "the migrations just driven give the single-store operation a figure"


def test_subscribers_list_the_page_topic_and_the_alerts_topic_once_each(review_text, applied_stack):
    subscribers = section(review_text, "Subscribers per topic")
    rows = [line for line in subscribers.splitlines() if line.startswith("| ") and "---" not in line][1:]
    topics = applied_stack["sns_topic_arns"]
    assert [row.split("`")[1] for row in rows] == [
        topics["page"].rsplit(":", 1)[-1],
        topics["alerts"].rsplit(":", 1)[-1],
    ]
    for role, arn in applied_stack["alarm_inbox_queue_arns"].items():
        row = next(line for line in rows if line.startswith(f"| {role}:"))
        assert f"sqs:{arn}" in row
