"""The alert-quality replay without Terraform: planned alarms converted as DescribeAlarms gives them,
statistic sets summed per period, composites held back by their suppressor, and the week's incidents."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from cartmon.dev.alert_quality.definitions import AlarmSet, Composite, metric_alarm
from cartmon.dev.alert_quality.detection_limit import detection_limit, poisson_at_least
from cartmon.dev.alert_quality.replay import EPOCH, MetricStore, replay
from cartmon.dev.alert_quality.report import Goal, goal, goal_met, goals_met
from cartmon.dev.alert_quality.variants import labelled, variants
from cartmon.dev.alert_quality.week import Incident, Week, default_incidents, simulate

OPS = ("migrate_single_store", "migrate_multi_store", "get_all_carts", "cleanup_guest_cart")
THRESHOLDS: dict[str, float] = {
    "migrate_single_store": 300,
    "migrate_multi_store": 500,
    "get_all_carts": 200,
    "cleanup_guest_cart": 150,
}
ALERT = {op: 3 * t for op, t in THRESHOLDS.items()}


def flat_week(failures: list[float], minutes: int = 60) -> Week:
    week = Week(minutes)
    week.success = [100.0] * minutes
    week.failure = failures + [0.0] * (minutes - len(failures))
    week.rate_limited = week.lambda_errors = week.throttles = week.timeouts = [0.0] * minutes
    week.invocations = week.api_requests = [140.0] * minutes
    week.api_5xx = [0.0] * minutes
    week.active = [True] * minutes
    for op in OPS:
        week.requests[op], week.slow[op], week.very_slow[op] = [10] * minutes, [0] * minutes, [0] * minutes
    return week


def planned_failure_alarm(
    name: str, period: int, threshold: float, expression: str = "100 * bad / (good + bad)"
) -> dict:
    return metric_alarm(
        {
            "alarm_name": name,
            "evaluation_periods": 1,
            "threshold": threshold,
            "comparison_operator": "GreaterThanThreshold",
            "treat_missing_data": "notBreaching",
            "metric_query": [
                {
                    "id": "bad",
                    "return_data": False,
                    "metric": [
                        {
                            "namespace": "NS",
                            "metric_name": "MigrationFailureCount",
                            "period": period,
                            "stat": "Sum",
                            "dimensions": None,
                        }
                    ],
                },
                {
                    "id": "good",
                    "return_data": False,
                    "metric": [
                        {
                            "namespace": "NS",
                            "metric_name": "MigrationSuccessCount",
                            "period": period,
                            "stat": "Sum",
                            "dimensions": None,
                        }
                    ],
                },
                {"id": "result", "return_data": True, "expression": expression, "metric": []},
            ],
        }
    )


def test_planned_metric_math_alarm_becomes_describe_alarms_shape():
    alarm = planned_failure_alarm("A", 300, 5)
    assert alarm["Threshold"] == 5.0 and "Period" not in alarm
    bad = alarm["Metrics"][0]
    assert bad["MetricStat"] == {
        "Metric": {"Namespace": "NS", "MetricName": "MigrationFailureCount", "Dimensions": []},
        "Period": 300,
        "Stat": "Sum",
    }
    assert alarm["Metrics"][2] == {
        "Id": "result",
        "ReturnData": True,
        "Expression": "100 * bad / (good + bad)",
    }


def test_fetch_sums_each_period_into_one_statistic_set():
    store = MetricStore(flat_week([7.0, 3.0]), "NS", "fn", {op: (1.0, 2.0, 3.0) for op in OPS})
    fetch = store.fetch_for(300, percentile=False)
    metric = {"Namespace": "NS", "MetricName": "MigrationFailureCount", "Dimensions": []}
    ((stamp, first), (_, second)) = fetch(metric, EPOCH, EPOCH + 600)
    assert stamp == EPOCH and (first.sample_count, first.total) == (5, 10.0)
    assert second.total == 0.0
    durations = fetch(
        {
            "Namespace": "NS",
            "MetricName": "OperationDuration",
            "Dimensions": [{"Name": "Operation", "Value": "get_all_carts"}],
        },
        EPOCH,
        EPOCH + 300,
    )
    assert [(s.sample_count, s.minimum) for _, s in durations] == [(50, 1.0)]


def test_suppressed_composite_sends_nothing_while_its_suppressor_is_in_alarm():
    week = flat_week([50.0] * 10)  # a third of the migrations fail for 10 minutes
    alarms = AlarmSet(
        metric={
            "Fast": planned_failure_alarm("Fast", 120, 10),
            "Other": planned_failure_alarm("Other", 300, 10),
        },
        composite={
            "Page": Composite("Page", 'ALARM("Fast")', ["page-topic"]),
            "OtherPage": Composite("OtherPage", 'ALARM("Other")', ["page-topic"], "Page", 120, 600),
        },
        actions={"Fast": [], "Other": []},
        topics={"alerts": "alerts-topic", "page": "page-topic"},
    )
    notes = replay(alarms, MetricStore(week, "NS", "fn", {op: (1.0, 2.0, 3.0) for op in OPS}))
    pages = [(n.alarm, n.state) for n in notes if n.state == "ALARM"]
    assert pages == [("Page", "ALARM")]
    # OtherPage did go to ALARM; its OK came after Page's extension period ran out.
    assert ("OtherPage", "OK") in [(n.alarm, n.state) for n in notes]


def test_the_simulated_week_has_its_incidents_and_their_budget():
    incidents = [i for i in default_incidents() if i.end <= 2 * 1440]
    week = simulate(
        days=2,
        slo_threshold_ms=THRESHOLDS,
        alert_ms=ALERT,
        availability_target=99.5,
        latency_target=99,
        incidents=incidents,
    )
    outage = incidents[0]
    assert outage.name == "10-minute total outage at peak"
    assert all(week.success[m] == 0 for m in range(outage.start, outage.end))
    assert sum(week.failure[outage.start : outage.end]) > 1000
    assert week.budget_share[outage.name] > 2
    night = week.success[3 * 60 : 5 * 60]
    assert 0 < sum(night) < 2 * 60 * 5, "near zero at night"


SLOS: dict[str, Any] = {
    "min_events": 20,
    "objectives": {
        "Availability": {
            "windows": {
                "Quick": {
                    "priority": "P1",
                    "burn_rate": 4,
                    "budget_consumed_percent": 0.0462963,
                    "long_window_minutes": 5,
                    "short_window_minutes": 2,
                    "min_events": 150,
                },
                "Slow": {
                    "priority": "P1",
                    "burn_rate": 6,
                    "budget_consumed_percent": 5,
                    "long_window_minutes": 360,
                    "short_window_minutes": 30,
                    "min_events": 20,
                },
                "Ticket": {
                    "priority": "P3",
                    "burn_rate": 1,
                    "budget_consumed_percent": 10,
                    "long_window_minutes": 4320,
                    "short_window_minutes": 360,
                    "min_events": 20,
                },
            }
        }
    },
}
QUICK = {
    "name": "Quick",
    "priority": "P1",
    "long_window_minutes": 5,
    "short_window_minutes": 2,
    "budget_consumed_percent": 0.0462963,
    "min_events": 150,
}
SLOW = {
    "name": "Slow",
    "priority": "P1",
    "long_window_minutes": 360,
    "short_window_minutes": 30,
    "budget_consumed_percent": 5,
    "min_events": 20,
}
TICKET = {
    "name": "Ticket",
    "priority": "P3",
    "long_window_minutes": 4320,
    "short_window_minutes": 360,
    "budget_consumed_percent": 10,
    "min_events": 20,
}


def test_the_study_plans_the_slos_output_windows_with_one_page_pair_changed():
    rows = {v.role: v for v in variants(SLOS) if v.role != "leak pair"}
    assert {v.subject for v in rows.values()} == {"Quick"}  # the fastest page pair
    assert rows["without"].module_inputs() == {"slo_burn_rate_windows": [SLOW, TICKET]}
    assert rows["single guard"].windows == (dict(QUICK, min_events=None), SLOW, TICKET)
    lower = rows["lower burn rate"].windows
    assert lower[1:] == (SLOW, TICKET)
    assert lower[0] == dict(QUICK, budget_consumed_percent=pytest.approx(0.0462963 * 3 / 4))
    leaks = [v for v in variants(SLOS) if v.role == "leak pair"]
    assert [v.windows[:3] for v in leaks] == [(QUICK, SLOW, TICKET)] * 2
    assert [v.windows[3]["name"] for v in leaks] == ["Leak", "Leak"]


def test_each_row_is_labelled_from_its_own_plan():
    rows = {v.role: v for v in variants(SLOS)}
    lower = {
        "min_events": 20,
        "objectives": {
            "Availability": {
                "windows": {
                    "Quick": dict(SLOS["objectives"]["Availability"]["windows"]["Quick"], burn_rate=3)
                }
            }
        },
    }
    assert (
        labelled(rows["without"], SLOS, {}).label
        == "without Quick (4x over 5 + 2 min, at least 150 requests)"
    )
    assert labelled(rows["single guard"], SLOS, SLOS).label == (
        "Quick with the module's single guard (slo_min_events, 20 requests)"
    )
    assert labelled(rows["lower burn rate"], SLOS, lower).label == "Quick at 3x"


def test_poisson_tail():
    assert poisson_at_least(4.0, 0) == 1.0
    assert poisson_at_least(4.0, 1) == pytest.approx(1 - math.exp(-4))
    assert poisson_at_least(4.0, 2) == pytest.approx(1 - 5 * math.exp(-4))


def test_a_1_percent_leak_cannot_page_in_5_minutes_without_noise_and_a_10_percent_one_can():
    (leak,) = [i for i in default_incidents() if i.failure_share == 0.01]
    limit = detection_limit(leak, days=7, availability_target=99.5)
    assert 350 < limit.migrations < 500 and limit.guard == math.floor(limit.migrations)
    assert [r.k for r in limit.rows] == list(range(1, 11))
    detects = [r.detects for r in limit.rows]
    noise = [r.noise_per_week for r in limit.rows]
    assert detects == sorted(detects, reverse=True) and noise == sorted(noise, reverse=True)
    assert all(r.noise_fixed_count_per_week >= r.noise_per_week for r in limit.rows)
    assert not limit.achievable()
    strong = detection_limit(dataclasses.replace(leak, failure_share=0.1), days=7, availability_target=99.5)
    assert strong.achievable()


def row(name: str, goal_: Goal, pages: int, first_page: float | None, first_notice=None) -> dict:
    r = {
        "incident": name,
        "goal": goal_,
        "pages": pages,
        "first_page_after": first_page,
        "first_notice_after": first_notice if first_notice is not None else first_page,
    }
    r["met"] = goal_met(r)
    return r


def test_goals_are_missed_by_a_late_page_a_page_outside_incidents_or_a_second_page():
    rows = [
        row("outage", Goal("page", 5), 1, 2.0),
        row("leak", Goal("ticket", 360), 0, None, first_notice=200.0),
        row("night failure", Goal("quiet"), 0, None),
        row("api", Goal("n/a"), 0, None),
    ]
    assert [r["met"] for r in rows] == [True, True, True, None]
    assert goals_met({"incidents": rows, "stray_pages": []})
    assert not goals_met({"incidents": rows, "stray_pages": [(100, "AvailabilityPage")]})
    twice = [row("outage", Goal("page", 5), 2, 2.0), *rows[1:]]
    assert not goals_met({"incidents": twice, "stray_pages": []})
    late = [row("outage", Goal("page", 5), 1, 6.0), *rows[1:]]
    assert not goals_met({"incidents": late, "stray_pages": []})
    no_ticket = [rows[0], row("leak", Goal("ticket", 360), 0, None, first_notice=400.0), *rows[2:]]
    assert not goals_met({"incidents": no_ticket, "stray_pages": []})
    woken = [*rows[:2], row("night failure", Goal("quiet"), 1, 3.0), rows[3]]
    assert not goals_met({"incidents": woken, "stray_pages": []})


def unanswered_week() -> tuple[Week, dict]:
    day = 1440
    incidents = {
        "timeouts": Incident("timeouts", day + 11 * 60, day + 11 * 60 + 15, timeout_share=0.4),
        "init": Incident("init", day + 14 * 60, day + 14 * 60 + 10, init_failure=True),
        "throttled": Incident("throttled", day + 15 * 60, day + 15 * 60 + 10, throttle_share=0.5),
        "stalled": Incident("stalled", day + 17 * 60, day + 17 * 60 + 10, stalled_share=1.0),
        "api": Incident("api", day + 19 * 60, day + 19 * 60 + 10, api_broken=True),
    }
    week = simulate(
        days=2,
        slo_threshold_ms=THRESHOLDS,
        alert_ms=ALERT,
        availability_target=99.5,
        latency_target=99,
        incidents=list(incidents.values()),
    )
    return week, incidents


def during(series, incident: Incident) -> list[float]:
    return list(series[incident.start : incident.end])


def test_incidents_the_function_cannot_log_leave_what_aws_publishes():
    week, i = unanswered_week()
    # Timeouts: no outcome line, the platform's timeout report, Errors and Invocations; the API's 5XX.
    t = i["timeouts"]
    assert sum(during(week.timeouts, t)) == sum(during(week.lambda_errors, t)) > 0
    arrived = sum(during(week.api_requests, t))
    assert 0.3 < sum(during(week.timeouts, t)) / arrived < 0.5
    logged = sum(sum(during(week.requests[op], t)) for op in OPS)
    assert sum(during(week.invocations, t)) == logged + sum(during(week.timeouts, t))
    # Init failure: every invocation an error, no line of the function, but log events (the platform's).
    n = i["init"]
    assert (
        during(week.lambda_errors, n) == during(week.invocations, n) and sum(during(week.invocations, n)) > 0
    )
    assert sum(during(week.success, n)) == sum(during(week.failure, n)) == 0
    assert all(during(week.active, n)) and not any(sum(during(week.requests[op], n)) for op in OPS)
    # Throttling: in Throttles, not in Invocations nor Errors.
    h = i["throttled"]
    throttled = sum(during(week.throttles, h))
    assert 0.4 < throttled / sum(during(week.api_requests, h)) < 0.6
    assert sum(during(week.invocations, h)) + throttled == sum(during(week.api_requests, h))
    assert sum(during(week.lambda_errors, h)) == 0
    # Stalled dependency: logged 503s, every request slower than the p99 line.
    st = i["stalled"]
    assert sum(during(week.success, st)) == 0 and sum(during(week.failure, st)) > 0
    for op in OPS:
        assert during(week.very_slow[op], st) == during(week.requests[op], st)
    # The API fails before the function: 5XX only, nothing from Lambda or the log.
    a = i["api"]
    assert during(week.api_5xx, a) == during(week.api_requests, a) and sum(during(week.api_5xx, a)) > 0
    assert not any(during(week.invocations, a)) and not any(during(week.active, a))


def test_each_incident_class_gets_its_goal_from_its_burn_rate():
    week, i = unanswered_week()
    for name in ("timeouts", "init", "throttled", "stalled"):
        assert week.burn_rate[name] >= 14.4, name
        assert goal(i[name], week) == Goal("page", 5)
    assert goal(i["api"], week) == Goal("n/a"), "without the module's API nothing measures it"
    assert goal(i["api"], week, api_owned=True) == Goal("page", 5)
    leaks = {
        share: Incident(f"{share}", 1440 + 9 * 60, 1440 + 12 * 60, failure_share=share)
        for share in (0.01, 0.05)
    }
    leak_week = simulate(
        days=2,
        slo_threshold_ms=THRESHOLDS,
        alert_ms=ALERT,
        availability_target=99.5,
        latency_target=99,
        incidents=[leaks[0.01]],
    )
    assert goal(leaks[0.01], leak_week) == Goal("ticket", 360)
    five = simulate(
        days=2,
        slo_threshold_ms=THRESHOLDS,
        alert_ms=ALERT,
        availability_target=99.5,
        latency_target=99,
        incidents=[leaks[0.05]],
    )
    assert goal(leaks[0.05], five) == Goal("page", 30)


def test_the_store_publishes_lambda_and_api_metrics_as_aws_does():
    week = flat_week([0.0])
    week.throttles = [0.0] * 59 + [7.0]
    week.invocations = [140.0] * 59 + [0.0]
    week.api_5xx = [0.0] * 59 + [7.0]
    store = MetricStore(week, "NS", "fn", {op: (1.0, 2.0, 3.0) for op in OPS})
    fetch = store.fetch_for(60, percentile=False)
    last = EPOCH + 59 * 60
    fn = [{"Name": "FunctionName", "Value": "fn"}]
    ((_, throttles),) = fetch(
        {"Namespace": "AWS/Lambda", "MetricName": "Throttles", "Dimensions": fn}, last, last + 60
    )
    assert throttles.total == 7.0
    ((_, invocations),) = fetch(
        {"Namespace": "AWS/Lambda", "MetricName": "Invocations", "Dimensions": fn}, last, last + 60
    )
    assert invocations.total == 0.0
    api = [{"Name": "ApiName", "Value": "x-api"}, {"Name": "Stage", "Value": "live"}]
    ((_, errors),) = fetch(
        {"Namespace": "AWS/ApiGateway", "MetricName": "5XXError", "Dimensions": api}, last, last + 60
    )
    assert errors.total == 7.0
    timeouts = fetch(
        {"Namespace": "NS", "MetricName": "TimedOutInvocationCount", "Dimensions": []}, EPOCH, last + 60
    )
    assert sum(s.total for _, s in timeouts) == 0.0
