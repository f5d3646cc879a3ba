"""`make demo`: the whole monitoring story on the embedded emulator.

Applies examples/local (the monitoring module with the cart-migration Lambda), drives a day's
worth of shop traffic through the real handler, lets the emulator's clock run so the alarms
evaluate, and shows what an on-call engineer would see: each alarm's state, the notifications
that reached the subscribed queues, the dashboard as a picture over the traffic's span, a saved
query's answer, and the weekly review (make review) as Markdown and HTML.
Destroys the stack at the end unless --keep (make demo KEEP=1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import boto3

from cartmon.dev import alarm_table as alarm_table_rows
from cartmon.local.inbox import create_alarm_inboxes, delete_alarm_inboxes
from cartmon.local.runtime import LocalLambda
from cartmon.local.traffic import MORNING, Customers, Shop
from cartmon.ops.dashboard.render import render
from cartmon.ops.review.cli import main as review_main
from cartmon.ops.traffic import stack_runtime
from cartmon.project import ROOT, EmulatorClock

EXAMPLE = ROOT / "examples" / "local"
PACKAGE = ROOT / "build" / "cart_migration.zip"
OUT = ROOT / "build" / "demo"
ALARMS_FILE = OUT / "alarms.txt"
TF_VARS = [f"-var=lambda_package_path={PACKAGE}"]
# Widgets aggregate by 5-minute periods: a period either side of the traffic keeps its edges whole.
TRAFFIC_MARGIN_SECONDS = 300


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def terraform(*args: str, capture: bool = False) -> str:
    result = subprocess.run(["terraform", *args], cwd=EXAMPLE, text=True, capture_output=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"terraform {args[0]} failed")
    return result.stdout if capture else ""


class Progress:
    def __init__(self, total: int, width: int = 40):
        self.total, self.done, self.width = total, 0, width

    def step(self, label: str, count: int = 1) -> None:
        self.done += count
        filled = int(self.width * self.done / self.total)
        sys.stdout.write(
            f"\r  [{'#' * filled}{'.' * (self.width - filled)}] {self.done:>4}/{self.total}  {label:<40}"
        )
        sys.stdout.flush()
        if self.done >= self.total:
            sys.stdout.write("\n")


def drive_traffic(
    shop: Shop, clock: EmulatorClock, throttling: LocalLambda, impatient: LocalLambda
) -> dict[str, int]:
    """A morning in the shop, compressed: the clock moves a minute between waves."""
    customers = Customers(shop, throttling, impatient)
    progress = Progress(sum(count for _, count, _ in MORNING))
    for label, count, kind in MORNING:
        for index in range(count):
            customers.play(kind, index)
            progress.step(label)
        clock.advance(60)
    return {"answered 429": customers.statuses.get("rate_limited", []).count(429)}


def alarm_table(cloudwatch, outputs: dict, since: float) -> str:
    """What paged and what changed since `since` for the terminal; every alarm to ALARMS_FILE."""
    metric, composite = alarm_table_rows.describe(cloudwatch, outputs["alarm_names"])
    table = alarm_table_rows.rows(metric, composite, outputs["sns_topic_arns"].get("page"))
    prefix = os.path.commonprefix([row.name for row in table]) if len(table) > 1 else ""
    prefix = prefix[: prefix.rfind("-") + 1]
    ALARMS_FILE.write_text(
        f"Every alarm of the demo's stack, pages first; reasons whole.\n\n"
        f"{alarm_table_rows.render(table, reason_width=None)}\n"
    )
    changed = [row for row in table if row.changed_since(since)]
    paging = [row for row in table if row.notifies == "page" and row.state == "ALARM"]
    shown = [row for row in table if row in paging or row in changed]
    return (
        f"  {len(paging)} page(s) in ALARM; {len(changed)} of {len(table)} alarms changed state during the run "
        f"(names without {prefix!r}):\n"
        + alarm_table_rows.render(shown, prefix)
        + f"\n  every alarm, reasons whole: {ALARMS_FILE}"
    )


def drain_notifications(sqs, inboxes: dict[str, str]) -> list[tuple[str, str, str]]:
    received = []
    for severity, url in inboxes.items():
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            )
            if not messages:
                break
            for message in messages:
                alarm = json.loads(json.loads(message["Body"])["Message"])
                received.append(
                    (severity, alarm["AlarmName"], f"{alarm['OldStateValue']} -> {alarm['NewStateValue']}")
                )
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return received


def traffic_window(started: float, finished: float) -> tuple[float, float]:
    """What the picture and the query span: the traffic just driven with a widget period's margin
    either side, not hours of empty axes."""
    return started - TRAFFIC_MARGIN_SECONDS, finished + TRAFFIC_MARGIN_SECONDS


def write_review(outputs: dict) -> None:
    """`make review` on the stack just driven: its outputs name it, its state prices it."""
    (OUT / "state.json").write_text(terraform("show", "-json", capture=True))
    review_dir = OUT / "review"
    review_main(
        [
            "--since",
            "7d",
            "--outputs",
            str(OUT / "outputs.json"),
            "--state",
            str(OUT / "state.json"),
            "--out",
            str(review_dir),
            "--quiet",
        ]
    )
    report = max(review_dir.glob("review-*.md"), key=lambda path: path.stat().st_mtime)
    summary = report.read_text().split("## Summary", 1)[1].split("\n## ", 1)[0].strip()
    print("\n".join(f"  {line}" for line in summary.splitlines()))
    print(f"  report: {report}\n  page:   {report.with_suffix('.html')}")


def stack_outputs() -> dict:
    return {
        name: value["value"] for name, value in json.loads(terraform("output", "-json", capture=True)).items()
    }


def tell_the_story(endpoint: str, clock: EmulatorClock, inboxes: dict[str, str]) -> None:
    outputs = stack_outputs()
    (OUT / "outputs.json").write_text(json.dumps(outputs, indent=2))
    print(
        f"  {len(outputs['alarm_names'])} alarms, {len(outputs['metric_filter_names'])} metric filters, "
        f"dashboard {outputs['dashboard_name']}, {len(outputs['query_definition_ids'])} saved queries"
    )

    clients = {
        name: boto3.client(name, endpoint_url=endpoint) for name in ("lambda", "logs", "cloudwatch", "sqs")
    }
    runtime, environment = stack_runtime(outputs, clients, clock)
    shop = Shop(runtime(), environment["JWT_SECRET"], outputs["carts_table_name"])
    say("Driving shop traffic through the real handler")
    traffic_started = clock.now()
    counts = drive_traffic(shop, clock, runtime(reserved_concurrency=0), runtime(timeout_seconds=0.000001))
    print(f"  rate-limit burst: {counts['answered 429']} of 40 calls answered 429")

    say("Alarm states after the traffic (the emulator evaluates alarms as CloudWatch does)")
    clock.advance(60)
    print(alarm_table(clients["cloudwatch"], outputs, traffic_started))

    say("Notifications that reached the SQS queues subscribed to the alert topics")
    for severity, name, change in drain_notifications(clients["sqs"], inboxes):
        print(f"  [{severity:<8}] {name}: {change}")

    start, end = traffic_window(traffic_started, clock.now())
    minutes = int((end - start) // 60) + 1
    say(f"The dashboard over the {minutes} minutes of traffic, rendered from its deployed body")
    png, html = render(clients["cloudwatch"], clients["logs"], outputs["dashboard_name"], OUT, start, end)
    print(f"  picture: {png}\n  page:    {html}")

    say(f'Saved query "Top Failure Reasons" over the {minutes} minutes of traffic')
    subprocess.run(
        [sys.executable, "-m", "cartmon.ops.query", "Top Failure Reasons", "--since", f"{minutes}m"],
        check=False,
    )

    say("The weekly review (make review SINCE=7d), written as Markdown and HTML")
    write_review(outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the stack (and the emulator) up")
    args = parser.parse_args()
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise SystemExit("AWS_ENDPOINT_URL is not set: run this through `make demo`")
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)

    say("Deploying examples/local (monitoring module + cart-migration Lambda) to the emulator")
    terraform("init", "-input=false", "-upgrade=false")
    terraform("apply", "-input=false", "-auto-approve", *TF_VARS)
    # The stack subscribes its alarm inboxes by name; the queues are ours to create (cartmon.local.inbox).
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    inboxes = create_alarm_inboxes(sqs, stack_outputs())
    try:
        tell_the_story(endpoint, EmulatorClock(endpoint), inboxes)
    finally:
        if args.keep:
            say(f"Stack left up (KEEP=1): {endpoint}; `make destroy` and `make emulator-stop` when done")
        else:
            say("Destroying the stack")
            terraform("destroy", "-input=false", "-auto-approve", *TF_VARS)
            delete_alarm_inboxes(sqs, inboxes)
    print(f"\ndemo finished in {time.monotonic() - started:.0f} s; outputs in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
