"""A scenario's own copy of the applied stack's monitoring, so end-to-end scenarios run in any order.

The scenarios share one applied stack (examples/local) and the emulator's clock, which only moves
forward. Were they to drive the stack's own alarms, each would inherit what the scenarios before it
left in the metrics and in the alarms' states. Instead, as LocalStack's tests name what they create
with a `short_uid`, each scenario gets, under a uid of its own:

- a log group per monitored log group of the stack (`<group>-<uid>`), carrying the stack's metric
  filters as deployed (DescribeMetricFilters), publishing into a namespace of its own (`<namespace>/<uid>`);
- a function name (`<function>-<uid>`) under which the local Lambda runtime publishes the AWS/Lambda
  metrics;
- every metric alarm and composite alarm of the stack (DescribeAlarms), named `<uid>-<name>`, watching
  those metrics, with the stack's actions (its topics); composites' rules and suppressors name the copies;
- an SQS queue per alert topic, subscribed to the topic as the stack's inboxes are, read until a sentinel
  published after the fact arrives, and of which only the notifications of the copies are kept.

A scenario so starts with no data and with its alarms in their initial state, wherever the clock is.
Everything is deleted when the scenario ends.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cartmon.local.inbox import inbox_policy

HUNG_SECONDS = 120  # a sentinel that takes longer than this is lost, not late
LAMBDA_NAMESPACE = "AWS/Lambda"
# What PutMetricAlarm and PutCompositeAlarm accept of what DescribeAlarms returns
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html,
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html).
METRIC_ALARM_FIELDS = (
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
    "ThresholdMetricId",
)
COMPOSITE_ALARM_FIELDS = (
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "AlarmRule",
    "ActionsSuppressor",
    "ActionsSuppressorWaitPeriod",
    "ActionsSuppressorExtensionPeriod",
)


def short_uid() -> str:
    """Eight hex digits, as LocalStack's `short_uid`."""
    return uuid.uuid4().hex[:8]


def stack_alarm_prefix(stack: dict) -> str:
    """The name prefix of the stack's alarms (the part before the guide's alarm key)."""
    return stack["composite_alarms"]["AvailabilityPage"]["name"].removesuffix("AvailabilityPage")


@dataclass
class ScenarioMonitoring:
    """The copy's names, its clients, and the notifications its inboxes received so far."""

    uid: str
    stack: dict
    aws_client: Any
    function_name: str
    log_groups: dict[str, str]  # stack's log group key -> the scenario's log group
    namespace: str
    alarm_prefix: str  # the scenario's alarm name = alarm_prefix + the guide's key (e.g. "HighFailureRate")
    inboxes: dict[str, str] = field(default_factory=dict)  # alert topic key -> the scenario's queue URL
    received: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def log_group(self) -> str:
        return self.log_groups["function"]

    def alarm_name(self, key: str) -> str:
        return self.alarm_prefix + key

    def runtime_target(self) -> dict[str, str]:
        """The LocalLambda options that make a runtime write and publish into this scenario."""
        return {"function_name": self.function_name, "log_group": self.log_group}

    def describe(self, key: str) -> dict:
        found = self.aws_client("cloudwatch").describe_alarms(
            AlarmNames=[self.alarm_name(key)], AlarmTypes=["CompositeAlarm", "MetricAlarm"]
        )
        (alarm,) = found["CompositeAlarms"] + found["MetricAlarms"]
        return alarm

    def state(self, key: str) -> str:
        return self.describe(key)["StateValue"]

    def notifications(self) -> list[tuple[str, str, str]]:
        """(topic key, alarm key, new state) of every notification of this scenario's alarms that reached
        its queues since the last call, proven complete by a sentinel: a sentinel message is published to
        each topic, and each queue is read until its sentinel arrives. What the alarms published before
        the sentinel has arrived by then; nothing is concluded from a queue that merely stayed empty.
        Notifications of other alarms (the stack's own, or another scenario's) are left out."""
        sqs, sns = self.aws_client("sqs"), self.aws_client("sns")
        got = []
        for topic, url in sorted(self.inboxes.items()):
            sentinel = f"sentinel-{uuid.uuid4()}"
            sns.publish(
                TopicArn=self.stack["sns_topic_arns"][topic], Message=json.dumps({"sentinel": sentinel})
            )
            deadline = time.monotonic() + HUNG_SECONDS
            seen = False
            while not seen:
                assert time.monotonic() < deadline, f"the {topic} queue never received its sentinel"
                for message in sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                ).get("Messages", []):
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    body = json.loads(json.loads(message["Body"])["Message"])
                    if "sentinel" in body:
                        seen = seen or body["sentinel"] == sentinel
                    elif body.get("AlarmName", "").startswith(self.alarm_prefix):
                        got.append(
                            (topic, body["AlarmName"].removeprefix(self.alarm_prefix), body["NewStateValue"])
                        )
        self.received += got
        return got


