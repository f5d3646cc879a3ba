"""Static checks of the Terraform code (no provider, no emulator): single source of truth, layout, docs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest

from cartmon.project import CATALOGUE_PATH, variable_files
from cartmon.project import ROOT as REPO

CATALOGUE = json.loads(CATALOGUE_PATH.read_text())
MODULES = sorted(p for p in (REPO / "modules").iterdir() if p.is_dir())
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.is_dir())
GUIDE_ALARMS = [
    "HighFailureRate",
    "NoSuccessfulMigrations",
    "ExcessiveRateLimiting",
    "LambdaErrors",
    "LambdaThrottles",
]


def tf_files(*dirs: Path) -> list[Path]:
    out = []
    for d in dirs:
        out += [p for p in d.rglob("*.tf") if ".terraform" not in p.parts]
    return out


def module_code() -> list[Path]:
    """The module itself (root and submodules), not the examples."""
    return sorted(REPO.glob("*.tf")) + tf_files(*MODULES)


def unquote(value: str) -> str:
    return value[1:-1] if value.startswith('"') and value.endswith('"') else value


def test_catalogue_filters_are_valid():
    for name, metric in CATALOGUE["metrics"].items():
        assert metric["filter_pattern"].startswith("{") and metric["filter_pattern"].endswith("}"), name
        assert not (metric.get("dimensions") and "default_value" in metric), (
            f"{name}: a metric filter cannot have both dimensions and a default value"
        )
        assert metric["event_type"] in CATALOGUE["events"], name


def test_filter_patterns_and_namespace_are_not_repeated_in_hcl():
    for path in tf_files(REPO / "modules", REPO / "examples") + sorted(REPO.glob("*.tf")):
        text = path.read_text()
        for name, metric in CATALOGUE["metrics"].items():
            pattern = metric["filter_pattern"]
            assert pattern not in text and pattern.replace('"', '\\"') not in text, (
                f"{path}: pattern of {name}"
            )
        assert CATALOGUE["metric_namespace"] not in text, f"{path}: namespace literal"


def test_metric_names_appear_once_as_catalogue_keys():
    """The module names a catalogue metric only as a key, once, in locals.tf (checked against the catalogue)."""
    metric_keys = {
        unquote(v) for v in hcl2.load((REPO / "locals.tf").open())["locals"][0]["metric_keys"].values()
    }
    assert metric_keys <= set(CATALOGUE["metrics"])
    for name in CATALOGUE["metrics"]:
        hits = [(p.relative_to(REPO), p.read_text().count(f'"{name}"')) for p in module_code()]
        hits = [h for h in hits if h[1]]
        assert hits in ([], [(Path("locals.tf"), 1)]), f"{name}: {hits}"


INSIGHTS_COMMANDS = {"SOURCE", "fields", "filter", "stats", "sort", "limit", "parse", "display", "dedup"}


def query_stage_literals() -> dict[str, list[str]]:
    """The text of every stage of the saved queries and of the dashboard's log widget, as written in HCL."""
    queries = hcl2.load((REPO / "modules" / "query_definitions" / "main.tf").open())["locals"][0]
    widget = hcl2.load((REPO / "modules" / "dashboard" / "main.tf").open())["locals"][0]
    stages = {unquote(name): [unquote(p) for p in parts] for name, parts in queries["guide_queries"].items()}
    stages["Recent Migration Logs"] = [unquote(p) for p in widget["recent_logs_stages"]]
    assert len(stages) == 8 and all(stages.values())
    return stages


def test_query_texts_take_event_types_and_fields_from_the_catalogue():
    """No event type or field name is written into a query: each comes from a catalogue lookup."""
    catalogue_names = set(CATALOGUE["events"]) | set(CATALOGUE["common_fields"])
    catalogue_names |= {f for spec in CATALOGUE["events"].values() for f in spec["fields"]}
    for name, stages in query_stage_literals().items():
        for stage in stages:
            literal = re.sub(r"\$\{[^}]*\}", " ", stage)  # the interpolated lookups
            command, _, rest = literal.partition(" ")
            assert command in INSIGHTS_COMMANDS, (name, stage)
            words = set(re.findall(r"(?<![@\w])[A-Za-z_][A-Za-z0-9_]*", rest))
            assert not words & catalogue_names, f"{name}: {stage!r} writes {words & catalogue_names}"
        assert any("${local." in stage for stage in stages), name


