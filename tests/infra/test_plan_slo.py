"""Plan-level checks of the SLO burn-rate alarms, the composite alarms that page on them, the topics
they notify, and the SLO, topic and period inputs refused at plan time.

The thresholds are recomputed here from the SLO inputs with the SRE Workbook's formula (burn rate =
budget share x SLO period / long window; threshold on the bad share = burn rate x (100 - target)),
independently of the HCL, for the defaults and for a second set of SLO inputs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.guide import PAGE_TOPIC, PREFIX
from tests.infra.test_plan import camel, planned

# One worker for the group: one `terraform plan` per configuration, shared by the plan tests.
pytestmark = pytest.mark.xdist_group("plan")

DEFAULT_WINDOWS = [
    # name, priority, long, short (minutes), share of the period's error budget the long window may spend (%),
    # the pair's own minimum-events guard (None: slo_min_events)
    ("Quick", "P1", 5, 2, 0.0462963, 100),
    ("Outage", "P1", 15, 2, 0.5, None),
    ("Fast", "P1", 60, 5, 2, None),
    ("Slow", "P1", 360, 30, 5, None),
    ("Ticket", "P3", 4320, 360, 10, None),
]
DEFAULT_MIN_EVENTS = 20


def window_label(minutes: int) -> str:
    """The window's part of an alarm name, as the module's documentation names it: the largest whole unit."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def expected_thresholds(targets: dict[str, float], windows, period_days: int) -> dict[str, float]:
    """Alarm key -> threshold on the bad share (%) for every SLO, window pair and span."""
    out = {}
    for slo, target in targets.items():
        for name, _priority, long, short, budget_share, _min_events in windows:
            burn = budget_share / 100 * period_days * 1440 / long
            for minutes in (long, short):
                out[f"{slo}Burn{name}{window_label(minutes)}"] = round(burn * (100 - target), 6)
    return out


def flat(error: str) -> str:
    """Terraform's error text on one line (tftest quotes it, so its line breaks are literal \\n)."""
    return " ".join(error.replace("\\n", " ").split())


def error_blocks(error: str) -> list[str]:
    return flat(error).split("Error: ")[1:]


def composites(plan) -> dict:
    return {
        **planned(plan, "aws_cloudwatch_composite_alarm"),
        **planned(plan, "aws_cloudwatch_composite_alarm", "nested"),
    }


def burn_alarms(plan) -> dict:
    return {k: a for k, a in planned(plan, "aws_cloudwatch_metric_alarm").items() if "Burn" in k}


def guards(plan, windows, default_min_events: int) -> dict[str, tuple[str, str]]:
    """Alarm key -> (expected guard in the expression, expected description text) for every window pair."""
    out = {}
    for slo in {k.split("Burn")[0] for k in burn_alarms(plan)}:
        for name, _priority, long, short, _share, min_events in windows:
            n = default_min_events if min_events is None else min_events
            requests = "good + bad" if slo == "Availability" else "all + timeouts"
            for minutes in (long, short):
                out[f"{slo}Burn{name}{window_label(minutes)}"] = (
                    f"IF({requests} >= {n}, ",
                    f"Quiet below {n} requests in the window.",
                )
    return out


def assert_guards(plan, windows, default_min_events: int) -> None:
    alarms = burn_alarms(plan)
    expected = guards(plan, windows, default_min_events)
    assert set(alarms) == set(expected)
    for key, (guard, text) in expected.items():
        (result,) = [q for q in alarms[key]["metric_query"] if q["return_data"]]
        assert result["expression"].startswith(guard), (key, result["expression"])
        assert result["expression"].count(">=") == 1, (key, result["expression"])
        assert text in alarms[key]["alarm_description"], key


# --------------------------------------------------------------------------- the guide's SLOs