def _paginate(call, key: str, **arguments) -> list[dict]:
    items, token_name = [], "nextToken" if key == "metricFilters" else "NextToken"
    while True:
        page = call(**arguments)
        items += page.get(key, [])
        token = page.get(token_name)
        if not token:
            return items
        arguments[token_name] = token


def _stack_alarms(cloudwatch, names: list[str]) -> tuple[list[dict], list[dict]]:
    metric, composite = [], []
    for start in range(0, len(names), 100):
        found = cloudwatch.describe_alarms(
            AlarmNames=names[start : start + 100], AlarmTypes=["CompositeAlarm", "MetricAlarm"]
        )
        metric += found["MetricAlarms"]
        composite += found["CompositeAlarms"]
    return metric, composite


def _retarget_metric(metric: dict, stack: dict, scenario: ScenarioMonitoring) -> dict:
    """A metric of the stack as the scenario's copy watches it: the stack's namespace becomes the scenario's,
    and the stack function's AWS/Lambda metrics become those of the scenario's function name."""
    metric = dict(metric)
    if metric.get("Namespace") == stack["metric_namespace"]:
        metric["Namespace"] = scenario.namespace
    elif metric.get("Namespace") == LAMBDA_NAMESPACE:
        metric["Dimensions"] = [
            {**d, "Value": scenario.function_name}
            if d["Name"] == "FunctionName" and d["Value"] == stack["lambda_function_name"]
            else d
            for d in metric.get("Dimensions", [])
        ]
    if metric.get("Namespace") not in (scenario.namespace, LAMBDA_NAMESPACE):
        raise AssertionError(
            f"an alarm of the stack watches {metric}, which the scenario's copy cannot isolate"
        )
    return metric


def _metric_alarm_copy(alarm: dict, stack: dict, scenario: ScenarioMonitoring) -> dict:
    copy = {name: alarm[name] for name in METRIC_ALARM_FIELDS if alarm.get(name) not in (None, [])}
    copy["AlarmName"] = scenario.uid + "-" + alarm["AlarmName"]
    if "MetricName" in copy:
        retargeted = _retarget_metric(
            {"Namespace": copy["Namespace"], "Dimensions": copy.get("Dimensions", [])}, stack, scenario
        )
        copy["Namespace"] = retargeted["Namespace"]
        if retargeted["Dimensions"]:
            copy["Dimensions"] = retargeted["Dimensions"]
    queries = []
    for query in copy.get("Metrics", []):
        if "Expression" in query and any(word in query["Expression"] for word in ("SEARCH", "SELECT")):
            raise AssertionError(
                f"{alarm['AlarmName']}: a search expression names its metrics itself: {query}"
            )
        if "MetricStat" in query:
            stat = query["MetricStat"]
            query = {
                **query,
                "MetricStat": {**stat, "Metric": _retarget_metric(stat["Metric"], stack, scenario)},
            }
        queries.append(query)
    if queries:
        copy["Metrics"] = queries
    return copy


def _composite_alarm_copy(alarm: dict, rename) -> dict:
    copy = {name: alarm[name] for name in COMPOSITE_ALARM_FIELDS if alarm.get(name) not in (None, [])}
    copy["AlarmName"] = rename(alarm["AlarmName"])
    copy["AlarmRule"] = re.sub(
        r"""(?P<open>[("':])(?P<name>[^()"':,\s]+)(?=[)"'])""",
        lambda m: m["open"] + rename(m["name"]),
        alarm["AlarmRule"],
    )
    if "ActionsSuppressor" in copy:
        suppressor = copy["ActionsSuppressor"]
        head, _, name = suppressor.rpartition(":alarm:")
        copy["ActionsSuppressor"] = f"{head}:alarm:{rename(name)}" if head else rename(suppressor)
    return copy


