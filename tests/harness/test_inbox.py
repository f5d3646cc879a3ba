"""cartmon.local.inbox: the SQS queues that examples/local subscribes to its alert topics by name."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from cartmon.local.inbox import create_alarm_inboxes, delete_alarm_inboxes
from cartmon.project import REGION

ACCOUNT = "123456789012"  # moto's account


def stack_outputs(keys: list[str]) -> dict:
    """The outputs of examples/local that name the inboxes, as Terraform computes them."""
    names = {key: f"shop-alarm-inbox-{key}" for key in keys}
    return {
        "alarm_inbox_queue_names": names,
        "alarm_inbox_queue_arns": {
            key: f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}" for key, name in names.items()
        },
        "sns_topic_arns": {key: f"arn:aws:sns:{REGION}:{ACCOUNT}:shop-alerts-{key}" for key in keys},
    }


@mock_aws
def test_one_queue_per_topic_key_that_only_its_topic_may_send_to(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"):  # set by the emulator fixtures of a session
        monkeypatch.delenv(name, raising=False)
    sqs = boto3.client("sqs", region_name=REGION)
    outputs = stack_outputs(["critical", "page", "warning"])
    urls = create_alarm_inboxes(sqs, outputs)
    assert set(urls) == {"critical", "page", "warning"}
    for key, url in urls.items():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["QueueArn"] == outputs["alarm_inbox_queue_arns"][key]
        (statement,) = json.loads(attributes["Policy"])["Statement"]
        assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        assert statement["Resource"] == attributes["QueueArn"]
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": outputs["sns_topic_arns"][key]}}
    # Creating them again (a second apply, a rerun) finds the same queues.
    assert create_alarm_inboxes(sqs, outputs) == urls
    delete_alarm_inboxes(sqs, urls)
    assert not sqs.list_queues(QueueNamePrefix="shop-alarm-inbox-").get("QueueUrls")