def test_default_thresholds_derive_from_the_guide_slos(local_plan, catalogue):
    targets = {"Availability": 99.5} | {f"Latency{camel(op)}": 99 for op in catalogue["operations"]}
    expected = expected_thresholds(targets, DEFAULT_WINDOWS, 30)
    alarms = burn_alarms(local_plan)
    assert {k: a["threshold"] for k, a in alarms.items()} == pytest.approx(expected)
    # The Quick pair: 4x over 5 minutes, on a 0.5 % budget 2 %, on the latency SLOs' 1 % budget 4 %.
    for span in ("5m", "2m"):
        assert alarms[f"AvailabilityBurnQuick{span}"]["threshold"] == 2.0
        assert alarms[f"LatencyMigrateSingleStoreBurnQuick{span}"]["threshold"] == 4.0
    # The workbook's numbers: 14.4x over 1 h, 6x over 6 h, 1x over 3 days, on a 0.5 % budget.
    assert alarms["AvailabilityBurnFast1h"]["threshold"] == pytest.approx(7.2)
    assert alarms["AvailabilityBurnSlow6h"]["threshold"] == pytest.approx(3.0)
    assert alarms["AvailabilityBurnTicket3d"]["threshold"] == pytest.approx(0.5)
    for key, alarm in alarms.items():
        assert alarm["alarm_name"] == f"{PREFIX}-{key}"
        assert alarm["evaluation_periods"] == 1 and alarm["comparison_operator"] == "GreaterThanThreshold"
        assert alarm["treat_missing_data"] == "notBreaching"
        assert not alarm["alarm_actions"] and not alarm["ok_actions"]


def test_each_window_is_one_period_of_its_length_with_the_minimum_events_guard(local_plan):
    alarms = burn_alarms(local_plan)
    for name, _priority, long, short, _share, min_events in DEFAULT_WINDOWS:
        guard = min_events or DEFAULT_MIN_EVENTS
        for minutes in (long, short):
            alarm = alarms[f"AvailabilityBurn{name}{window_label(minutes)}"]
            queries = {q["id"]: q for q in alarm["metric_query"]}
            assert {q["metric"][0]["period"] for q in queries.values() if q["metric"]} == {minutes * 60}
            assert (
                queries["result"]["expression"] == f"IF(good + bad >= {guard}, 100 * bad / (good + bad), 0)"
            )
            assert queries["good"]["metric"][0]["metric_name"] == "MigrationSuccessCount"
            assert queries["failed"]["metric"][0]["metric_name"] == "MigrationFailureCount"
    single = alarms["LatencyMigrateSingleStoreBurnFast1h"]
    queries = {q["id"]: q for q in single["metric_query"]}
    assert (
        queries["result"]["expression"]
        == "IF(all + timeouts >= 20, 100 * (slow + timeouts) / (all + timeouts), 0)"
    )
    all_requests, slow = queries["all"]["metric"][0], queries["slow"]["metric"][0]
    assert (all_requests["metric_name"], all_requests["stat"]) == ("OperationDuration", "SampleCount")
    assert (slow["metric_name"], slow["stat"]) == ("SlowOperationCount", "Sum")
    assert all_requests["dimensions"] == slow["dimensions"] == {"Operation": "migrate_single_store"}
    quick = {q["id"]: q for q in alarms["LatencyMigrateSingleStoreBurnQuick2m"]["metric_query"]}
    assert quick["result"]["expression"] == (
        "IF(all + timeouts >= 100, 100 * (slow + timeouts) / (all + timeouts), 0)"
    )


# --------------------------------------------------------------------------- what the SLIs count


def queries_of(alarm: dict) -> dict[str, dict]:
    return {q["id"]: q for q in alarm["metric_query"]}


def metric_of(query: dict) -> tuple[str, str, str, dict]:
    (m,) = query["metric"]
    return m["namespace"], m["metric_name"], m["stat"], m["dimensions"] or {}


