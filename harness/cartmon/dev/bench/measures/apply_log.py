"""Where `terraform apply` spends its time: per-resource durations from its `-json` output.

`terraform apply -json` writes one JSON message per line (Terraform's "machine-readable UI"):
`apply_start` and `apply_complete` (or `apply_errored`) per resource, each with `@timestamp`
and `hook.resource.addr`; `apply_complete` also carries whole `elapsed_seconds`. A resource's
time is complete minus start from the timestamps (sub-second), else `elapsed_seconds`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def _messages(output: str) -> list[dict[str, Any]]:
    messages = []
    for line in output.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            messages.append(message)
    return messages


def _stamp(message: dict[str, Any]) -> float | None:
    try:
        return datetime.fromisoformat(str(message["@timestamp"])).timestamp()
    except (KeyError, ValueError):
        return None


def resource_apply_times(output: str) -> list[dict[str, Any]]:
    """[{address, action, seconds, outcome}] of every resource the apply touched, slowest first."""
    started: dict[str, float | None] = {}
    rows = []
    for message in _messages(output):
        kind = message.get("type")
        hook = message.get("hook") or {}
        address = (hook.get("resource") or {}).get("addr")
        if not address:
            continue
        if kind == "apply_start":
            started[address] = _stamp(message)
        elif kind in ("apply_complete", "apply_errored"):
            begin, end = started.pop(address, None), _stamp(message)
            seconds = end - begin if begin is not None and end is not None else hook.get("elapsed_seconds")
            rows.append(
                {
                    "address": address,
                    "action": hook.get("action", ""),
                    "seconds": float(seconds) if seconds is not None else None,
                    "outcome": "complete" if kind == "apply_complete" else "errored",
                }
            )
    return sorted(rows, key=lambda row: (-(row["seconds"] or 0.0), row["address"]))


def diagnostics(output: str) -> str:
    """The error diagnostics of a failed `-json` run, as text (the raw tail when there are none)."""
    lines = [
        f"{message.get('@message', '')}: {(message.get('diagnostic') or {}).get('detail', '')}"
        for message in _messages(output)
        if message.get("type") == "diagnostic" and message.get("@level") == "error"
    ]
    return "\n".join(lines) if lines else output[-3000:]
