"""log_data_protection applied on the emulator: the policy on both log groups masks what it names.

The session's feature stack (tests/feature_stack.py) sets `log_data_protection = {}`; docs/pii.md says
what the policy catches. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html
"""

from __future__ import annotations

import json
import uuid

import pytest

# One worker for the group: the root with every optional feature on, applied once (tests/feature_stack.py).
pytestmark = pytest.mark.xdist_group("feature-stack")

ARN = "arn:aws:dataprotection::aws:data-identifier/"


def test_both_log_groups_mask_what_the_policy_names(feature_stack, aws_client, emulator_clock):
    logs = aws_client("logs")
    groups = feature_stack["log_group_names"]
    findings = feature_stack["data_protection_findings_log_group_name"]
    assert findings, "log_data_protection = {} creates the findings log group"
    for role in ("function", "audit"):
        document = json.loads(
            logs.get_data_protection_policy(logGroupIdentifier=groups[role])["policyDocument"]
        )
        audit, redact = document["Statement"]
        assert audit["DataIdentifier"] == redact["DataIdentifier"]
        assert {ARN + "EmailAddress", ARN + "CreditCardNumber", ARN + "IpAddress"} <= set(
            audit["DataIdentifier"]
        )
        assert audit["Operation"]["Audit"]["FindingsDestination"] == {
            "CloudWatchLogs": {"LogGroup": findings}
        }

    stream = f"pii-{uuid.uuid4().hex[:8]}"
    group = groups["function"]
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    line = '{"event_type": "auth_failure", "ip_address": "203.0.113.9", "note": "from jane@example.com"}'
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(emulator_clock.now() * 1000), "message": line}],
    )
    (read,) = logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
    assert read["message"] == line.replace("203.0.113.9", "*" * 11).replace("jane@example.com", "*" * 16)
    (unmasked,) = logs.get_log_events(logGroupName=group, logStreamName=stream, unmask=True)["events"]
    assert unmasked["message"] == line