def assert_availability_counts_unanswered_requests(plan, function: str, api: tuple[str, str] | None) -> None:
    """Every availability window: good, logged failures, logged-then-re-raised failures, the function's
    AWS/Lambda Errors and Throttles, and (api) the REST API's own 5XXError; each once in `bad`."""
    namespace = plan.outputs["metric_namespace"]
    lambda_dimensions = {"FunctionName": function}
    for key, alarm in burn_alarms(plan).items():
        if not key.startswith("Availability"):
            continue
        queries = queries_of(alarm)
        expected = {
            "good": (namespace, "MigrationSuccessCount", "Sum", {}),
            "failed": (namespace, "MigrationFailureCount", "Sum", {}),
            "reraised": (namespace, "MigrationFailureReraisedCount", "Sum", {}),
            "errors": ("AWS/Lambda", "Errors", "Sum", lambda_dimensions),
            "throttles": ("AWS/Lambda", "Throttles", "Sum", lambda_dimensions),
        }
        steps = {
            "unanswered": "IF(errors > reraised, errors - reraised, 0)",
            "bad": "failed + unanswered + throttles",
        }
        if api is not None:
            expected["api_errors"] = (
                "AWS/ApiGateway",
                "5XXError",
                "Sum",
                {"ApiName": api[0], "Stage": api[1]},
            )
            steps |= {
                "function_bad": "failed + unanswered + throttles",
                "bad": "MAX([function_bad, api_errors])",
            }
        assert {i: metric_of(q) for i, q in queries.items() if q["metric"]} == expected, key
        assert {
            i: q["expression"] for i, q in queries.items() if q["expression"] and i != "result"
        } == steps, key
        assert [i for i, q in queries.items() if q["return_data"]] == ["result"], key
        assert queries["result"]["expression"].endswith(", 100 * bad / (good + bad), 0)"), key
        # One period, the window's, for every metric; within CloudWatch's 10 metrics and 10 expressions.
        assert len({q["metric"][0]["period"] for q in queries.values() if q["metric"]}) == 1, key
        assert len(expected) <= 10 and len(steps) + 1 <= 10


def test_availability_counts_every_request_without_a_good_answer(local_plan):
    # examples/local: the module's function, no REST API.
    assert_availability_counts_unanswered_requests(
        local_plan, local_plan.outputs["lambda_function_name"], None
    )


def test_latency_counts_timed_out_invocations_as_slow(local_plan, catalogue):
    namespace = local_plan.outputs["metric_namespace"]
    timeouts = catalogue["slis"]["timeouts"]["metric"]
    for key, alarm in burn_alarms(local_plan).items():
        if key.startswith("Availability"):
            continue
        queries = queries_of(alarm)
        assert metric_of(queries["timeouts"]) == (namespace, timeouts, "Sum", {}), key
        assert "100 * (slow + timeouts) / (all + timeouts)" in queries["result"]["expression"], key
    # The module's function logs JSON: the platform's report line of a timed-out invocation.
    (t,) = planned(local_plan, "aws_cloudwatch_log_metric_filter")[timeouts]["metric_transformation"]
    pattern = planned(local_plan, "aws_cloudwatch_log_metric_filter")[timeouts]["pattern"]
    assert pattern == '{ $.type = "platform.report" && $.record.status = "timeout" }'
    assert (t["name"], t["value"], float(t["default_value"]), t["dimensions"]) == (timeouts, "1", 0.0, None)


def test_each_pair_has_its_own_guard_in_exactly_its_alarms(local_plan):
    # Quick's 100 requests in its two windows of every SLO, slo_min_events (20) in every other window.
    assert_guards(local_plan, DEFAULT_WINDOWS, DEFAULT_MIN_EVENTS)


def test_slow_request_filters_use_the_latency_slo_thresholds(local_plan, catalogue):
    filters = planned(local_plan, "aws_cloudwatch_log_metric_filter")
    for op, targets in catalogue["operations"].items():
        f = filters[f"SlowOperationCount.{op}"]
        assert f["pattern"] == (
            f'{{ $.event_type = "performance_metric" && $.operation = "{op}" && $.duration_ms > {targets["target_ms"]} }}'
        )
        (t,) = f["metric_transformation"]
        assert (t["name"], t["value"], t["unit"], t["dimensions"]) == (
            "SlowOperationCount",
            "1",
            "Count",
            {"Operation": "$.operation"},
        )


