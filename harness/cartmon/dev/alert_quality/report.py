"""`cartmon-alert-quality` (`make alert-quality`): plans examples/local, replays the simulated week through
the guide's five alarms and through the full alarm set, and writes docs/alert-quality.md.

Pages: ALARM notifications that reach a pager. For the guide-only set these are its P1 alarms
(HighFailureRate, NoSuccessfulMigrations on the guide's critical topic); for the full set the
notifications on the page topic. Tickets: ALARM notifications of P2/P3 alarms. An incident's window runs
from its start to an hour after its end; a page outside every window matches no incident. Each incident's
goal (page within 5 or 30 minutes, ticket within 6 hours, no page) follows from its burn rate (`goal`), and
every figure and verdict of the report is computed from the replay, and every SLO figure (targets, period)
is read from the plan the replay used: no conclusion is written that the replay's results do not support.

Past 600 lines because the report's wording sits beside the figures it is computed from (each sentence's
condition next to its numbers); the markdown functions are the part to move to a module of their own once the
window study (variants.py) settles.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import textwrap
import time
from pathlib import Path

from cartmon.dev.alert_quality import detection_limit
from cartmon.dev.alert_quality.definitions import AlarmSet, alarm_set
from cartmon.dev.alert_quality.plans import WITH_API, plan_json, plan_jsons
from cartmon.dev.alert_quality.replay import MetricStore, Notification, replay
from cartmon.dev.alert_quality.variants import Variant, labelled, variants
from cartmon.dev.alert_quality.week import (
    FLOOR_MIGRATIONS_PER_MINUTE,
    MINUTES_PER_DAY,
    PEAK_MIGRATIONS_PER_MINUTE,
    Incident,
    Week,
    default_incidents,
    simulate,
)
from cartmon.project import ROOT

GUIDE_ALARMS = (
    "HighFailureRate",
    "NoSuccessfulMigrations",
    "ExcessiveRateLimiting",
    "LambdaErrors",
    "LambdaThrottles",
)
GRACE_MINUTES = 60
# The alerting goals (issue 21): a burn rate of at least 14.4x pages within 5 minutes, at least 6x within
# 30 minutes; slower burns down to 1x ticket (or page) within 6 hours; nothing pages outside incidents, and
# an incident pages at most once.
PAGE_FAST = (14.4, 5.0)  # burn rate from which, minutes within which
PAGE_SLOW = (6.0, 30.0)
TICKET = (1.0, 360.0)


@dataclasses.dataclass(frozen=True)
class Goal:
    kind: str  # page | ticket | quiet (no page) | n/a (not measurable with this alarm set)
    within: float | None = None  # minutes

    def describe(self) -> str:
        if self.kind == "page":
            return f"page within {self.within or 0:g} min"
        if self.kind == "ticket":
            return f"ticket within {(self.within or 0) / 60:g} h"
        if self.kind == "quiet":
            return "no page"
        return "n/a without the module's API"


@dataclasses.dataclass
class Inputs:
    alarms: AlarmSet
    prefix: str
    namespace: str
    function_name: str
    slo_threshold_ms: dict[str, float]
    alert_ms: dict[str, float]
    availability_target: float
    latency_target: float
    slos: dict  # the plan's `slos` output: its window pairs, with their minimum-events guards


@dataclasses.dataclass(frozen=True)
class SloFigures:
    """The SLO figures the report's prose quotes, as the replayed plan has them."""

    availability_target: float
    latency_target: float
    period_days: float
    stop_alarm_minutes: float  # NoSuccessfulMigrations: period x evaluation periods


def slo_figures(plan: dict, inputs: Inputs) -> SloFigures:
    slos = plan["planned_values"]["outputs"]["slos"]["value"]
    stop_alarm = inputs.alarms.metric[f"{inputs.prefix}-NoSuccessfulMigrations"]
    return SloFigures(
        availability_target=inputs.availability_target,
        latency_target=inputs.latency_target,
        period_days=float(slos["period_days"]),
        stop_alarm_minutes=stop_alarm["Period"] * stop_alarm["EvaluationPeriods"] / 60,
    )


