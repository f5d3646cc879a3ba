"""Window configurations tried against the alert-quality goals: the planned burn-rate alarms plus one or two
extra page pairs per SLO, replayed through the same engines on the same simulated week.

An extra pair is built the way slo.tf builds a window pair, from a planned burn-rate alarm of the same SLO:
the same metrics and expression, the window as the period of its metrics, the threshold derived from the
SLO (burn rate x (100 - target)), and its own minimum-events guard (the `>= N` of the expression). The pair
joins the SLO's page composite (`AvailabilityPage`, or the operation's latency page under `LatencyPage`)
as one more `(ALARM(long) AND ALARM(short))` term. Only the burn-rate alarms and the composites built on
them are replayed; NoSuccessfulMigrations, which paged nothing in the full run, is left out.
"""

from __future__ import annotations

import copy
import dataclasses
import re

from cartmon.dev.alert_quality.definitions import AlarmSet, Composite


@dataclasses.dataclass(frozen=True)
class Pair:
    name: str
    long_minutes: int
    short_minutes: int
    burn_rate: float
    min_events: int


@dataclasses.dataclass(frozen=True)
class Variant:
    label: str
    pairs: tuple[Pair, ...]


# Each variant adds its pairs to the default windows (Outage 14.4x 15+2 min, Fast 14.4x 1 h+5 min, Slow 6x
# 6 h+30 min). A 1 % leak burns 2x and a 5 % leak 10x at 99.5 %; the background (0.1 %) burns 0.2x.
VARIANTS = (
    Variant("+ 4x over 5 + 2 min, at least 100 requests", (Pair("Quick", 5, 2, 4.0, 100),)),
    Variant(
        "+ 4x over 5 + 2 min, at least 20 requests (the module's guard)", (Pair("Quick", 5, 2, 4.0, 20),)
    ),
    Variant("+ 3x over 5 + 2 min, at least 100 requests", (Pair("Quick", 5, 2, 3.0, 100),)),
    Variant("+ 1.5x over 10 + 5 min, at least 400 requests", (Pair("Leak", 10, 5, 1.5, 400),)),
    Variant("+ 1x over 5 + 2 min, at least 100 requests", (Pair("Leak", 5, 2, 1.0, 100),)),
)

GUARD = re.compile(r">= \d+")


def _window_alarm(template: dict, name: str, minutes: int, threshold: float, min_events: int) -> dict:
    alarm = copy.deepcopy(template)
    alarm["AlarmName"] = name
    alarm["Threshold"] = threshold
    alarm["StateValue"] = "INSUFFICIENT_DATA"
    for query in alarm["Metrics"]:
        if "MetricStat" in query:
            query["MetricStat"]["Period"] = minutes * 60
        elif "Expression" in query:
            query["Expression"], found = GUARD.subn(f">= {min_events}", query["Expression"])
            if found != 1:
                raise ValueError(f"{template['AlarmName']}: no minimum-events guard in {query['Expression']}")
    return alarm


def burn_alarm_names(alarms: AlarmSet, prefix: str, slo_key: str) -> list[str]:
    return sorted(n for n in alarms.metric if n.startswith(f"{prefix}-{slo_key}Burn"))


def with_pairs(alarms: AlarmSet, prefix: str, targets: dict[str, float], pairs: tuple[Pair, ...]) -> AlarmSet:
    """The alarm set with each pair added to every SLO (targets: SLO key -> target percent)."""
    out = dataclasses.replace(
        alarms,
        metric=dict(alarms.metric),
        composite=dict(alarms.composite),
        actions=dict(alarms.actions),
        priority=dict(alarms.priority),
    )
    for slo_key, target in targets.items():
        template = alarms.metric[burn_alarm_names(alarms, prefix, slo_key)[0]]
        page = f"{prefix}-{slo_key}Page" if slo_key != "Availability" else f"{prefix}-AvailabilityPage"
        terms = []
        for pair in pairs:
            threshold = round(pair.burn_rate * (100 - target), 6)
            names = []
            for minutes in (pair.long_minutes, pair.short_minutes):
                name = f"{prefix}-{slo_key}Burn{pair.name}{minutes}m"
                out.metric[name] = _window_alarm(template, name, minutes, threshold, pair.min_events)
                out.actions[name] = []
                out.priority[name] = "P1"
                names.append(name)
            terms.append(f'(ALARM("{names[0]}") AND ALARM("{names[1]}"))')
        if terms:
            composite = out.composite[page]
            out.composite[page] = Composite(
                name=composite.name,
                rule=" OR ".join([composite.rule, *terms]),
                actions=composite.actions,
                suppressor=composite.suppressor,
                wait_period=composite.wait_period,
                extension_period=composite.extension_period,
            )
    return out
