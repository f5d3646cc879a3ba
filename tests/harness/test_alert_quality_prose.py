"""The alert-quality report's prose follows the replay: its SLO figures are the plan's, and a goal the
replay misses, or a mechanism the replay does not show, reads differently. No Terraform, no replay: the
report is rendered from hand-made results."""

from __future__ import annotations

from cartmon.dev.alert_quality import detection_limit
from cartmon.dev.alert_quality.report import (
    Goal,
    SloFigures,
    goal_lines,
    goal_met,
    lessons,
    markdown,
    stop_day_lines,
)
from cartmon.dev.alert_quality.variants import Variant
from cartmon.dev.alert_quality.week import default_incidents

LEAK = "1 % error leak for 6 hours"


def row(
    name: str,
    goal: Goal,
    pages: int,
    first_page: float | None,
    burn: float = 20.0,
    first_ticket: float | None = None,
) -> dict:
    r = {
        "incident": name,
        "budget": 1.0,
        "burn": burn,
        "goal": goal,
        "must_page": goal.kind == "page",
        "pages": pages,
        "first_page_after": first_page,
        "tickets": 0,
        "first_ticket_after": first_ticket,
        "first_notice_after": min((m for m in (first_page, first_ticket) if m is not None), default=None),
        "paged_by": ["AvailabilityPage"] if pages else [],
    }
    r["met"] = goal_met(r)
    return r


def summary(outage_first_page: float | None, stray: int = 0, leak_pages: int = 0) -> dict:
    return {
        "incidents": [
            row(
                "outage",
                Goal("page", 5.0),
                1 if outage_first_page is not None else 0,
                outage_first_page,
                200.0,
            ),
            row(
                LEAK, Goal("ticket", 360.0), leak_pages, 40.0 if leak_pages else None, 2.0, first_ticket=50.0
            ),
        ],
        "pages_per_week": 1.0 + stray,
        "tickets_per_week": 0.0,
        "stray_pages": [(600 + i, "HighFailureRate") for i in range(stray)],
    }


STOP_DAY_AS_PLANNED: list[dict] = [
    {"treat_missing_data": "breaching", "pages": ["day 0 00:01", "day 0 14:30"], "minutes": [1.0, 870.0]},
    {"treat_missing_data": "missing", "pages": [], "minutes": []},
]


def report(slo: SloFigures, full: dict, stop_day: list[dict] = STOP_DAY_AS_PLANNED) -> str:
    (leak,) = [i for i in default_incidents() if i.name == LEAK]
    limit = detection_limit.detection_limit(leak, days=7, availability_target=slo.availability_target)
    guide = summary(1.0, stray=3)
    return markdown({"guide": guide, "full": full}, [], limit, stop_day, 1.0, 7, "3 metric alarms", slo)


def test_the_report_quotes_the_planned_slo_figures_not_fixed_ones():
    text = report(SloFigures(99.9, 95.0, 28, 30), summary(1.0))
    assert "the availability SLO's (99.9 %)" in text
    assert "the latency SLO's (95 % under the target), over 28 days" in text
    assert "99.5 %" not in text.split("## Guide-only")[0]


def test_a_goal_the_replay_misses_reads_not_met():
    met = goal_lines({"full": summary(1.0)})
    assert met[0].startswith("- Burn >= 14.4x pages within 5 min: met.")
    late = goal_lines({"full": summary(12.0)})
    assert (
        late[0].startswith("- Burn >= 14.4x pages within 5 min: not met.")
        and "outage (200x): 12 min" in late[0]
    )
    missed = goal_lines({"full": summary(None)})
    assert "not met" in missed[0] and "outage (200x): not raised" in missed[0]
    noisy = goal_lines({"full": summary(1.0, stray=2)})
    assert "- Zero pages outside incidents on the simulated week, the full set: not met (2)." in noisy
    text = report(SloFigures(99.5, 99.0, 30, 30), summary(12.0))
    assert "Incidents that must page or ticket and did in time: 1 of 2." in text.split("## Full")[1]
    assert "Configurations that meet every goal: none." in text


def test_the_stop_day_conclusion_follows_its_pages():
    planned = " ".join(stop_day_lines(STOP_DAY_AS_PLANNED, 30))
    assert "pages right after deploy (1 min), and during the stop, 90 minutes into it" in planned
    assert "the last 30 minutes without data still see the period before" in planned
    assert "The option pages neither time." in planned
    option_pages: list[dict] = [
        {"treat_missing_data": "breaching", "pages": ["day 0 13:20"], "minutes": [800.0]},
        {"treat_missing_data": "missing", "pages": ["day 0 13:20"], "minutes": [800.0]},
    ]
    text = " ".join(stop_day_lines(option_pages, 30))
    assert "pages during the stop, 20 minutes into it." in text and "right after deploy" not in text
    assert "retrieves more periods" not in text  # paged within its own evaluation range: nothing to explain
    assert "The option still pages 1 time(s): day 0 13:20." in text and "neither time" not in text
    quiet: list[dict] = [{"treat_missing_data": "breaching", "pages": [], "minutes": []}, option_pages[1]]
    assert "pages neither before traffic nor in the stop" in " ".join(stop_day_lines(quiet, 30))


def test_a_lesson_is_drawn_only_when_its_row_shows_it():
    full = summary(1.0)
    guard = Variant(role="single guard", subject="Quick", windows=(), label="Quick with the single guard")
    lower = Variant(role="leak pair", subject="Leak", windows=(), label="+ 1x over 5 + 2 min")
    noisy = lessons(
        full, [(guard, summary(1.0, stray=2)), (lower, summary(1.0, stray=3, leak_pages=9))], LEAK
    )
    assert "2 page(s) outside incidents. A window of a few minutes needs more requests" in noisy[0]
    assert "flaps with its minute-to-minute noise, and a lower guard lets noise through." in noisy[1]
    calm = lessons(full, [(guard, summary(1.0)), (lower, summary(1.0, leak_pages=1))], LEAK)
    assert "no page outside incidents on this week" in calm[0] and "needs more requests" not in calm[0]
    assert calm[1].endswith("with 1 page(s), 0 page(s) outside incidents.")


def test_the_api_replay_is_said_to_see_the_api_incident_only_when_it_pages_it():
    full = summary(1.0)
    full["incidents"].append(row("api gone", Goal("n/a"), 0, None))
    slo = SloFigures(99.5, 99.0, 30, 30)
    (leak,) = [i for i in default_incidents() if i.name == LEAK]
    limit = detection_limit.detection_limit(leak, days=7, availability_target=99.5)

    def text(api_row: dict) -> str:
        api = summary(1.0)
        api["incidents"].append(api_row)
        summaries = {"guide": summary(1.0), "full": full, "api": api}
        return " ".join(markdown(summaries, [], limit, STOP_DAY_AS_PLANNED, 1.0, 7, "3 alarms", slo).split())

    assert "which is what sees the API no longer reaching the function" in text(
        row("api gone", Goal("page", 5.0), 1, 1.0)
    )
    late = text(row("api gone", Goal("page", 5.0), 1, 9.0))
    assert "did not all meet their goal" in late and "which is what sees" not in late
