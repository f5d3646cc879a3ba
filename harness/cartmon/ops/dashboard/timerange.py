"""Time ranges: ISO-8601 durations ("-PT3H"), absolute times, and the range a dashboard shows."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from cartmon.ops.dashboard.settings import DEFAULT_START

_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """Seconds of an ISO-8601 duration as dashboards write it ("-PT3H", "-P7D", "PT15M")."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "-P", "+P", "PT", "-PT"):
        raise ValueError(f"not an ISO-8601 duration (like -PT3H or -P1D): {text!r}")
    seconds = (
        float(match["weeks"] or 0) * 604800
        + float(match["days"] or 0) * 86400
        + float(match["hours"] or 0) * 3600
        + float(match["minutes"] or 0) * 60
        + float(match["seconds"] or 0)
    )
    return -seconds if match["sign"] == "-" else seconds


def to_epoch(value: Any) -> float:
    """Epoch seconds of a number, a datetime (naive = UTC) or an ISO-8601 time."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return to_epoch(parsed)
    raise TypeError(f"not a time: {value!r}")


def resolve_range(start: Any, end: Any, body: dict | None = None) -> tuple[float, float]:
    """(start, end) in epoch seconds. `end` is the caller's now; `start` a duration before it, an
    absolute time, or None for the body's own `start` (default three hours)."""
    end_s = time.time() if end is None else to_epoch(end)
    start = start if start is not None else (body or {}).get("start") or DEFAULT_START
    if isinstance(start, str) and start.strip().lstrip("+-").upper().startswith("P"):
        start_s = end_s - abs(parse_duration(start))
    else:
        start_s = to_epoch(start)
    if start_s >= end_s:
        raise ValueError("the time range is empty: start must be before end")
    return start_s, end_s


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def describe_span(seconds: float) -> str:
    """A span as people say it: "25 min", "3 h", "2 h 05 min", "2 days", "3 days 4 h"."""
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{max(minutes, 1)} min" if seconds >= 60 else f"{int(round(seconds))} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes:02d} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} days" + (f" {hours} h" if hours else "")


def describe_range(start: float, end: float) -> str:
    span = describe_span(end - start)
    return f"{utc(start):%Y-%m-%d %H:%M} \u2192 {utc(end):%Y-%m-%d %H:%M} UTC ({span})"
