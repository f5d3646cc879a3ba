"""Window configurations tried against the alert-quality goals: the planned burn-rate alarms with one page
pair per SLO added, replaced or removed, replayed through the same engines on the same simulated week.

The planned page pairs, their burn rates and minimum-events guards are read from the plan's `slos` output;
nothing here restates a default. An extra pair is built the way slo.tf builds a window pair, from a planned
burn-rate alarm of the same SLO: the same metrics and expression, the window as the period of its metrics,
the threshold derived from the SLO (burn rate x (100 - target)), and its own minimum-events guard (the
`>= N` of the expression). It joins the SLO's page composite (`AvailabilityPage`, or the operation's latency
page under `LatencyPage`) as one more `(ALARM(long) AND ALARM(short))` term; a removed pair leaves its alarms
and its term. Only the burn-rate alarms and the composites built on them are replayed;
NoSuccessfulMigrations, which pages nothing on a week whose traffic never stops, is left out.
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

    def describe(self) -> str:
        return (
            f"{self.burn_rate:g}x over {self.long_minutes} + {self.short_minutes} min, "
            f"at least {self.min_events} requests"
        )


@dataclasses.dataclass(frozen=True)
class Variant:
    label: str
    role: str  # what the row shows: without, single guard, lower burn rate, leak pair
    pairs: tuple[Pair, ...] = ()  # added to every SLO's page composite
    drop: tuple[str, ...] = ()  # planned page pairs removed first (a pair replaced is dropped and added)


GUARD = re.compile(r">= \d+")


def window_label(minutes: int) -> str:
    """The window's part of an alarm name, as slo.tf writes it."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def planned_page_pairs(slos: dict) -> dict[str, Pair]:
    """The P1 window pairs of the plan's `slos` output (the same for every SLO), with their guards."""
    windows = slos["objectives"]["Availability"]["windows"]
    return {
        name: Pair(
            name,
            int(w["long_window_minutes"]),
            int(w["short_window_minutes"]),
            float(w["burn_rate"]),
            int(w["min_events"]),
        )
        for name, w in windows.items()
        if w["priority"] == "P1"
    }


def variants(planned: dict[str, Pair], default_min_events: int) -> tuple[Variant, ...]:
    """Rows of the study: the fastest planned page pair removed, with the module's single guard, at a lower
    burn rate; and two leak pairs added, tuned for the 1 % leak (2x at 99.5 %) against the background
    (0.2x)."""
    fastest = min(planned.values(), key=lambda p: p.long_minutes)
    lower = dataclasses.replace(fastest, burn_rate=fastest.burn_rate * 3 / 4)
    single_guard = dataclasses.replace(fastest, min_events=default_min_events)
    leak_pairs = (Pair("Leak", 10, 5, 1.5, 400), Pair("Leak", 5, 2, 1.0, 100))
    return (
        Variant(f"without {fastest.name} ({fastest.describe()})", "without", drop=(fastest.name,)),
        Variant(
            f"{fastest.name} with the module's single guard (slo_min_events, {default_min_events} requests)",
            "single guard",
            pairs=(single_guard,),
            drop=(fastest.name,),
        ),
        Variant(
            f"{fastest.name} at {lower.burn_rate:g}x", "lower burn rate", pairs=(lower,), drop=(fastest.name,)
        ),
        *(Variant(f"+ {pair.describe()}", "leak pair", pairs=(pair,)) for pair in leak_pairs),
    )


def _window_alarm(template: dict, name: str, minutes: int, threshold: float, min_events: int) -> dict:
    alarm = copy.deepcopy(template)
    alarm["AlarmName"] = name
    alarm["Threshold"] = threshold
    alarm["StateValue"] = "INSUFFICIENT_DATA"
    guards = 0
    for query in alarm["Metrics"]:
        if "MetricStat" in query:
            query["MetricStat"]["Period"] = minutes * 60
        elif "Expression" in query:
            # The guard is in the returned expression; intermediate steps (the bad requests) have none.
            query["Expression"], found = GUARD.subn(f">= {min_events}", query["Expression"])
            guards += found
    if guards != 1:
        raise ValueError(f"{template['AlarmName']}: not one minimum-events guard in its expressions")
    return alarm


def burn_alarm_names(alarms: AlarmSet, prefix: str, slo_key: str) -> list[str]:
    return sorted(n for n in alarms.metric if n.startswith(f"{prefix}-{slo_key}Burn"))


def pair_alarm_names(prefix: str, slo_key: str, pair: Pair) -> list[str]:
    return [
        f"{prefix}-{slo_key}Burn{pair.name}{window_label(m)}" for m in (pair.long_minutes, pair.short_minutes)
    ]


def _with_rule(composite: Composite, rule: str) -> Composite:
    return dataclasses.replace(composite, rule=rule)


def with_pairs(
    alarms: AlarmSet,
    prefix: str,
    targets: dict[str, float],
    variant: Variant,
    planned: dict[str, Pair],
) -> AlarmSet:
    """The alarm set with the variant's pairs dropped and added for every SLO (targets: SLO key -> target
    percent; planned: the plan's page pairs by name)."""
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
        terms = out.composite[page].rule.split(" OR ")
        for dropped in variant.drop:
            names = pair_alarm_names(prefix, slo_key, planned[dropped])
            for name in names:
                del out.metric[name], out.actions[name], out.priority[name]
            kept = [t for t in terms if not any(f'"{n}"' in t for n in names)]
            if len(kept) != len(terms) - 1:
                raise ValueError(f"{page}: no single term of {dropped} in {out.composite[page].rule}")
            terms = kept
        for pair in variant.pairs:
            threshold = round(pair.burn_rate * (100 - target), 6)
            names = pair_alarm_names(prefix, slo_key, pair)
            for minutes, name in zip((pair.long_minutes, pair.short_minutes), names, strict=True):
                out.metric[name] = _window_alarm(template, name, minutes, threshold, pair.min_events)
                out.actions[name] = []
                out.priority[name] = "P1"
            terms.append(f'(ALARM("{names[0]}") AND ALARM("{names[1]}"))')
        out.composite[page] = _with_rule(out.composite[page], " OR ".join(terms))
    return out
