"""Window configurations tried against the alert-quality goals: the module planned again with one page
pair of `slo_burn_rate_windows` removed, changed or added, and each plan's burn-rate alarms replayed
through the same engines on the same simulated week.

A variant is only a value of `slo_burn_rate_windows`, built from the pairs of the default plan (read from
its `slos` output, in the form the module takes them). Its alarm names, thresholds, minimum-events guards
and page composites are what Terraform plans for it (plans.py); nothing here restates how slo.tf derives
them, and each row's label reads its burn rate from the variant's own plan. Only the burn-rate alarms and
the composites built on them are replayed; NoSuccessfulMigrations, which pages nothing on a week whose
traffic never stops, is left out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# Pairs tuned for the 1 % leak (2x at 99.5 %) against the background (0.2x), each added to the defaults:
# 1.5x over 10 + 5 minutes with at least 400 requests, 1x over 5 + 2 minutes with at least 100. Their
# budget_consumed_percent is the share of examples/local's 30-day error budget the long window spends at
# that burn rate; the row's label shows the burn rate the plan derives from it.
LEAK_PAIRS: tuple[dict[str, Any], ...] = (
    {
        "name": "Leak",
        "priority": "P1",
        "long_window_minutes": 10,
        "short_window_minutes": 5,
        "budget_consumed_percent": 0.0347222,
        "min_events": 400,
    },
    {
        "name": "Leak",
        "priority": "P1",
        "long_window_minutes": 5,
        "short_window_minutes": 2,
        "budget_consumed_percent": 0.0115741,
        "min_events": 100,
    },
)
# The module's input keys of a window pair, as the `slos` output reports them.
WINDOW_INPUTS = ("priority", "long_window_minutes", "short_window_minutes", "budget_consumed_percent")


@dataclasses.dataclass(frozen=True)
class Variant:
    role: str  # what the row shows: without, single guard, lower burn rate, leak pair
    subject: str  # the window pair it removes, changes or adds
    windows: tuple[dict, ...]  # slo_burn_rate_windows of its plan
    label: str = ""  # set from the plans (labelled)

    def module_inputs(self) -> dict:
        return {"slo_burn_rate_windows": list(self.windows)}


def planned_windows(slos: dict) -> list[dict]:
    """The plan's window pairs (the same for every SLO) as slo_burn_rate_windows takes them, each with the
    guard it was planned with."""
    windows = slos["objectives"]["Availability"]["windows"]
    return [
        {"name": name, **{k: w[k] for k in WINDOW_INPUTS}, "min_events": w["min_events"]}
        for name, w in windows.items()
    ]


def page_windows(slos: dict) -> dict[str, dict]:
    """The plan's P1 window pairs by name, as the `slos` output reports them (burn rate, guard...)."""
    windows = slos["objectives"]["Availability"]["windows"]
    return {name: w for name, w in windows.items() if w["priority"] == "P1"}


def describe(window: dict) -> str:
    return (
        f"{window['burn_rate']:g}x over {window['long_window_minutes']} + {window['short_window_minutes']} min, "
        f"at least {window['min_events']} requests"
    )


def variants(slos: dict) -> tuple[Variant, ...]:
    """Rows of the study, from the default plan's `slos` output: the fastest page pair removed, with the
    module's single guard (slo_min_events), at three quarters of its budget share (so of its burn rate);
    and the leak pairs added."""
    windows = planned_windows(slos)
    fastest = min((w for w in windows if w["priority"] == "P1"), key=lambda w: w["long_window_minutes"])

    def replacing(changed: dict) -> tuple[dict, ...]:
        return tuple(changed if w is fastest else w for w in windows)

    name = fastest["name"]
    return (
        Variant("without", name, tuple(w for w in windows if w is not fastest)),
        Variant("single guard", name, replacing({**fastest, "min_events": None})),
        Variant(
            "lower burn rate",
            name,
            replacing({**fastest, "budget_consumed_percent": fastest["budget_consumed_percent"] * 3 / 4}),
        ),
        *(Variant("leak pair", pair["name"], (*windows, pair)) for pair in LEAK_PAIRS),
    )


def labelled(variant: Variant, planned: dict, tried: dict) -> Variant:
    """The variant with its row label, from the `slos` outputs of the default plan and of its own."""
    if variant.role == "without":
        label = f"without {variant.subject} ({describe(page_windows(planned)[variant.subject])})"
    elif variant.role == "single guard":
        label = f"{variant.subject} with the module's single guard (slo_min_events, {tried['min_events']} requests)"
    elif variant.role == "lower burn rate":
        label = f"{variant.subject} at {page_windows(tried)[variant.subject]['burn_rate']:g}x"
    else:
        label = f"+ {describe(page_windows(tried)[variant.subject])}"
    return dataclasses.replace(variant, label=label)