def read_inputs(plan: dict) -> Inputs:
    alarms = alarm_set(plan)
    outputs = plan["planned_values"]["outputs"]
    slos = outputs["slos"]["value"]
    prefix = next(n for n in alarms.metric if n.endswith("-HighFailureRate")).removesuffix("-HighFailureRate")
    thresholds, alert = {}, {}
    for change in plan["resource_changes"]:
        after = change["change"]["after"]
        if change["type"] == "aws_cloudwatch_log_metric_filter" and change["index"].startswith(
            "SlowOperationCount."
        ):
            op = change["index"].split(".", 1)[1]
            slow = re.search(r"duration_ms > (\d+)", after["pattern"])
            if slow is None:
                raise ValueError(
                    f"slow-request filter {change['index']} has no duration threshold: {after['pattern']}"
                )
            thresholds[op] = float(slow.group(1))
        if change["type"] == "aws_cloudwatch_metric_alarm" and after.get("extended_statistic") == "p99":
            alert[after["dimensions"]["Operation"]] = float(after["threshold"])
    errors = alarms.metric[f"{prefix}-LambdaErrors"]
    latency_targets = [o["target_percent"] for k, o in slos["objectives"].items() if k.startswith("Latency")]
    return Inputs(
        alarms=alarms,
        prefix=prefix,
        namespace=outputs["metric_namespace"]["value"],
        function_name=errors["Dimensions"][0]["Value"],
        slo_threshold_ms=thresholds,
        alert_ms=alert,
        availability_target=slos["objectives"]["Availability"]["target_percent"],
        latency_target=min(latency_targets),
        slos=slos,
    )


def durations(inputs: Inputs) -> dict[str, tuple[float, float, float]]:
    """Representative durations: typical, slower than the SLO threshold, slower than the p99 line."""
    return {
        op: (0.4 * t, (t + inputs.alert_ms[op]) / 2, 1.5 * inputs.alert_ms[op])
        for op, t in inputs.slo_threshold_ms.items()
    }


def classify(
    notes: list[Notification], inputs: Inputs, guide_only: bool
) -> tuple[list[Notification], list[Notification]]:
    """(pages, tickets) among the ALARM notifications."""
    pages, tickets = [], []
    for n in notes:
        if n.state != "ALARM":
            continue
        priority = inputs.alarms.priority[n.alarm]
        if guide_only:
            is_page = priority == "P1"
        else:
            is_page = inputs.alarms.topics["page"] in n.topics
        if is_page:
            pages.append(n)
        elif priority in ("P2", "P3"):
            tickets.append(n)
    return pages, tickets


def goal(incident: Incident, week: Week, api_owned: bool = False) -> Goal:
    """What the incident must raise, from the burn rate it causes (week.burn_rate)."""
    if incident.api_broken and not api_owned:
        return Goal("n/a")
    if incident.should_page is False:
        return Goal("quiet")
    burn = week.burn_rate[incident.name]
    for kind, (rate, minutes) in (("page", PAGE_FAST), ("page", PAGE_SLOW), ("ticket", TICKET)):
        if burn >= rate:
            return Goal(kind, minutes)
    return Goal("quiet")


def must_page(incident: Incident, week: Week, api_owned: bool = False) -> bool:
    return goal(incident, week, api_owned).kind == "page"


def within(n: Notification, incident: Incident) -> bool:
    return incident.start <= n.minute <= incident.end + GRACE_MINUTES


def goal_met(row: dict) -> bool | None:
    """The row's goal met (None: not measured here). A page answers a ticket goal too."""
    kind, limit = row["goal"].kind, row["goal"].within
    if kind == "n/a":
        return None
    if kind == "quiet":
        return row["pages"] == 0
    first = row["first_page_after"] if kind == "page" else row["first_notice_after"]
    return first is not None and first <= limit and row["pages"] <= 1


