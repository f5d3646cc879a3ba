"""Figures in prose (cartmon.dev.figures): a generated block that no longer matches its source is found
and rewritten, and the repository's own blocks are current (what `make check` runs)."""

from __future__ import annotations

import pytest

from cartmon.dev import docs, figures

REPORT = """# Alert quality

## The goals

- Burn >= 14.4x pages within 5 min: met. outage (200x): 1 min, 1 page(s).
- Zero pages outside incidents on the simulated week, the full set: met.

## Window configurations tried

Configurations that meet every goal: the defaults.

## Next
"""

DOC = """# Alerting

- **Measured**: the goals, as the replay found them:

  <!-- BEGIN generated: alert-quality-goals -->
  - Burn >= 14.4x pages within 5 min: met. outage (200x): 1 min, 1 page(s).
  - Zero pages outside incidents on the simulated week, the full set: met.

  Configurations that meet every goal: the defaults.
  <!-- END generated -->

Tail.
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "alert-quality.md").write_text(REPORT)
    (tmp_path / "docs" / "alerting.md").write_text(DOC)
    return tmp_path


def test_a_block_that_matches_its_source_is_current(root):
    assert figures.stale_documents(figures.Sources(root=root)) == []


def test_a_stale_block_is_found_and_rewritten_from_its_source(root):
    (root / "docs" / "alert-quality.md").write_text(REPORT.replace("1 min, 1 page(s)", "7 min, 2 page(s)"))
    sources = figures.Sources(root=root)
    ((path, current, wanted),) = figures.stale_documents(sources)
    assert path == root / "docs" / "alerting.md" and current == DOC
    assert "  - Burn >= 14.4x pages within 5 min: met. outage (200x): 7 min, 2 page(s)." in wanted
    assert wanted.replace("7 min, 2 page(s)", "1 min, 1 page(s)") == DOC  # only the block changed
    path.write_text(wanted)
    assert figures.stale_documents(sources) == []


def test_a_hand_edit_inside_a_block_is_stale(root):
    (root / "docs" / "alerting.md").write_text(DOC.replace("1 min, 1 page(s)", "about a minute"))
    assert [p for p, _, _ in figures.stale_documents(figures.Sources(root=root))] == [
        root / "docs" / "alerting.md"
    ]


def test_an_inline_block_stays_inline(root):
    inline = "Goals: <!-- BEGIN generated: alert-quality-goals -->old<!-- END generated --> end.\n"
    (root / "README.md").write_text(inline)
    (root / "docs" / "alerting.md").unlink()
    ((_, _, wanted),) = figures.stale_documents(figures.Sources(root=root))
    assert wanted.startswith("Goals: <!-- BEGIN generated: alert-quality-goals -->- Burn >= 14.4x")
    assert wanted.endswith("the defaults.<!-- END generated --> end.\n")


def test_a_block_nobody_renders_is_refused(root):
    (root / "README.md").write_text("<!-- BEGIN generated: made-up -->\n1\n<!-- END generated -->\n")
    with pytest.raises(SystemExit, match="made-up"):
        figures.stale_documents(figures.Sources(root=root))


def test_a_block_from_the_plan_is_left_alone_without_a_plan(root):
    text = "<!-- BEGIN generated: at-a-glance -->\n- **1 CloudWatch alarms**\n<!-- END generated -->\n"
    (root / "README.md").write_text(text)
    (root / "docs" / "alerting.md").unlink()
    assert figures.stale_documents(figures.Sources(root=root)) == []


def test_the_repository_blocks_are_current_and_make_check_fails_when_one_is_not(monkeypatch, capsys):
    assert figures.stale_documents(figures.Sources()) == []
    assert docs.main(["--check"]) == 0
    real = figures.RENDERERS["alert-quality-goals"]
    monkeypatch.setitem(figures.RENDERERS, "alert-quality-goals", lambda s: real(s) + "\n- a figure added")
    assert docs.main(["--check"]) == 1
    captured = capsys.readouterr()
    assert "+  - a figure added" in captured.out and "docs/alerting.md" in captured.err


def test_a_block_from_the_plan_is_rendered_from_the_planned_slos_and_the_declared_windows(root):
    (root / "variables-slo.tf").write_text(
        'variable "slo_burn_rate_windows" {\n  default = [\n'
        '    { name = "Quick", priority = "P1", long_window_minutes = 5, short_window_minutes = 2,'
        " budget_consumed_percent = 0.0462963, min_events = 100 },\n"
        '    { name = "Ticket", priority = "P3", long_window_minutes = 4320, short_window_minutes = 360,'
        " budget_consumed_percent = 10 },\n  ]\n}\n"
    )
    window = {"priority": "P1", "burn_rate": 4, "threshold_percent": 0.4, "min_events": 100}
    ticket = {"priority": "P3", "burn_rate": 1, "threshold_percent": 0.1, "min_events": 7}
    slos = {
        "min_events": 7,
        "objectives": {
            "Availability": {
                "target_percent": 99.9,
                "windows": {
                    "Ticket": dict(ticket, long_window_minutes=4320, short_window_minutes=360),
                    "Quick": dict(window, long_window_minutes=5, short_window_minutes=2),
                },
            }
        },
    }
    plan = {"planned_values": {"outputs": {"slos": {"value": slos}}}}
    (root / "docs" / "alerting.md").write_text(
        "- Windows:\n\n  <!-- BEGIN generated: slo-windows -->\n  | old |\n  <!-- END generated -->\n"
    )
    assert figures.stale_documents(figures.Sources(root=root)) == []  # no plan: left alone
    ((_, _, wanted),) = figures.stale_documents(figures.Sources(root=root, plan=plan))
    assert "  | Pair | Windows | Budget spent | Burn | Threshold at 99.9 % |" in wanted
    assert "  | Quick | 5 min + 2 min | 0.0462963 % | 4x | 0.4 % failed | 100 | page (P1) |" in wanted
    assert (
        "  | Ticket | 3 days + 6 h | 10 % | 1x | 0.1 % failed | `slo_min_events` (7) | ticket (P3) |"
        in wanted
    )
    assert "| old |" not in wanted


def test_an_inline_block_from_the_plan_quotes_the_planned_targets(root):
    objectives = {
        "Availability": {"target_percent": 99.9},
        "LatencyA": {"target_percent": 95},
        "LatencyB": {"target_percent": 99},
    }
    plan = {"planned_values": {"outputs": {"slos": {"value": {"objectives": objectives, "period_days": 28}}}}}
    (root / "docs" / "alerting.md").unlink()
    (root / "docs" / "usage.md").write_text(
        "SLOs (<!-- BEGIN generated: slo-targets -->availability > 99.5 %<!-- END generated -->) with\n"
    )
    ((_, _, wanted),) = figures.stale_documents(figures.Sources(root=root, plan=plan))
    assert wanted == (
        "SLOs (<!-- BEGIN generated: slo-targets -->availability > 99.9 %, 95 % to 99 % of each operation"
        " under its target, 28 days<!-- END generated -->) with\n"
    )


def test_the_slo_inputs_are_quoted_from_the_variables_and_the_catalogue(root):
    (root / "variables-slo.tf").write_text(
        'variable "availability_slo_percent" {\n  default = 99.9\n}\n'
        'variable "slo_period_days" {\n  default = 28\n}\n'
    )
    catalogue = root / "lambda_src" / "cart_migration" / "event_catalogue.json"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(
        '{"slis": {"latency": {"target_percent": 95}},'
        ' "operations": {"migrate": {"label": "Single store migration", "target_ms": 250}}}'
    )
    (root / "docs" / "alerting.md").write_text(
        "- **SLOs** (inputs): <!-- BEGIN generated: slo-inputs -->`x` (99.5)<!-- END generated -->.\n"
    )
    ((_, _, wanted),) = figures.stale_documents(figures.Sources(root=root))
    assert "`availability_slo_percent` (99.9, the guide's target" in wanted
    assert "(per operation 95 % under the guide's target: 250 ms single store migration)" in wanted
    assert wanted.endswith("`slo_period_days` (28)<!-- END generated -->.\n")