def test_one_page_per_incident_composites(local_plan):
    found = composites(local_plan)
    topics = local_plan.outputs["sns_topic_arns"]
    assert topics["page"].endswith(f":{PAGE_TOPIC}")
    pages = {k for k, c in found.items() if topics["page"] in (c["alarm_actions"] or [])}
    assert pages == {"AvailabilityPage", "LatencyPage", "NoSuccessfulMigrationsPage"}
    for key in pages:
        assert sorted(found[key]["alarm_actions"]) == sorted([topics["alerts"], topics["page"]])
        assert sorted(found[key]["ok_actions"]) == sorted(found[key]["alarm_actions"])
    for key in ("AvailabilityTicket", "LatencyTicket"):
        assert found[key]["alarm_actions"] == [topics["alerts"]]
    # The availability page suppresses the others, with the wait and extension periods.
    for key in ("LatencyPage", "NoSuccessfulMigrationsPage", "AvailabilityTicket", "LatencyTicket"):
        (suppressor,) = found[key]["actions_suppressor"]
        assert suppressor == {
            "alarm": f"{PREFIX}-AvailabilityPage",
            "wait_period": 120,
            "extension_period": 1800,
        }
        assert "Quiet while AvailabilityPage is in ALARM" in found[key]["alarm_description"]
    assert found["AvailabilityPage"]["actions_suppressor"] == []
    rule = found["AvailabilityPage"]["alarm_rule"]
    assert rule == " OR ".join(
        f'(ALARM("{PREFIX}-AvailabilityBurn{n}{window_label(lg)}") AND ALARM("{PREFIX}-AvailabilityBurn{n}{window_label(sh)}"))'
        for n, priority, lg, sh, _, _ in sorted(DEFAULT_WINDOWS)
        if priority == "P1"
    )
    # Every composite names its children and links its runbook.
    for key, composite in found.items():
        description = composite["alarm_description"]
        assert "ALARM when " in description and "Runbook: " in description, key
        assert len(description) <= 1024
    assert (
        "ALARM when AvailabilityBurnFast1h and AvailabilityBurnFast5m or"
        in found["AvailabilityPage"]["alarm_description"]
    )
    # The Quick pair pages like the other P1 pairs: for each operation through its latency page.
    assert (
        f'(ALARM("{PREFIX}-LatencyGetAllCartsBurnQuick5m") AND ALARM("{PREFIX}-LatencyGetAllCartsBurnQuick2m"))'
        in found["LatencyGetAllCartsPage"]["alarm_rule"]
    )
    assert "BurnQuick" not in found["LatencyGetAllCartsTicket"]["alarm_rule"]
    assert found["NoSuccessfulMigrationsPage"]["alarm_rule"] == f'ALARM("{PREFIX}-NoSuccessfulMigrations")'


def test_slos_output_lists_the_derived_thresholds(local_plan):
    slos = local_plan.outputs["slos"]
    assert (slos["period_days"], slos["min_events"]) == (30, 20)
    windows = slos["objectives"]["Availability"]["windows"]
    fast = windows["Fast"]
    assert (fast["burn_rate"], fast["threshold_percent"]) == (pytest.approx(14.4), pytest.approx(7.2))
    quick = windows["Quick"]
    assert (quick["burn_rate"], quick["threshold_percent"]) == (4, 2)
    assert (quick["long_window_minutes"], quick["short_window_minutes"]) == (5, 2)
    assert {name: w["min_events"] for name, w in windows.items()} == {
        name: min_events or DEFAULT_MIN_EVENTS for name, *_, min_events in DEFAULT_WINDOWS
    }


# --------------------------------------------------------------------------- other SLO inputs

OTHER_SLOS: dict[str, Any] = {
    "function_name": "fn",
    "availability_slo_percent": 99.9,
    "slo_period_days": 28,
    "slo_min_events": 50,
    "latency_slos": {"migrate_single_store": {"target_percent": 95, "threshold_ms": 250}},
    "slo_burn_rate_windows": [
        {
            "name": "Fast",
            "priority": "P1",
            "long_window_minutes": 60,
            "short_window_minutes": 5,
            "budget_consumed_percent": 2,
        },
        {
            "name": "Week",
            "priority": "P2",
            "long_window_minutes": 10080,
            "short_window_minutes": 720,
            "budget_consumed_percent": 25,
            "min_events": 500,
        },
    ],
    "page_suppression": {"wait_period": 60, "extension_period": 300},
    "no_successful_migrations_waits_for_traffic": "true",
    "page_topic_arn": "arn:aws:sns:ap-south-1:000000000000:pager",
}


