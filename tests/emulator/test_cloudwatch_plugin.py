"""The CloudWatch plugin against CloudWatch's documented behaviour, on the running emulator."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from cartmon.project import REGION, EmulatorDeliveries

# One worker for the group: it moves the emulator clock.
pytestmark = pytest.mark.xdist_group("stack-and-clock")

NAMESPACE = "CartmonPluginTest"
HUNG_SECONDS = 120  # a sentinel that takes longer than this is lost, not late


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Alarms:
    """Creates metric and composite alarms and deletes them, composites first, at teardown."""

    def __init__(self, cloudwatch):
        self.cloudwatch = cloudwatch
        self.metric: list[str] = []
        self.composite: list[str] = []

    def metric_alarm(self, **overrides) -> str:
        arguments = {
            "AlarmName": unique("child"),
            "Namespace": NAMESPACE,
            "MetricName": unique("metric"),
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 5.0,
            "ComparisonOperator": "GreaterThanThreshold",
            # Without data, a state set by the test stays when the clock moves (missing data: ignore).
            "TreatMissingData": "ignore",
        }
        arguments.update(overrides)
        self.cloudwatch.put_metric_alarm(**{k: v for k, v in arguments.items() if v is not None})
        name = str(arguments["AlarmName"])
        self.metric.append(name)
        return name

    def composite_alarm(self, rule: str, **overrides) -> str:
        name = overrides.pop("AlarmName", None) or unique("composite")
        self.cloudwatch.put_composite_alarm(AlarmName=name, AlarmRule=rule, **overrides)
        self.composite.append(name)
        return name

    def state(self, name: str) -> dict:
        found = self.cloudwatch.describe_alarms(
            AlarmNames=[name], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        return (found["MetricAlarms"] + found["CompositeAlarms"])[0]

    def set(self, name: str, value: str) -> None:
        self.cloudwatch.set_alarm_state(AlarmName=name, StateValue=value, StateReason=f"test sets {value}")

    def cleanup(self) -> None:
        for name in reversed(self.composite):
            self.cloudwatch.delete_alarms(AlarmNames=[name])
        if self.metric:
            self.cloudwatch.delete_alarms(AlarmNames=self.metric)


@pytest.fixture
def alarms(aws_client):
    made = Alarms(aws_client("cloudwatch"))
    yield made
    made.cleanup()


@pytest.fixture
def topic_queue(aws_client):
    """An SNS topic with an SQS subscriber; returns (topic ARN, read() -> list of SNS envelopes)."""
    sns, sqs = aws_client("sns"), aws_client("sqs")
    topic = sns.create_topic(Name=unique("alarms"))["TopicArn"]
    queue_url = sqs.create_queue(QueueName=unique("alarms"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    def read(expect: int = 0) -> list[dict]:
        """Everything the topic delivered since the last read, proven complete by a sentinel published
        now: the queue is read until the sentinel has arrived (and at least `expect` notifications, as
        SNS does not promise to deliver in order), so an empty answer is evidence, not a timeout."""
        sentinel = unique("sentinel")
        sns.publish(TopicArn=topic, Message=json.dumps({"sentinel": sentinel}))
        out: list[dict] = []
        arrived = False
        deadline = time.monotonic() + HUNG_SECONDS
        while True:
            assert time.monotonic() < deadline, "the topic's queue never received its sentinel"
            messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
            for m in messages.get("Messages", []):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
                envelope = json.loads(m["Body"])
                if "sentinel" in envelope["Message"]:
                    arrived = arrived or json.loads(envelope["Message"])["sentinel"] == sentinel
                else:
                    out.append(envelope)
            if arrived and len(out) >= expect:
                return out

    yield topic, read
    sns.delete_topic(TopicArn=topic)
    sqs.delete_queue(QueueUrl=queue_url)


# composite alarms -----------------------------------------------------------------------------------


def test_and_needs_every_child_in_alarm(alarms):
    """ "ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh) specifies that the composite alarm goes
    into ALARM state only if both ... are in ALARM state."
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html"""
    a, b, unrelated = alarms.metric_alarm(), alarms.metric_alarm(), alarms.metric_alarm()
    composite = alarms.composite_alarm(f"ALARM({a}) AND ALARM({b})")
    assert alarms.state(composite)["StateValue"] == "OK"
    alarms.set(a, "ALARM")
    assert alarms.state(composite)["StateValue"] == "OK"
    alarms.set(unrelated, "ALARM")
    assert alarms.state(composite)["StateValue"] == "OK"
    alarms.set(b, "ALARM")
    current = alarms.state(composite)
    assert current["StateValue"] == "ALARM"
    assert current["StateReason"].startswith(f"{alarms.state(b)['AlarmArn']} transitioned to ALARM at ")
    reason_data = json.loads(current["StateReasonData"])
    assert reason_data["triggeringAlarms"][0]["state"]["value"] == "ALARM"


def test_not_and_arn_references(alarms):
    """ "ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)": NOT is evaluated; ARNs name
    alarms as names do. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html"""
    cpu, deployment = alarms.metric_alarm(), alarms.metric_alarm()
    deployment_arn = alarms.state(deployment)["AlarmArn"]
    composite = alarms.composite_alarm(f'ALARM("{cpu}") AND NOT ALARM("{deployment_arn}")')
    alarms.set(cpu, "ALARM")
    assert alarms.state(composite)["StateValue"] == "ALARM"
    alarms.set(deployment, "ALARM")
    assert alarms.state(composite)["StateValue"] == "OK"


def test_composite_of_composite_and_history(alarms, aws_client):
    """A composite alarm may reference composite alarms; every transition is recorded in the alarm
    history (DescribeAlarmHistory, HistoryItemType StateUpdate; AlarmTypes CompositeAlarm, as without
    it only metric alarms are returned).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html"""
    a = alarms.metric_alarm()
    inner = alarms.composite_alarm(f"ALARM({a})")
    outer = alarms.composite_alarm(f"ALARM({inner}) OR FALSE")
    alarms.set(a, "ALARM")
    assert alarms.state(outer)["StateValue"] == "ALARM"
    cloudwatch = aws_client("cloudwatch")
    history = cloudwatch.describe_alarm_history(
        AlarmName=outer, AlarmTypes=["CompositeAlarm"], HistoryItemType="StateUpdate"
    )
    summaries = [h["HistorySummary"] for h in history["AlarmHistoryItems"]]
    assert "Alarm updated from OK to ALARM" in summaries
    assert all(h["AlarmType"] == "CompositeAlarm" for h in history["AlarmHistoryItems"])
    # Without AlarmTypes, DescribeAlarmHistory returns metric alarms only.
    assert cloudwatch.describe_alarm_history(AlarmName=outer)["AlarmHistoryItems"] == []


def test_rule_validation(alarms, aws_client):
    """PutCompositeAlarm refuses a rule naming alarms that do not exist, and a rule that is not in the
    rule language. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html"""
    cloudwatch = aws_client("cloudwatch")
    a = alarms.metric_alarm()
    with pytest.raises(ClientError) as missing:
        cloudwatch.put_composite_alarm(AlarmName=unique("c"), AlarmRule=f"ALARM({a}) OR ALARM(nope-{a})")
    assert missing.value.response["Error"]["Code"] == "ValidationError"
    assert missing.value.response["Error"]["Message"] == (
        f"Could not save the composite alarm as alarms [nope-{a}] in the alarm rule do not exist"
    )
    with pytest.raises(ClientError) as syntax:
        cloudwatch.put_composite_alarm(AlarmName=unique("c"), AlarmRule=f"ALARM({a}) AND")
    assert syntax.value.response["Error"]["Code"] == "ValidationError"


def test_child_of_a_composite_cannot_be_deleted(alarms, aws_client):
    """DeleteAlarms: an alarm that a composite alarm's rule references cannot be deleted before the
    composite alarm. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html"""
    a = alarms.metric_alarm()
    alarms.composite_alarm(f"ALARM({a})")
    with pytest.raises(ClientError) as refused:
        aws_client("cloudwatch").delete_alarms(AlarmNames=[a])
    assert (
        refused.value.response["Error"]["Message"]
        == f"Cannot delete {a} as there are composite alarm(s) depending on it."
    )


def test_actions_on_each_transition(alarms, topic_queue):
    """AlarmActions and OKActions of a composite alarm run on its transitions to ALARM and to OK.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html"""
    topic, read = topic_queue
    a = alarms.metric_alarm()
    composite = alarms.composite_alarm(f"ALARM({a})", AlarmActions=[topic], OKActions=[topic])
    read(expect=1)  # the first evaluation (INSUFFICIENT_DATA -> OK) notifies too
    alarms.set(a, "ALARM")
    received = read(expect=1)
    assert [m["Subject"] for m in received] == [f'ALARM: "{composite}" in ap-south-1']
    assert json.loads(received[0]["Message"])["NewStateValue"] == "ALARM"
    alarms.set(a, "OK")
    assert [json.loads(m["Message"])["NewStateValue"] for m in read(expect=1)] == ["OK"]


def test_actions_suppressor_holds_actions_until_the_extension_period_ends(
    alarms, topic_queue, emulator_clock
):
    """While the suppressor is in ALARM the composite alarm takes no action; after the suppressor leaves
    ALARM, actions wait ActionsSuppressorExtensionPeriod seconds, then run (ActionsSuppressedBy shows why).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm_Suppression.html"""
    topic, read = topic_queue
    a, maintenance = alarms.metric_alarm(), alarms.metric_alarm()
    alarms.set(maintenance, "ALARM")
    composite = alarms.composite_alarm(
        f"ALARM({a})",
        AlarmActions=[topic],
        ActionsSuppressor=maintenance,
        ActionsSuppressorWaitPeriod=60,
        ActionsSuppressorExtensionPeriod=120,
    )
    read()
    alarms.set(a, "ALARM")
    assert read() == []
    assert alarms.state(composite)["ActionsSuppressedBy"] == "Alarm"
    alarms.set(maintenance, "OK")
    assert read() == []
    assert alarms.state(composite)["ActionsSuppressedBy"] == "ExtensionPeriod"
    emulator_clock.advance(121)
    assert [json.loads(m["Message"])["NewStateValue"] for m in read(expect=1)] == ["ALARM"]
    assert "ActionsSuppressedBy" not in alarms.state(composite)


def test_wait_period_lets_actions_run_when_the_suppressor_stays_ok(alarms, topic_queue, emulator_clock):
    """WaitPeriod: the composite alarm waits for the suppressor to go into ALARM; when it does not, the
    actions run after ActionsSuppressorWaitPeriod seconds.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm_Suppression.html"""
    topic, read = topic_queue
    a, maintenance = alarms.metric_alarm(), alarms.metric_alarm()
    alarms.set(maintenance, "OK")
    composite = alarms.composite_alarm(
        f"ALARM({a})",
        AlarmActions=[topic],
        ActionsSuppressor=maintenance,
        ActionsSuppressorWaitPeriod=90,
        ActionsSuppressorExtensionPeriod=60,
    )
    emulator_clock.advance(91)  # the creation transition's wait ends
    read()
    alarms.set(a, "ALARM")
    assert read() == []
    assert alarms.state(composite)["ActionsSuppressedBy"] == "WaitPeriod"
    emulator_clock.advance(91)
    assert [json.loads(m["Message"])["NewStateValue"] for m in read(expect=1)] == ["ALARM"]


# metric alarms ----------------------------------------------------------------------------------------


def publish_and_evaluate(aws_client, emulator_clock, metric: str, **datum) -> None:
    now = emulator_clock.now()
    aws_client("cloudwatch").put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[{"MetricName": metric, "Timestamp": datetime.fromtimestamp(now, UTC), **datum}],
    )
    emulator_clock.advance(60)  # the minute of the datapoint ends: the next evaluation sees it


def test_statistic_values_reach_alarms(alarms, aws_client, emulator_clock):
    """PutMetricData StatisticValues: "Publishing statistic sets" are aggregated data alarms evaluate.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html"""
    metric = unique("sets")
    name = alarms.metric_alarm(MetricName=metric, Threshold=10.0, TreatMissingData="missing")
    publish_and_evaluate(
        aws_client,
        emulator_clock,
        metric,
        StatisticValues={"SampleCount": 3, "Sum": 12.0, "Minimum": 2.0, "Maximum": 6.0},
    )
    current = alarms.state(name)
    assert current["StateValue"] == "ALARM", current["StateReason"]
    assert "[12.0 " in current["StateReason"]
    # StateReasonData as CloudWatch writes it: compact JSON, the sample count of the statistic set.
    assert current["StateReasonData"].startswith('{"version":"1.0","queryDate":')
    assert json.loads(current["StateReasonData"])["evaluatedDatapoints"][0]["sampleCount"] == 3.0


def test_values_and_counts_still_reach_alarms(alarms, aws_client, emulator_clock):
    """PutMetricData Values/Counts: each value counted Counts times.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html"""
    metric = unique("values")
    name = alarms.metric_alarm(MetricName=metric, Threshold=10.0)
    publish_and_evaluate(aws_client, emulator_clock, metric, Values=[2.0, 3.0], Counts=[3, 2])
    assert "[12.0 " in alarms.state(name)["StateReason"]


def test_alarm_unit_must_match_the_published_unit(alarms, aws_client, emulator_clock):
    """PutMetricAlarm Unit: with a unit that the data was not published with, the alarm has no data and
    stays in INSUFFICIENT_DATA. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"""
    metric = unique("unit")
    with_count = alarms.metric_alarm(MetricName=metric, Unit="Count", Threshold=1.0)
    without = alarms.metric_alarm(MetricName=metric, Threshold=1.0)
    publish_and_evaluate(aws_client, emulator_clock, metric, Value=5.0)
    assert alarms.state(with_count)["StateValue"] == "INSUFFICIENT_DATA"
    assert alarms.state(without)["StateValue"] == "ALARM"


def test_unevaluated_alarm_says_so(alarms, emulator_clock):
    """An alarm the emulator cannot evaluate (here a metric math TIME_SERIES without a metric query)
    keeps INSUFFICIENT_DATA and says in StateReason that the emulator does not evaluate it.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html"""
    name = alarms.metric_alarm(
        MetricName=None,
        Namespace=None,
        Statistic=None,
        Period=None,
        Metrics=[{"Id": "e1", "Expression": "TIME_SERIES(1)", "ReturnData": True}],
    )
    emulator_clock.evaluate_alarms()
    current = alarms.state(name)
    assert current["StateValue"] == "INSUFFICIENT_DATA"
    assert current["StateReason"].startswith("Unchecked: the emulator does not evaluate this alarm (")


def test_state_timestamps_follow_the_emulator_clock(alarms, aws_client, emulator_clock):
    """StateUpdatedTimestamp and the history Timestamp of a transition are the moment of the evaluation,
    on the emulator's clock (which tests move forward).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html"""
    metric = unique("clock")
    name = alarms.metric_alarm(MetricName=metric, Threshold=1.0)
    publish_and_evaluate(aws_client, emulator_clock, metric, Value=5.0)
    now = emulator_clock.now()
    current = alarms.state(name)
    assert current["StateValue"] == "ALARM"
    assert abs(current["StateUpdatedTimestamp"].timestamp() - now) < 30
    history = aws_client("cloudwatch").describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")
    assert abs(history["AlarmHistoryItems"][0]["Timestamp"].timestamp() - now) < 30


