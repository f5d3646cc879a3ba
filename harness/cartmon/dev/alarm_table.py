"""The demo's alarm table: what paged and what changed during the run first, readable.

The terminal gets the alarms whose state changed since the traffic started, pages first, then
tickets, then the alarms that notify nobody (burn-rate windows); reasons are cut at a word
boundary, numbers rounded and CloudWatch's dd/mm/yy dates written as ISO 8601 UTC. Every alarm,
reasons whole, goes to a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cartmon.ops.review.collect import who_hears

REASON_WIDTH = 100
# CloudWatch writes datapoint times in a StateReason as (dd/MM/yy HH:mm:ss), in UTC.
CLOUDWATCH_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{2}) (\d{2}:\d{2}(?::\d{2})?)\b")
# A composite alarm's reason names its children by ARN; the name says the same in a third of the width.
ALARM_ARN = re.compile(r"arn:aws[\w-]*:cloudwatch:[\w-]+:\d{12}:alarm:")
LONG_FLOAT = re.compile(r"(?<![\w.])(-?\d+\.\d{3,})(?![\w.])")
NOTIFIES_ORDER = {"page": 0, "ticket": 1, "nobody": 2}


def readable_reason(reason: str) -> str:
    """Floats to at most two decimals, CloudWatch's dates as ISO 8601 UTC, alarm ARNs as names."""
    reason = ALARM_ARN.sub("", reason)
    reason = CLOUDWATCH_DATE.sub(lambda m: f"20{m[3]}-{m[2]}-{m[1]}T{m[4]}Z", reason)
    return LONG_FLOAT.sub(lambda m: f"{float(m[1]):.2f}".rstrip("0").rstrip("."), reason)


def shorten(text: str, width: int = REASON_WIDTH) -> str:
    """At most `width` characters, cut at a word boundary and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:(") + "…"


def iso_utc(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Row:
    name: str
    notifies: str  # page, ticket, nobody
    kind: str  # metric or composite
    state: str
    since: datetime | None
    reason: str

    def changed_since(self, moment: float) -> bool:
        return self.since is not None and self.since.timestamp() >= moment


def rows(metric_alarms: list[dict], composite_alarms: list[dict], page_topic_arn: str | None) -> list[Row]:
    """Every alarm, pages first, then tickets, then the silent ones; ALARM before the rest, by name."""
    out = [
        Row(
            alarm["AlarmName"],
            who_hears(alarm, page_topic_arn),
            kind,
            alarm["StateValue"],
            alarm.get("StateUpdatedTimestamp"),
            readable_reason(alarm.get("StateReason") or ""),
        )
        for kind, alarms in (("metric", metric_alarms), ("composite", composite_alarms))
        for alarm in alarms
    ]
    return sorted(out, key=lambda r: (NOTIFIES_ORDER.get(r.notifies, 3), r.state != "ALARM", r.name))


def render(table: list[Row], prefix: str = "", reason_width: int | None = REASON_WIDTH) -> str:
    """Aligned columns; names without the shared prefix when one is given."""
    if not table:
        return "  (no alarms)"
    names = [r.name.removeprefix(prefix) for r in table]
    width = max(len("alarm"), *(len(n) for n in names))
    lines = [f"  {'alarm'.ljust(width)}  {'notifies':<8}  {'state':<17}  {'since (UTC)':<20}  reason"]
    for name, row in zip(names, table, strict=True):
        reason = row.reason if reason_width is None else shorten(row.reason, reason_width)
        lines.append(
            f"  {name.ljust(width)}  {row.notifies:<8}  {row.state:<17}  {iso_utc(row.since):<20}  {reason}"
        )
    return "\n".join(lines)


def describe(cloudwatch, names: list[str]) -> tuple[list[dict], list[dict]]:
    """Metric and composite alarms by name (DescribeAlarms takes at most 100 names a call)."""
    metric: list[dict] = []
    composite: list[dict] = []
    for start in range(0, len(names), 100):
        kwargs = {"AlarmNames": names[start : start + 100], "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
        for page in cloudwatch.get_paginator("describe_alarms").paginate(**kwargs):
            metric += page.get("MetricAlarms", [])
            composite += page.get("CompositeAlarms", [])
    return metric, composite
