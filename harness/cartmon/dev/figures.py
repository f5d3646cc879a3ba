"""Figures in prose, generated: the text between `<!-- BEGIN generated: NAME -->` and
`<!-- END generated -->` in the documents below is rendered from its source, never typed by hand.

    cartmon-docs                        fill every block whose source is a file in the repository
    cartmon-docs --plan build/plan.json also the blocks read from a plan of examples/local (`make docs-plan`)
    cartmon-docs --check                exit 1 when a file-sourced block differs from its source (`make check`)

Blocks from files (checked by `make check`): `alert-quality-goals` copies the goals section of
docs/alert-quality.md (written by `make alert-quality` from the replay); `slo-inputs` quotes the SLO
inputs' defaults from variables-<concern>.tf and the event catalogue. Blocks from the plan need a
`terraform plan`, which needs the emulator, so `make check` cannot run them: tests/infra/test_plan.py
renders them from its plan and compares (`at-a-glance`: the README's alarm counts and `make cost`'s
monthly figures; `slo-windows`: docs/alerting.md's burn-rate pairs as planned; `slo-targets`: the SLOs in
a few words). Timings are not copied anywhere: the prose links to BENCHMARKS.md instead, whose figures
change with every run.

A block is either whole lines (the markers on lines of their own, its lines indented as the BEGIN marker is)
or inline (both markers on one line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import hcl2

from cartmon.ops.cost.estimate import estimate
from cartmon.ops.cost.model import Assumptions
from cartmon.project import ROOT, variable_files

BLOCK = re.compile(r"<!-- BEGIN generated: (?P<name>[\w-]+) -->(?P<body>.*?)<!-- END generated -->", re.S)
# The documents that may hold blocks; a block name nobody renders is an error, not left alone.
DOCUMENTS = ("README.md", "docs/*.md", "lambda_src/README.md", "emulator/README.md")


class Sources:
    """What the blocks are rendered from. `plan`: `terraform show -json` of examples/local, or None."""

    def __init__(self, root: Path = ROOT, plan: dict | None = None) -> None:
        self.root = root
        self.plan = plan

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text()


def section(markdown: str, title: str) -> list[str]:
    """The lines of a `## title` section, without its heading and surrounding blank lines."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, flags=re.M | re.S)
    if match is None:
        raise ValueError(f"no section '## {title}'")
    return match.group(1).strip("\n").splitlines()


def alert_quality_goals(sources: Sources) -> str:
    """The goals as the replay found them, and the window configurations that meet all of them."""
    report = sources.text("docs/alert-quality.md")
    meeting = [
        line for line in report.splitlines() if line.startswith("Configurations that meet every goal:")
    ]
    return "\n".join([*section(report, "The goals"), "", *meeting])


def variable_defaults(sources: Sources) -> dict[str, object]:
    """The root module's variables and their defaults, as its variables-<concern>.tf declare them."""
    return {
        name.strip('"'): body.get("default")
        for path in variable_files(sources.root)
        for entry in hcl2.loads(path.read_text()).get("variable", [])
        for name, body in entry.items()
    }


def slo_inputs(sources: Sources) -> str:
    """docs/alerting.md's SLO inputs with their defaults: the variables' defaults and, for what
    `latency_slos = {}` leaves to it, the event catalogue (its latency SLI's target, each operation's
    target_ms)."""
    defaults = variable_defaults(sources)
    catalogue = json.loads(sources.text("lambda_src/cart_migration/event_catalogue.json"))
    operations = ", ".join(
        f"{o['target_ms']} ms {o['label'].lower()}" for o in catalogue["operations"].values()
    )
    return (
        f"`availability_slo_percent` ({defaults['availability_slo_percent']:g}, the guide's target: good answers"
        f" over all requests), `latency_slos` (per operation {catalogue['slis']['latency']['target_percent']:g} %"
        f" under the guide's target: {operations}), `slo_period_days` ({defaults['slo_period_days']:g})"
    )


