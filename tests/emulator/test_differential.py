"""The plugins answer as LocalStack's stock providers do wherever they do not mean to differ.

A second, private emulator runs LocalStack's own Logs and CloudWatch providers
(EMULATOR_STOCK_SERVICES=logs,cloudwatch, its own EMULATOR_STATE_FILE). Every request below goes to both;
the answers (or error codes and messages) must be equal after dropping what is volatile by nature
(request ids, creation and update times, generated ids). The deliberate differences are listed in
DELIBERATE_DIFFERENCES and tested against the AWS documentation in test_cloudwatch_plugin.py and
test_logs_plugin.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cartmon.project import CLIENT_CONFIG, REGION, ROOT

# One worker for the group: its outcome depends on the emulator clock, which the e2e tests move.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

LAUNCHER = [sys.executable, str(ROOT / "bootstrap" / "emulator_launcher.py")]
VOLATILE = {
    "ResponseMetadata", "creationTime", "lastModified", "AlarmConfigurationUpdatedTimestamp",
    "StateUpdatedTimestamp", "StateTransitionedTimestamp", "lastIngestionTime", "firstEventTimestamp",
    "lastEventTimestamp", "uploadSequenceToken", "nextSequenceToken", "ingestionTime", "eventId",
    "nextForwardToken", "nextBackwardToken", "searchedLogStreams", "storedBytes", "LastModified",
}  # fmt: skip
DELIBERATE_DIFFERENCES = {
    "metric filters": "only the filter's own log group, the real pattern language, values, units, dimensions",
    "alarm states": "evaluated on the emulator's cadence and clock, composite rules in full",
    "metricFilterCount": "counted (stock: always 0)",
    "FilterLogEvents / subscription patterns": "applied (stock: every event matches)",
    "PutCompositeAlarm / DeleteAlarms": "rule checks and composite dependencies (stock: none)",
    "GetDashboard of a missing dashboard": "404 ResourceNotFound (stock: 400)",
    "GetMetricData with expressions": "metric math (stock: InternalError)",
    "put filter: missing group": "ResourceNotFoundException as CloudWatch Logs answers (stock: silent success)",
    "log group class": "kept as created (stock: always STANDARD, so terraform drifts)",
    "metric filter on infrequent access": "refused, as the Log classes page documents (stock: accepted)",
    "data protection policy": "served with AWS's validation and masking (stock: not implemented)",
    "subscription to a missing function": "AWS's message for a function CloudWatch Logs cannot invoke (stock: a roleArn message)",
}
STAMP = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
# Steps whose answer depends on whether an evaluation ran between SetAlarmState and the reads.
EVALUATED_AFTER_SET = "evaluations after the set"
READS_AFTER_SET = ("alarms in ALARM", "state after set")


@pytest.fixture(scope="module")
def stock_endpoint(tmp_path_factory):
    state = tmp_path_factory.mktemp("stock-emulator") / "state.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(EMULATOR_STATE_FILE=str(state), EMULATOR_STOCK_SERVICES="logs,cloudwatch")
    started = subprocess.run(LAUNCHER + ["start"], env=env, capture_output=True, text=True, timeout=300)
    if started.returncode != 0:
        pytest.fail(f"the stock emulator did not start: {started.stderr[-2000:]}", pytrace=False)
    try:
        yield started.stdout.strip().splitlines()[-1].split("=", 1)[1]
    finally:
        subprocess.run(LAUNCHER + ["stop"], env=env, capture_output=True, timeout=120)


def normalized(value):
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def answer(call, **arguments):
    try:
        return normalized(call(**arguments))
    except ClientError as error:
        return ("error", error.response["Error"]["Code"], error.response["Error"]["Message"])


def scenario(clients, suffix: str) -> dict[str, Any]:
    """The same requests, in order, against one emulator; the answers by step name.

    ``suffix`` keeps names apart from earlier runs on the long-lived emulator; both sides use the same.
    """
    logs, cloudwatch = clients("logs"), clients("cloudwatch")
    group = f"/cartmon/differential-{suffix}"
    namespace = f"Differential-{suffix}"
    alarm_name = f"differential-{suffix}"
    transformation = {"metricName": "Errors", "metricNamespace": namespace, "metricValue": "1"}
    out: dict[str, object] = {}
    out["create group"] = answer(logs.create_log_group, logGroupName=group)
    out["create group again"] = answer(logs.create_log_group, logGroupName=group)
    out["create stream"] = answer(logs.create_log_stream, logGroupName=group, logStreamName="s")
    out["describe groups"] = answer(logs.describe_log_groups, logGroupNamePrefix=group)
    out["describe streams"] = answer(logs.describe_log_streams, logGroupName=group)
    out["put events"] = answer(
        logs.put_log_events,
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": int(STAMP.timestamp() * 1000), "message": "ERROR one"}],
    )
    out["get events"] = answer(logs.get_log_events, logGroupName=group, logStreamName="s", startFromHead=True)
    out["filter without pattern"] = answer(logs.filter_log_events, logGroupName=group)
    bad_filters: dict[str, dict[str, object]] = {
        "filter name too long": {"filterName": "f" * 513},
        "filter pattern too long": {"filterPattern": "x" * 1025},
        "two transformations": {"metricTransformations": [transformation, transformation]},
        "filter name with colon": {"filterName": "a:b"},
        "missing group": {"logGroupName": "/cartmon/nope"},
    }
    for label, overrides in bad_filters.items():
        arguments: dict[str, object] = {
            "logGroupName": group,
            "filterName": "f",
            "filterPattern": "ERROR",
            "metricTransformations": [transformation],
            **overrides,
        }
        out[f"put filter: {label}"] = answer(logs.put_metric_filter, **arguments)
    out["put filter"] = answer(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[transformation],
    )
    out["describe filters"] = answer(logs.describe_metric_filters, logGroupName=group)
    out["delete filter: name too long"] = answer(
        logs.delete_metric_filter, logGroupName=group, filterName="f" * 513
    )
    out["delete filter"] = answer(logs.delete_metric_filter, logGroupName=group, filterName="errors")
    out["delete missing group"] = answer(logs.delete_log_group, logGroupName="/cartmon/nope")
    out["retention"] = answer(logs.put_retention_policy, logGroupName=group, retentionInDays=14)
    out["retention bad value"] = answer(logs.put_retention_policy, logGroupName=group, retentionInDays=13)
    out["group after retention"] = answer(logs.describe_log_groups, logGroupNamePrefix=group)
    out["tag group"] = answer(logs.tag_log_group, logGroupName=group, tags={"team": "carts"})
    out["group tags"] = answer(logs.list_tags_log_group, logGroupName=group)
    out["events of missing stream"] = answer(logs.get_log_events, logGroupName=group, logStreamName="nope")
    out["stream again"] = answer(logs.create_log_stream, logGroupName=group, logStreamName="s")
    infrequent = f"{group}-infrequent"
    out["create infrequent access group"] = answer(
        logs.create_log_group, logGroupName=infrequent, logGroupClass="INFREQUENT_ACCESS"
    )
    out["log group class"] = [
        g.get("logGroupClass") for g in logs.describe_log_groups(logGroupNamePrefix=infrequent)["logGroups"]
    ]
    out["metric filter on infrequent access"] = answer(
        logs.put_metric_filter,
        logGroupName=infrequent,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[transformation],
    )
    out["delete infrequent access group"] = answer(logs.delete_log_group, logGroupName=infrequent)
    identifiers = ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"]
    out["data protection policy"] = answer(
        logs.put_data_protection_policy,
        logGroupIdentifier=group,
        policyDocument=json.dumps(
            {
                "Name": "p",
                "Version": "2021-06-01",
                "Statement": [
                    {"DataIdentifier": identifiers, "Operation": {"Audit": {"FindingsDestination": {}}}},
                    {"DataIdentifier": identifiers, "Operation": {"Deidentify": {"MaskConfig": {}}}},
                ],
            }
        ),
    )
    out["subscription to a missing function"] = answer(
        logs.put_subscription_filter,
        logGroupName=group,
        filterName="to-lambda",
        filterPattern="",
        destinationArn=f"arn:aws:lambda:{REGION}:000000000000:function:differential-{suffix}",
    )

    out["put metric data"] = answer(
        cloudwatch.put_metric_data,
        Namespace=namespace,
        MetricData=[
            {"MetricName": "Latency", "Timestamp": STAMP, "Value": 5.0, "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Timestamp": STAMP, "Values": [1.0, 9.0], "Counts": [2, 1], "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Timestamp": STAMP, "StatisticValues": {"SampleCount": 2, "Sum": 8, "Minimum": 3, "Maximum": 5}, "Unit": "Milliseconds"},
        ],
    )  # fmt: skip
    out["statistics"] = answer(
        cloudwatch.get_metric_statistics,
        Namespace=namespace,
        MetricName="Latency",
        StartTime=STAMP,
        EndTime=datetime(2026, 1, 5, 10, 5, tzinfo=UTC),
        Period=60,
        Statistics=["Sum", "SampleCount", "Average", "Minimum", "Maximum"],
    )
    out["metric data"] = answer(
        cloudwatch.get_metric_data,
        MetricDataQueries=[
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Latency"}, "Period": 60, "Stat": "Sum"}}
        ],
        StartTime=STAMP,
        EndTime=datetime(2026, 1, 5, 10, 5, tzinfo=UTC),
    )  # fmt: skip
    out["list metrics"] = answer(cloudwatch.list_metrics, Namespace=namespace)
    alarm = {
        "AlarmName": alarm_name,
        "Namespace": namespace,
        "MetricName": "Latency",
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    out["alarm with period 45"] = answer(cloudwatch.put_metric_alarm, **{**alarm, "Period": 45})
    out["alarm with statistic p99"] = answer(cloudwatch.put_metric_alarm, **{**alarm, "Statistic": "p99"})
    out["alarm with bad missing-data treatment"] = answer(
        cloudwatch.put_metric_alarm, **{**alarm, "TreatMissingData": "sometimes"}
    )
    out["alarm with a Lambda action"] = answer(
        cloudwatch.put_metric_alarm,
        **{**alarm, "AlarmActions": [f"arn:aws:lambda:{REGION}:000000000000:function:differential-{suffix}"]},
    )
    out["put alarm"] = answer(cloudwatch.put_metric_alarm, **alarm)
    described = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    out["describe alarm configuration"] = normalized(
        {k: v for k, v in described.items() if not k.startswith("State")}
    )
    out["set bad state"] = answer(
        cloudwatch.set_alarm_state, AlarmName=alarm_name, StateValue="MAYBE", StateReason="x"
    )
    out["set state of missing alarm"] = answer(
        cloudwatch.set_alarm_state, AlarmName="nope", StateValue="OK", StateReason="x"
    )
    out["set state"] = answer(
        cloudwatch.set_alarm_state, AlarmName=alarm_name, StateValue="ALARM", StateReason="manual"
    )
    # Read at once: the next evaluation (every few seconds on the suite's fast cadence, within a
    # minute on CloudWatch) puts a set state back to what the data says. On a loaded machine that
    # evaluation can come between the set and the reads; the history says whether it did.
    out["alarms in ALARM"] = [
        a["AlarmName"]
        for a in cloudwatch.describe_alarms(StateValue="ALARM")["MetricAlarms"]
        if a["AlarmName"] == alarm_name
    ]
    state = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    out["state after set"] = (state["StateValue"], state["StateReason"])
    items = cloudwatch.describe_alarm_history(AlarmName=alarm_name)["AlarmHistoryItems"]
    history = [(h["HistoryItemType"], h["HistorySummary"], h["AlarmType"]) for h in items]  # newest first
    # Even when an evaluation raced the set: no entry is older than the one recorded before it.
    stamps = [h["Timestamp"] for h in items]
    out["history newest first"] = stamps == sorted(stamps, reverse=True)
    manual_set = ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM", "MetricAlarm")
    set_at = history.index(manual_set) if manual_set in history else len(history)
    out["history summaries"] = history[set_at:]
    out[EVALUATED_AFTER_SET] = history[:set_at]
    out["alarms for metric"] = [
        a["AlarmName"]
        for a in cloudwatch.describe_alarms_for_metric(MetricName="Latency", Namespace=namespace)[
            "MetricAlarms"
        ]
    ]
    arn = described["AlarmArn"]
    out["tag alarm"] = answer(
        cloudwatch.tag_resource, ResourceARN=arn, Tags=[{"Key": "team", "Value": "carts"}]
    )
    out["alarm tags"] = answer(cloudwatch.list_tags_for_resource, ResourceARN=arn)
    out["disable actions"] = answer(cloudwatch.disable_alarm_actions, AlarmNames=[alarm_name])
    out["actions enabled"] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0][
        "ActionsEnabled"
    ]
    out["delete alarm"] = answer(cloudwatch.delete_alarms, AlarmNames=[alarm_name])
    out["describe after delete"] = answer(cloudwatch.describe_alarms, AlarmNames=[alarm_name])
    out["put dashboard"] = answer(
        cloudwatch.put_dashboard, DashboardName=f"d-{suffix}", DashboardBody='{"widgets": []}'
    )
    out["list dashboards"] = [
        d["DashboardName"]
        for d in cloudwatch.list_dashboards(DashboardNamePrefix=f"d-{suffix}")["DashboardEntries"]
    ]
    return out


def test_plugins_answer_as_stock_localstack(aws_endpoint, stock_endpoint):
    """Where stock LocalStack already answers as AWS does, the plugins keep its answer (issue: "the plugins
    must not change that answer"); the deliberate differences are the ones in DELIBERATE_DIFFERENCES."""

    def clients_for(endpoint):
        cache: dict[str, object] = {}

        def make(service: str):
            if service not in cache:
                cache[service] = boto3.client(
                    service, region_name=REGION, endpoint_url=endpoint, config=CLIENT_CONFIG
                )
            return cache[service]

        return make

    suffix = uuid.uuid4().hex[:8]
    plugins, stock = (
        scenario(clients_for(aws_endpoint), suffix),
        scenario(clients_for(stock_endpoint), suffix),
    )
    # Clean up the long-lived emulator: the stock one is discarded.
    clients_for(aws_endpoint)("logs").delete_log_group(logGroupName=f"/cartmon/differential-{suffix}")
    clients_for(aws_endpoint)("cloudwatch").delete_dashboards(DashboardNames=[f"d-{suffix}"])
    overtaken = [side for side in (plugins, stock) if side[EVALUATED_AFTER_SET]]
    for side in overtaken:
        # An evaluation overtook the set: the state read is the set one or the one that evaluation set.
        evaluated_to = side[EVALUATED_AFTER_SET][0][1].rsplit(" to ", 1)[-1]
        assert side["state after set"][0] in {"ALARM", evaluated_to}, side
    for side in (plugins, stock):
        if overtaken:  # the reads cannot be compared with the other side's
            for step in READS_AFTER_SET:
                side.pop(step)
        else:
            assert side["state after set"] == ("ALARM", "manual"), side
        side.pop(EVALUATED_AFTER_SET)
    different = {step: (plugins[step], stock[step]) for step in stock if plugins.get(step) != stock[step]}
    assert set(different) <= set(DELIBERATE_DIFFERENCES), {
        k: v for k, v in different.items() if k not in DELIBERATE_DIFFERENCES
    }
    assert plugins["history newest first"] is True
    assert plugins["put filter: missing group"][1] == "ResourceNotFoundException"
    assert plugins["create group again"][1] == "ResourceAlreadyExistsException"
    assert plugins["put filter: filter name too long"][1] == "InvalidParameterException"
