"""Run a saved Logs Insights query and print its rows as a table.

    query.py [NAME] [--since 1h | --start ISO --end ISO]

NAME is the saved query's name, with or without its folder ("Top Failure Reasons" or
"vyaparai-cart-migration/Top Failure Reasons"); without NAME, the saved queries are listed. The query runs against the emulator this checkout
started (or AWS_ENDPOINT_URL), and against real AWS, with the usual credential chain, when no
emulator endpoint is set.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import UTC, datetime

import boto3

from cartmon.project import discover_endpoint, emulator_now, use_emulator_if_running

DURATION = re.compile(r"^(\d+)([smhd])$")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def logs_client():
    return boto3.client("logs", endpoint_url=use_emulator_if_running())


def all_definitions(logs) -> list[dict]:
    definitions, token = [], None
    while True:
        page = logs.describe_query_definitions(**({"nextToken": token} if token else {}))
        definitions += page["queryDefinitions"]
        token = page.get("nextToken")
        if not token:
            return definitions


def listing(definitions: list[dict]) -> str:
    """The saved queries by folder, each with the log groups it reads, and how to run one."""
    if not definitions:
        return "No saved queries here: `make apply` deploys the module's (examples/local)."
    lines = [f"{len(definitions)} saved queries:"]
    for definition in sorted(definitions, key=lambda d: d["name"]):
        groups = ", ".join(definition.get("logGroupNames") or []) or "log groups chosen when run"
        lines.append(f"  {definition['name']}  ({groups})")
    example = sorted(definitions, key=lambda d: d["name"])[0]["name"].rsplit("/", 1)[-1]
    lines.append(f'Run one: make query NAME="{example}" [SINCE=2h]')
    return "\n".join(lines)


def find_definition(logs, name: str) -> dict:
    definitions = all_definitions(logs)
    matches = [d for d in definitions if d["name"] == name or d["name"].rsplit("/", 1)[-1] == name]
    if len(matches) != 1:
        known = "\n  ".join(sorted(d["name"] for d in definitions)) or "(none)"
        problem = "no saved query" if not matches else "several saved queries"
        raise SystemExit(f"{problem} named {name!r}. Saved queries:\n  {known}")
    return matches[0]


def now() -> float:
    """The emulator's clock when there is one (tests and the demo move it forward), else the wall clock."""
    endpoint = discover_endpoint()
    return (emulator_now(endpoint) if endpoint else None) or time.time()


def time_range(args) -> tuple[int, int]:
    end = int(datetime.fromisoformat(args.end).replace(tzinfo=UTC).timestamp()) if args.end else int(now())
    if args.start:
        return int(datetime.fromisoformat(args.start).replace(tzinfo=UTC).timestamp()), end
    match = DURATION.match(args.since)
    if not match:
        raise SystemExit(
            f"--since takes a number and a unit (s, m, h, d), e.g. 30m or 2h, not {args.since!r}"
        )
    return end - int(match.group(1)) * SECONDS[match.group(2)], end


def run(logs, definition: dict, start: int, end: int) -> list[dict[str, str]]:
    query_id = logs.start_query(
        logGroupNames=definition["logGroupNames"],
        startTime=start,
        endTime=end,
        queryString=definition["queryString"],
    )["queryId"]
    while True:
        result = logs.get_query_results(queryId=query_id)
        if result["status"] not in ("Scheduled", "Running"):
            break
        time.sleep(1)
    if result["status"] != "Complete":
        raise SystemExit(f"query {result['status']}")
    return [
        {cell["field"]: cell["value"] for cell in row if cell["field"] != "@ptr"} for row in result["results"]
    ]


def table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(dict.fromkeys(column for row in rows for column in row))
    widths = {c: max(len(c), *(len(row.get(c, "")) for row in rows)) for c in columns}
    line = "  ".join(c.ljust(widths[c]) for c in columns)
    rule = "  ".join("-" * widths[c] for c in columns)
    body = ["  ".join(row.get(c, "").ljust(widths[c]) for c in columns) for row in rows]
    return "\n".join([line, rule, *body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("name", nargs="?", default="", help="saved query; without it, the list")
    parser.add_argument("--since", default="1h", help="how far back from now (default 1h)")
    parser.add_argument("--start", help="ISO start time (UTC), instead of --since")
    parser.add_argument("--end", help="ISO end time (UTC); default now")
    args = parser.parse_args(argv)
    logs = logs_client()
    if not args.name:
        print(listing(all_definitions(logs)))
        return 0
    definition = find_definition(logs, args.name)
    start, end = time_range(args)
    print(
        f"{definition['name']}  {datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:%M} .. {datetime.fromtimestamp(end, UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(table(run(logs, definition, start, end)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
