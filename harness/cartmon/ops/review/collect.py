"""Gather the weekly checklist's figures from CloudWatch, CloudWatch Logs, SNS and the state.

Every function takes boto3 clients and a time window (epoch seconds) and returns plain data;
nothing here formats. What cannot be read is returned as a note, never raised, so one missing
permission or service leaves the rest of the review intact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cartmon.ops import query as saved_queries
from cartmon.project import CATALOGUE_PATH

# The guide's success-rate objective (Performance Benchmarks: target > 99.5 %, acceptable > 95 %).
SUCCESS_RATE_TARGET = 99.5
SUCCESS_RATE_ACCEPTABLE = 95.0
# An alarm that went into ALARM this many times in the window is flapping: its threshold or
# evaluation periods need a look (monthly checklist: "update alarm thresholds based on traffic").
FLAPPING_ENTRIES = 3
PERCENTILE = "p99"

AWS_ERRORS = (ClientError, BotoCoreError)


def catalogue() -> dict:
    return json.loads(CATALOGUE_PATH.read_text())


@dataclass
class Target:
    """Where the review reads from: the names a deployment of the module gives."""

    name_prefix: str = "vyaparai-cart-migration"
    function_name: str = "vyaparai-cart-migration"
    alarm_name_prefix: str = "VyaparAI-CartMigration"
    namespace: str | None = None  # None: the catalogue's metric_namespace
    topic_arns: dict[str, str] = field(default_factory=dict)  # role -> ARN; empty: found by name

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any], **defaults: Any) -> Target:
        """From `terraform output -json` of the module (values or {"value": ...} entries)."""

        def value(name: str) -> Any:
            item = outputs.get(name)
            return item.get("value") if isinstance(item, dict) and "value" in item else item

        target = cls(**defaults)
        names = value("query_definition_names") or {}
        if names:
            target.name_prefix = next(iter(names.values())).split("/", 1)[0]
        alarms = value("alarms") or {}
        if alarms:
            key, alarm = next(iter(alarms.items()))
            target.alarm_name_prefix = alarm["name"].removesuffix(f"-{key}")
        target.namespace = value("metric_namespace") or target.namespace
        target.function_name = value("lambda_function_name") or target.function_name
        target.topic_arns = value("sns_topic_arns") or {}
        return target


# --------------------------------------------------------------------------- alarm history


@dataclass
class AlarmHistory:
    name: str
    priority: str  # "P1".."P3" for an alarm that notifies; "-" for one that notifies nobody
    state: str
    transitions: list[tuple[float, str, str]]  # (time, from, to), oldest first
    seconds_in_alarm: float
    entries_into_alarm: int
    # Who hears of it: "page" (a composite on the page topic), "ticket" (it notifies the alerts
    # topic) or "nobody" (a burn-rate window or other input of a composite alarm).
    notifies: str = "ticket"
    composite: bool = False

    @property
    def flapping(self) -> bool:
        return self.entries_into_alarm >= FLAPPING_ENTRIES

    @property
    def rank(self) -> int:
        """Pages first, then tickets, then the alarms that notify nobody."""
        return {"page": 0, "ticket": 1}.get(self.notifies, 2)


def who_hears(alarm: dict, page_topic_arn: str | None) -> str:
    """page, ticket or nobody, from the alarm's actions (what CloudWatch will actually do)."""
    actions = alarm.get("AlarmActions") or []
    if not actions:
        return "nobody"
    pages = page_topic_arn in actions if page_topic_arn else any(a.endswith("-page") for a in actions)
    return "page" if pages else "ticket"


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def state_transitions(items: list[dict]) -> list[tuple[float, str, str]]:
    """(time, old state, new state) of StateUpdate history items, oldest first."""
    out = []
    for item in items:
        if item.get("HistoryItemType") != "StateUpdate":
            continue
        try:
            data = json.loads(item.get("HistoryData") or "{}")
            old, new = data["oldState"]["stateValue"], data["newState"]["stateValue"]
        except (ValueError, KeyError, TypeError):
            continue
        if old != new:
            out.append((_epoch(item["Timestamp"]), old, new))
    return sorted(out)


