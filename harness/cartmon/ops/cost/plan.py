"""What a `terraform show -json` plan declares: the resources it leaves in place, alarm metrics, custom metrics."""

from __future__ import annotations

import json

from cartmon.project import CATALOGUE_PATH


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
