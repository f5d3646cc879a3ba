"""A log widget's Logs Insights query, run on the groups of its `SOURCE` clauses; the rows as a table."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from cartmon.ops.dashboard.fetch import short_error
from cartmon.ops.dashboard.settings import QUERY_TIMEOUT_SECONDS

_SOURCE = re.compile(r"""^\s*SOURCE\s+(['"])(?P<group>[^'"]+)\1\s*\|""", re.IGNORECASE)


def split_log_query(query: str) -> tuple[list[str], str]:
    """(log groups of the leading `SOURCE '<group>' |` clauses, the query without them)."""
    groups: list[str] = []
    rest = query
    while True:
        match = _SOURCE.match(rest)
        if not match:
            return groups, rest.strip()
        groups.append(match["group"])
        rest = rest[match.end() :]


@dataclass
class LogTable:
    columns: list[str]
    rows: list[dict[str, str]]
    groups: list[str]
    query: str
    error: str | None = None


def run_log_widget(logs, properties: dict, start: float, end: float) -> LogTable:
    groups, query = split_log_query(str(properties.get("query") or ""))
    table = LogTable(columns=[], rows=[], groups=groups, query=query)
    if not groups:
        table.error = "the query names no log group (SOURCE '<group>' | ...)"
        return table
    try:
        query_id = logs.start_query(
            logGroupNames=groups, startTime=int(start), endTime=int(math.ceil(end)), queryString=query
        )["queryId"]
        deadline = time.monotonic() + QUERY_TIMEOUT_SECONDS
        while True:
            result = logs.get_query_results(queryId=query_id)
            if result["status"] not in ("Scheduled", "Running", "Unknown") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    except Exception as error:  # noqa: BLE001 - the widget shows what went wrong
        table.error = short_error(error)
        return table
    if result["status"] != "Complete":
        table.error = f"query {result['status']}"
        return table
    for row in result.get("results", []):
        table.rows.append({cell["field"]: cell.get("value", "") for cell in row if cell["field"] != "@ptr"})
    table.columns = list(dict.fromkeys(column for row in table.rows for column in row))
    return table
