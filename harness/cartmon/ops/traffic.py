"""`make traffic`: shop traffic through the real handler against the stack `make apply` deployed.

    cartmon-traffic [--duration 15m] [--rate 20] [--failure-rate 0.05] [--outputs build/outputs.json]

The emulator's own Lambda service does not run the function (it would need Docker); this runs
the handler in this process (cartmon.local.runtime, as the demo and the tests do), with the
deployed function's environment, against the stack's tables and log groups named in
build/outputs.json. Each simulated minute sends --rate requests drawn from the demo's mix
(migrations with every strategy, multi-store migrations, cart summaries, cleanups, merge
conflicts, guests without carts, forged tokens, bad input), a --failure-rate share of them failing
on the function's side (DynamoDB failures, timeouts, throttles), and one customer's rate-limit
burst in the middle minute. Then the emulator's clock moves a minute on, so the metric filters,
the alarms, `make query` and `make review` see the traffic spread over --duration.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from cartmon.local.runtime import LocalLambda
from cartmon.local.traffic import MORNING, Customers, Shop, steady_minute
from cartmon.ops import query as saved_queries
from cartmon.project import CLIENT_CONFIG, ROOT, EmulatorClock, use_emulator_if_running

OUTPUTS = ROOT / "build" / "outputs.json"
BURST_REQUESTS = next(count for _, count, kind in MORNING if kind == "rate_limited")
NEEDED_OUTPUTS = ("lambda_function_name", "log_group_names", "carts_table_name")


def plain_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """`terraform output -json` ({"name": {"value": ...}}) or plain values, as plain values."""
    return {
        name: item["value"] if isinstance(item, dict) and "value" in item and "type" in item else item
        for name, item in outputs.items()
    }


def read_outputs(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SystemExit(f"{path} not found: `make apply` deploys the stack and writes it")
    outputs = plain_outputs(json.loads(path.read_text()))
    missing = [name for name in NEEDED_OUTPUTS if not outputs.get(name)]
    if missing:
        raise SystemExit(
            f"{path} lacks {', '.join(missing)}: traffic needs a stack with the function "
            "(examples/local, `make apply`)"
        )
    return outputs


def minutes(duration: str) -> int:
    match = saved_queries.DURATION.match(duration)
    if not match:
        raise SystemExit(
            f"--duration takes a number and a unit (s, m, h, d), e.g. 15m or 2h, not {duration!r}"
        )
    seconds = int(match.group(1)) * saved_queries.SECONDS[match.group(2)]
    if seconds < 60:
        raise SystemExit(f"--duration is at least a minute (1m), not {duration!r}")
    return seconds // 60


def plan(total_minutes: int, rate: int, failure_rate: float, seed: int) -> list[list[str]]:
    """The kinds of request of every minute: steady traffic, and the rate-limit burst in the middle."""
    rng = random.Random(seed)
    out = [steady_minute(rng, rate, failure_rate) for _ in range(total_minutes)]
    out[total_minutes // 2] += ["rate_limited"] * BURST_REQUESTS
    return out


def stack_runtime(
    outputs: dict[str, Any], clients: dict[str, Any], clock: EmulatorClock
) -> tuple[Callable[..., LocalLambda], dict[str, str]]:
    """A factory of local runtimes for the deployed function (its environment and log format, the
    stack's log group), and that environment."""
    configuration = clients["lambda"].get_function_configuration(FunctionName=outputs["lambda_function_name"])
    environment = configuration["Environment"]["Variables"]
    log_format = (configuration.get("LoggingConfig") or {}).get("LogFormat", "Text")

    def runtime(**options) -> LocalLambda:
        return LocalLambda(
            outputs["lambda_function_name"],
            outputs["log_group_names"]["function"],
            clients["logs"],
            clients["cloudwatch"],
            environment,
            clock=clock.now,
            log_format=log_format,
            **options,
        )

    return runtime, environment


def drive(
    outputs: dict[str, Any],
    clients: dict[str, Any],
    clock: EmulatorClock,
    schedule: list[list[str]],
    echo=print,
) -> Counter:
    """Play the schedule minute by minute; the clock moves a minute after each. Returns the
    requests sent per kind."""
    runtime, environment = stack_runtime(outputs, clients, clock)
    shop = Shop(runtime(), environment["JWT_SECRET"], outputs["carts_table_name"])
    customers = Customers(shop, runtime(reserved_concurrency=0), runtime(timeout_seconds=0.000001))
    sent: Counter = Counter()
    for minute, kinds in enumerate(schedule, 1):
        unexpected = 0
        for index, kind in enumerate(kinds):
            try:
                customers.play(kind, index)
            except AssertionError as answer:  # the function answered otherwise than this kind expects
                unexpected += 1
                sent[f"{kind} (unexpected answer)"] += 1
                if unexpected == 1:
                    echo(f"  {kind}: unexpected answer {str(answer)[:200]}")
            sent[kind] += 1
        clock.advance(60)
        echo(f"  minute {minute:>3}/{len(schedule)}: {len(kinds)} requests")
    return sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", default="15m", help="simulated time the traffic spans (default 15m)")
    parser.add_argument("--rate", type=int, default=20, help="requests per simulated minute (default 20)")
    parser.add_argument(
        "--failure-rate",
        type=float,
        default=0.05,
        help="share of requests that fail on the function's side, 0..1 (default 0.05)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the request mix (default 0)")
    parser.add_argument("--outputs", type=Path, default=OUTPUTS, help="`terraform output -json` of the stack")
    args = parser.parse_args(argv)
    if args.rate < 1:
        raise SystemExit(f"--rate is at least 1 request a minute, not {args.rate}")
    if not 0 <= args.failure_rate <= 1:
        raise SystemExit(f"--failure-rate is a share between 0 and 1 (0.05 is 5 %), not {args.failure_rate}")
    outputs = read_outputs(args.outputs)
    endpoint = use_emulator_if_running()
    if not endpoint:
        raise SystemExit(
            "no emulator is running: `make apply` starts one and deploys the stack that traffic is for"
        )
    clients = {
        name: boto3.client(name, endpoint_url=endpoint, config=CLIENT_CONFIG)
        for name in ("lambda", "logs", "cloudwatch")
    }
    total = minutes(args.duration)
    schedule = plan(total, args.rate, args.failure_rate, args.seed)
    clock = EmulatorClock(endpoint)
    print(
        f"traffic: {sum(map(len, schedule))} requests over {total} simulated minutes to "
        f"{outputs['lambda_function_name']} ({args.rate}/min, failure rate {args.failure_rate:.0%}, "
        f"a {BURST_REQUESTS}-request rate-limit burst in minute {total // 2 + 1})"
    )
    sent = drive(outputs, clients, clock, schedule)
    print("sent: " + ", ".join(f"{kind} {count}" for kind, count in sorted(sent.items())))
    print(
        'next: make query NAME="Top Failure Reasons" SINCE='
        f"{total + 5}m, make review SINCE=1h, or the alarms' states in the emulator"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