def time_in_alarm(transitions: list[tuple[float, str, str]], current: str, start: float, end: float) -> float:
    """Seconds in ALARM within [start, end]: the state before the first transition is its old state."""
    state = transitions[0][1] if transitions else current
    since, total = start, 0.0
    for moment, _old, new in transitions:
        moment = min(max(moment, start), end)
        if state == "ALARM":
            total += moment - since
        state, since = new, moment
    if state == "ALARM":
        total += end - since
    return total


def alarm_history(
    cloudwatch, prefix: str, start: float, end: float, page_topic_arn: str | None = None
) -> list[AlarmHistory]:
    """Every alarm of the stack with its state changes in the window: pages first, then tickets,
    then the alarms that notify nobody; by name within each group."""
    alarms: list[dict] = []
    composite_names: set[str] = set()
    # Both kinds: the pages are composite alarms, and CloudWatch lists metric alarms only unless asked.
    both_kinds = ["MetricAlarm", "CompositeAlarm"]
    for page in cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=f"{prefix}-", AlarmTypes=both_kinds
    ):
        alarms += page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])
        composite_names |= {a["AlarmName"] for a in page.get("CompositeAlarms", [])}
    out = []
    for alarm in sorted(alarms, key=lambda a: a["AlarmName"]):
        items: list[dict] = []
        kwargs = {
            "AlarmName": alarm["AlarmName"],
            "AlarmTypes": both_kinds,
            "HistoryItemType": "StateUpdate",
            "StartDate": datetime.fromtimestamp(start, UTC),
            "EndDate": datetime.fromtimestamp(end, UTC),
        }
        while True:
            page = cloudwatch.describe_alarm_history(**kwargs)
            items += page.get("AlarmHistoryItems", [])
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        transitions = [t for t in state_transitions(items) if start <= t[0] <= end]
        priority = (alarm.get("AlarmDescription") or "")[:2]
        notifies = who_hears(alarm, page_topic_arn)
        out.append(
            AlarmHistory(
                name=alarm["AlarmName"],
                # A burn-rate window's description carries its SLO's priority, but it pages nobody.
                priority=priority if priority in ("P1", "P2", "P3") and notifies != "nobody" else "-",
                state=alarm["StateValue"],
                transitions=transitions,
                seconds_in_alarm=time_in_alarm(transitions, alarm["StateValue"], start, end),
                entries_into_alarm=sum(1 for t in transitions if t[2] == "ALARM"),
                notifies=notifies,
                composite=alarm["AlarmName"] in composite_names,
            )
        )
    return sorted(out, key=lambda a: (a.rank, a.name))


@dataclass
class StateChange:
    moment: float
    alarm: str
    old: str
    new: str
    notifies: str


@dataclass
class StateChanges:
    """The window's state changes in two lists. `notified`: every change into or out of ALARM
    of an alarm that pages or files a ticket, oldest first, never cut. `other`: the rest (deploy-time
    INSUFFICIENT_DATA -> OK, the burn-rate windows), changes into ALARM first, cut to `limit` rows;
    `other_total` says how many there were."""

    notified: list[StateChange]
    other: list[StateChange]
    other_total: int


def state_changes(alarms: list[AlarmHistory], limit: int = 50) -> StateChanges:
    notified: list[StateChange] = []
    other: list[StateChange] = []
    for alarm in alarms:
        for moment, old, new in alarm.transitions:
            change = StateChange(moment, alarm.name, old, new, alarm.notifies)
            heard = alarm.notifies != "nobody" and "ALARM" in (old, new)
            (notified if heard else other).append(change)
    notified.sort(key=lambda c: (c.moment, c.notifies != "page", c.alarm))
    other.sort(key=lambda c: (c.new != "ALARM", c.moment, c.alarm))
    return StateChanges(notified, other[:limit], len(other))


# --------------------------------------------------------------------------- saved queries


@dataclass
class QueryResult:
    name: str
    rows: list[dict[str, str]]
    note: str = ""


def saved_query(logs, full_name: str, start: float, end: float) -> QueryResult:
    try:
        definition = saved_queries.find_definition(logs, full_name)
    except SystemExit as missing:
        return QueryResult(full_name, [], f"not run: {str(missing).splitlines()[0]}")
    try:
        rows = saved_queries.run(logs, definition, int(start), int(end))
    except (SystemExit, *AWS_ERRORS) as failed:
        return QueryResult(full_name, [], f"failed: {failed}")
    return QueryResult(full_name, rows)


