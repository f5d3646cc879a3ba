"""The local example applied on the emulator, checked through the AWS APIs (describe_* calls).

Expected values are the guide's (see ../shared/seed), written here independently of the HCL, so a
drift in the module shows up as a failure rather than being copied into the expectation.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from cartmon.project import local_example_vars
from tests.infra.guide import DASHBOARD_TITLES, GUIDE_ALARMS, NAMESPACE, PREFIX

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

LATENCY_ALERT_MS = {
    "MigrateSingleStore": 1000.0,
    "MigrateMultiStore": 2000.0,
    "GetAllCarts": 800.0,
    "CleanupGuestCart": 600.0,
}
CUSTOM_METRICS = {
    "MigrationSuccessCount",
    "MigrationFailureCount",
    "RateLimitExceededCount",
    "MergeConflictCount",
    "NoGuestCartsCount",
}


@pytest.fixture(scope="module")
def described_alarms(applied_stack, aws_client):
    pages = aws_client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{PREFIX}-")
    found = [alarm for page in pages for alarm in page["MetricAlarms"]]
    return {alarm["AlarmName"][len(PREFIX) + 1 :]: alarm for alarm in found}


@pytest.mark.parametrize("key", sorted(GUIDE_ALARMS))
def test_guide_alarms_as_the_guide_says(described_alarms, applied_stack, key):
    guide = GUIDE_ALARMS[key]
    alarm = described_alarms[key]
    # Every metric alarm notifies the guide's topic; pages come from composite alarms.
    topic = applied_stack["sns_topic_arns"]["alerts"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        guide["namespace"],
        guide["metric_name"],
        guide["statistic"],
    )
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["Threshold"]) == (
        guide["period"],
        guide["evaluation_periods"],
        float(guide["threshold"]),
    )
    assert (alarm["ComparisonOperator"], alarm["TreatMissingData"]) == (
        guide["comparison_operator"],
        guide["treat_missing_data"],
    )
    assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
    assert alarm["AlarmDescription"].startswith(f"{guide['priority']}:")
    assert guide["response"] in alarm["AlarmDescription"]
    assert f"/{key}.md" in alarm["AlarmDescription"], "every description links its runbook page"
    if guide["namespace"] == "AWS/Lambda":
        assert alarm["Dimensions"] == [
            {"Name": "FunctionName", "Value": applied_stack["lambda_function_name"]}
        ]


def test_success_rate_alarm_is_metric_math_on_the_two_counts(described_alarms, applied_stack):
    alarm = described_alarms["LowSuccessRate"]
    queries = {query["Id"]: query for query in alarm["Metrics"]}
    (result,) = [q for q in queries.values() if q.get("ReturnData")]
    assert "IF(" in result["Expression"] and ">= 20" in result["Expression"], "quiet below the minimum volume"
    metrics = {q["MetricStat"]["Metric"]["MetricName"] for q in queries.values() if "MetricStat" in q}
    assert metrics == {"MigrationSuccessCount", "MigrationFailureCount"}
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (90.0, "LessThanThreshold")
    assert alarm["AlarmActions"] == [applied_stack["sns_topic_arns"]["alerts"]]


@pytest.mark.parametrize("operation", sorted(LATENCY_ALERT_MS))
def test_latency_alarms_at_the_guide_alert_lines(described_alarms, operation):
    alarm = described_alarms[f"Latency{operation}"]
    assert (alarm["MetricName"], alarm["ExtendedStatistic"], alarm["Threshold"]) == (
        "OperationDuration",
        "p99",
        LATENCY_ALERT_MS[operation],
    )
    assert alarm["Dimensions"][0]["Name"] == "Operation"


def test_metric_filters_are_json_patterns_with_value_default_and_unit(applied_stack, aws_client):
    filters = aws_client("logs").describe_metric_filters(
        logGroupName=applied_stack["log_group_names"]["function"]
    )["metricFilters"]
    by_metric = {f["metricTransformations"][0]["metricName"]: f for f in filters}
    assert CUSTOM_METRICS <= set(by_metric)
    for name in CUSTOM_METRICS:
        transformation = by_metric[name]["metricTransformations"][0]
        assert by_metric[name]["filterPattern"].startswith("{ $.event_type = ")
        assert (
            transformation["metricNamespace"],
            transformation["metricValue"],
            transformation["defaultValue"],
        ) == (NAMESPACE, "1", 0.0)
        assert transformation.get("unit") == "Count"
    duration = by_metric["OperationDuration"]["metricTransformations"][0]
    assert (duration["metricValue"], duration.get("unit"), duration.get("dimensions")) == (
        "$.duration_ms",
        "Milliseconds",
        {"Operation": "$.operation"},
    )


def test_log_group_retention(applied_stack, aws_client):
    logs = aws_client("logs")
    retention = {}
    for role, name in applied_stack["log_group_names"].items():
        (group,) = [
            g
            for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if g["logGroupName"] == name
        ]
        retention[role] = group.get("retentionInDays")
    assert retention == {"function": 30, "audit": 90}


def test_topics_are_encrypted_and_only_cloudwatch_of_this_account_may_publish(applied_stack, aws_client):
    sns = aws_client("sns")
    account = aws_client("sts").get_caller_identity()["Account"]
    for severity in ("alerts", "page"):
        topic = applied_stack["sns_topic_arns"][severity]
        attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        assert attributes["KmsMasterKeyId"] == applied_stack["kms_key_arn"], severity
        statements = json.loads(attributes["Policy"])["Statement"]
        publishers = [
            s
            for s in statements
            if "sns:publish" in json.dumps(s.get("Action")).lower() and s["Effect"] == "Allow"
        ]
        assert publishers, severity
        for statement in publishers:
            assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"} or statement[
                "Principal"
            ] == {"AWS": f"arn:aws:iam::{account}:root"}
            if statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}:
                assert account in json.dumps(statement["Condition"]), (
                    "CloudWatch is admitted only for this account"
                )


def test_kms_key_lets_cloudwatch_use_it(applied_stack, aws_client):
    kms = aws_client("kms")
    key = applied_stack["kms_key_arn"]
    statements = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])["Statement"]
    cloudwatch = [s for s in statements if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cloudwatch[0]["Action"])
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True


def test_subscriptions_by_topic(applied_stack, aws_client):
    sns = aws_client("sns")
    found = {}
    for role in ("alerts", "page"):
        topic = applied_stack["sns_topic_arns"][role]
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        found[role] = sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions)
    # The email once, on the guide's topic (it receives every alarm, pages included).
    assert found == {
        "alerts": [
            ("email", "oncall@example.com"),
            ("sqs", applied_stack["alarm_inbox_queue_arns"]["alerts"]),
        ],
        "page": [("sqs", applied_stack["alarm_inbox_queue_arns"]["page"])],
    }
    pending = applied_stack["pending_email_confirmations"]
    assert len(pending) == 1 and all("oncall@example.com must confirm" in note for note in pending.values())


def test_dashboard_has_the_guide_widgets_on_the_filter_metrics(applied_stack, aws_client):
    body = json.loads(
        aws_client("cloudwatch").get_dashboard(DashboardName=applied_stack["dashboard_name"])["DashboardBody"]
    )
    assert applied_stack["dashboard_name"] == "VyaparAI-CartMigration"
    assert [w["properties"]["title"] for w in body["widgets"]] == DASHBOARD_TITLES
    charted = {
        tuple(m[:2]) for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]
    }
    assert {(NAMESPACE, name) for name in CUSTOM_METRICS} <= charted


def test_query_definitions_saved(applied_stack, aws_client):
    definitions = aws_client("logs").describe_query_definitions(
        queryDefinitionNamePrefix="vyaparai-cart-migration/"
    )["queryDefinitions"]
    assert {d["queryDefinitionId"] for d in definitions} == set(
        applied_stack["query_definition_ids"].values()
    )
    assert len(definitions) == 7


def test_lambda_and_tables(applied_stack, aws_client):
    function = aws_client("lambda").get_function_configuration(
        FunctionName=applied_stack["lambda_function_name"]
    )
    assert (function["Runtime"], function["Handler"]) == (
        "python3.13",
        "cart_migration.handler.lambda_handler",
    )
    environment = function["Environment"]["Variables"]
    assert environment["CARTS_TABLE"] == applied_stack["carts_table_name"]
    assert environment["AUDIT_LOG_GROUP"] == applied_stack["log_group_names"]["audit"]
    dynamodb = aws_client("dynamodb")
    carts = dynamodb.describe_table(TableName=applied_stack["carts_table_name"])["Table"]
    assert [(k["AttributeName"], k["KeyType"]) for k in carts["KeySchema"]] == [
        ("customer_id", "HASH"),
        ("store_id", "RANGE"),
    ]
    for table in (applied_stack["carts_table_name"], applied_stack["rate_limit_table_name"]):
        assert (
            dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["AttributeName"]
            == "expires_at"
        )


def test_a_second_plan_shows_no_changes(applied_stack, module_copy):
    arguments = [f"-var={name}={value}" for name, value in local_example_vars().items()]
    plan = subprocess.run(
        ["terraform", "plan", "-input=false", "-detailed-exitcode", "-no-color", *arguments],
        cwd=module_copy / "examples" / "local",
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    assert plan.returncode == 0, (
        f"changes after apply (exit {plan.returncode}):\n{plan.stdout[-3000:]}\n{plan.stderr[-2000:]}"
    )