@pytest.fixture(scope="module")
def other_plan(root_tf):
    return root_tf.plan(output=True, tf_vars=dict(OTHER_SLOS))


def test_other_slo_inputs_give_their_own_thresholds(other_plan, catalogue):
    windows = [
        (
            w["name"],
            w["priority"],
            w["long_window_minutes"],
            w["short_window_minutes"],
            w["budget_consumed_percent"],
            w.get("min_events"),
        )
        for w in OTHER_SLOS["slo_burn_rate_windows"]
    ]
    targets = {"Availability": 99.9} | {
        f"Latency{camel(op)}": 95 if op == "migrate_single_store" else 99 for op in catalogue["operations"]
    }
    alarms = burn_alarms(other_plan)
    assert {k: a["threshold"] for k, a in alarms.items()} == pytest.approx(
        expected_thresholds(targets, windows, 28)
    )
    # 2 % of a 28-day budget in an hour: burn 13.44, on a 0.1 % budget 1.344 %.
    assert alarms["AvailabilityBurnFast1h"]["threshold"] == pytest.approx(1.344)
    # A week (the longest window CloudWatch allows) stays a week: one period of 604,800 s.
    week = {q["id"]: q for q in alarms["AvailabilityBurnWeek7d"]["metric_query"]}
    assert week["good"]["metric"][0]["period"] == 604800
    # The pair's own guard (500) in the week's windows; Fast, without one, takes slo_min_events (50).
    assert week["result"]["expression"].startswith("IF(good + bad >= 500,")
    assert_guards(other_plan, windows, OTHER_SLOS["slo_min_events"])
    assert (
        other_plan.outputs["slos"]["objectives"]["LatencyGetAllCarts"]["windows"]["Fast"]["min_events"] == 50
    )
    filters = planned(other_plan, "aws_cloudwatch_log_metric_filter")
    assert "$.duration_ms > 250 }" in filters["SlowOperationCount.migrate_single_store"]["pattern"]
    assert "$.duration_ms > 500 }" in filters["SlowOperationCount.migrate_multi_store"]["pattern"]


def test_another_function_is_counted_by_its_name_and_its_text_timeout_lines(other_plan, catalogue):
    # create_lambda = false: the function is given by name and logs in Lambda's default format, Text.
    assert_availability_counts_unanswered_requests(other_plan, OTHER_SLOS["function_name"], None)
    timeouts = catalogue["slis"]["timeouts"]["metric"]
    pattern = planned(other_plan, "aws_cloudwatch_log_metric_filter")[timeouts]["pattern"]
    assert pattern == '"Task timed out after"'


@pytest.fixture(scope="module")
def api_plan(root_tf, lambda_package):
    return root_tf.plan(
        output=True,
        tf_vars={
            "function_name": "fn-api",
            "name_prefix": "shop",
            "create_lambda": "true",
            "create_api": "true",
            "api_stage_name": "prod",
            "lambda_package_path": str(lambda_package),
            "jwt_secret": "s" * 32,
            "log_hash_key": "k" * 32,
            "function_log_format": "Text",
        },
    )


def test_with_the_api_its_own_5xx_count_once(api_plan, catalogue):
    # The module owns the REST API: its 5XXError (by ApiName and Stage) joins, the larger count of the two.
    assert_availability_counts_unanswered_requests(api_plan, "fn-api", ("shop-api", "prod"))
    # function_log_format overrides the module's choice for its own function.
    timeouts = catalogue["slis"]["timeouts"]["metric"]
    assert (
        planned(api_plan, "aws_cloudwatch_log_metric_filter")[timeouts]["pattern"] == '"Task timed out after"'
    )


