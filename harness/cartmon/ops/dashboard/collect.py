"""Everything the widgets show, fetched once: metric data, log query rows, or the error to show."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cartmon.ops.dashboard.fetch import MetricData, fetch_metric_data
from cartmon.ops.dashboard.layout import Widget
from cartmon.ops.dashboard.log_widget import LogTable, run_log_widget


@dataclass
class AlarmStatus:
    name: str
    state: str  # OK, ALARM, INSUFFICIENT_DATA, or "not found"
    since: str  # ISO 8601 UTC of the last state change, "" when unknown


@dataclass
class Rendered:
    widget: Widget
    metrics: MetricData | None = None
    table: LogTable | None = None
    error: str | None = None
    alarms: list[AlarmStatus] | None = None


def alarm_statuses(cloudwatch, arns: list[str]) -> list[AlarmStatus]:
    """The alarm widget's alarms in its order, with their states now (DescribeAlarms by name)."""
    names = [arn.split(":alarm:", 1)[-1] for arn in arns]
    found: dict[str, dict] = {}
    for start in range(0, len(names), 100):
        for page in cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmNames=names[start : start + 100], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        ):
            for alarm in page.get("MetricAlarms", []) + page.get("CompositeAlarms", []):
                found[alarm["AlarmName"]] = alarm
    out = []
    for name in names:
        alarm = found.get(name)
        moment = alarm.get("StateUpdatedTimestamp") if alarm else None
        since = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(moment, datetime) else ""
        out.append(AlarmStatus(name, alarm["StateValue"] if alarm else "not found", since))
    return out


def collect(cloudwatch, logs, widgets: list[Widget], start: float, end: float) -> list[Rendered]:
    clients: dict[str | None, Any] = {}

    def cloudwatch_for(region: str | None):
        own = cloudwatch.meta.region_name
        if not region or region == own:
            return cloudwatch
        if region not in clients:
            import boto3

            clients[region] = boto3.client(
                "cloudwatch", region_name=region, endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None
            )
        return clients[region]

    out = []
    for widget in widgets:
        item = Rendered(widget)
        try:
            if widget.type == "metric":
                item.metrics = fetch_metric_data(cloudwatch_for, widget.properties, start, end)
            elif widget.type == "log":
                item.table = run_log_widget(logs, widget.properties, start, end)
            elif widget.type == "alarm":
                item.alarms = alarm_statuses(cloudwatch, list(widget.properties.get("alarms") or []))
        except ValueError as error:  # a malformed metrics array: show it, render the rest
            item.error = str(error)
        out.append(item)
    return out