def summarise(
    notes: list[Notification], inputs: Inputs, week: Week, guide_only: bool, api_owned: bool = False
) -> dict:
    pages, tickets = classify(notes, inputs, guide_only)
    weeks = week.minutes / (7 * MINUTES_PER_DAY)
    rows = []
    for incident in week.incidents:
        mine = [p for p in pages if within(p, incident)]
        mine_tickets = [t for t in tickets if within(t, incident)]
        first = min((p.minute for p in mine), default=None)
        first_ticket = min((t.minute for t in mine_tickets), default=None)
        first_notice = min((m for m in (first, first_ticket) if m is not None), default=None)
        row = {
            "incident": incident.name,
            "budget": week.budget_share[incident.name],
            "burn": week.burn_rate.get(incident.name, 0.0),
            "goal": goal(incident, week, api_owned),
            "must_page": must_page(incident, week, api_owned),
            "pages": len(mine),
            "first_page_after": None if first is None else first - incident.start,
            "tickets": len(mine_tickets),
            "first_ticket_after": None if first_ticket is None else first_ticket - incident.start,
            "first_notice_after": None if first_notice is None else first_notice - incident.start,
            "paged_by": sorted({p.alarm.removeprefix(inputs.prefix + "-") for p in mine}),
        }
        row["met"] = goal_met(row)
        rows.append(row)
    # Outside incidents: a page within no incident that must page or ticket.
    stray = [
        p
        for p in pages
        if not any(
            within(p, i) and goal(i, week, api_owned).kind in ("page", "ticket") for i in week.incidents
        )
    ]
    return {
        "incidents": rows,
        "pages_per_week": len(pages) / weeks,
        "tickets_per_week": len(tickets) / weeks,
        "stray_pages": [(round(p.minute), p.alarm.removeprefix(inputs.prefix + "-")) for p in stray],
    }


def missed(summary: dict) -> list[str]:
    """Incidents whose goal (page or ticket in time, no page, at most one page) is not met."""
    return [r["incident"] for r in summary["incidents"] if r["met"] is False]


def goals_met(summary: dict) -> bool:
    return (
        not missed(summary)
        and not summary["stray_pages"]
        and max(r["pages"] for r in summary["incidents"]) <= 1
    )


def variant_summaries(inputs: Inputs, store: MetricStore, week: Week) -> list[tuple[Variant, dict]]:
    """The module planned with a page pair removed, replaced or added (variants.variants), the burn-rate
    alarms of each plan replayed on the same week."""
    out = []
    tried = variants(inputs.slos)
    for variant, plan in zip(tried, plan_jsons([v.module_inputs() for v in tried]), strict=True):
        planned = read_inputs(plan)
        notes = replay(planned.alarms, store, only={n for n in planned.alarms.metric if "Burn" in n})
        out.append(
            (labelled(variant, inputs.slos, planned.slos), summarise(notes, planned, week, guide_only=False))
        )
    return out


def variants_table(full: dict, tried: list[tuple[Variant, dict]]) -> list[str]:
    def cell(r: dict) -> str:
        return f"{fmt_minutes(r['first_page_after'])} ({r['pages']})"

    names = [r["incident"] for r in full["incidents"]]
    lines = [
        "| Page pairs | " + " | ".join(names) + " | Pages outside incidents | All goals |",
        "|---" * (len(names) + 3) + "|",
    ]
    for label, s in [("the defaults", full), *((v.label, s) for v, s in tried)]:
        lines.append(
            f"| {label} | "
            + " | ".join(cell(r) for r in s["incidents"])
            + f" | {len(s['stray_pages'])} | {'yes' if goals_met(s) else 'no'} |"
        )
    return lines


def lessons(full: dict, tried: list[tuple[Variant, dict]], slow_leak: str) -> list[str]:
    """What each row of the study shows, in numbers taken from the replays."""

    def incident(summary: dict, name: str) -> dict:
        return next(r for r in summary["incidents"] if r["incident"] == name)

    out = []
    for variant, summary in tried:
        strays = len(summary["stray_pages"])
        leak = incident(summary, slow_leak)
        if variant.role == "without":
            slower = [
                f"{r['incident']} {after(r['first_page_after'])} (with it: "
                f"{after(incident(full, r['incident'])['first_page_after'])})"
                for r in summary["incidents"]
                if r["must_page"]
                and r["first_page_after"] != incident(full, r["incident"])["first_page_after"]
            ]
            out.append(
                f"- {variant.label}: " + ("; ".join(slower) if slower else "no incident pages later") + "."
            )
        elif variant.role == "single guard":
            out.append(
                f"- {variant.label}: {strays} page(s) outside incidents. A window of a few minutes needs more"
                " requests than the long windows to tell a leak from noise, hence each pair's own `min_events`."
                if strays
                else f"- {variant.label}: no page outside incidents on this week, so the replay does not show"
                " what the pair's own `min_events` adds."
            )
        elif variant.role == "lower burn rate":
            most = max(r["pages"] for r in summary["incidents"])
            out.append(
                f"- {variant.label}: the {slow_leak} {after(leak['first_page_after'])},"
                f" {leak['pages']} page(s) for it; at most {most} page(s) for one incident, {strays} outside"
                " incidents."
            )
        else:
            why = [
                *(
                    ["a threshold near the leak's own burn rate flaps with its minute-to-minute noise"]
                    if leak["pages"] > 1
                    else []
                ),
                *(["a lower guard lets noise through"] if strays else []),
            ]
            out.append(
                f"- {variant.label}: the {slow_leak} {after(leak['first_page_after'])} with"
                f" {leak['pages']} page(s), {strays} page(s) outside incidents"
                + (": " + ", and ".join(why) + "." if why else ".")
            )
    return out