# --------------------------------------------------------------------------- metrics


def metric_total(cloudwatch, namespace: str, name: str, start: float, end: float) -> float:
    """Sum of a metric over the window (no data counts as 0)."""
    period = max(60, int(end - start) // 60 * 60)  # one datapoint for the whole window
    response = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        StartTime=datetime.fromtimestamp(start, UTC),
        EndTime=datetime.fromtimestamp(end, UTC),
        Period=period,
        Statistics=["Sum"],
    )
    return sum(point.get("Sum", 0.0) for point in response.get("Datapoints", []))


@dataclass
class SuccessRate:
    successes: float
    failures: float

    @property
    def rate(self) -> float | None:
        total = self.successes + self.failures
        return None if total == 0 else 100.0 * self.successes / total

    @property
    def verdict(self) -> str:
        rate = self.rate
        if rate is None:
            return "no migrations"
        if rate >= SUCCESS_RATE_TARGET:
            return "meets the target"
        return "acceptable" if rate >= SUCCESS_RATE_ACCEPTABLE else "below the acceptable level"


def success_rate(cloudwatch, namespace: str, start: float, end: float) -> SuccessRate:
    return SuccessRate(
        metric_total(cloudwatch, namespace, "MigrationSuccessCount", start, end),
        metric_total(cloudwatch, namespace, "MigrationFailureCount", start, end),
    )


@dataclass
class Latency:
    operation: str
    label: str
    target_ms: float
    acceptable_ms: float
    alert_ms: float
    samples: float
    average_ms: float | None
    p99_ms: float | None
    statistic: str = PERCENTILE  # what p99_ms holds: the p99, or the maximum where no percentile is served

    @property
    def verdict(self) -> str:
        if self.p99_ms is None:
            return "no data"
        if self.p99_ms <= self.target_ms:
            return "meets the target"
        if self.p99_ms <= self.acceptable_ms:
            return "acceptable"
        return "above the alert line" if self.p99_ms > self.alert_ms else "above acceptable"


def latency(cloudwatch, namespace: str, start: float, end: float) -> list[Latency]:
    """p99, average and sample count of OperationDuration per catalogue operation, one period
    spanning the whole window. Where the service cannot compute percentiles (LocalStack's
    GetMetricData), the maximum stands in: an upper bound of the p99, so a "meets" still holds."""
    operations = catalogue()["operations"]
    span = max(60, int(end - start) // 60 * 60)

    def fetch(stats: tuple[str, ...]) -> dict[str, list[float]]:
        queries = [
            {
                "Id": f"q{index}_{position}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": "OperationDuration",
                        "Dimensions": [{"Name": "Operation", "Value": operation}],
                    },
                    "Period": span,
                    "Stat": stat,
                },
            }
            for index, operation in enumerate(operations)
            for position, stat in enumerate(stats)
        ]
        response = cloudwatch.get_metric_data(
            MetricDataQueries=queries,
            StartTime=datetime.fromtimestamp(start, UTC),
            EndTime=datetime.fromtimestamp(end, UTC),
        )
        return {r["Id"]: r.get("Values", []) for r in response.get("MetricDataResults", [])}

    plain = fetch(("SampleCount", "Average", "Maximum"))
    try:
        upper, statistic = fetch((PERCENTILE,)), PERCENTILE
    except AWS_ERRORS:
        upper, statistic = {f"q{i}_0": plain.get(f"q{i}_2", []) for i in range(len(operations))}, "Maximum"
    out = []
    for index, (operation, spec) in enumerate(operations.items()):
        samples = sum(plain.get(f"q{index}_0", []))
        averages, uppers = plain.get(f"q{index}_1", []), upper.get(f"q{index}_0", [])
        out.append(
            Latency(
                operation,
                spec["label"],
                spec["target_ms"],
                spec["acceptable_ms"],
                spec["alert_ms"],
                samples,
                averages[0] if samples and averages else None,
                max(uppers) if samples and uppers else None,
                statistic,
            )
        )
    return out


def invocations_per_day(cloudwatch, function_name: str, start: float, end: float) -> float:
    response = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Invocations",
        Dimensions=[{"Name": "FunctionName", "Value": function_name}],
        StartTime=datetime.fromtimestamp(start, UTC),
        EndTime=datetime.fromtimestamp(end, UTC),
        Period=max(60, int(end - start) // 60 * 60),
        Statistics=["Sum"],
    )
    total = sum(point.get("Sum", 0.0) for point in response.get("Datapoints", []))
    return total * 86400 / max(end - start, 1)


