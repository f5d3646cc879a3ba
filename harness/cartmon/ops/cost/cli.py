"""`cartmon-cost`: read a plan, apply the options to the assumptions, print the estimate (text or JSON)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from cartmon.ops.cost import __doc__ as cost_overview
from cartmon.ops.cost.estimate import estimate
from cartmon.ops.cost.model import Assumptions
from cartmon.ops.cost.prices import (
    PRICES_CHECKED,
    REGION,
)
from cartmon.ops.cost.report import format_estimate


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
        prog="cartmon-cost", description=cost_overview, formatter_class=argparse.RawDescriptionHelpFormatter
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
