"""Log classes and data protection policies of CloudWatch Logs, on the running emulator.

Log classes: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html
Data protection: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDataProtectionPolicy.html
and https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from cartmon.project import emulator_now

# One worker for the group: events stamped on the emulator clock, which the e2e tests move.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

ARN = "arn:aws:dataprotection::aws:data-identifier/"
TRANSFORMATION = {"metricName": "Errors", "metricNamespace": "CartmonLogClassTest", "metricValue": "1"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, **arguments) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**arguments)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def groups(aws_client):
    """Factory of log groups (with a stream "s1"), deleted at teardown."""
    logs = aws_client("logs")
    made: list[str] = []

    def make(**arguments) -> str:
        name = f"/cartmon/test/{uuid.uuid4().hex[:8]}"
        logs.create_log_group(logGroupName=name, **arguments)
        logs.create_log_stream(logGroupName=name, logStreamName="s1")
        made.append(name)
        return name

    yield make
    for name in made:
        logs.delete_log_group(logGroupName=name)


def policy(*identifiers: str, findings_group: str | None = None) -> str:
    names = [ARN + i for i in identifiers]
    destination = {"CloudWatchLogs": {"LogGroup": findings_group}} if findings_group else {}
    return json.dumps(
        {
            "Name": "cart-pii",
            "Version": "2021-06-01",
            "Statement": [
                {
                    "Sid": "audit",
                    "DataIdentifier": names,
                    "Operation": {"Audit": {"FindingsDestination": destination}},
                },
                {"Sid": "redact", "DataIdentifier": names, "Operation": {"Deidentify": {"MaskConfig": {}}}},
            ],
        }
    )


def put(aws_client, aws_endpoint, group: str, *messages: str) -> int:
    clock = emulator_now(aws_endpoint)
    assert clock is not None, f"{aws_endpoint}/_cartmon/clock does not answer: not this project's emulator"
    now = int(clock * 1000)
    aws_client("logs").put_log_events(
        logGroupName=group,
        logStreamName="s1",
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )
    return now


def test_log_group_class_reads_back_as_created(aws_client, groups):
    """CreateLogGroup's logGroupClass is kept and returned by DescribeLogGroups and ListLogGroups."""
    logs = aws_client("logs")
    infrequent, standard = groups(logGroupClass="INFREQUENT_ACCESS"), groups()
    described = {
        g["logGroupName"]: g["logGroupClass"]
        for g in logs.describe_log_groups(logGroupNamePrefix="/cartmon/test/")["logGroups"]
    }
    assert (described[infrequent], described[standard]) == ("INFREQUENT_ACCESS", "STANDARD")
    listed = {g["logGroupName"] for g in logs.list_log_groups(logGroupClass="INFREQUENT_ACCESS")["logGroups"]}
    assert infrequent in listed and standard not in listed
    filtered = logs.describe_log_groups(
        logGroupNamePrefix="/cartmon/test/", logGroupClass="INFREQUENT_ACCESS"
    )
    assert infrequent in {g["logGroupName"] for g in filtered["logGroups"]}
    assert standard not in {g["logGroupName"] for g in filtered["logGroups"]}


def test_infrequent_access_groups_refuse_metric_filters_subscriptions_data_protection_and_unmask(
    aws_client, groups
):
    """The Infrequent Access class supports neither metric filters, subscription filters (Subscriptions.html:
    "supported only for log groups in the Standard log class") nor data protection, and its Logs
    Insights queries cannot unmask (CWL_AnalyzeLogData_Classes.html)."""
    logs = aws_client("logs")
    group = groups(logGroupClass="INFREQUENT_ACCESS")
    code, message = error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[TRANSFORMATION],
    )
    assert code == "InvalidParameterException" and "INFREQUENT_ACCESS" in message
    code, message = error_of(
        logs.put_subscription_filter,
        logGroupName=group,
        filterName="all",
        filterPattern="",
        destinationArn="arn:aws:firehose:ap-south-1:000000000000:deliverystream/any",
        roleArn="arn:aws:iam::000000000000:role/any",
    )
    assert code == "InvalidParameterException" and "Subscription filters" in message
    assert error_of(
        logs.put_data_protection_policy, logGroupIdentifier=group, policyDocument=policy("EmailAddress")
    )[0] == ("InvalidParameterException")
    now = int(time.time())
    assert (
        error_of(
            logs.start_query,
            logGroupName=group,
            startTime=now - 60,
            endTime=now,
            queryString="fields unmask(@message)",
        )[0]
        == "InvalidParameterException"
    )
    logs.start_query(logGroupName=group, startTime=now - 60, endTime=now, queryString="fields @message")