def clock(minute: float) -> str:
    day, rest = divmod(int(minute), MINUTES_PER_DAY)
    return f"day {day} {rest // 60:02d}:{rest % 60:02d}"


# The day NoSuccessfulMigrations is replayed on: deployed at 00:00, first request at 06:00, no request
# from 13:00 to 16:00 (minutes of the day).
STOP_DAY_SILENT = ((0, 6 * 60), (13 * 60, 16 * 60))


def traffic_stop_day(inputs: Inputs) -> list[dict]:
    """The guide's NoSuccessfulMigrations on a day that starts before any traffic and stops for a while
    (STOP_DAY_SILENT), as planned and with missing data as missing (what
    `no_successful_migrations_waits_for_traffic = true` changes)."""
    name = f"{inputs.prefix}-NoSuccessfulMigrations"
    silent = STOP_DAY_SILENT
    week = simulate(
        days=1,
        slo_threshold_ms=inputs.slo_threshold_ms,
        alert_ms=inputs.alert_ms,
        availability_target=inputs.availability_target,
        latency_target=inputs.latency_target,
        incidents=[],
        silent=silent,
    )
    store = MetricStore(week, inputs.namespace, inputs.function_name, durations(inputs))
    results = []
    for treatment in (inputs.alarms.metric[name]["TreatMissingData"], "missing"):
        variant = dataclasses.replace(inputs.alarms, metric=dict(inputs.alarms.metric))
        variant.metric[name] = dict(inputs.alarms.metric[name], TreatMissingData=treatment)
        notes = replay(variant, store, only={name})
        pages = [n for n in notes if n.state == "ALARM" and inputs.alarms.topics["page"] in n.topics]
        results.append(
            {
                "treat_missing_data": treatment,
                "pages": [clock(p.minute) for p in pages],
                "minutes": [p.minute for p in pages],
            }
        )
    return results


def stop_day_lines(stop_day: list[dict], evaluated_minutes: float) -> list[str]:
    """What the stop-day replay shows, in words that follow its pages. `stop_day`: the planned treatment
    first, then missing data as missing; `evaluated_minutes`: the alarm's period x evaluation periods."""
    (_, first_request), (stop, stop_end) = STOP_DAY_SILENT
    planned_result, option = stop_day
    planned_minutes = planned_result.get("minutes", [])
    before_traffic = [m for m in planned_minutes if m < first_request]
    in_stop = [m for m in planned_minutes if stop <= m <= stop_end]
    day = f"Deploy at 00:00, first request at {clock(first_request)[6:]}; no request between {clock(stop)[6:]} and"
    day += f" {clock(stop_end)[6:]}."
    found = []
    if before_traffic:
        found.append(f"right after deploy ({before_traffic[0]:.0f} min)")
    if in_stop:
        found.append(f"during the stop, {in_stop[0] - stop:.0f} minutes into it")
    treatment = planned_result["treat_missing_data"]
    if found:
        planned_text = f"With missing data {treatment} the guide's alarm pages " + ", and ".join(found) + "."
    else:
        planned_text = (
            f"With missing data {treatment} the guide's alarm pages neither before traffic nor in the stop."
        )
    if in_stop and in_stop[0] - stop > evaluated_minutes:
        planned_text += (
            " CloudWatch retrieves more periods than it evaluates, so the last"
            f" {evaluated_minutes:g} minutes without data still see the period before; it pages once no period of"
            " the range holds data."
        )
    option_pages = option.get("minutes", [])
    option_text = (
        "The option pages neither time."
        if not option_pages
        else f"The option still pages {len(option_pages)} time(s): {', '.join(option['pages'])}."
    )
    return textwrap.wrap(" ".join([day, planned_text, option_text]), width=105, break_on_hyphens=False)


