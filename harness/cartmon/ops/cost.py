"""Monthly cost estimate of the resources a Terraform plan creates, at ap-south-1 list prices.

    cost.py build/plan.json [--invocations-per-day N] [--gb-per-month G] [--json] [...]

The plan is `terraform show -json` of a saved plan (`make plan` writes build/plan.json for the
local example). What the plan declares is counted from it: alarms and their alarm metrics
(standard or high resolution; a metric-math alarm counts each metric it reads, an anomaly
detection band two more), the custom metrics its metric filters publish (each combination of
dimension values is a metric), dashboards, log groups and their retention, KMS keys, SNS
subscriptions, DynamoDB tables, the Lambda function's memory and architecture. What only
traffic decides (invocations, log volume, alarm notifications, DynamoDB request units) is an
assumption, printed with the estimate and changed with the options.

Unit prices are in PRICES, each with its source. "Asia Pacific (Mumbai)" prices were found for
some items only; an item priced at the US East list price is marked "assumed" in PRICES and in
the output. Totals are given twice: with the AWS always-free allowances (an account running
nothing else) and without them (the marginal cost in an account that already uses them).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cartmon.project import ROOT

CATALOGUE_PATH = ROOT / "lambda_src" / "cart_migration" / "event_catalogue.json"

REGION = "ap-south-1"
REGION_NAME = "Asia Pacific (Mumbai)"
PRICES_CHECKED = "2026-11-28"
HOURS_PER_MONTH = 730  # AWS's month
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
GB = 1024**3  # AWS bills data in GB of 2^30 bytes
LOG_EVENT_METADATA_BYTES = 26  # stored per archived log event (CloudWatch pricing page)

_CW_PAGE = "https://aws.amazon.com/cloudwatch/pricing/"
_SNS_PAGE = "https://aws.amazon.com/sns/pricing/"
_LAMBDA_PAGE = "https://aws.amazon.com/lambda/pricing/"
_DDB_PAGE = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
_KMS_PAGE = "https://aws.amazon.com/kms/pricing/"
# Mumbai on-demand prices read from the AWS Price List API (location "Asia Pacific (Mumbai)",
# usage types APS3-*), as quoted in a public repository's cost script dated 17 Sep 2026; not
# checked against the live price list.
_PRICE_LIST = "AWS Price List API, Asia Pacific (Mumbai), usage type {} (quoted 2026-09-17)"

# One entry per unit price: USD per `unit`, its source, and whether the Mumbai price was found
# ("assumed": the US East list price, Mumbai's not found). Checked on PRICES_CHECKED.
PRICES: dict[str, dict[str, Any]] = {
    "alarm_standard": {
        "usd": 0.10,
        "unit": "alarm metric-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: standard resolution, $0.10 per alarm metric)",
    },
    "alarm_high_resolution": {
        "usd": 0.30,
        "unit": "alarm metric-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: high resolution, $0.30 per alarm metric)",
    },
    "alarm_composite": {
        "usd": 0.50,
        "unit": "alarm-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: composite alarm, $0.50 per alarm)",
    },
    "custom_metric": {
        "usd": 0.30,
        "unit": "metric-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $0.30 per metric for the first 10,000)",
    },
    "dashboard": {
        "usd": 3.00,
        "unit": "dashboard-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $3.00 per dashboard; first 3 free, up to 50 metrics each)",
    },
    "log_ingestion": {
        "usd": 0.67,
        "unit": "GB ingested",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-DataProcessing-Bytes") + "; US East is $0.50",
    },
    "log_storage": {
        "usd": 0.03,
        "unit": "GB-month stored (compressed)",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $0.03 per GB archived, gzip-compressed, 26 bytes per event)",
    },
    "logs_insights": {
        "usd": 0.005,
        "unit": "GB scanned",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $0.005 per GB of data scanned)",
    },
    "sns_publish": {
        "usd": 0.50 / 1_000_000,
        "unit": "request",
        "assumed": True,
        "source": f"{_SNS_PAGE} (US East: $0.50 per million requests; first 1 million free)",
    },
    "sns_email": {
        "usd": 2.00 / 100_000,
        "unit": "email notification",
        "assumed": True,
        "source": f"{_SNS_PAGE} (US East: $2.00 per 100,000 email notifications; first 1,000 free)",
    },
    "sns_http": {
        "usd": 0.60 / 1_000_000,
        "unit": "HTTP(S) notification",
        "assumed": True,
        "source": f"{_SNS_PAGE} (US East: $0.60 per million HTTP/S notifications; first 100,000 free)",
    },
    "kms_key": {
        "usd": 1.00,
        "unit": "key-month",
        "assumed": False,
        "source": _PRICE_LIST.format("ap-south-1-KMS-Keys") + f"; {_KMS_PAGE}",
    },
    "kms_request": {
        "usd": 0.03 / 10_000,
        "unit": "request",
        "assumed": False,
        "source": _PRICE_LIST.format("ap-south-1-KMS-Requests") + " ($0.03 per 10,000; 20,000 free)",
    },
    "dynamodb_write": {
        "usd": 0.71 / 1_000_000,
        "unit": "write request unit",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-WriteRequestUnits") + f" ($0.71 per million); {_DDB_PAGE}",
    },
    "dynamodb_read": {
        "usd": 0.1425 / 1_000_000,
        "unit": "read request unit",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-ReadRequestUnits") + " ($0.1425 per million)",
    },
    "dynamodb_storage": {
        "usd": 0.285,
        "unit": "GB-month",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-TimedStorage-ByteHrs") + " (first 25 GB free)",
    },
    "dynamodb_pitr": {
        "usd": 0.20,
        "unit": "GB-month",
        "assumed": True,
        "source": f"{_DDB_PAGE} (US East: continuous backups, $0.20 per GB-month)",
    },
    "lambda_request": {
        "usd": 0.20 / 1_000_000,
        "unit": "request",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-Request")
        + f" ($0.20 per million; 1 million free); {_LAMBDA_PAGE}",
    },
    "lambda_gb_second_x86": {
        "usd": 0.0000166667,
        "unit": "GB-second",
        "assumed": True,
        "source": f"{_LAMBDA_PAGE} (US East: x86, first 6 billion GB-s; 400,000 GB-s free)",
    },
    "lambda_gb_second_arm": {
        "usd": 0.0000133334,
        "unit": "GB-second",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-Lambda-GB-Second-ARM") + " (first 7.5 billion GB-s; 400,000 free)",
    },
}

# AWS always-free allowances per month (per account, shared by everything in it).
FREE_TIER = {
    "alarm_standard": 10,  # standard resolution alarm metrics
    "custom_metric": 10,
    "dashboard": 3,
    "logs_gb": 5,  # ingestion, archive storage and Insights scans together
    "sns_publish": 1_000_000,
    "sns_email": 1_000,
    "sns_http": 100_000,
    "kms_request": 20_000,
    "dynamodb_storage": 25,
    "lambda_request": 1_000_000,
    "lambda_gb_second": 400_000,
}


@dataclass
class Assumptions:
    """Traffic the plan cannot tell. The defaults are a guess at this service's production load."""

    invocations_per_day: float = 20_000  # cart migrations and cleanups (one per customer login)
    log_events_per_invocation: float = (
        8  # START, END, REPORT + ~5 JSON events (start, store, outcome, performance, audit)
    )
    audit_events_per_invocation: float = 1  # the audit_log event, also written to the audit log group
    bytes_per_log_event: float = 400  # JSON events 300-600 B, runtime lines 60-250 B
    gb_per_month: float | None = None  # log ingestion; None: derived from the four figures above
    log_compression_ratio: float = 0.15  # gzip of JSON log lines (archived logs are billed compressed)
    never_expire_days: float = 365  # retention of a log group that never expires, for its steady state
    insights_gb_scanned: float = 0.0
    alarm_transitions_per_month: float = 60  # ALARM and OK notifications (ok_actions are set)
    kms_requests_per_notification: float = 2  # SNS: GenerateDataKey at publish, Decrypt to deliver
    lambda_avg_duration_ms: float = 250
    dynamodb_writes_per_invocation: float = (
        5  # one store: transactional delete + put (4 WRU), rate counter (1)
    )
    dynamodb_reads_per_invocation: float = 2  # guest carts, customer carts
    dynamodb_gb: float = 1.0
    dimension_values: dict[str, int] = field(default_factory=dict)  # dimension name -> distinct values
    free_tier: bool = True

    @property
    def invocations_per_month(self) -> float:
        return self.invocations_per_day * DAYS_PER_MONTH

    @property
    def log_events_per_month(self) -> float:
        return self.invocations_per_month * (
            self.log_events_per_invocation + self.audit_events_per_invocation
        )

    @property
    def ingested_gb(self) -> float:
        if self.gb_per_month is not None:
            return self.gb_per_month
        return self.log_events_per_month * self.bytes_per_log_event / GB