def test_no_successful_migrations_can_wait_for_traffic(other_plan, local_plan):
    # The guide's value by default; missing data is missing (quiet until first traffic) on request.
    assert (
        planned(local_plan, "aws_cloudwatch_metric_alarm")["NoSuccessfulMigrations"]["treat_missing_data"]
        == "breaching"
    )
    alarm = planned(other_plan, "aws_cloudwatch_metric_alarm")["NoSuccessfulMigrations"]
    assert (alarm["treat_missing_data"], alarm["threshold"], alarm["period"]) == ("missing", 0, 1800)


def test_a_given_page_topic_receives_the_pages(other_plan):
    topics = other_plan.outputs["sns_topic_arns"]
    assert topics["page"] == OTHER_SLOS["page_topic_arn"]
    created = {rc["index"] for rc in other_plan.resource_changes.values() if rc["type"] == "aws_sns_topic"}
    assert created == {"alerts"}
    actions = composites(other_plan)["AvailabilityPage"]["alarm_actions"]
    assert sorted(actions) == sorted([topics["alerts"], OTHER_SLOS["page_topic_arn"]])


def test_other_slo_inputs_route_tickets_and_suppression(other_plan):
    found = composites(other_plan)
    topics = other_plan.outputs["sns_topic_arns"]
    assert found["AvailabilityTicket"]["tags"]["Priority"] == "P2"
    assert found["AvailabilityTicket"]["alarm_actions"] == [topics["alerts"]]
    assert found["LatencyPage"]["actions_suppressor"] == [
        {"alarm": f"{PREFIX}-AvailabilityPage", "wait_period": 60, "extension_period": 300}
    ]


# --------------------------------------------------------------------------- refused input

BAD_SLO_VARIABLES: dict[str, tuple[Any, ...]] = {
    "availability_slo_percent": (100, "availability_slo_percent must be between 0 and 100"),
    "latency_slos": ({"get_all_carts": {"target_percent": 0}}, "target_percent must be between 0 and 100"),
    "slo_burn_rate_windows": (
        [
            {
                "name": "Month",
                "priority": "P3",
                "long_window_minutes": 43200,
                "short_window_minutes": 60,
                "budget_consumed_percent": 100,
            },
            {
                "name": "Quick",
                "priority": "P1",
                "long_window_minutes": 5,
                "short_window_minutes": 2,
                "budget_consumed_percent": 0.05,
                "min_events": 0.5,
            },
        ],
        "CloudWatch refuses an alarm whose period x evaluation periods exceeds 7 days",
        "slo_burn_rate_windows: min_events must be a whole number of requests of at least 1, or null (left out) to use slo_min_events",
    ),
    "slo_period_days": (0, "slo_period_days must be a whole number of days from 1 to 366"),
    "slo_min_events": (0, "slo_min_events must be a whole number of at least 1"),
    "function_log_format": ("json", "function_log_format must be JSON or Text"),
    "page_topic_arn": (
        "arn:aws:sns:ap-south-1:000000000000:pager.fifo",
        "page_topic_arn is a FIFO topic: CloudWatch alarm actions and email subscriptions work with standard topics only",
    ),
    "alerts_topic_arn": (
        "arn:aws:sns:ap-south-1:000000000000:alerts.fifo",
        "alerts_topic_arn is a FIFO topic",
    ),
    "alert_emails": (
        ["oncall@example.com", "OnCall@example.com"],
        "alert_emails lists an address more than once",
    ),
    "alarm_overrides": (
        {"HighFailureRate": {"period": 30}},
        "alarm_overrides: period must be a multiple of 60 seconds",
    ),
    "additional_subscriptions": (
        {
            "archive": {
                "topic": "alerts",
                "protocol": "firehose",
                "endpoint": "arn:aws:firehose:ap-south-1:000000000000:deliverystream/x",
            }
        },
        "a firehose subscription needs subscription_role_arn",
    ),
}


@pytest.fixture(scope="module")
def bad_slo_error(root_tf, plan_error) -> str:
    tf_vars: dict[str, object] = {"function_name": "fn"}
    tf_vars.update({k: v for k, (v, *_) in BAD_SLO_VARIABLES.items()})
    return plan_error(root_tf, tf_vars)


