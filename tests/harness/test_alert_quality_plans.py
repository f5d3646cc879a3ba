"""The alert-quality variants as Terraform plans them: offline plans of examples/local (the mocked AWS
provider of `make tftest`, no emulator) with a changed `slo_burn_rate_windows`, read and replayed.

The plans are the cached ones of `make alert-quality` (build/alert-quality-plans/): a first run plans,
later runs with the same module files read them.
"""

from __future__ import annotations

import pytest

from cartmon.dev.alert_quality import plans
from cartmon.dev.alert_quality.replay import MetricStore, replay
from cartmon.dev.alert_quality.report import read_inputs
from cartmon.dev.alert_quality.variants import labelled, variants
from cartmon.dev.alert_quality.week import Week

OPS = ("migrate_single_store", "migrate_multi_store", "get_all_carts", "cleanup_guest_cart")
# One page pair: 4x the availability budget over 5 minutes, confirmed over 2, with at least 100 requests.
QUICK_ONLY = {
    "slo_burn_rate_windows": [
        {
            "name": "Quick",
            "priority": "P1",
            "long_window_minutes": 5,
            "short_window_minutes": 2,
            "budget_consumed_percent": 0.0462963,
            "min_events": 100,
        }
    ]
}


@pytest.fixture(scope="module")
def planned() -> dict:
    """The default plan, the Quick-only plan and the study's variants, in one `terraform test` run."""
    default, quick_only = plans.plan_jsons([{}, QUICK_ONLY])
    tried = variants(read_inputs(default).slos)
    return {
        "default": default,
        "quick_only": quick_only,
        "variants": list(zip(tried, plans.plan_jsons([v.module_inputs() for v in tried]), strict=True)),
    }


def flat_week(failures: list[float], success: float, minutes: int = 60) -> Week:
    week = Week(minutes)
    week.success = [success] * minutes
    week.failure = failures + [0.0] * (minutes - len(failures))
    week.rate_limited = week.lambda_errors = week.throttles = week.timeouts = [0.0] * minutes
    week.invocations = week.api_requests = [success + 40] * minutes
    week.api_5xx = [0.0] * minutes
    week.active = [True] * minutes
    for op in OPS:
        week.requests[op], week.slow[op], week.very_slow[op] = [10] * minutes, [0] * minutes, [0] * minutes
    return week


def test_a_window_pair_is_planned_for_every_slo_with_its_threshold_period_and_guard(planned):
    inputs = read_inputs(planned["quick_only"])
    burn = {n.removeprefix(inputs.prefix + "-"): a for n, a in inputs.alarms.metric.items() if "Burn" in n}
    assert set(burn) == {f"{slo}BurnQuick{w}" for slo in inputs.slos["objectives"] for w in ("5m", "2m")}
    long_, short = burn["AvailabilityBurnQuick5m"], burn["AvailabilityBurnQuick2m"]
    assert long_["Threshold"] == short["Threshold"] == 2.0  # 4x the 0.5 % budget
    assert {q["MetricStat"]["Period"] for q in long_["Metrics"] if "MetricStat" in q} == {300}
    assert {q["MetricStat"]["Period"] for q in short["Metrics"] if "MetricStat" in q} == {120}
    result = next(q["Expression"] for q in long_["Metrics"] if q["ReturnData"])
    assert result == "IF(good + bad >= 100, 100 * bad / (good + bad), 0)"
    page = inputs.alarms.composite[f"{inputs.prefix}-AvailabilityPage"]
    assert page.rule == (
        f'(ALARM("{inputs.prefix}-AvailabilityBurnQuick5m") AND ALARM("{inputs.prefix}-AvailabilityBurnQuick2m"))'
    )


def test_the_planned_pair_pages_on_a_4x_burn_only_above_its_guard(planned):
    inputs = read_inputs(planned["quick_only"])
    only = {n for n in inputs.alarms.metric if "AvailabilityBurn" in n}
    durations = {op: (1.0, 2.0, 3.0) for op in OPS}

    def pages(week: Week) -> list[str]:
        store = MetricStore(week, inputs.namespace, inputs.function_name, durations)
        notes = replay(inputs.alarms, store, only=only)
        return [n.alarm.removeprefix(inputs.prefix + "-") for n in notes if n.state == "ALARM"]

    # 3 % of 100 migrations a minute fail: 6x the budget, above the pair's 4x.
    assert pages(flat_week([3.0] * 30, success=97.0)) == ["AvailabilityPage"]
    # 4.8 % of 10.5 a minute: 9.5x, but 52 requests in 5 minutes, below the pair's guard of 100.
    assert pages(flat_week([0.5] * 30, success=10.0)) == []


def test_each_variant_is_the_module_planned_with_its_windows(planned):
    default = read_inputs(planned["default"])
    rows = []
    for variant, plan in planned["variants"]:
        tried = read_inputs(plan)
        rows.append((labelled(variant, default.slos, tried.slos), tried))
    by_role = {v.role: (v, t) for v, t in rows if v.role != "leak pair"}
    fastest = by_role["without"][0].subject
    prefix = default.prefix

    def pair(tried, slo: str = "Availability") -> list[str]:
        return sorted(n.removeprefix(prefix + "-") for n in tried.alarms.metric if f"{slo}Burn{fastest}" in n)

    def guard(tried) -> str:
        alarm = tried.alarms.metric[f"{prefix}-{pair(tried)[0]}"]
        return next(q["Expression"] for q in alarm["Metrics"] if q["ReturnData"])

    without = by_role["without"][1]
    assert pair(default) and not pair(without)
    assert fastest not in without.alarms.composite[f"{prefix}-AvailabilityPage"].rule
    single = by_role["single guard"][1]
    assert guard(single).startswith(f"IF(good + bad >= {default.slos['min_events']},")
    assert by_role["lower burn rate"][0].label == f"{fastest} at 3x"
    lower = by_role["lower burn rate"][1].alarms.metric[f"{prefix}-{pair(default)[0]}"]
    assert lower["Threshold"] == 1.5  # 3x the 0.5 % budget
    leaks = sorted(v.label for v, _ in rows if v.role == "leak pair")
    assert leaks == [
        "+ 1.5x over 10 + 5 min, at least 400 requests",
        "+ 1x over 5 + 2 min, at least 100 requests",
    ]


def test_a_second_request_reads_the_cache(planned, monkeypatch):
    def no_plan(missing):
        raise AssertionError(f"planned again: {sorted(missing)}")

    monkeypatch.setattr(plans, "_plan", no_plan)
    assert plans.plan_jsons([QUICK_ONLY]) == [planned["quick_only"]]
    assert plans.cache_key(QUICK_ONLY, "digest") != plans.cache_key({}, "digest")
    assert plans.cache_key({}, "digest") != plans.cache_key({}, "another digest")