def at_a_glance(sources: Sources) -> str:
    """The README's summary of examples/local: its alarms by what they do, and `make cost`'s month."""
    if sources.plan is None:
        raise PlanNeeded
    resources = planned(sources.plan)
    composites = [r for r in resources if r["type"] == "aws_cloudwatch_composite_alarm"]
    metric = [r for r in resources if r["type"] == "aws_cloudwatch_metric_alarm"]
    page_topic = sources.plan["planned_values"]["outputs"]["sns_topic_arns"]["value"]["page"]
    pages = [c for c in composites if page_topic in (c["values"].get("alarm_actions") or [])]
    composite_tickets = [c for c in composites if c["values"].get("alarm_actions") and c not in pages]
    tickets = len(composite_tickets) + sum(1 for a in metric if a["values"].get("alarm_actions"))
    silent = len(composites) + len(metric) - len(pages) - tickets
    result = estimate(sources.plan)
    alarms_cost = sum(
        line.cost for line in result.lines if line.item.startswith("CloudWatch") and "alarms" in line.item
    )
    composite_cost = sum(line.cost for line in result.lines if line.item == "CloudWatch composite alarms")
    metric_cost = alarms_cost - composite_cost
    reads = availability_window_metrics(metric)
    count = {t: sum(1 for r in resources if r["type"] == t) for t in {r["type"] for r in resources}}
    per_day = Assumptions().invocations_per_day
    return "\n".join(
        [
            f"- **{len(composites) + len(metric)} CloudWatch alarms**: {len(pages)} page (composite alarms on the"
            f" page topic), {tickets} file a ticket on the",
            f"  alerts topic ({len(composite_tickets)} of them composite), and {silent} notify nobody: the SLO"
            " burn-rate windows and the",
            "  per-operation composites that feed the pages and tickets.",
            f"- **About ${alarms_cost:,.2f} a month for the alarms, of ${result.total:,.2f} for everything the"
            f" example creates** (${metric_cost:,.2f}",
            "  for the metric alarms, where a metric-math alarm counts each metric it reads: an availability",
            f"  window reads {reads}, the function's own `Errors` and `Throttles` among them, and"
            f" ${composite_cost:,.2f} for the {len(composites)}",
            "  composite alarms; the rest is mostly DynamoDB and the KMS key). From `make cost` at its default",
            f"  traffic of {per_day:,.0f} invocations a day with the AWS free tier"
            f" (${result.total_without_free_tier:,.2f} without it); it prints every",
            "  line with its unit price.",
            f"- {number(count.get('aws_cloudwatch_dashboard', 0))} dashboard, "
            f"{count.get('aws_cloudwatch_query_definition', 0)} saved Logs Insights queries, "
            f"{count.get('aws_sns_topic', 0)} SNS topics (pages, and every alarm) with a KMS key.",
        ]
    )


def number(n: int) -> str:
    return {1: "One", 2: "Two", 3: "Three"}.get(n, str(n))


def planned(plan: dict) -> list[dict]:
    """Every planned resource, in the root module and all child modules."""
    out: list[dict] = []
    stack = [plan["planned_values"]["root_module"]]
    while stack:
        module = stack.pop()
        out += module.get("resources", [])
        stack += module.get("child_modules", [])
    return out


def availability_window_metrics(metric_alarms: list[dict]) -> int:
    """Metrics one availability burn-rate window reads (its metric queries, expressions left out)."""
    for alarm in metric_alarms:
        if "Availability" in alarm["values"]["alarm_name"] and "Burn" in alarm["values"]["alarm_name"]:
            return sum(1 for q in alarm["values"].get("metric_query") or [] if q.get("metric"))
    raise ValueError("no availability burn-rate alarm in the plan")


