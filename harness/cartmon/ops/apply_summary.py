"""What `make apply` prints: progress and a summary, not Terraform's thousands of lines.

    terraform apply -no-color ... | python -m cartmon.ops.apply_summary progress build/apply.log
    python -m cartmon.ops.apply_summary outputs build/outputs.json

`progress` keeps Terraform's whole output in the log file and prints the plan's count, a count of
the resources done as they finish, every warning's title, and any error in full. `outputs` sums up
the applied stack from `terraform output -json` (build/outputs.json keeps every output, the
`slos` output's thousand lines included).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

DONE = re.compile(r": (Creation|Modifications|Destruction) complete after ")
SHOWN = (re.compile(r"^Plan: "), re.compile(r"^(Apply|Destroy) complete!"), re.compile(r"^No changes\."))
PROGRESS_EVERY = 25  # resources between progress lines when the output is not a terminal


def progress(lines: Iterable[str], log: TextIO, out: TextIO, terminal: bool) -> int:
    """Copy every line to `log`; print the summary lines to `out`. Returns the resources done."""
    done, failing = 0, False
    for line in lines:
        log.write(line)
        text = line.rstrip("\n")
        if failing or text.startswith(("Error: ", "│ Error: ")):
            if terminal and done:
                out.write("\n")
                terminal = False  # no more carriage returns: the error reads as it comes
            failing = True
            out.write(line)
        elif DONE.search(text):
            done += 1
            if terminal:
                out.write(f"\r  {done} resources done")
            elif done % PROGRESS_EVERY == 0:
                out.write(f"  {done} resources done\n")
        elif text.lstrip("│ ").startswith("Warning: "):
            out.write(f"  {text.lstrip('│ ')}\n")
        elif any(pattern.search(text) for pattern in SHOWN):
            if terminal and done:
                out.write("\n")
            out.write(text + "\n")
        out.flush()
    return done


def _value(outputs: dict[str, Any], name: str) -> Any:
    item = outputs.get(name)
    return item.get("value") if isinstance(item, dict) and "value" in item and "type" in item else item


def outputs_summary(outputs: dict[str, Any], path: str = "build/outputs.json") -> str:
    """A dozen lines on the applied stack; the whole of it stays in `path`."""
    alarms = _value(outputs, "alarms") or {}
    composites = _value(outputs, "composite_alarms") or {}
    pages = [c for c in composites.values() if c.get("page") and c.get("notifies")]
    composite_tickets = [c for c in composites.values() if not c.get("page") and c.get("notifies")]
    tickets = [a for a in alarms.values() if a.get("notifies")]
    silent = len(alarms) + len(composites) - len(pages) - len(composite_tickets) - len(tickets)
    topics = _value(outputs, "sns_topic_arns") or {}
    pending = _value(outputs, "pending_email_confirmations") or {}
    lines = [
        f"Alarms: {len(_value(outputs, 'alarm_names') or [])}: {len(pages)} page (composite alarms), "
        f"{len(composite_tickets) + len(tickets)} file a ticket ({len(composite_tickets)} composite), "
        f"{silent} notify nobody (burn-rate windows and other inputs of the composite alarms)",
    ]
    if topics:
        lines.append(f"Page topic:   {topics.get('page', '-')}")
        lines.append(f"Alerts topic: {topics.get('alerts', '-')}")
    if _value(outputs, "lambda_function_name"):
        lines.append(f"Function:     {_value(outputs, 'lambda_function_name')}")
    if _value(outputs, "dashboard_name"):
        lines.append(f"Dashboard:    {_value(outputs, 'dashboard_name')}")
    queries = _value(outputs, "query_definition_names") or {}
    if queries:
        lines.append(f"Saved queries: {len(queries)} ({', '.join(sorted(queries))})")
    for message in pending.values():
        lines.append(f"Pending: {message}")
    lines.append(
        f"Every output ({len(outputs)}, slos included): {path}; one of them: terraform -chdir=examples/local output NAME"
    )
    lines.append("Next: make traffic, make query, make review, make destroy")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("progress", "outputs"):
        raise SystemExit(__doc__)
    command, path = args
    if command == "progress":
        with open(path, "w") as log:
            progress(sys.stdin, log, sys.stdout, sys.stdout.isatty())
        print(f"Terraform's whole output: {path}")
        return 0
    print(outputs_summary(json.loads(Path(path).read_text()), path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