def test_get_metric_data_with_metric_math(aws_client, emulator_clock):
    """GetMetricData evaluates metric math expressions over its MetricStat queries ("Using metric math").
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html"""
    cloudwatch = aws_client("cloudwatch")
    ok, failed = unique("ok"), unique("failed")
    minute = (int(emulator_clock.now()) // 60 - 2) * 60
    stamp = datetime.fromtimestamp(minute + 5, UTC)
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": ok, "Timestamp": stamp, "Value": 3.0},
            {"MetricName": failed, "Timestamp": stamp, "Value": 1.0},
        ],
    )
    stat = {"Period": 60, "Stat": "Sum"}
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m1",
                "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": ok}, **stat},
                "ReturnData": False,
            },
            {
                "Id": "m2",
                "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": failed}, **stat},
                "ReturnData": False,
            },
            {"Id": "rate", "Expression": "100 * m1 / (m1 + m2)", "Label": "Success rate"},
        ],
        StartTime=datetime.fromtimestamp(minute, UTC),
        EndTime=datetime.fromtimestamp(minute + 120, UTC),
    )["MetricDataResults"]
    assert [(r["Id"], r["Label"], r["Values"]) for r in result] == [("rate", "Success rate", [75.0])]
    assert result[0]["Timestamps"][0].timestamp() == minute


