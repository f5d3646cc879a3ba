"""`cartmon-render-dashboard`: render a deployed dashboard over a time range ending at the emulator's now."""

from __future__ import annotations

import argparse
import time

from cartmon.ops.dashboard import __doc__ as dashboard_overview
from cartmon.ops.dashboard.render import render
from cartmon.ops.dashboard.timerange import to_epoch
from cartmon.project import ROOT, emulator_now, use_emulator_if_running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cartmon-render-dashboard",
        description=dashboard_overview,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dashboard", required=True, help="dashboard name")
    parser.add_argument("--out", default=str(ROOT / "build" / "dashboard"), help="output folder")
    parser.add_argument(
        "--hours", type=float, help="time range ending now (default: the body's start, else 3)"
    )
    parser.add_argument("--start", help="ISO start time (UTC), instead of --hours")
    parser.add_argument(
        "--end", help="ISO end time (UTC); default now (the emulator's clock on the emulator)"
    )
    args = parser.parse_args(argv)

    import boto3

    endpoint = use_emulator_if_running()
    cloudwatch = boto3.client("cloudwatch", endpoint_url=endpoint)
    logs = boto3.client("logs", endpoint_url=endpoint)
    if args.end:
        end = to_epoch(args.end)
    else:
        end = (emulator_now(endpoint) if endpoint else None) or time.time()
    start = args.start or (f"-PT{args.hours:g}H" if args.hours else None)
    png_path, html_path = render(cloudwatch, logs, args.dashboard, args.out, start=start, end=end)
    print(png_path)
    print(html_path)
    return 0