@dataclass
class Line:
    item: str
    price_key: str | None
    quantity: float
    free: float = 0.0
    note: str = ""

    @property
    def unit_price(self) -> float:
        return PRICES[self.price_key]["usd"] if self.price_key else 0.0

    @property
    def unit(self) -> str:
        return PRICES[self.price_key]["unit"] if self.price_key else ""

    @property
    def assumed(self) -> bool:
        return bool(self.price_key and PRICES[self.price_key]["assumed"])

    @property
    def cost(self) -> float:
        return max(0.0, self.quantity - self.free) * self.unit_price

    @property
    def cost_without_free_tier(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Estimate:
    lines: list[Line]
    assumptions: list[str]
    not_priced: list[str]

    @property
    def total(self) -> float:
        return sum(line.cost for line in self.lines)

    @property
    def total_without_free_tier(self) -> float:
        return sum(line.cost_without_free_tier for line in self.lines)


# --- reading the plan -------------------------------------------------------------------------


def planned_resources(plan: dict) -> list[dict]:
    """Managed resources the plan leaves in place: created, updated, replaced or unchanged."""
    out = []
    for change in plan.get("resource_changes", []):
        actions = change.get("change", {}).get("actions", [])
        if change.get("mode", "managed") != "managed" or actions == ["delete"] or not actions:
            continue
        out.append(
            {
                "type": change["type"],
                "address": change.get("address", ""),
                "after": change["change"].get("after") or {},
            }
        )
    return out


def catalogue_operations() -> int:
    """Operations of the event catalogue: the values the Operation dimension takes."""
    return len(json.loads(CATALOGUE_PATH.read_text())["operations"])


def count_alarm_metrics(after: dict) -> tuple[int, bool]:
    """(alarm metrics AWS bills for one metric alarm, whether high resolution)."""
    queries = after.get("metric_query") or []
    if not queries:
        return 1, 0 < int(after.get("period") or 60) < 60
    metrics, high_resolution = 0, False
    for query in queries:
        for metric in query.get("metric") or []:
            metrics += 1
            high_resolution |= 0 < int(metric.get("period") or 60) < 60
        expression = (query.get("expression") or "").upper()
        if "ANOMALY_DETECTION_BAND" in expression:
            metrics += 2  # the band's upper and lower bounds
        high_resolution |= 0 < int(query.get("period") or 60) < 60
    return max(metrics, 1), high_resolution


def custom_metrics(resources: list[dict], dimension_values: dict[str, int]) -> tuple[int, list[str]]:
    """Distinct metrics the metric filters publish, and what was assumed about dimensions."""
    seen: dict[tuple, int] = {}
    notes = []
    for resource in resources:
        if resource["type"] != "aws_cloudwatch_log_metric_filter":
            continue
        for transformation in resource["after"].get("metric_transformation") or []:
            dimensions = transformation.get("dimensions") or {}
            combinations = 1
            for name in sorted(dimensions):
                if name not in dimension_values:
                    dimension_values[name] = 1
                    notes.append(
                        f"dimension {name} of {transformation.get('name')}: 1 value assumed "
                        f"(set --dimension-values {name}=N)"
                    )
                combinations *= dimension_values[name]
            key = (transformation.get("namespace"), transformation.get("name"), tuple(sorted(dimensions)))
            seen[key] = max(seen.get(key, 0), combinations)
    return sum(seen.values()), notes


# --- the estimate -----------------------------------------------------------------------------


def estimate(plan: dict, assumptions: Assumptions | None = None) -> Estimate:
    a = assumptions or Assumptions()
    resources = planned_resources(plan)
    by_type: dict[str, list[dict]] = {}
    for resource in resources:
        by_type.setdefault(resource["type"], []).append(resource)
    free = (lambda key: FREE_TIER[key]) if a.free_tier else (lambda key: 0)
    lines: list[Line] = []
    notes: list[str] = []

    # Alarms.
    standard = high = 0
    for alarm in by_type.get("aws_cloudwatch_metric_alarm", []):
        count, is_high = count_alarm_metrics(alarm["after"])
        if is_high:
            high += count
        else:
            standard += count
    alarms = len(by_type.get("aws_cloudwatch_metric_alarm", []))
    if alarms:
        lines.append(
            Line(
                "CloudWatch alarms, standard resolution",
                "alarm_standard",
                standard,
                min(standard, free("alarm_standard")),
                f"{alarms} alarms; a metric-math alarm counts each metric it reads",
            )
        )
        if high:
            lines.append(Line("CloudWatch alarms, high resolution", "alarm_high_resolution", high))
    composite = len(by_type.get("aws_cloudwatch_composite_alarm", []))
    if composite:
        lines.append(Line("CloudWatch composite alarms", "alarm_composite", composite))

    # Custom metrics from the metric filters.
    dimension_values = {"Operation": catalogue_operations(), **a.dimension_values}
    metric_count, metric_notes = custom_metrics(resources, dimension_values)
    notes += metric_notes
    if metric_count:
        lines.append(
            Line(
                "Custom metrics (metric filters)",
                "custom_metric",
                metric_count,
                min(metric_count, free("custom_metric")),
                "each dimension-value combination is a metric; "
                + ", ".join(f"{k}: {v} values" for k, v in sorted(dimension_values.items())),
            )
        )
        notes.append(
            f"Operation dimension: {dimension_values['Operation']} values, the operations of "
            "the event catalogue (event_catalogue.json)"
        )

    dashboards = len(by_type.get("aws_cloudwatch_dashboard", []))
    if dashboards:
        lines.append(
            Line(
                "CloudWatch dashboards",
                "dashboard",
                dashboards,
                min(dashboards, free("dashboard")),
                "first 3 per account free (up to 50 metrics each)",
            )
        )

    # Logs: ingestion, steady-state storage, Insights.
    groups = by_type.get("aws_cloudwatch_log_group", [])
    logs_free = float(free("logs_gb"))
    ingested = a.ingested_gb
    if groups or a.gb_per_month:
        used = min(ingested, logs_free)
        logs_free -= used
        lines.append(
            Line("CloudWatch Logs ingestion", "log_ingestion", ingested, used, "GB a month (see assumptions)")
        )
        stored = _stored_gb(groups, a)
        used = min(stored, logs_free)
        logs_free -= used
        lines.append(
            Line(
                "CloudWatch Logs storage",
                "log_storage",
                stored,
                used,
                "steady state at each group's retention, compressed",
            )
        )
    if a.insights_gb_scanned:
        used = min(a.insights_gb_scanned, logs_free)
        lines.append(
            Line("Logs Insights queries", "logs_insights", a.insights_gb_scanned, used, "GB scanned")
        )

    # Notifications.
    topics = len(by_type.get("aws_sns_topic", []))
    subscriptions = [s["after"].get("protocol") for s in by_type.get("aws_sns_topic_subscription", [])]
    if topics:
        publishes = a.alarm_transitions_per_month
        lines.append(
            Line(
                "SNS publishes (alarm notifications)",
                "sns_publish",
                publishes,
                min(publishes, free("sns_publish")),
                f"{topics} topics",
            )
        )
        per_topic = {p: subscriptions.count(p) / topics for p in set(subscriptions)}
        emails = publishes * per_topic.get("email", 0)
        if emails:
            lines.append(
                Line(
                    "SNS email deliveries",
                    "sns_email",
                    emails,
                    min(emails, free("sns_email")),
                    f"{subscriptions.count('email')} email subscriptions over {topics} topics",
                )
            )
        http = publishes * (per_topic.get("http", 0) + per_topic.get("https", 0))
        if http:
            lines.append(Line("SNS HTTP(S) deliveries", "sns_http", http, min(http, free("sns_http"))))
        others = sorted({p for p in subscriptions if p not in ("email", "http", "https")})
        if others:
            notes.append(f"SNS deliveries to {', '.join(others)} are not charged by SNS")

    # KMS.
    keys = len(by_type.get("aws_kms_key", []))
    if keys:
        lines.append(Line("KMS customer managed keys", "kms_key", keys))
        requests = a.alarm_transitions_per_month * a.kms_requests_per_notification if topics else 0.0
        lines.append(
            Line(
                "KMS requests (encrypted topics)",
                "kms_request",
                requests,
                min(requests, free("kms_request")),
                f"{a.kms_requests_per_notification:g} per notification",
            )
        )
        if any(k["after"].get("enable_key_rotation") for k in by_type["aws_kms_key"]):
            notes.append(
                "KMS key rotation: each of a key's first two rotations adds $1/month "
                "(after its first and second year); not counted"
            )

    # DynamoDB on demand.
    tables = [
        t
        for t in by_type.get("aws_dynamodb_table", [])
        if (t["after"].get("billing_mode") or "PROVISIONED") == "PAY_PER_REQUEST"
    ]
    if tables:
        writes = a.invocations_per_month * a.dynamodb_writes_per_invocation
        reads = a.invocations_per_month * a.dynamodb_reads_per_invocation
        lines.append(
            Line(
                "DynamoDB on-demand writes",
                "dynamodb_write",
                writes,
                0.0,
                f"{a.dynamodb_writes_per_invocation:g} WRU per invocation",
            )
        )
        lines.append(
            Line(
                "DynamoDB on-demand reads",
                "dynamodb_read",
                reads,
                0.0,
                f"{a.dynamodb_reads_per_invocation:g} RRU per invocation",
            )
        )
        lines.append(
            Line(
                "DynamoDB storage",
                "dynamodb_storage",
                a.dynamodb_gb,
                min(a.dynamodb_gb, free("dynamodb_storage")),
                f"{len(tables)} tables",
            )
        )
        pitr = [
            t for t in tables if any(p.get("enabled") for p in t["after"].get("point_in_time_recovery") or [])
        ]
        if pitr:
            lines.append(
                Line(
                    "DynamoDB point-in-time recovery",
                    "dynamodb_pitr",
                    a.dynamodb_gb * len(pitr) / len(tables),
                    0.0,
                    f"{len(pitr)} of {len(tables)} tables",
                )
            )
    provisioned = [t for t in by_type.get("aws_dynamodb_table", []) if t not in tables]
    if provisioned:
        notes.append(f"{len(provisioned)} provisioned-capacity DynamoDB table(s) not priced")

    # Lambda.
    for function in by_type.get("aws_lambda_function", []):
        after = function["after"]
        memory_gb = float(after.get("memory_size") or 128) / 1024
        arm = "arm64" in (after.get("architectures") or ["x86_64"])
        requests = a.invocations_per_month
        gb_seconds = requests * a.lambda_avg_duration_ms / 1000 * memory_gb
        lines.append(
            Line("Lambda requests", "lambda_request", requests, min(requests, free("lambda_request")))
        )
        lines.append(
            Line(
                f"Lambda duration ({'arm64' if arm else 'x86_64'}, {after.get('memory_size') or 128} MB)",
                "lambda_gb_second_arm" if arm else "lambda_gb_second_x86",
                gb_seconds,
                min(gb_seconds, free("lambda_gb_second")),
                f"GB-seconds at {a.lambda_avg_duration_ms:g} ms average",
            )
        )
    if not by_type.get("aws_lambda_function"):
        notes.append(
            "the Lambda function and its tables are not in the plan (create_lambda = false): "
            "their requests, duration and DynamoDB are not counted; its logs are"
        )

    assumptions_text = _assumptions_text(a, groups) + notes
    priced = {
        "aws_cloudwatch_metric_alarm",
        "aws_cloudwatch_composite_alarm",
        "aws_cloudwatch_log_metric_filter",
        "aws_cloudwatch_dashboard",
        "aws_cloudwatch_log_group",
        "aws_sns_topic",
        "aws_sns_topic_subscription",
        "aws_kms_key",
        "aws_dynamodb_table",
        "aws_lambda_function",
    }
    not_priced = [f"{t} ({len(r)})" for t, r in sorted(by_type.items()) if t not in priced]
    return Estimate(lines=lines, assumptions=assumptions_text, not_priced=not_priced)


def _retention_days(group: dict, a: Assumptions) -> float:
    days = group["after"].get("retention_in_days")
    return a.never_expire_days if not days else float(days)


def _stored_gb(groups: list[dict], a: Assumptions) -> float:
    """Steady-state archive: each group holds `retention` days of what it ingests, gzip-compressed,
    with 26 bytes of metadata per event. The audit group gets the audit events; the function's
    log group (/aws/lambda/...) the rest."""
    if not groups:
        return 0.0
    total_events = a.log_events_per_invocation + a.audit_events_per_invocation
    function_groups = [g for g in groups if str(g["after"].get("name", "")).startswith("/aws/lambda/")]
    other_groups = [g for g in groups if g not in function_groups]
    shares: list[tuple[dict, float]] = []
    if function_groups and other_groups:
        shares += [
            (g, a.log_events_per_invocation / total_events / len(function_groups)) for g in function_groups
        ]
        shares += [
            (g, a.audit_events_per_invocation / total_events / len(other_groups)) for g in other_groups
        ]
    else:
        shares = [(g, 1 / len(groups)) for g in groups]
    overhead = (a.bytes_per_log_event + LOG_EVENT_METADATA_BYTES) / a.bytes_per_log_event
    return sum(
        a.ingested_gb * share * _retention_days(g, a) / DAYS_PER_MONTH * a.log_compression_ratio * overhead
        for g, share in shares
    )


def _assumptions_text(a: Assumptions, groups: list[dict]) -> list[str]:
    out = [
        f"{a.invocations_per_day:,.0f} invocations a day ({a.invocations_per_month:,.0f} a month of "
        f"{DAYS_PER_MONTH:.2f} days)"
    ]
    if a.gb_per_month is None:
        out.append(
            f"log ingestion {a.ingested_gb:.2f} GB a month: "
            f"{a.invocations_per_day * (a.log_events_per_invocation + a.audit_events_per_invocation):,.0f} "
            f"events a day ({a.log_events_per_invocation:g} per invocation in the function's group, "
            f"{a.audit_events_per_invocation:g} in the audit group) of {a.bytes_per_log_event:g} bytes "
            "(--gb-per-month to override)"
        )
    else:
        out.append(f"log ingestion {a.gb_per_month:g} GB a month (--gb-per-month)")
    retention = ", ".join(
        f"{g['after'].get('name') or g['address']}: {_retention_days(g, a):g} days" for g in groups
    )
    if retention:
        out.append(f"log storage: retention {retention}; gzip ratio {a.log_compression_ratio:g} (assumed)")
    out.append(
        f"{a.alarm_transitions_per_month:g} alarm state changes a month, each notified once to its topic"
    )
    out.append(
        f"Lambda {a.lambda_avg_duration_ms:g} ms average billed duration; DynamoDB "
        f"{a.dynamodb_writes_per_invocation:g} WRU + {a.dynamodb_reads_per_invocation:g} RRU per invocation, "
        f"{a.dynamodb_gb:g} GB stored"
    )
    out.append(f"GB = 2^30 bytes; month = {HOURS_PER_MONTH} hours")
    return out


# --- output -----------------------------------------------------------------------------------


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def _price(line: Line) -> str:
    """Dollars per unit, or per million units for prices under a hundredth of a cent."""
    price = line.unit_price
    if price >= 0.0001:
        text = f"${price:,.4f}".rstrip("0")
        text = text + "0" * (2 - len(text.split(".")[1]))
    else:
        text = f"${price * 1_000_000:,.4g}/M"
    return text + ("*" if line.assumed else "")


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.3g}"


