"""The alarms to replay, read from `terraform show -json` of a plan of examples/local (plans.py plans it
offline): each planned metric alarm becomes the `DescribeAlarms` `MetricAlarms` entry CloudWatch would
return for it, each composite alarm its rule, actions and suppressor. Nothing here restates a threshold
or a window."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Composite:
    name: str
    rule: str
    actions: list[str]
    suppressor: str | None = None
    wait_period: float = 0
    extension_period: float = 0


@dataclass
class AlarmSet:
    metric: dict[str, dict]  # alarm name -> DescribeAlarms MetricAlarms entry
    composite: dict[str, Composite]
    actions: dict[str, list[str]]  # metric alarm name -> its ALARM actions
    topics: dict[str, str]  # role (alerts, page) -> ARN
    priority: dict[str, str] = field(default_factory=dict)  # any alarm name -> P1/P2/P3


def _dimensions(mapping: dict | None) -> list[dict]:
    return [{"Name": k, "Value": v} for k, v in sorted((mapping or {}).items())]


def metric_alarm(after: dict) -> dict:
    """A planned `aws_cloudwatch_metric_alarm` as DescribeAlarms returns it."""
    alarm = {
        "AlarmName": after["alarm_name"],
        "EvaluationPeriods": after["evaluation_periods"],
        "Threshold": float(after["threshold"]),
        "ComparisonOperator": after["comparison_operator"],
        "TreatMissingData": after["treat_missing_data"],
        "StateValue": "INSUFFICIENT_DATA",
    }
    if after.get("datapoints_to_alarm"):
        alarm["DatapointsToAlarm"] = after["datapoints_to_alarm"]
    if after.get("evaluate_low_sample_count_percentiles"):
        alarm["EvaluateLowSampleCountPercentile"] = after["evaluate_low_sample_count_percentiles"]
    if after.get("metric_query"):
        metrics = []
        for query in after["metric_query"]:
            entry = {"Id": query["id"], "ReturnData": bool(query.get("return_data"))}
            if query.get("expression"):
                entry["Expression"] = query["expression"]
            for m in query.get("metric") or []:
                entry["MetricStat"] = {
                    "Metric": {
                        "Namespace": m["namespace"],
                        "MetricName": m["metric_name"],
                        "Dimensions": _dimensions(m.get("dimensions")),
                    },
                    "Period": m["period"],
                    "Stat": m["stat"],
                }
            metrics.append(entry)
        alarm["Metrics"] = metrics
    else:
        alarm.update(
            Namespace=after["namespace"],
            MetricName=after["metric_name"],
            Dimensions=_dimensions(after.get("dimensions")),
            Period=after["period"],
        )
        if after.get("extended_statistic"):
            alarm["ExtendedStatistic"] = after["extended_statistic"]
        else:
            alarm["Statistic"] = after["statistic"]
    return alarm


def alarm_set(plan: dict) -> AlarmSet:
    """Every alarm of the plan of examples/local."""
    out = AlarmSet({}, {}, {}, {})
    for change in plan["resource_changes"]:
        after = change["change"]["after"]
        if change["type"] == "aws_cloudwatch_metric_alarm":
            out.metric[after["alarm_name"]] = metric_alarm(after)
            out.actions[after["alarm_name"]] = list(after.get("alarm_actions") or [])
            out.priority[after["alarm_name"]] = after["tags"]["Priority"]
        elif change["type"] == "aws_cloudwatch_composite_alarm":
            (suppressor,) = after.get("actions_suppressor") or [None]
            out.composite[after["alarm_name"]] = Composite(
                name=after["alarm_name"],
                rule=after["alarm_rule"],
                actions=list(after.get("alarm_actions") or []),
                suppressor=suppressor["alarm"] if suppressor else None,
                wait_period=suppressor["wait_period"] if suppressor else 0,
                extension_period=suppressor["extension_period"] if suppressor else 0,
            )
            out.priority[after["alarm_name"]] = after["tags"]["Priority"]
    outputs = plan["planned_values"]["outputs"]
    out.topics = {role: outputs["sns_topic_arns"]["value"][role] for role in ("alerts", "page")}
    return out