def incident_table(summary: dict) -> list[str]:
    lines = [
        "| Incident | Burn rate | Budget burned | Goal | Pages | First page | First ticket | Paged by | Goal met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary["incidents"]:
        met = {True: "yes", False: "no", None: "-"}[r["met"]]
        lines.append(
            f"| {r['incident']} | {r['burn']:.1f}x | {r['budget']:.1f} % | {r['goal'].describe()} | {r['pages']} | "
            f"{fmt_minutes(r['first_page_after'])} | {fmt_minutes(r['first_ticket_after'])} | "
            f"{', '.join(r['paged_by']) or '-'} | {met} |"
        )
    return lines


def goal_lines(summaries: dict[str, dict]) -> list[str]:
    """Each goal with the measured figures beside it: the full set's, and the API set's for what needs it."""
    full = summaries["full"]
    rows = list(full["incidents"])
    if "api" in summaries:
        rows = [
            next(a for a in summaries["api"]["incidents"] if a["incident"] == r["incident"])
            if r["goal"].kind == "n/a"
            else r
            for r in rows
        ]

    def figure(r: dict) -> str:
        first = r["first_page_after"] if r["goal"].kind == "page" else r["first_notice_after"]
        return f"{r['incident']} ({r['burn']:.0f}x): " + (
            "not raised" if first is None else f"{first:.0f} min, {r['pages']} page(s)"
        )

    out = []
    for label, kind, within in (
        (f"Burn >= {PAGE_FAST[0]:g}x pages within {PAGE_FAST[1]:g} min", "page", PAGE_FAST[1]),
        (f"Burn >= {PAGE_SLOW[0]:g}x pages within {PAGE_SLOW[1]:g} min", "page", PAGE_SLOW[1]),
        (f"Burn >= {TICKET[0]:g}x tickets within {TICKET[1] / 60:g} h", "ticket", TICKET[1]),
    ):
        mine = [r for r in rows if r["goal"].kind == kind and r["goal"].within == within]
        if not mine:
            out.append(f"- {label}: no incident of this class.")
            continue
        failed = [r for r in mine if not r["met"]]
        out.append(
            f"- {label}: {'met' if not failed else 'not met'}. " + "; ".join(figure(r) for r in mine) + "."
        )
    quiet = [r for r in rows if r["goal"].kind == "quiet"]
    if quiet:
        paged = [r for r in quiet if r["pages"]]
        out.append(
            "- No page for the incidents marked so: "
            + ("met." if not paged else f"not met ({', '.join(r['incident'] for r in paged)}).")
        )
    for key, title in (("full", "the full set"), ("api", "with the module's API")):
        if key not in summaries:
            continue
        s = summaries[key]
        stray = len(s["stray_pages"])
        most = max((r["pages"] for r in s["incidents"]), default=0)
        out.append(
            f"- Zero pages outside incidents on the simulated week, {title}: "
            + ("met." if not stray else f"not met ({stray}).")
        )
        out.append(
            f"- At most one page per incident, {title}: {'met' if most <= 1 else 'not met'} (most: {most})."
        )
    if "api" not in summaries:
        out.append("- The API incident is not measured: no plan with the module's API was replayed.")
    return out


def api_only_met(summaries: dict[str, dict]) -> bool:
    """Whether the incidents that only the module's API can see (n/a without it) met their goals with it."""
    unseen = {r["incident"] for r in summaries["full"]["incidents"] if r["goal"].kind == "n/a"}
    rows = [r for r in summaries.get("api", {"incidents": []})["incidents"] if r["incident"] in unseen]
    return bool(rows) and all(r["met"] for r in rows)


def fmt_minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} min"


def after(value: float | None) -> str:
    return "not paged" if value is None else f"after {value:.0f} min"