@pytest.mark.parametrize("module", MODULES + [REPO], ids=lambda p: p.name)
def test_module_layout_and_documented_interface(module):
    for name in ("main.tf", "outputs.tf", "versions.tf"):
        assert (module / name).is_file(), f"{module.name}/{name}"
    # variables.tf, or (the root) variables-<concern>.tf files
    variables = [
        block for path in variable_files(module) for block in hcl2.load(path.open()).get("variable", [])
    ]
    assert variables
    for block in variables:
        ((name, body),) = block.items()
        assert unquote(body.get("description", "")).strip(), (
            f"{module.name}: variable {name} has no description"
        )
        assert "type" in body, f"{module.name}: variable {name} has no type"
    for block in hcl2.load((module / "outputs.tf").open()).get("output", []):
        ((name, body),) = block.items()
        assert unquote(body.get("description", "")).strip(), (
            f"{module.name}: output {name} has no description"
        )
    resources = hcl2.load((module / "main.tf").open()).get("resource", [])
    if module.parent.name == "modules":
        for block in resources:
            ((rtype, named),) = block.items()
            for rname in named:
                assert unquote(rname) == "this" or unquote(rtype) in {
                    "aws_cloudwatch_log_group",
                    "aws_dynamodb_table",
                    "aws_sns_topic_subscription",
                    "terraform_data",  # plan-time checks, named for what they check
                    "aws_api_gateway_resource",  # the routes' path tree, one resource per segment
                    # The routes' methods and integrations, and beside them the CORS preflights' OPTIONS.
                    "aws_api_gateway_method",
                    "aws_api_gateway_integration",
                    # Composites that name composites come after them: a resource cannot wait for its own instances.
                    "aws_cloudwatch_composite_alarm",
                    # log_archive: one role for Firehose, one for CloudWatch Logs, named for the service.
                    "aws_iam_role",
                    "aws_iam_role_policy",
                }, f"{module.name}: {rtype}.{rname}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_pin_versions_and_use_a_plain_provider(example):
    versions = hcl2.load((example / "versions.tf").open())["terraform"][0]
    # An import block whose id is an expression (examples/existing-function) needs Terraform 1.6.
    uses_import = "import" in hcl2.load((example / "main.tf").open())
    assert unquote(versions["required_version"]) == (">= 1.6" if uses_import else ">= 1.5")
    aws = versions["required_providers"][0]["aws"]
    assert unquote(aws["version"]) == ">= 5.77, < 7", "the first provider that accepts runtime python3.13"
    main = hcl2.load((example / "main.tf").open())
    (provider,) = main["provider"]
    body = provider['"aws"'] if '"aws"' in provider else provider["aws"]
    assert "endpoints" not in body, "the emulator is reached through AWS_ENDPOINT_URL, not provider endpoints"
    assert "region" in body


def test_every_alarm_has_a_runbook_page():
    latency = ["Latency" + "".join(w.title() for w in op.split("_")) for op in CATALOGUE["operations"]]
    for key in GUIDE_ALARMS + ["LowSuccessRate"] + latency:
        text = (REPO / "docs" / "runbooks" / f"{key}.md").read_text()
        for section in ("## Symptoms", "## Investigation steps", "## Common causes"):
            assert section in text, f"{key}: {section}"


def test_terraform_fmt():
    terraform = shutil.which("terraform")
    assert terraform, "terraform is not on PATH"
    env = dict(os.environ, TF_IN_AUTOMATION="1")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "modules", "examples"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [terraform, "fmt", "-check", "-diff", "."], cwd=REPO, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
