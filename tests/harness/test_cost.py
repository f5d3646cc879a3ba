"""cartmon/ops/cost/: the monthly estimate of a plan's resources, on a small synthetic plan.

Expected figures are worked out by hand from the unit prices in prices.PRICES (the arithmetic is
written next to each); a change of a price, a count rule or an assumption shows up here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cartmon.ops.cost import cli, estimate, model, plan, prices


def resource(type_: str, after: dict, actions=("create",), mode="managed", address=None) -> dict:
    return {
        "address": address or f"{type_}.x",
        "mode": mode,
        "type": type_,
        "change": {"actions": list(actions), "after": after},
    }


def metric(name: str, period: int = 300) -> dict:
    return {"namespace": "NS", "metric_name": name, "period": period, "stat": "Sum", "dimensions": None}


def synthetic_plan() -> dict:
    alarms = [
        # One metric, standard resolution: 1 alarm metric.
        resource("aws_cloudwatch_metric_alarm", {"metric_name": "A", "period": 300, "metric_query": []}),
        # Metric math over two metrics: 2 alarm metrics (the expression itself is not one).
        resource(
            "aws_cloudwatch_metric_alarm",
            {
                "period": None,
                "metric_query": [
                    {"id": "s", "expression": "", "metric": [metric("S")]},
                    {"id": "f", "expression": "", "metric": [metric("F")]},
                    {"id": "result", "expression": "IF((s + f) > 0, 100 * s / (s + f), 100)", "metric": []},
                ],
            },
        ),
        # Anomaly detection: the metric and the band's two bounds, 3 alarm metrics.
        resource(
            "aws_cloudwatch_metric_alarm",
            {
                "threshold_metric_id": "ad1",
                "metric_query": [
                    {"id": "m1", "expression": "", "metric": [metric("A")]},
                    {"id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "metric": []},
                ],
            },
        ),
        # Period under a minute: high resolution, 1 alarm metric.
        resource("aws_cloudwatch_metric_alarm", {"metric_name": "B", "period": 10, "metric_query": []}),
        resource("aws_cloudwatch_composite_alarm", {"alarm_rule": "ALARM(a) OR ALARM(b)"}),
    ]
    filters = [
        resource(
            "aws_cloudwatch_log_metric_filter",
            {
                "metric_transformation": [
                    {"namespace": "NS", "name": "Success", "value": "1", "dimensions": None}
                ]
            },
        ),
        # A second filter publishing the same metric adds no metric.
        resource(
            "aws_cloudwatch_log_metric_filter",
            {
                "metric_transformation": [
                    {"namespace": "NS", "name": "Success", "value": "1", "dimensions": None}
                ]
            },
        ),
        resource(
            "aws_cloudwatch_log_metric_filter",
            {
                "metric_transformation": [
                    {"namespace": "NS", "name": "Failure", "value": "1", "dimensions": None}
                ]
            },
        ),
        # One metric per operation of the catalogue: 4.
        resource(
            "aws_cloudwatch_log_metric_filter",
            {
                "metric_transformation": [
                    {
                        "namespace": "NS",
                        "name": "OperationDuration",
                        "value": "$.duration_ms",
                        "dimensions": {"Operation": "$.operation"},
                    }
                ]
            },
        ),
    ]
    dashboards = [resource("aws_cloudwatch_dashboard", {"dashboard_name": f"d{k}"}) for k in range(4)]
    others = [
        resource("aws_cloudwatch_dashboard", {"dashboard_name": "old"}, actions=("delete",)),
        resource("aws_iam_policy_document", {}, actions=("read",), mode="data"),
        # 73 days is 2.4 months of 730/24 days; 146 days 4.8 months.
        resource("aws_cloudwatch_log_group", {"name": "/aws/lambda/fn", "retention_in_days": 73}),
        resource("aws_cloudwatch_log_group", {"name": "/svc/audit", "retention_in_days": 146}),
        resource("aws_sns_topic", {"name": "critical"}),
        resource("aws_sns_topic", {"name": "warning"}),
        resource("aws_sns_topic_subscription", {"protocol": "email"}),
        resource("aws_sns_topic_subscription", {"protocol": "email"}),
        resource("aws_sns_topic_subscription", {"protocol": "sqs"}),
        resource("aws_kms_key", {"enable_key_rotation": True}),
        resource("aws_kms_alias", {}),
        resource(
            "aws_dynamodb_table",
            {"billing_mode": "PAY_PER_REQUEST", "point_in_time_recovery": [{"enabled": True}]},
        ),
        resource("aws_dynamodb_table", {"billing_mode": "PAY_PER_REQUEST", "point_in_time_recovery": []}),
        resource("aws_lambda_function", {"memory_size": 512, "architectures": ["arm64"]}),
    ]
    return {"format_version": "1.2", "resource_changes": alarms + filters + dashboards + others}


def assumptions(**overrides) -> model.Assumptions:
    values: dict[str, Any] = dict(
        invocations_per_day=2400,  # x 730/24 days = 73,000 a month
        log_events_per_invocation=3,
        audit_events_per_invocation=1,  # storage shares 3/4 and 1/4
        bytes_per_log_event=104,  # (104 + 26) / 104 = 1.25 with the 26 bytes stored per event
        gb_per_month=12,
        log_compression_ratio=0.2,
        insights_gb_scanned=4,
        alarm_transitions_per_month=100,
        lambda_avg_duration_ms=250,
        dynamodb_writes_per_invocation=5,
        dynamodb_reads_per_invocation=2,
        dynamodb_gb=1,
    )
    values.update(overrides)
    return model.Assumptions(**values)


# (quantity, cost at list prices, cost with the always-free allowances) per line.
EXPECTED = {
    "CloudWatch alarms, standard resolution": (6, 6 * 0.10, 0.0),  # 1 + 2 + 3, 10 free
    "CloudWatch alarms, high resolution": (1, 0.30, 0.30),
    "CloudWatch composite alarms": (1, 0.50, 0.50),
    "Custom metrics (metric filters)": (6, 6 * 0.30, 0.0),  # Success, Failure, 4 operations; 10 free
    "CloudWatch dashboards": (4, 4 * 3.00, 3.00),  # the deleted one is not counted; 3 free
    "CloudWatch Logs ingestion": (12, 12 * 0.67, 7 * 0.67),  # 5 GB free
    # 12 GB x (3/4 x 2.4 months + 1/4 x 4.8 months) x 0.2 gzip x 1.25 = 9 GB; the free 5 GB went to ingestion
    "CloudWatch Logs storage": (9, 9 * 0.03, 9 * 0.03),
    "Logs Insights queries": (4, 4 * 0.005, 4 * 0.005),
    "SNS publishes (alarm notifications)": (100, 100 * 0.50e-6, 0.0),
    "SNS email deliveries": (100, 100 * 2.00e-5, 0.0),  # 2 email subscriptions over 2 topics: 1 per publish
    "KMS customer managed keys": (1, 1.00, 1.00),
    "KMS requests (encrypted topics)": (200, 200 * 0.03 / 10_000, 0.0),
    "DynamoDB on-demand writes": (365_000, 365_000 * 0.71e-6, 365_000 * 0.71e-6),
    "DynamoDB on-demand reads": (146_000, 146_000 * 0.1425e-6, 146_000 * 0.1425e-6),
    "DynamoDB storage": (1, 0.285, 0.0),  # 25 GB free
    "DynamoDB point-in-time recovery": (0.5, 0.5 * 0.20, 0.5 * 0.20),  # 1 of the 2 tables
    "Lambda requests": (73_000, 73_000 * 0.20e-6, 0.0),
    # 73,000 x 0.25 s x 0.5 GB = 9,125 GB-s, arm64; 400,000 free
    "Lambda duration (arm64, 512 MB)": (9_125, 9_125 * 0.0000133334, 0.0),
}


def test_every_line_of_the_synthetic_plan():
    result = estimate.estimate(synthetic_plan(), assumptions())

    assert [line.item for line in result.lines] == list(EXPECTED)
    for line in result.lines:
        quantity, list_cost, free_cost = EXPECTED[line.item]
        assert line.quantity == pytest.approx(quantity, rel=1e-12), line.item
        assert line.cost_without_free_tier == pytest.approx(list_cost, rel=1e-12), line.item
        assert line.cost == pytest.approx(free_cost, rel=1e-12, abs=1e-15), line.item


def test_totals_with_and_without_the_free_tier():
    result = estimate.estimate(synthetic_plan(), assumptions())

    # 0.60 + 0.30 + 0.50 + 1.80 + 12.00 + 8.04 + 0.27 + 0.02 + 0.00005 + 0.002 + 1.00 + 0.0006
    #   + 0.25915 + 0.020805 + 0.285 + 0.10 + 0.0146 + 0.121667275
    assert result.total_without_free_tier == pytest.approx(25.333872275, rel=1e-12)
    # 0.30 + 0.50 + 3.00 + 4.69 + 0.27 + 0.02 + 1.00 + 0.25915 + 0.020805 + 0.10
    assert result.total == pytest.approx(10.159955, rel=1e-12)

    no_free = estimate.estimate(synthetic_plan(), assumptions(free_tier=False))
    assert no_free.total == pytest.approx(25.333872275, rel=1e-12)


def test_log_volume_is_derived_from_events_when_not_given():
    result = estimate.estimate(synthetic_plan(), assumptions(gb_per_month=None))
    ingestion = next(line for line in result.lines if line.item == "CloudWatch Logs ingestion")
    # 73,000 invocations x (3 + 1) events x 104 bytes
    assert ingestion.quantity == pytest.approx(73_000 * 4 * 104 / 1024**3, rel=1e-12)


def test_unknown_dimension_values_are_assumed_and_can_be_given():
    plan = {
        "resource_changes": [
            resource(
                "aws_cloudwatch_log_metric_filter",
                {
                    "metric_transformation": [
                        {
                            "namespace": "NS",
                            "name": "Latency",
                            "dimensions": {"Store": "$.store_id", "Operation": "$.operation"},
                        }
                    ]
                },
            )
        ]
    }

    assumed = estimate.estimate(plan, assumptions())
    given = estimate.estimate(plan, assumptions(dimension_values={"Store": 3}))

    metrics = [line for line in assumed.lines if line.item.startswith("Custom metrics")]
    assert metrics[0].quantity == 4  # 1 store (assumed) x 4 operations
    assert any("dimension Store of Latency: 1 value assumed" in text for text in assumed.assumptions)
    assert [line.quantity for line in given.lines if line.item.startswith("Custom metrics")] == [12]


def test_without_the_lambda_its_lines_are_left_out_and_said_so():
    plan = synthetic_plan()
    plan["resource_changes"] = [
        r for r in plan["resource_changes"] if r["type"] not in ("aws_lambda_function", "aws_dynamodb_table")
    ]
    result = estimate.estimate(plan, assumptions())
    assert not [line for line in result.lines if line.item.startswith(("Lambda", "DynamoDB"))]
    assert any("create_lambda = false" in text for text in result.assumptions)


def test_the_real_alarm_shapes_count_as_aws_bills_them():
    # LowSuccessRate as the module plans it: two metric queries and the expression.
    after = {
        "period": None,
        "metric_query": [
            {"id": "f", "expression": "", "metric": [metric("MigrationFailureCount")], "period": None},
            {"id": "s", "expression": "", "metric": [metric("MigrationSuccessCount")], "period": None},
            {
                "id": "result",
                "expression": "IF((s + f) > 0, 100 * s / (s + f), 100)",
                "metric": [],
                "period": None,
            },
        ],
    }
    assert plan.count_alarm_metrics(after) == (2, False)
    assert plan.count_alarm_metrics({"metric_name": "Errors", "period": 30, "metric_query": []}) == (1, True)
    assert plan.count_alarm_metrics({"metric_name": "Errors", "period": 60, "metric_query": []}) == (1, False)


def test_every_price_names_its_source():
    for key, price in prices.PRICES.items():
        assert price["usd"] > 0, key
        assert price["unit"] and isinstance(price["assumed"], bool), key
        assert "aws.amazon.com" in price["source"] or "Price List API" in price["source"], key


def test_the_table_prints_region_lines_and_totals(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(synthetic_plan()))

    assert (
        cli.main(
            [
                str(path),
                "--invocations-per-day",
                "2400",
                "--gb-per-month",
                "12",
                "--insights-gb-scanned",
                "4",
                "--alarm-transitions-per-month",
                "100",
            ]
        )
        == 0
    )

    out = capsys.readouterr().out
    assert "ap-south-1 Asia Pacific (Mumbai)" in out and f"checked {prices.PRICES_CHECKED}" in out
    for item in EXPECTED:
        assert item in out
    # Assumed prices carry a star; found ones do not.
    assert "$0.10*" in out and "$0.67 " in out
    expected = estimate.estimate(
        synthetic_plan(),
        model.Assumptions(
            invocations_per_day=2400, gb_per_month=12, insights_gb_scanned=4, alarm_transitions_per_month=100
        ),
    )
    assert f"${expected.total:,.2f}" in out
    assert f"${expected.total_without_free_tier:,.2f}" in out
    assert "Operation dimension: 4 values" in out


def test_json_output_carries_the_same_totals(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(synthetic_plan()))

    cli.main([str(path), "--json", "--gb-per-month", "12", "--no-free-tier"])

    document = json.loads(capsys.readouterr().out)
    assert document["region"] == "ap-south-1"
    assert document["total"] == pytest.approx(document["total_without_free_tier"])
    assert document["total"] == pytest.approx(sum(line["cost"] for line in document["lines"]))


def test_a_missing_plan_says_how_to_make_one(tmp_path):
    with pytest.raises(SystemExit, match="make plan"):
        cli.main([str(tmp_path / "absent.json")])
