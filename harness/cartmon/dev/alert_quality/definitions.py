"""The alarms to replay, read from `terraform show -json` of a plan of examples/local: each planned
metric alarm becomes the `DescribeAlarms` `MetricAlarms` entry CloudWatch would return for it, each
composite alarm its rule, actions and suppressor. Nothing here restates a threshold or a window."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cartmon.project import ROOT, copy_module


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


# Terraform override file for the copy of examples/local: the module creates its REST API.
WITH_API = 'module "monitoring" {\n  create_api = true\n}\n'


def plan_json(tf_vars: dict[str, str] | None = None, override: str | None = None) -> dict:
    """`terraform plan` of examples/local on a copy of the module, as `terraform show -json` gives it.
    `override`: the text of an override file for the example (WITH_API), written into the copy only.
    Needs AWS_ENDPOINT_URL (the data sources read the caller identity)."""
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0")
    env.setdefault("TF_CLI_CONFIG_FILE", str(ROOT / "build" / "terraformrc"))
    with tempfile.TemporaryDirectory(prefix="alert-quality-") as tmp:
        copy = copy_module(Path(tmp))
        workdir = copy / "examples" / "local"
        if override:
            (workdir / "alert_quality_override.tf").write_text(override)
        package = ROOT / "build" / "cart_migration.zip"
        args = ["-var", "create_lambda=true", "-var", f"lambda_package_path={package}"]
        for name, value in (tf_vars or {}).items():
            args += ["-var", f"{name}={value}"]
        subprocess.run(
            ["terraform", "init", "-input=false", "-no-color"],
            cwd=workdir,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["terraform", "plan", "-input=false", "-no-color", "-out=plan.bin", *args],
            cwd=workdir,
            env=env,
            check=True,
            capture_output=True,
        )
        shown = subprocess.run(
            ["terraform", "show", "-json", "plan.bin"], cwd=workdir, env=env, check=True, capture_output=True
        )
        return json.loads(shown.stdout)