def slo_windows(sources: Sources) -> str:
    """docs/alerting.md's table of the availability SLO's burn-rate pairs: the budget each spends and its
    guard as the module's `slo_burn_rate_windows` default gives them, burn rate and threshold as the plan's
    `slos` output derives them."""
    if sources.plan is None:
        raise PlanNeeded
    slos = sources.plan["planned_values"]["outputs"]["slos"]["value"]
    availability = slos["objectives"]["Availability"]
    declared = variable_defaults(sources)["slo_burn_rate_windows"]
    assert isinstance(declared, list)
    inputs = {str(w["name"]).strip('"'): w for w in declared}
    rows = [
        f"| Pair | Windows | Budget spent | Burn | Threshold at {availability['target_percent']:g} % "
        "| Guard (requests per window) | Severity |",
        "|---|---|---|---|---|---|---|",
    ]
    windows = sorted(availability["windows"].items(), key=lambda item: item[1]["long_window_minutes"])
    for name, w in windows:
        own_guard = inputs.get(name, {}).get("min_events")
        guard = f"{w['min_events']}" if own_guard is not None else f"`slo_min_events` ({slos['min_events']})"
        budget = inputs[name]["budget_consumed_percent"] if name in inputs else None
        severity = "page" if w["priority"] == "P1" else "ticket"
        rows.append(
            f"| {name} | {duration(w['long_window_minutes'])} + {duration(w['short_window_minutes'])} | "
            f"{'-' if budget is None else f'{budget:g} %'} | {w['burn_rate']:g}x | {w['threshold_percent']:g} % failed"
            f" | {guard} | {severity} ({w['priority']}) |"
        )
    return "\n".join(rows)


def slo_targets(sources: Sources) -> str:
    """The planned SLOs in a few words: availability target, the latency targets, the period."""
    if sources.plan is None:
        raise PlanNeeded
    slos = sources.plan["planned_values"]["outputs"]["slos"]["value"]
    objectives = slos["objectives"]
    latency = sorted({o["target_percent"] for k, o in objectives.items() if k.startswith("Latency")})
    latency_text = f"{latency[0]:g} %" if len(latency) == 1 else f"{latency[0]:g} % to {latency[-1]:g} %"
    return (
        f"availability > {objectives['Availability']['target_percent']:g} %, {latency_text} of each operation"
        f" under its target, {slos['period_days']:g} days"
    )


def duration(minutes: float) -> str:
    if minutes % 1440 == 0:
        days = int(minutes // 1440)
        return f"{days} day{'s' if days > 1 else ''}"
    if minutes % 60 == 0:
        return f"{int(minutes // 60)} h"
    return f"{minutes:g} min"


class PlanNeeded(Exception):
    """The block is rendered from a plan and none was given."""


RENDERERS: dict[str, Callable[[Sources], str]] = {
    "alert-quality-goals": alert_quality_goals,
    "slo-inputs": slo_inputs,
    "at-a-glance": at_a_glance,
    "slo-windows": slo_windows,
    "slo-targets": slo_targets,
}


def documents(root: Path = ROOT) -> list[Path]:
    return sorted({path for pattern in DOCUMENTS for path in root.glob(pattern)})


def render_blocks(text: str, sources: Sources, name: str = "") -> str:
    """The document with each block's body rendered; blocks from a plan kept as they are without one."""

    def fill(match: re.Match[str]) -> str:
        block = match.group("name")
        if block not in RENDERERS:
            raise SystemExit(
                f"{name}: no renderer for the generated block '{block}' ({', '.join(RENDERERS)})"
            )
        try:
            body = RENDERERS[block](sources)
        except PlanNeeded:
            return match.group(0)
        if not match.group("body").startswith("\n"):
            return f"<!-- BEGIN generated: {block} -->{body}<!-- END generated -->"
        # A block inside a list item is indented as its BEGIN marker is.
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = text[line_start : match.start()]
        indent = indent if not indent.strip() else ""
        lines = "\n".join(f"{indent}{line}" if line else "" for line in body.splitlines())
        return f"<!-- BEGIN generated: {block} -->\n{lines}\n{indent}<!-- END generated -->"

    return BLOCK.sub(fill, text)


def stale_documents(sources: Sources, pending: dict[Path, str] | None = None) -> list[tuple[Path, str, str]]:
    """(path, current text, wanted text) of every document whose blocks differ from their sources.
    `pending`: texts about to be written (docs.py's tables), rendered instead of the files' own."""
    out = []
    for path in documents(sources.root):
        current = (pending or {}).get(path, path.read_text())
        if "<!-- BEGIN generated:" not in current:
            continue
        wanted = render_blocks(current, sources, path.relative_to(sources.root).as_posix())
        if wanted != current:
            out.append((path, current, wanted))
    return out


def block(text: str, name: str) -> str:
    """The body of one block of a document, without the newlines that frame a whole-line block."""
    for match in BLOCK.finditer(text):
        if match.group("name") == name:
            return match.group("body").strip("\n").rstrip(" ")
    raise ValueError(f"no generated block '{name}'")