def format_estimate(result: Estimate, plan_name: str = "plan", sources: bool = False) -> str:
    header = [
        f"Monthly cost estimate of {plan_name}",
        f"Prices: AWS list prices (USD) for {REGION} {REGION_NAME}, checked {PRICES_CHECKED}, from the AWS "
        "pricing pages (aws.amazon.com/<service>/pricing) and the AWS Price List API;",
        "        each price's source: cartmon/ops/cost.py PRICES or --sources. "
        "* = assumed: the US East price, the Mumbai price was not found.",
        "",
    ]
    rows = [("item", "unit price", "per", "quantity", "free", "monthly")]
    for line in result.lines:
        rows.append(
            (
                line.item,
                _price(line),
                line.unit,
                _quantity(line.quantity),
                _quantity(line.free) if line.free else "",
                _money(line.cost),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    aligns = ["<", ">", "<", ">", ">", ">"]
    table = [
        "  ".join(f"{cell:{align}{width}}" for cell, align, width in zip(row, aligns, widths, strict=True))
        for row in rows
    ]
    table.insert(1, "  ".join("-" * w for w in widths))
    total_width = len(table[0])
    totals = [
        "-" * total_width,
        f"{'Total, with the AWS always-free allowances (an account running nothing else)':<{total_width - 12}}"
        f"{_money(result.total):>12}",
        f"{'Total at list prices (the free tier already used elsewhere)':<{total_width - 12}}"
        f"{_money(result.total_without_free_tier):>12}",
    ]
    body = header + table + totals + ["", "Assumptions:"] + [f"  - {text}" for text in result.assumptions]
    body += ["", "Lines:"] + [f"  - {line.item}: {line.note}" for line in result.lines if line.note]
    if result.not_priced:
        body += [
            "",
            "No standing charge (free, or billed in the lines above): " + ", ".join(result.not_priced),
        ]
    if sources:
        body += ["", "Price sources:"] + [
            f"  - {key}: ${entry['usd']:.10g} per {entry['unit']}{' (assumed)' if entry['assumed'] else ''}: "
            f"{entry['source']}"
            for key, entry in PRICES.items()
        ]
    return "\n".join(body)


def _dimension_values(items: list[str]) -> dict[str, int]:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        if not name or not value.isdigit():
            raise SystemExit(f"--dimension-values takes NAME=COUNT, not {item!r}")
        out[name] = int(value)
    return out


def main(argv: list[str] | None = None) -> int:
    defaults = Assumptions()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("plan", type=Path, help="terraform show -json output (build/plan.json)")
    parser.add_argument("--invocations-per-day", type=float, default=defaults.invocations_per_day)
    parser.add_argument(
        "--events-per-invocation",
        type=float,
        default=defaults.log_events_per_invocation,
        help="log events per invocation in the function's log group",
    )
    parser.add_argument("--bytes-per-event", type=float, default=defaults.bytes_per_log_event)
    parser.add_argument("--gb-per-month", type=float, help="log ingestion, GB a month (default: derived)")
    parser.add_argument(
        "--insights-gb-scanned", type=float, default=0.0, help="Logs Insights GB scanned a month"
    )
    parser.add_argument(
        "--alarm-transitions-per-month", type=float, default=defaults.alarm_transitions_per_month
    )
    parser.add_argument("--lambda-duration-ms", type=float, default=defaults.lambda_avg_duration_ms)
    parser.add_argument("--dynamodb-gb", type=float, default=defaults.dynamodb_gb)
    parser.add_argument(
        "--dimension-values",
        nargs="*",
        default=[],
        metavar="NAME=COUNT",
        help="distinct values of a metric-filter dimension (Operation defaults to the catalogue's)",
    )
    parser.add_argument(
        "--no-free-tier", action="store_true", help="apply no free allowance in the line costs"
    )
    parser.add_argument("--sources", action="store_true", help="also print each unit price's source")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    if not args.plan.is_file():
        raise SystemExit(f"{args.plan} not found: write it with `make plan`")
    plan = json.loads(args.plan.read_text())
    assumptions = Assumptions(
        invocations_per_day=args.invocations_per_day,
        log_events_per_invocation=args.events_per_invocation,
        bytes_per_log_event=args.bytes_per_event,
        gb_per_month=args.gb_per_month,
        insights_gb_scanned=args.insights_gb_scanned,
        alarm_transitions_per_month=args.alarm_transitions_per_month,
        lambda_avg_duration_ms=args.lambda_duration_ms,
        dynamodb_gb=args.dynamodb_gb,
        dimension_values=_dimension_values(args.dimension_values),
        free_tier=not args.no_free_tier,
    )
    result = estimate(plan, assumptions)
    if args.json:
        print(
            json.dumps(
                {
                    "region": REGION,
                    "prices_checked": PRICES_CHECKED,
                    "lines": [
                        {
                            **asdict(line),
                            "unit_price": line.unit_price,
                            "unit": line.unit,
                            "assumed": line.assumed,
                            "cost": line.cost,
                        }
                        for line in result.lines
                    ],
                    "total": result.total,
                    "total_without_free_tier": result.total_without_free_tier,
                    "assumptions": result.assumptions,
                    "not_priced": result.not_priced,
                },
                indent=2,
            )
        )
    else:
        print(format_estimate(result, str(args.plan), sources=args.sources))
    return 0


if __name__ == "__main__":
    sys.exit(main())