def test_data_protection_policy_round_trip_and_validation(aws_client, groups):
    logs = aws_client("logs")
    group = groups()
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    broken = json.loads(policy("EmailAddress"))
    broken["Statement"][1]["DataIdentifier"] = [ARN + "IpAddress"]
    code, message = error_of(
        logs.put_data_protection_policy, logGroupIdentifier=group, policyDocument=json.dumps(broken)
    )
    assert code == "InvalidParameterException" and "match exactly" in message
    code, _ = error_of(
        logs.put_data_protection_policy,
        logGroupIdentifier=group,
        policyDocument=policy("EmailAddress", findings_group="/nope"),
    )
    assert code == "InvalidParameterException"
    document = policy("EmailAddress")
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=document)
    assert logs.get_data_protection_policy(logGroupIdentifier=group)["policyDocument"] == document
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["dataProtectionStatus"] == "ACTIVATED"
    logs.delete_data_protection_policy(logGroupIdentifier=group)
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    assert (
        error_of(logs.delete_data_protection_policy, logGroupIdentifier=group)[0]
        == "ResourceNotFoundException"
    )
    assert (
        error_of(logs.get_data_protection_policy, logGroupIdentifier="/cartmon/none")[0]
        == "ResourceNotFoundException"
    )


def test_masked_in_reads_unless_unmasked_and_only_from_the_policy_on(aws_client, aws_endpoint, groups):
    """Events are judged at ingestion: an event ingested before the policy stays readable; afterwards what
    the policy names reads as asterisks in GetLogEvents, FilterLogEvents and Insights, unless unmask=true
    (GetLogEvents, FilterLogEvents) or the query unmasks; the Audit statement's log group gets findings."""
    logs = aws_client("logs")
    group, findings = groups(), groups()
    before = put(aws_client, aws_endpoint, group, "before jane@example.com")
    logs.put_data_protection_policy(
        logGroupIdentifier=group, policyDocument=policy("EmailAddress", "IpAddress", findings_group=findings)
    )
    put(aws_client, aws_endpoint, group, '{"email": "jane@example.com", "ip_address": "10.1.2.3", "n": 7}')
    expected_masked = '{"email": "' + "*" * 16 + '", "ip_address": "' + "*" * 8 + '", "n": 7}'
    read = [
        e["message"]
        for e in logs.get_log_events(logGroupName=group, logStreamName="s1", startFromHead=True)["events"]
    ]
    assert read == ["before jane@example.com", expected_masked]
    unmasked = logs.get_log_events(logGroupName=group, logStreamName="s1", startFromHead=True, unmask=True)[
        "events"
    ]
    assert unmasked[1]["message"] == '{"email": "jane@example.com", "ip_address": "10.1.2.3", "n": 7}'
    filtered = [
        e["message"] for e in logs.filter_log_events(logGroupName=group, filterPattern="jane")["events"]
    ]
    assert filtered == ["before jane@example.com", expected_masked]
    start, end = before // 1000 - 60, before // 1000 + 60

    def insights(query: str) -> list[str]:
        query_id = logs.start_query(logGroupName=group, startTime=start, endTime=end, queryString=query)[
            "queryId"
        ]
        rows = logs.get_query_results(queryId=query_id)["results"]
        return sorted(field["value"] for row in rows for field in row if field["field"] == "@message")

    assert insights("fields @message") == sorted(["before jane@example.com", expected_masked])
    (finding,) = [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName=findings)["events"]]
    assert sorted(d["name"] for d in finding["dataIdentifiers"]) == ["EmailAddress", "IpAddress"]
