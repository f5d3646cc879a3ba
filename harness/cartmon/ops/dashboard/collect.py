"""Everything the widgets show, fetched once: metric data, log query rows, or the error to show."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from cartmon.ops.dashboard.fetch import MetricData, fetch_metric_data
from cartmon.ops.dashboard.layout import Widget
from cartmon.ops.dashboard.log_widget import LogTable, run_log_widget


@dataclass
class Rendered:
    widget: Widget
    metrics: MetricData | None = None
    table: LogTable | None = None
    error: str | None = None


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
        except ValueError as error:  # a malformed metrics array: show it, render the rest
            item.error = str(error)
        out.append(item)
    return out