def put_at(cloudwatch, metric: str, moment: int, **datum) -> None:
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[{"MetricName": metric, "Timestamp": datetime.fromtimestamp(moment, UTC), **datum}],
    )


def metric_data(cloudwatch, metric: str, stat: str, start: int) -> list[float]:
    (result,) = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": metric},
                    "Period": 60,
                    "Stat": stat,
                },
            }
        ],
        StartTime=datetime.fromtimestamp(start, UTC),
        EndTime=datetime.fromtimestamp(start + 60, UTC),
    )["MetricDataResults"]
    assert result["Label"] == metric  # the default label of a metric query is the metric name
    return result["Values"]


def test_get_metric_data_with_percentiles_and_extended_statistics(aws_client, emulator_clock):
    """GetMetricData MetricStat.Stat accepts any statistic of "CloudWatch statistics definitions":
    percentiles (p99, nearest rank) and trimmed statistics (tm90) over raw values; over statistic sets
    a percentile exists only when every sample of a set has one value (SampleCount 1 or Minimum equal
    to Maximum).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles"""
    cloudwatch = aws_client("cloudwatch")
    minute = (int(emulator_clock.now()) // 60 - 2) * 60
    raw, uniform_sets, spread_sets = unique("raw"), unique("uniform"), unique("spread")
    put_at(cloudwatch, raw, minute + 5, Values=[float(v) for v in range(1, 101)])
    assert metric_data(cloudwatch, raw, "p99", minute) == [99.0]
    assert metric_data(cloudwatch, raw, "p50", minute) == [50.0]
    assert metric_data(cloudwatch, raw, "tm90", minute) == [45.5]
    assert metric_data(cloudwatch, raw, "Maximum", minute) == [100.0]  # still LocalStack's answer
    put_at(
        cloudwatch,
        uniform_sets,
        minute + 5,
        StatisticValues={"SampleCount": 3, "Sum": 15.0, "Minimum": 5.0, "Maximum": 5.0},
    )
    put_at(cloudwatch, uniform_sets, minute + 6, Value=9.0)
    assert metric_data(cloudwatch, uniform_sets, "p99", minute) == [9.0]
    assert metric_data(cloudwatch, uniform_sets, "p50", minute) == [5.0]
    put_at(
        cloudwatch,
        spread_sets,
        minute + 5,
        StatisticValues={"SampleCount": 3, "Sum": 12.0, "Minimum": 2.0, "Maximum": 6.0},
    )
    assert metric_data(cloudwatch, spread_sets, "p99", minute) == []
    assert metric_data(cloudwatch, spread_sets, "Sum", minute) == [12.0]


def test_describe_alarm_history_filters(alarms, aws_client, emulator_clock):
    """DescribeAlarmHistory filters by StartDate/EndDate (on the clock the history is written with),
    HistoryItemType, AlarmName and AlarmTypes, returns the newest entry first unless ScanBy is
    TimestampAscending, and pages by MaxRecords/NextToken.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html"""
    cloudwatch = aws_client("cloudwatch")
    name, other = alarms.metric_alarm(), alarms.metric_alarm()
    composite = alarms.composite_alarm(f"ALARM({name})")
    alarms.set(name, "ALARM")
    first = emulator_clock.now()
    emulator_clock.advance(600)
    alarms.set(name, "OK")
    alarms.set(other, "ALARM")
    second = emulator_clock.now()

    def summaries(**filters) -> list[str]:
        items = cloudwatch.describe_alarm_history(AlarmName=name, **filters)["AlarmHistoryItems"]
        return [h["HistorySummary"] for h in items]

    became_alarm = "Alarm updated from INSUFFICIENT_DATA to ALARM"
    became_ok = "Alarm updated from ALARM to OK"
    assert summaries() == [became_ok, became_alarm]
    assert summaries(ScanBy="TimestampAscending") == [became_alarm, became_ok]
    middle = datetime.fromtimestamp((first + second) / 2, UTC)
    assert summaries(StartDate=middle) == [became_ok]
    assert summaries(EndDate=middle) == [became_alarm]
    assert summaries(
        StartDate=datetime.fromtimestamp(first - 30, UTC), EndDate=datetime.fromtimestamp(second + 30, UTC)
    ) == [became_ok, became_alarm]
    assert summaries(HistoryItemType="StateUpdate") == [became_ok, became_alarm]
    assert summaries(HistoryItemType="ConfigurationUpdate") == []
    page = cloudwatch.describe_alarm_history(AlarmName=name, MaxRecords=1)
    assert [h["HistorySummary"] for h in page["AlarmHistoryItems"]] == [became_ok]
    rest = cloudwatch.describe_alarm_history(AlarmName=name, MaxRecords=1, NextToken=page["NextToken"])
    assert [h["HistorySummary"] for h in rest["AlarmHistoryItems"]] == [became_alarm]
    assert "NextToken" not in rest
    recent = cloudwatch.describe_alarm_history(StartDate=middle)["AlarmHistoryItems"]
    assert {h["AlarmName"] for h in recent} >= {name, other}
    assert composite not in {h["AlarmName"] for h in recent}
    composites = cloudwatch.describe_alarm_history(StartDate=middle, AlarmTypes=["CompositeAlarm"])
    assert {h["AlarmName"] for h in composites["AlarmHistoryItems"]} >= {composite}
    assert {h["AlarmType"] for h in composites["AlarmHistoryItems"]} == {"CompositeAlarm"}


def test_describe_alarms_types_and_family(alarms, aws_client):
    """DescribeAlarms: without AlarmTypes only metric alarms are returned; ChildrenOfAlarmName and
    ParentsOfAlarmName list a composite alarm's children and an alarm's composite parents.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html"""
    cloudwatch = aws_client("cloudwatch")
    a, b = alarms.metric_alarm(), alarms.metric_alarm()
    mid = alarms.composite_alarm(f"ALARM({a})")
    top = alarms.composite_alarm(f"ALARM({mid}) OR ALARM({b})")
    plain = cloudwatch.describe_alarms(AlarmNames=[a, mid])
    assert [x["AlarmName"] for x in plain["MetricAlarms"]] == [a] and plain["CompositeAlarms"] == []
    both = cloudwatch.describe_alarms(AlarmNames=[a, mid], AlarmTypes=["CompositeAlarm", "MetricAlarm"])
    assert [x["AlarmName"] for x in both["CompositeAlarms"]] == [mid]
    children = cloudwatch.describe_alarms(ChildrenOfAlarmName=top)
    assert [x["AlarmName"] for x in children["MetricAlarms"]] == [b]
    assert [x["AlarmName"] for x in children["CompositeAlarms"]] == [mid]
    assert "AlarmRule" not in children["CompositeAlarms"][0]
    parents = cloudwatch.describe_alarms(ParentsOfAlarmName=a)
    assert [x["AlarmName"] for x in parents["CompositeAlarms"]] == [mid]


def test_describe_alarms_pages_metric_and_composite_alarms_as_one_list(alarms, aws_client):
    """DescribeAlarms MaxRecords / NextToken page through the selected alarms, metric alarms first.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html"""
    cloudwatch = aws_client("cloudwatch")
    prefix = unique("paged")
    m1, m2 = alarms.metric_alarm(AlarmName=f"{prefix}-m1"), alarms.metric_alarm(AlarmName=f"{prefix}-m2")
    for name in ("c1", "c2", "c3"):
        alarms.composite_alarm(f"ALARM({m1})", AlarmName=f"{prefix}-{name}")
    pages, token = [], None
    while True:
        arguments = {
            "AlarmNamePrefix": prefix,
            "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
            "MaxRecords": 2,
        }
        page = cloudwatch.describe_alarms(**arguments, **({"NextToken": token} if token else {}))
        pages.append(
            [
                a["AlarmName"].removeprefix(f"{prefix}-")
                for a in page["MetricAlarms"] + page["CompositeAlarms"]
            ]
        )
        token = page.get("NextToken")
        if not token:
            break
    assert pages == [["m1", "m2"], ["c1", "c2"], ["c3"]]
    assert m2 in [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]]


