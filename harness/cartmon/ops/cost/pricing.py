"""One function per kind of resource: the priced lines and the notes it adds to the estimate.

Each takes the planned resources grouped by type (`ByType`) and the traffic assumptions, and
returns a `Priced`. The free allowances are per account: `free_allowance` gives none when the
estimate is made without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cartmon.ops.cost.model import Assumptions, Line
from cartmon.ops.cost.plan import catalogue_operations, count_alarm_metrics, custom_metrics
from cartmon.ops.cost.prices import DAYS_PER_MONTH, FREE_TIER, LOG_EVENT_METADATA_BYTES

ByType = dict[str, list[dict]]


@dataclass
class Priced:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def free_allowance(a: Assumptions, key: str) -> float:
    return FREE_TIER[key] if a.free_tier else 0


def with_allowance(
    a: Assumptions, item: str, price_key: str, quantity: float, note: str = "", allowance: str | None = None
) -> Line:
    """A line of which the always-free allowance `allowance` (default: the price's key) covers what it can."""
    return Line(item, price_key, quantity, min(quantity, free_allowance(a, allowance or price_key)), note)


def alarms(by_type: ByType, a: Assumptions) -> Priced:
    out = Priced()
    standard = high = 0
    for alarm in by_type.get("aws_cloudwatch_metric_alarm", []):
        count, is_high = count_alarm_metrics(alarm["after"])
        if is_high:
            high += count
        else:
            standard += count
    metric_alarms = len(by_type.get("aws_cloudwatch_metric_alarm", []))
    if metric_alarms:
        out.lines.append(
            with_allowance(
                a,
                "CloudWatch alarms, standard resolution",
                "alarm_standard",
                standard,
                f"{metric_alarms} alarms; a metric-math alarm counts each metric it reads",
            )
        )
        if high:
            out.lines.append(Line("CloudWatch alarms, high resolution", "alarm_high_resolution", high))
    composite = len(by_type.get("aws_cloudwatch_composite_alarm", []))
    if composite:
        out.lines.append(Line("CloudWatch composite alarms", "alarm_composite", composite))
    return out


def metric_filters(resources: list[dict], a: Assumptions) -> Priced:
    """Custom metrics: every combination of dimension values a metric filter publishes."""
    out = Priced()
    dimension_values = {"Operation": catalogue_operations(), **a.dimension_values}
    metric_count, metric_notes = custom_metrics(resources, dimension_values)
    out.notes += metric_notes
    if metric_count:
        out.lines.append(
            with_allowance(
                a,
                "Custom metrics (metric filters)",
                "custom_metric",
                metric_count,
                "each dimension-value combination is a metric; "
                + ", ".join(f"{k}: {v} values" for k, v in sorted(dimension_values.items())),
            )
        )
        out.notes.append(
            f"Operation dimension: {dimension_values['Operation']} values, the operations of "
            "the event catalogue (event_catalogue.json)"
        )
    return out


def dashboards(by_type: ByType, a: Assumptions) -> Priced:
    out = Priced()
    count = len(by_type.get("aws_cloudwatch_dashboard", []))
    if count:
        out.lines.append(
            with_allowance(
                a,
                "CloudWatch dashboards",
                "dashboard",
                count,
                "first 3 per account free (up to 50 metrics each)",
            )
        )
    return out


def logs(by_type: ByType, a: Assumptions) -> Priced:
    """Ingestion, steady-state storage and Insights scans, which share one free allowance."""
    out = Priced()
    groups = by_type.get("aws_cloudwatch_log_group", [])
    logs_free = float(free_allowance(a, "logs_gb"))
    ingested = a.ingested_gb
    if groups or a.gb_per_month:
        used = min(ingested, logs_free)
        logs_free -= used
        out.lines.append(
            Line("CloudWatch Logs ingestion", "log_ingestion", ingested, used, "GB a month (see assumptions)")
        )
        stored = stored_gb(groups, a)
        used = min(stored, logs_free)
        logs_free -= used
        out.lines.append(
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
        out.lines.append(
            Line("Logs Insights queries", "logs_insights", a.insights_gb_scanned, used, "GB scanned")
        )
    return out


def notifications(by_type: ByType, a: Assumptions) -> Priced:
    """SNS publishes of the alarm notifications and their email and HTTP(S) deliveries."""
    out = Priced()
    topics = len(by_type.get("aws_sns_topic", []))
    if not topics:
        return out
    subscriptions = [s["after"].get("protocol") for s in by_type.get("aws_sns_topic_subscription", [])]
    publishes = a.alarm_transitions_per_month
    out.lines.append(
        with_allowance(
            a,
            "SNS publishes (alarm notifications)",
            "sns_publish",
            publishes,
            f"{topics} topics",
        )
    )
    per_topic = {p: subscriptions.count(p) / topics for p in set(subscriptions)}
    emails = publishes * per_topic.get("email", 0)
    if emails:
        out.lines.append(
            with_allowance(
                a,
                "SNS email deliveries",
                "sns_email",
                emails,
                f"{subscriptions.count('email')} email subscriptions over {topics} topics",
            )
        )
    http = publishes * (per_topic.get("http", 0) + per_topic.get("https", 0))
    if http:
        out.lines.append(with_allowance(a, "SNS HTTP(S) deliveries", "sns_http", http))
    others = sorted({p for p in subscriptions if p not in ("email", "http", "https")})
    if others:
        out.notes.append(f"SNS deliveries to {', '.join(others)} are not charged by SNS")
    return out


def kms(by_type: ByType, a: Assumptions) -> Priced:
    """Customer managed keys, and the requests SNS makes to encrypted topics."""
    out = Priced()
    keys = len(by_type.get("aws_kms_key", []))
    if not keys:
        return out
    out.lines.append(Line("KMS customer managed keys", "kms_key", keys))
    topics = len(by_type.get("aws_sns_topic", []))
    requests = a.alarm_transitions_per_month * a.kms_requests_per_notification if topics else 0.0
    out.lines.append(
        with_allowance(
            a,
            "KMS requests (encrypted topics)",
            "kms_request",
            requests,
            f"{a.kms_requests_per_notification:g} per notification",
        )
    )
    if any(k["after"].get("enable_key_rotation") for k in by_type["aws_kms_key"]):
        out.notes.append(
            "KMS key rotation: each of a key's first two rotations adds $1/month "
            "(after its first and second year); not counted"
        )
    return out


def dynamodb(by_type: ByType, a: Assumptions) -> Priced:
    """On-demand tables: request units from the traffic, storage, point-in-time recovery."""
    out = Priced()
    all_tables = by_type.get("aws_dynamodb_table", [])
    tables = [t for t in all_tables if (t["after"].get("billing_mode") or "PROVISIONED") == "PAY_PER_REQUEST"]
    if tables:
        writes = a.invocations_per_month * a.dynamodb_writes_per_invocation
        reads = a.invocations_per_month * a.dynamodb_reads_per_invocation
        out.lines += [
            Line(
                "DynamoDB on-demand writes",
                "dynamodb_write",
                writes,
                0.0,
                f"{a.dynamodb_writes_per_invocation:g} WRU per invocation",
            ),
            Line(
                "DynamoDB on-demand reads",
                "dynamodb_read",
                reads,
                0.0,
                f"{a.dynamodb_reads_per_invocation:g} RRU per invocation",
            ),
            with_allowance(
                a,
                "DynamoDB storage",
                "dynamodb_storage",
                a.dynamodb_gb,
                f"{len(tables)} tables",
            ),
        ]
        pitr = [
            t for t in tables if any(p.get("enabled") for p in t["after"].get("point_in_time_recovery") or [])
        ]
        if pitr:
            out.lines.append(
                Line(
                    "DynamoDB point-in-time recovery",
                    "dynamodb_pitr",
                    a.dynamodb_gb * len(pitr) / len(tables),
                    0.0,
                    f"{len(pitr)} of {len(tables)} tables",
                )
            )
    provisioned = [t for t in all_tables if t not in tables]
    if provisioned:
        out.notes.append(f"{len(provisioned)} provisioned-capacity DynamoDB table(s) not priced")
    return out


def lambda_functions(by_type: ByType, a: Assumptions) -> Priced:
    """Requests and GB-seconds of each function, at its memory size and architecture."""
    out = Priced()
    functions = by_type.get("aws_lambda_function", [])
    for function in functions:
        after = function["after"]
        memory_gb = float(after.get("memory_size") or 128) / 1024
        arm = "arm64" in (after.get("architectures") or ["x86_64"])
        requests = a.invocations_per_month
        gb_seconds = requests * a.lambda_avg_duration_ms / 1000 * memory_gb
        out.lines.append(with_allowance(a, "Lambda requests", "lambda_request", requests))
        out.lines.append(
            with_allowance(
                a,
                f"Lambda duration ({'arm64' if arm else 'x86_64'}, {after.get('memory_size') or 128} MB)",
                "lambda_gb_second_arm" if arm else "lambda_gb_second_x86",
                gb_seconds,
                f"GB-seconds at {a.lambda_avg_duration_ms:g} ms average",
                allowance="lambda_gb_second",
            )
        )
    if not functions:
        out.notes.append(
            "the Lambda function and its tables are not in the plan (create_lambda = false): "
            "their requests, duration and DynamoDB are not counted; its logs are"
        )
    return out


# Resource types the functions above price; any other type in the plan is listed as not priced.
PRICED_TYPES = {
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


def retention_days(group: dict, a: Assumptions) -> float:
    days = group["after"].get("retention_in_days")
    return a.never_expire_days if not days else float(days)


def stored_gb(groups: list[dict], a: Assumptions) -> float:
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
        a.ingested_gb * share * retention_days(g, a) / DAYS_PER_MONTH * a.log_compression_ratio * overhead
        for g, share in shares
    )
