"""The five measures of cold start, log cost, deploy and suite time, each beside its goal.

Every figure comes from the sections measured in the same run, except the suite's wall time:
`make test` records its own (build/make-test.json: seconds from make reading the Makefile to the
end of pytest, so set-up is included on a fresh clone) and the bench reports the last record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cartmon.dev.bench.markdown import fmt_number, fmt_ratio, md_table
from cartmon.dev.bench.measures.coldstart import import_ratios

TITLE = "## Goals: cold start, log cost, deploy and suite time"
NOT_RUN = "not in this run"


@dataclass(frozen=True)
class Goal:
    measure: str
    goal: str
    limit: float | None  # the figure must be at most this; None: reported, no goal set


GOALS = {
    "import_cached": Goal(
        "`import` of the handler module (bytecode cached) ÷ bare `import boto3`", "≤ 1.25", 1.25
    ),
    "import_deployed": Goal(
        "the same import from a fresh read-only copy of the deployment zip (as in Lambda) ÷ bare `import boto3`",
        "≤ 1.35",
        1.35,
    ),
    "log_line": Goal(
        "one `migration_success` line through `CartMigrationMetrics` ÷ bare Powertools `Logger.info`, same fields",
        "≤ 1.0",
        1.0,
    ),
    "apply": Goal("`terraform apply` of `examples/local` on the emulator", "≤ 20 s", 20.0),
    "make_test": Goal("`make test` on a fresh clone, set-up included", "≤ 6 min", 360.0),
    "first_request": Goal(
        "cold start, init plus first request through the local runtime: our handler ÷ a bare-boto3 handler "
        "making the same DynamoDB calls",
        "none set (reported)",
        None,
    ),
}


def load_make_test_record(path: Path) -> dict[str, Any] | None:
    """The record the last `make test` wrote, or None when there is none (or it is unreadable)."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("seconds"), int | float) else None


def _section(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    section = results.get("sections", {}).get(name)
    return section if isinstance(section, dict) and "error" not in section else None


def figures(results: dict[str, Any]) -> dict[str, tuple[float | None, str]]:
    """Per goal: (the figure compared with the goal or None, how to show it)."""
    out: dict[str, tuple[float | None, str]] = {name: (None, NOT_RUN) for name in GOALS}
    coldstart = _section(results, "coldstart")
    if coldstart:
        for key, ratio in import_ratios(coldstart["variants"]).items():
            out[f"import_{key}"] = (ratio, fmt_ratio(ratio)) if ratio is not None else (None, "n/a")
        first = coldstart.get("first_request")
        if isinstance(first, dict) and "ratio" in first:
            ours, baseline = first["variants"][0], first["variants"][1]
            out["first_request"] = (
                first["ratio"],
                f"{fmt_ratio(first['ratio'])} ({fmt_number(ours['total_ms'], 'ms')} vs "
                f"{fmt_number(baseline['total_ms'], 'ms')})",
            )
    logging = _section(results, "logging")
    if logging:
        ours = next((v for v in logging["variants"] if v["name"] == "ours_migration_success"), None)
        if ours:
            out["log_line"] = (ours["vs_bare_powertools"], fmt_ratio(ours["vs_bare_powertools"]))
    deploy = _section(results, "deploy")
    if deploy:
        apply = next((step for step in deploy["steps"] if step["step"] == "apply"), None)
        if apply:
            out["apply"] = (apply["seconds"], fmt_number(apply["seconds"], "s"))
    record = results.get("make_test")
    if record:
        minutes = fmt_number(record["seconds"] / 60, "min")
        when = record.get("finished_at", "date unknown")
        failed = "" if record.get("exit_status", 0) == 0 else ", the suite failed"
        if record.get("pytest_args"):  # part of the suite only: reported, not judged
            failed += f", only PYTEST_ARGS={record['pytest_args']}"
        if record.get("fresh_setup") and not record.get("pytest_args"):
            out["make_test"] = (
                record["seconds"],
                f"{minutes} (last `make test`, {when}, fresh clone{failed})",
            )
        else:
            out["make_test"] = (None, f"{minutes} (last `make test`, {when}, set-up already done{failed})")
    else:
        out["make_test"] = (None, "no `make test` recorded here (CI's run on a fresh clone records it)")
    return out


def render_goals(results: dict[str, Any]) -> str:
    rows = []
    for name, (value, shown) in figures(results).items():
        goal = GOALS[name]
        if goal.limit is None or value is None:
            met = "n/a"
        else:
            met = "yes" if value <= goal.limit else "**no**"
        rows.append([goal.measure, shown, goal.goal, met])
    return "\n".join(
        [
            TITLE,
            "",
            "Each ratio is measured side by side in this run (sections 3 to 5 give the details). Import",
            "ratios take the bare interpreter's start-up out of both sides. `make test` records its own wall",
            "time in `build/make-test.json` (from make reading the Makefile to the end of pytest, so a fresh",
            "clone's set-up counts); the goal is judged only for a run that did the set-up.",
            "",
            md_table(["measure", "this run", "goal", "met"], rows, "lrrc"),
        ]
    )