def test_actions_the_emulator_cannot_run_are_accepted_and_recorded(alarms, aws_client, aws_endpoint):
    """CloudWatch accepts Lambda, EC2 and Systems Manager alarm actions (PutMetricAlarm AlarmActions,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html); the emulator
    runs no function, so a transition records the invocation, with the event CloudWatch sends to Lambda
    ("Lambda alarm actions", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions),
    at /_cartmon/deliveries instead."""
    function_arn = f"arn:aws:lambda:{REGION}:000000000000:function:{unique('pager')}"
    stop_arn = f"arn:aws:automate:{REGION}:ec2:stop"
    name = alarms.metric_alarm(AlarmActions=[function_arn, stop_arn])
    alarms.set(name, "ALARM")
    deliveries = EmulatorDeliveries(aws_endpoint)
    (delivery,) = deliveries.pending(function_arn)
    assert delivery["source"] == "cloudwatch-alarm"
    assert delivery["event"]["alarmData"]["alarmName"] == name
    assert delivery["event"]["alarmData"]["state"]["value"] == "ALARM"
    assert name in [d["sourceArn"].rsplit(":", 1)[-1] for d in deliveries.pending(stop_arn)]
    assert [d["id"] for d in deliveries.take(function_arn)] == [delivery["id"]]
    assert deliveries.pending(function_arn) == []