@pytest.mark.parametrize("variable", sorted(BAD_SLO_VARIABLES))
def test_bad_slo_and_topic_input_is_refused_at_plan(bad_slo_error, variable):
    blocks = [b for b in error_blocks(bad_slo_error) if f'variable "{variable}"' in b]
    assert blocks, f"no error for {variable}:\n{bad_slo_error}"
    for message in BAD_SLO_VARIABLES[variable][1:]:
        assert any(message in b for b in blocks), (message, blocks)


def test_unreachable_burn_rate_and_unknown_operation_are_refused_at_plan(root_tf, plan_error):
    # 90 % leaves a 10 % budget: 14.4x of it is 144 %, a share of failures no window can reach.
    error = flat(
        plan_error(
            root_tf,
            {
                "function_name": "fn",
                "availability_slo_percent": 90,
                "latency_slos": {"checkout": {}},
            },
        )
    )
    assert "latency_slos names operation(s) the event catalogue lacks: checkout" in error
    assert "burn rate x error budget reaches 100 % or more for AvailabilityBurnFast1h (144 %)" in error
    assert "AvailabilityBurnOutage15m (144 %)" in error and "AvailabilityBurnSlow6h" not in error


# --------------------------------------------------------------------------- the arithmetic, evaluated


def bad_share(alarm: dict, minutes: dict[str, list[float | None]]) -> list[float | None]:
    """The planned queries of a window alarm evaluated by the emulator's metric-math engine (CloudWatch's
    "Using metric math" semantics) over one-window datapoints per metric id (None = no datapoint)."""
    from cartmon_emulator.engines import metric_math

    size = len(next(iter(minutes.values())))
    queries = queries_of(alarm)
    series = {
        i: metric_math.TimeSeries(
            {t: float(v) for t, v in enumerate(minutes.get(i, [None] * size)) if v is not None}
        )
        for i, q in queries.items()
        if q["metric"]
    }
    expressions = {
        i: metric_math.parse_expression(q["expression"]) for i, q in queries.items() if q["expression"]
    }
    result = metric_math.Evaluator(size, 60, series, expressions).resolve("result")
    return [result.points.get(t) for t in range(size)]


@pytest.mark.parametrize("with_api", [False, True])
def test_each_request_counts_once_in_the_bad_share(local_plan, api_plan, with_api):
    plan = api_plan if with_api else local_plan
    alarm = burn_alarms(plan)["AvailabilityBurnOutage2m"]  # guard 20
    windows: dict[str, list[float | None]] = {
        # 100 good; 3 answered failures + 2 logged-and-re-raised (both also Errors) + 4 timeouts (Errors only)
        # + 5 throttles: 3 + 2 + 4 + 5 = 14 bad requests of 114.
        "good": [100, 100, 100, 100],
        "failed": [5, 5, 0, 0],
        "reraised": [2, 2, 0, 0],
        "errors": [6, 6, 0, None],
        "throttles": [5, None, 0, None],
        # With the API: its 5XX hold the function side's 5xx (here 2 of the 3 answered failures were 5xx)
        # and 30 of its own in the third window; none in the others.
        "api_errors": [13, 8, 30, None],
    }
    shares = bad_share(alarm, windows)
    assert shares[0] == pytest.approx(100 * 14 / 114)
    # No throttle datapoint: nothing added (a missing value is 0 in arithmetic between series).
    assert shares[1] == pytest.approx(100 * 9 / 109)
    # The API no longer reaches the function: every 5XX is bad, with the API; unseen without it.
    assert shares[2] == (pytest.approx(100 * 30 / 130) if with_api else 0)
    assert shares[3] == 0


def test_a_re_raised_failure_logged_before_its_error_counts_once(local_plan):
    # The failure's line in one minute, its Errors datapoint (at the invocation's start) in another: the
    # window with the line alone does not subtract below its logged failures.
    alarm = burn_alarms(local_plan)["AvailabilityBurnOutage2m"]
    shares = bad_share(
        alarm, {"good": [99, 99, 198], "failed": [1, 0, 1], "reraised": [1, 0, 1], "errors": [0, 1, 1]}
    )
    # The window that holds both (the third) counts it once.
    assert shares == [pytest.approx(1.0), pytest.approx(1.0), pytest.approx(100 / 199)]