def markdown(
    summaries: dict[str, dict],
    tried: list[tuple[Variant, dict]],
    leak: detection_limit.Limit,
    stop_day: list[dict],
    seconds: float,
    days: int,
    alarm_count: str,
    slo: SloFigures,
    not_replayed: tuple[str, ...] = (),
) -> str:
    guide = summaries["guide"]
    guide_strays = sorted({a for _, a in guide["stray_pages"]})
    lines = [
        "# Alert quality",
        "",
        "Generated by `make alert-quality` (`cartmon-alert-quality`, harness/cartmon/dev/alert_quality/). A simulated",
        f"week ({days} days) of traffic, from about {FLOOR_MIGRATIONS_PER_MINUTE:g}"
        f" migration{'' if FLOOR_MIGRATIONS_PER_MINUTE == 1 else 's'} a minute at 04:00 to"
        f" {PEAK_MIGRATIONS_PER_MINUTE:g} at 16:00, with the incidents",
        "below, replayed minute by minute through the alarms of a `terraform plan` of examples/local (offline, with",
        "the mocked AWS provider of `make tftest`; plans.py). The alarms are evaluated with the emulator's pure engines",
        "(`cartmon_emulator.engines.alarm_evaluation` for metric alarms, `composite_alarms` for rules and",
        "ActionsSuppressor) on a simulated clock, not through the live emulator: a week of one-minute evaluations of",
        f"the {alarm_count} runs in minutes this way. Metrics are published as statistic sets per minute, as the metric",
        f"filters aggregate them. One replay serves both sets: the guide's {len(GUIDE_ALARMS)} alarms are the same"
        " resources in both.",
        *(
            [
                "A third replay, on the same week, runs the burn-rate alarms and page composites of a plan in which the",
                "module owns the REST API (`create_api = true`, an override file in the planned copy only): their",
                "availability SLI adds the API's 5XX, "
                + (
                    "which is what sees the API no longer reaching the function."
                    if api_only_met(summaries)
                    else "yet the incidents only the API shows did not all meet their goal in this replay."
                ),
            ]
            if "api" in summaries
            else []
        ),
        "",
        f"Replay time: {seconds:.0f} s. Error budgets: the availability SLO's ({slo.availability_target:g} %) or,"
        " for the latency",
        f"regression, the latency SLO's ({slo.latency_target:g} % under the target), over {slo.period_days:g} days"
        " of this traffic (the planned `slos` output).",
        "",
    ]
    sets = [
        ("Guide-only alarm set (its P1 alarms page)", "guide"),
        ("Full alarm set (page topic)", "full"),
    ]
    if "api" in summaries:
        sets.append(
            (
                "With the module's REST API (`create_api = true`): burn-rate alarms and their composites",
                "api",
            )
        )
    for title, key in sets:
        s = summaries[key]
        lines += [f"## {title}", "", *incident_table(s)]
        noticed = sum(1 for r in s["incidents"] if r["goal"].kind in ("page", "ticket") and r["met"])
        to_notice = sum(1 for r in s["incidents"] if r["goal"].kind in ("page", "ticket"))
        lines += [
            "",
            f"- Incidents that must page or ticket and did in time: {noticed} of {to_notice}.",
            f"- Pages per week: {s['pages_per_week']:.0f}; tickets per week: {s['tickets_per_week']:.0f}.",
            f"- Pages matching no incident that must page or ticket: {len(s['stray_pages'])}"
            + (
                f" (first: {', '.join(f'{clock(m)} {a}' for m, a in s['stray_pages'][:5])})"
                if s["stray_pages"]
                else ""
            )
            + ".",
            "",
        ]
    full = summaries["full"]
    lines += ["## The goals", "", *goal_lines(summaries), ""]
    quiet = [r["incident"] for r in full["incidents"] if r["goal"].kind == "quiet"]
    lines += [
        "## Reading the tables",
        "",
        "- Burn rate: the bad share of the incident's minutes over the SLO's budget share, for the availability",
        "  SLI (logged failures, invocation errors the function did not log, throttles and, with the module's API,",
        "  its 5XX) or a latency SLI (slow and timed-out requests), whichever is higher (week.py). The goal follows",
        f"  from it: at least {PAGE_FAST[0]:g}x pages within {PAGE_FAST[1]:g} min, at least {PAGE_SLOW[0]:g}x within"
        f" {PAGE_SLOW[1]:g} min, at least {TICKET[0]:g}x tickets (or pages) within {TICKET[1] / 60:g} h.",
        "- Marked as not to page whatever their burn rate (too few requests for any window's guard): "
        + (", ".join(quiet) if quiet else "none")
        + ".",
        f"- A page or ticket counts for an incident when it comes between its start and {GRACE_MINUTES:g} minutes"
        " after its end; for",
        "  the guide-only set, a page by an alarm unrelated to the incident also counts"
        + (
            f" ({', '.join(guide_strays)} paged {len(guide['stray_pages'])} times outside incidents in the"
            " week), so some of its detections are coincidences."
            if guide_strays
            else "."
        ),
        "- Tickets: ALARM notifications of P2/P3 alarms (and of the ticket composites) on the alerts topic.",
        f"- How early the {leak.incident} could page at all: see below.",
        "",
    ]
    meeting = [
        label for label, v in [("the defaults", full), *((t.label, v) for t, v in tried)] if goals_met(v)
    ]
    lines += [
        "## Window configurations tried",
        "",
        "The default page pairs with one pair removed, replaced or added: each row is the module planned again",
        "with that `slo_burn_rate_windows` (the default pairs read from the plan's `slos` output), its alarms,",
        "thresholds, guards and page composites as Terraform plans them for every SLO. Replayed on the same week",
        "(harness/cartmon/dev/alert_quality/variants.py; the burn-rate alarms and their composites only). A cell",
        "is the first page after the incident's start and, in brackets, the pages the incident drew.",
        "",
        *variants_table(full, tried),
        "",
        "Configurations that meet every goal: " + (", ".join(meeting) if meeting else "none") + ".",
        "",
        *(
            ["Not replayed in this run (left out for time): " + "; ".join(not_replayed) + ".", ""]
            if not_replayed
            else []
        ),
        *lessons(full, tried, leak.incident),
        "",
        f"## How early the {leak.incident} can page",
        "",
        *detection_limit.markdown(leak),
        "",
        "## NoSuccessfulMigrations on a day whose traffic stops",
        "",
        *stop_day_lines(stop_day, slo.stop_alarm_minutes),
        "",
        "| treat_missing_data | Pages (NoSuccessfulMigrationsPage) |",
        "|---|---|",
    ]
    for r in stop_day:
        label = r["treat_missing_data"] + (
            " (the guide)"
            if r["treat_missing_data"] == "breaching"
            else " (`no_successful_migrations_waits_for_traffic = true`)"
        )
        lines.append(f"| {label} | {len(r['pages'])}: {', '.join(r['pages']) or '-'} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plan-json",
        type=Path,
        help="`terraform show -json` of a plan of examples/local (default: plan offline, or the cached plan)",
    )
    parser.add_argument(
        "--api-plan-json",
        type=Path,
        help="the same with the module's REST API (create_api = true) (default: plan now)",
    )
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "alert-quality.md")
    args = parser.parse_args(argv)
    plan = json.loads(args.plan_json.read_text()) if args.plan_json else plan_json()
    api_plan = json.loads(args.api_plan_json.read_text()) if args.api_plan_json else plan_json(WITH_API)
    inputs = read_inputs(plan)
    api_inputs = read_inputs(api_plan)
    slo = slo_figures(plan, inputs)
    started = time.monotonic()
    week = simulate(
        days=args.days,
        slo_threshold_ms=inputs.slo_threshold_ms,
        alert_ms=inputs.alert_ms,
        availability_target=inputs.availability_target,
        latency_target=inputs.latency_target,
        incidents=[i for i in default_incidents() if i.end <= args.days * MINUTES_PER_DAY],
        period_days=slo.period_days,
    )
    store = MetricStore(week, inputs.namespace, inputs.function_name, durations(inputs))
    notes = replay(inputs.alarms, store)
    guide_names = {f"{inputs.prefix}-{k}" for k in GUIDE_ALARMS}
    summaries = {
        "guide": summarise([n for n in notes if n.alarm in guide_names], inputs, week, guide_only=True),
        "full": summarise(notes, inputs, week, guide_only=False),
    }
    # With the module's API: its burn-rate alarms (whose availability SLI adds the API's 5XX) and composites.
    api_notes = replay(api_inputs.alarms, store, only={n for n in api_inputs.alarms.metric if "Burn" in n})
    summaries["api"] = summarise(api_notes, api_inputs, week, guide_only=False, api_owned=True)
    tried = variant_summaries(inputs, store, week)
    slowest_leak = min(
        (i for i in week.incidents if 0 < i.failure_share < 1 and goal(i, week).kind in ("page", "ticket")),
        key=lambda i: i.failure_share,
    )
    leak = detection_limit.detection_limit(
        slowest_leak, days=args.days, availability_target=inputs.availability_target
    )
    stop_day = traffic_stop_day(inputs)
    alarm_count = f"{len(inputs.alarms.metric)} metric and {len(inputs.alarms.composite)} composite alarms"
    text = markdown(summaries, tried, leak, stop_day, time.monotonic() - started, args.days, alarm_count, slo)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
