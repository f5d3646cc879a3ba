"""`make review SINCE=7d`: the guide's weekly checklist as a Markdown and an HTML report.

    cartmon-review [--since 7d] [--out build/review] [--outputs outputs.json] [--state state.json]
                   [--name-prefix P] [--alarm-name-prefix A] [--function-name F]

Reads the emulator this checkout started (or AWS_ENDPOINT_URL) and, when no emulator is running,
AWS with your usual credentials and region. The stack is found by the module's default names, by
the prefixes given, or by `terraform output -json` of it (--outputs; `make review` passes
build/outputs.json, which `make apply` writes, when it is there). --state takes
`terraform show -json` of the stack (or of a saved plan) for the month's cost estimate.
Writes review-<end date>.md and .html into --out and prints the Markdown.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import boto3

from cartmon.ops import query as saved_queries
from cartmon.ops.review import collect
from cartmon.ops.review.report import Review, markdown, to_html
from cartmon.project import CLIENT_CONFIG, ROOT, use_emulator_if_running

DEFAULT_OUT = ROOT / "build" / "review"


def window(since: str, end: float) -> tuple[float, float]:
    match = saved_queries.DURATION.match(since)
    if not match:
        raise SystemExit(f"--since takes a number and a unit (s, m, h, d), e.g. 7d or 24h, not {since!r}")
    return end - int(match.group(1)) * saved_queries.SECONDS[match.group(2)], end


def gather(
    clients: dict, target: collect.Target, start: float, end: float, state: dict | None, source: str
) -> Review:
    """Every section; a section that cannot be read becomes a note instead of stopping the review."""
    cloudwatch, logs, sns = clients["cloudwatch"], clients["logs"], clients["sns"]
    namespace = target.namespace or collect.catalogue()["metric_namespace"]
    notes: list[str] = []

    def attempt(label: str, default, call):
        try:
            return call()
        except collect.AWS_ERRORS as error:
            notes.append(f"{label}: could not be read ({error})")
            return default

    per_day = attempt(
        "invocations", 0.0, lambda: collect.invocations_per_day(cloudwatch, target.function_name, start, end)
    )
    return Review(
        source=source,
        start=start,
        end=end,
        alarms=attempt(
            "alarm history",
            [],
            lambda: collect.alarm_history(
                cloudwatch,
                target.alarm_name_prefix,
                start,
                end,
                collect.topic_roles(target.topic_arns).get("page"),
            ),
        ),
        failure_reasons=collect.saved_query(logs, f"{target.name_prefix}/Top Failure Reasons", start, end),
        rate_limited=collect.saved_query(logs, f"{target.name_prefix}/Rate Limit Analysis", start, end),
        latency=attempt("latency", [], lambda: collect.latency(cloudwatch, namespace, start, end)),
        success=attempt(
            "success rate",
            collect.SuccessRate(0, 0),
            lambda: collect.success_rate(cloudwatch, namespace, start, end),
        ),
        cost=collect.month_cost(state, per_day),
        topics=attempt("subscribers", [], lambda: collect.topics(sns, target)),
        notes=notes,
    )


def write(review: Review, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = "review-" + collect.datetime.fromtimestamp(review.end, collect.UTC).strftime("%Y-%m-%d")
    text = markdown(review)
    markdown_path, html_path = out / f"{stem}.md", out / f"{stem}.html"
    markdown_path.write_text(text)
    html_path.write_text(to_html(text))
    return markdown_path, html_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--since", default="7d", help="how far back from now (default 7d)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder of the report (default build/review)"
    )
    parser.add_argument("--outputs", type=Path, help="`terraform output -json` of the stack")
    parser.add_argument(
        "--state", type=Path, help="`terraform show -json` of the stack or of a plan, for the cost"
    )
    parser.add_argument("--name-prefix", help="the module's name_prefix (default vyaparai-cart-migration)")
    parser.add_argument(
        "--alarm-name-prefix", help="the module's alarm_name_prefix (default VyaparAI-CartMigration)"
    )
    parser.add_argument("--function-name", help="the function's name (default vyaparai-cart-migration)")
    parser.add_argument("--quiet", action="store_true", help="do not print the Markdown")
    args = parser.parse_args(argv)

    given = {
        key: value
        for key, value in (
            ("name_prefix", args.name_prefix),
            ("alarm_name_prefix", args.alarm_name_prefix),
            ("function_name", args.function_name),
        )
        if value
    }
    if args.outputs:
        target = collect.Target.from_outputs(json.loads(args.outputs.read_text()))
        for key, value in given.items():
            setattr(target, key, value)
    else:
        target = collect.Target(**given)
    state = json.loads(args.state.read_text()) if args.state else None

    endpoint = use_emulator_if_running()
    clients = {
        name: boto3.client(name, endpoint_url=endpoint, config=CLIENT_CONFIG)
        for name in ("cloudwatch", "logs", "sns")
    }
    start, end = window(args.since, saved_queries.now())
    review = gather(clients, target, start, end, state, f"the emulator at {endpoint}" if endpoint else "AWS")
    markdown_path, html_path = write(review, args.out)
    if not args.quiet:
        print(markdown_path.read_text())
    print(f"review written to {markdown_path} and {html_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
