"""The SQS queues that receive the alarm notifications of an applied examples/local.

examples/local subscribes one queue per alert topic, by name (outputs `alarm_inbox_queue_names` and
`alarm_inbox_queue_arns`), and leaves the queues to whoever reads them: created through Terraform,
each queue and its policy would hold the apply up by about 25 seconds of the AWS provider's
propagation checks. Created here they take milliseconds, with the policy Terraform would have set:
only the queue's own topic may send to it.
"""

from __future__ import annotations

import json


def inbox_policy(queue_arn: str, topic_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowAlertTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
    )


def create_alarm_inboxes(sqs, outputs: dict) -> dict[str, str]:
    """Create (or find, as CreateQueue is idempotent) the queue of every alert topic of the applied
    stack; return the queue URL per topic key. `outputs` are the stack's plain output values."""
    names = outputs["alarm_inbox_queue_names"]
    arns = outputs["alarm_inbox_queue_arns"]
    topics = outputs["sns_topic_arns"]
    urls = {}
    for key, name in sorted(names.items()):
        attributes = {"SqsManagedSseEnabled": "true", "Policy": inbox_policy(arns[key], topics[key])}
        urls[key] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return urls


def delete_alarm_inboxes(sqs, urls: dict[str, str]) -> None:
    for url in urls.values():
        sqs.delete_queue(QueueUrl=url)