# --------------------------------------------------------------------------- subscribers


@dataclass
class Topic:
    role: str  # page or alerts (the module's roles)
    arn: str
    confirmed: list[tuple[str, str]]  # (protocol, endpoint)
    pending: list[tuple[str, str]]

    @property
    def receives(self) -> str:
        return TOPIC_RECEIVES.get(self.role, "")


# The module's topic roles, page first: who is woken comes before who is told.
TOPIC_RECEIVES = {"page": "pages (P1 composite alarms)", "alerts": "every alarm that notifies (P1-P3)"}
# Former names the module's sns_topic_arns output still carries for the same topics.
TOPIC_ALIASES = {"critical": "page", "warning": "alerts"}


def topic_roles(topic_arns: dict[str, str]) -> dict[str, str]:
    """role -> ARN, each topic once, page first: sns_topic_arns names each topic twice
    (alerts/warning, page/critical). The module's role names win over the former ones."""
    out: dict[str, str] = {}
    for role in sorted(topic_arns, key=lambda r: (r in TOPIC_ALIASES, r)):
        arn = topic_arns[role]
        if not arn or arn in out.values():
            continue
        canonical = TOPIC_ALIASES.get(role, role)
        out[role if canonical in out else canonical] = arn
    order = list(TOPIC_RECEIVES)
    return dict(
        sorted(out.items(), key=lambda item: (order.index(item[0]) if item[0] in order else 9, item[0]))
    )


def topics(sns, target: Target) -> list[Topic]:
    arns = topic_roles(target.topic_arns)
    if not arns:
        # The module's default topic names (modules/alerting): <name_prefix>-alerts-page and -alerts.
        names = {f"{target.name_prefix}-alerts-page": "page", f"{target.name_prefix}-alerts": "alerts"}
        for page in sns.get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                role = names.get(topic["TopicArn"].rsplit(":", 1)[-1])
                if role:
                    arns[role] = topic["TopicArn"]
        arns = topic_roles(arns)
    out = []
    for role, arn in arns.items():
        confirmed: list[tuple[str, str]] = []
        pending: list[tuple[str, str]] = []
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
            for sub in page.get("Subscriptions", []):
                entry = (sub["Protocol"], sub["Endpoint"])
                (
                    pending
                    if sub["SubscriptionArn"] in ("PendingConfirmation", "pending confirmation")
                    else confirmed
                ).append(entry)
        out.append(Topic(role, arn, confirmed, pending))
    return out


# --------------------------------------------------------------------------- cost


@dataclass
class CostSummary:
    total: float | None
    total_without_free_tier: float | None
    lines: list[tuple[str, float]]
    invocations_per_day: float
    note: str = ""


def state_as_plan(state: dict) -> dict:
    """`terraform show -json` of a state in the shape of a plan (every resource unchanged)."""
    if "resource_changes" in state:
        return state
    changes = []

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            changes.append(
                {
                    "address": resource["address"],
                    "mode": resource.get("mode", "managed"),
                    "type": resource["type"],
                    "change": {"actions": ["no-op"], "after": resource.get("values") or {}},
                }
            )
        for child in module.get("child_modules", []):
            walk(child)

    walk(state.get("values", {}).get("root_module", {}))
    return {"resource_changes": changes}


def month_cost(plan_or_state: dict | None, invocations_per_day: float) -> CostSummary:
    """The cost tool's estimate of the deployed resources at the traffic this window saw."""
    if not plan_or_state:
        return CostSummary(
            None,
            None,
            [],
            invocations_per_day,
            "no plan or state given (--state; `make review` uses build/plan.json of `make plan`)",
        )
    from cartmon.ops.cost.estimate import estimate  # only what the review needs
    from cartmon.ops.cost.model import Assumptions

    result = estimate(
        state_as_plan(plan_or_state), Assumptions(invocations_per_day=max(invocations_per_day, 1))
    )
    lines = sorted(((line.item, line.cost) for line in result.lines), key=lambda item: -item[1])
    return CostSummary(result.total, result.total_without_free_tier, lines, invocations_per_day)
