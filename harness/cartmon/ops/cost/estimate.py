"""The monthly estimate of a plan: each kind of resource priced in turn, and the assumptions in words."""

from __future__ import annotations

from cartmon.ops.cost import pricing
from cartmon.ops.cost.model import Assumptions, Estimate
from cartmon.ops.cost.plan import planned_resources
from cartmon.ops.cost.prices import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
)


def assumptions_text(a: Assumptions, groups: list[dict]) -> list[str]:
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
        f"{g['after'].get('name') or g['address']}: {pricing.retention_days(g, a):g} days" for g in groups
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


def estimate(plan: dict, assumptions: Assumptions | None = None) -> Estimate:
    a = assumptions or Assumptions()
    resources = planned_resources(plan)
    by_type: pricing.ByType = {}
    for resource in resources:
        by_type.setdefault(resource["type"], []).append(resource)
    parts = [
        pricing.alarms(by_type, a),
        pricing.metric_filters(resources, a),
        pricing.dashboards(by_type, a),
        pricing.logs(by_type, a),
        pricing.notifications(by_type, a),
        pricing.kms(by_type, a),
        pricing.dynamodb(by_type, a),
        pricing.lambda_functions(by_type, a),
    ]
    lines = [line for part in parts for line in part.lines]
    notes = [note for part in parts for note in part.notes]
    groups = by_type.get("aws_cloudwatch_log_group", [])
    not_priced = [f"{t} ({len(r)})" for t, r in sorted(by_type.items()) if t not in pricing.PRICED_TYPES]
    return Estimate(lines=lines, assumptions=assumptions_text(a, groups) + notes, not_priced=not_priced)