@contextmanager
def isolated_monitoring(stack: dict, aws_client, with_alarms: bool = True) -> Iterator[ScenarioMonitoring]:
    """Create the scenario's copy of the stack's monitoring (module docstring); delete it afterwards.
    Without alarms: the log groups and their filters only (a scenario about metrics, not alarms)."""
    uid = short_uid()
    logs, cloudwatch, sqs, sns = (aws_client(s) for s in ("logs", "cloudwatch", "sqs", "sns"))
    scenario = ScenarioMonitoring(
        uid=uid,
        stack=stack,
        aws_client=aws_client,
        function_name=f"{stack['lambda_function_name']}-{uid}",
        log_groups={},
        namespace=f"{stack['metric_namespace']}/{uid}",
        alarm_prefix=f"{uid}-{stack_alarm_prefix(stack)}",
    )
    subscriptions: list[str] = []
    alarm_names = [a["name"] for a in stack["alarms"].values()]
    composite_names = [c["name"] for c in stack["composite_alarms"].values()]
    stack_names = set(alarm_names) | set(composite_names)

    def rename(name: str) -> str:
        return uid + "-" + name if name in stack_names else name

    created_alarms: list[str] = []
    try:
        if not with_alarms:
            stack_names, alarm_names, composite_names = set(), [], []
        # The inboxes first: the copies' first notifications (an alarm on silence) reach them.
        for topic, topic_arn in sorted(stack["sns_topic_arns"].items()):
            if not with_alarms or topic not in stack["alarm_inbox_queue_urls"]:
                continue
            url = sqs.create_queue(QueueName=f"{uid}-{topic}")["QueueUrl"]
            scenario.inboxes[topic] = url
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": inbox_policy(arn, topic_arn)})
            subscriptions.append(
                sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
            )
        for key, group in stack["log_group_names"].items():
            filters = _paginate(logs.describe_metric_filters, "metricFilters", logGroupName=group)
            if not filters:
                continue
            scenario.log_groups[key] = f"{group}-{uid}"
            logs.create_log_group(logGroupName=scenario.log_groups[key])
            for metric_filter in filters:
                transformations = []
                for transformation in metric_filter["metricTransformations"]:
                    if transformation["metricNamespace"] != stack["metric_namespace"]:
                        raise AssertionError(f"a filter of the stack publishes elsewhere: {metric_filter}")
                    transformations.append({**transformation, "metricNamespace": scenario.namespace})
                logs.put_metric_filter(
                    logGroupName=scenario.log_groups[key],
                    filterName=metric_filter["filterName"],
                    filterPattern=metric_filter["filterPattern"],
                    metricTransformations=transformations,
                )
        metric_alarms, composite_alarms = _stack_alarms(cloudwatch, alarm_names + composite_names)
        assert {a["AlarmName"] for a in metric_alarms + composite_alarms} == stack_names, (
            "an alarm is missing"
        )
        for alarm in metric_alarms:
            copy = _metric_alarm_copy(alarm, stack, scenario)
            cloudwatch.put_metric_alarm(**copy)
            created_alarms.append(copy["AlarmName"])
        # A composite may name another composite: create each after the composites it names.
        pending = {alarm["AlarmName"]: alarm for alarm in composite_alarms}
        while pending:
            ready = [
                name
                for name, alarm in pending.items()
                if not any(other in alarm["AlarmRule"] for other in pending if other != name)
            ]
            assert ready, f"composite alarms that name each other: {sorted(pending)}"
            for name in ready:
                copy = _composite_alarm_copy(pending.pop(name), rename)
                cloudwatch.put_composite_alarm(**copy)
                created_alarms.append(copy["AlarmName"])
        yield scenario
    finally:
        # Composites first: an alarm that a composite names cannot be deleted before it.
        for name in reversed(created_alarms):
            cloudwatch.delete_alarms(AlarmNames=[name])
        for group in scenario.log_groups.values():
            logs.delete_log_group(logGroupName=group)
        for subscription in subscriptions:
            sns.unsubscribe(SubscriptionArn=subscription)
        for url in scenario.inboxes.values():
            sqs.delete_queue(QueueUrl=url)
