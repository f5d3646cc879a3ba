"""Which layer validates what: the root module refuses every bad input once; submodules do not repeat it.

Each case is one bad value of a root variable. The same value goes to the root module and to every
submodule that takes it (under the submodule's own name for it), in `terraform test` runs against a
mocked AWS provider: no credentials, no emulator. The root must refuse it with its own validation
(in ./variables-<concern>.tf) or its own input checks (terraform_data.input_checks in ./main.tf), with a
message that names the root variable. A submodule must not refuse it with a validation of its own:
that would be the same rule twice, free to drift (as it did: the root accepted a null log_hash_key
that modules/migration_lambda refused). What a submodule does with the value instead is recorded as
its layer: nothing, or the AWS provider's own argument check, or a Terraform error further on.

Submodules keep the rules for inputs the root does not take (the catalogue's metrics, the dashboard's
period); the last cases show that they still enforce those.

`mock_provider` needs Terraform 1.7 or later (the module itself asks for 1.5); the provider comes from
the configured mirror, as for every other Terraform test here.

Its length is the case table (one case per root variable with its submodule names) and the
renderer of the layer table; split, the two would have to share the case list.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from cartmon.project import CATALOGUE_PATH, copy_module
from cartmon.project import ROOT as REPO
from tests.infra.guide import SIMPLE_EXTRA_ALARM

# One worker for the group: one `terraform test` run.
pytestmark = pytest.mark.xdist_group("validation-layers")

TEST_DIRECTORY = "validation-layers"
TIMEOUT_SECONDS = 900

# Layers a value can be refused by.
ROOT = "root validation"
NOT_REFUSED = "not refused"
PROVIDER = "AWS provider argument check"
OTHER = "other Terraform error"
SUBMODULE = "submodule validation"


@dataclass(frozen=True)
class Case:
    variable: str  # root variable
    value: object
    messages: tuple[str, ...]  # text of the root's error(s)
    submodules: dict[str, str] = field(default_factory=dict)  # submodule => its variable
    cross: bool = False  # refused by the root's input checks (needs create_lambda = true)


def case(variable, value, *messages, cross=False, **submodules) -> Case:
    return Case(variable, value, messages, submodules, cross)


CASES = [
    case(
        "name_prefix",
        "Bad Prefix!",
        "name_prefix must be 1 to 40 characters",
        alerting="name_prefix",
        log_groups="name_prefix",
        metric_alarms="filter_name_prefix",
        query_definitions="name_prefix",
        migration_lambda="name_prefix",
    ),
    case(
        "function_name",
        "cart migration!",
        "function_name must be 1 to 64 letters",
        log_groups="function_name",
        dashboard="function_name",
        migration_lambda="function_name",
    ),
    case(
        "alarm_name_prefix",
        "-Cart",
        "alarm_name_prefix must be 1 to 64 characters",
        metric_alarms="alarm_name_prefix",
        dashboard="dashboard_name",
    ),
    case(
        "metric_namespace",
        "Cart:Migration",
        "metric_namespace must be 1 to 255 letters",
        "the namespace of a metric filter",
        metric_alarms="namespace",
        dashboard="namespace",
    ),
    case(
        "page_topic_arn",
        "my-pager-topic",
        "page_topic_arn must be an SNS topic ARN",
        alerting="page_topic_arn",
    ),
    case(
        "alerts_topic_arn",
        "arn:aws:sqs:ap-south-1:123456789012:q",
        "alerts_topic_arn must be an SNS topic ARN",
        alerting="alerts_topic_arn",
    ),
    case(
        "kms_master_key_id",
        "alias/aws/sns",
        "kms_master_key_id must not be the AWS-managed key alias/aws/sns",
        alerting="kms_master_key_id",
    ),
    case(
        "kms_key_deletion_window_in_days",
        3,
        "kms_key_deletion_window_in_days must be between 7 and 30",
        alerting="kms_key_deletion_window_in_days",
    ),
    case("alert_emails", ["not-an-email"], "alert_emails must be an email address", alerting="alert_emails"),
    case(
        "additional_subscriptions",
        {
            "pager": {
                "topic": "urgent",
                "protocol": "carrier-pigeon",
                "endpoint": "https://pager.example.com",
            }
        },
        "additional_subscriptions: topic must be alerts (every alarm) or page (pages only)",
        "additional_subscriptions: protocol must be one of the SNS protocols",
        alerting="additional_subscriptions",
    ),
    case(
        "log_retention_in_days",
        31,
        "log_retention_in_days must be one of the values CloudWatch Logs allows",
        log_groups="retention_in_days",
    ),
    case(
        "audit_log_retention_in_days",
        45,
        "audit_log_retention_in_days must be one of the values CloudWatch Logs allows",
        log_groups="audit_retention_in_days",
    ),
    case(
        "log_group_kms_key_id",
        "alias/logs",
        "log_group_kms_key_id must be the ARN of a KMS key",
        log_groups="kms_key_id",
    ),
    case(
        "runbook_base_url",
        "ftp://runbooks.example.com",
        "runbook_base_url must be an http(s) URL",
        metric_alarms="runbook_base_url",
    ),
    case(
        "alarm_overrides",
        {"HighFailureRate": {"threshold": -1, "period": 45, "treat_missing_data": "sometimes"}},
        "alarm_overrides: threshold must not be negative",
        "alarm_overrides: period must be a multiple of 60 seconds",
        "alarm_overrides: treat_missing_data must be breaching",
        metric_alarms="alarm_overrides",
    ),
    case(
        "extra_alarms",
        {
            "Bad Key!": dict(
                SIMPLE_EXTRA_ALARM,
                comparison_operator="Above",
                treat_missing_data="sometimes",
                evaluation_periods=0,
                period=45,
                statistic="p99",
            )
        },
        "extra_alarms: every key must be 1 to 64 letters",
        "extra_alarms: comparison_operator must be GreaterThanThreshold",
        "extra_alarms: treat_missing_data must be breaching",
        "extra_alarms: evaluation_periods must be a whole number of at least 1",
        "extra_alarms: period must be 10, 20, 30 or a multiple of 60",
        "extra_alarms: statistic (also in expression_metrics) must be SampleCount",
        metric_alarms="alarms",
    ),
    case(
        "additional_queries",
        {"Blank": "  "},
        "additional_queries: every query name must be 1 to 200 characters and every query string non-empty",
        query_definitions="additional_queries",
    ),
    case(
        "lambda_package_path",
        "no/such/package.zip",
        "lambda_package_path must point at an existing deployment zip",
        # The submodule takes the package as one object (path or S3), not this variable.
    ),
    case(
        "lambda_architectures",
        ["sparc"],
        'lambda_architectures must be ["x86_64"] or ["arm64"]',
        migration_lambda="architectures",
    ),
    case(
        "lambda_memory_size",
        64,
        "lambda_memory_size must be a whole number of MB between 128 and 10240",
        migration_lambda="memory_size",
    ),
    case(
        "lambda_timeout",
        1000,
        "lambda_timeout must be a whole number of seconds, at most 900",
        migration_lambda="timeout",
    ),
    case(
        "lambda_reserved_concurrent_executions",
        -5,
        "lambda_reserved_concurrent_executions must be a whole number",
        migration_lambda="reserved_concurrent_executions",
    ),
    case(
        "lambda_environment_variables",
        {"1ST_TRY": "x"},
        "lambda_environment_variables: every name must be at least 2 characters",
        migration_lambda="environment_variables",
    ),
    case(
        "lambda_invoke_source_arns",
        {"queue": "arn:aws:sqs:ap-south-1:123456789012:jobs"},
        "lambda_invoke_source_arns: a source ARN's service invokes functions without a resource-based permission",
        migration_lambda="invoke_source_arns",
    ),
    case(
        "carts_table_name",
        "carts table!",
        "carts_table_name must be 3 to 255 letters",
        migration_lambda="carts_table_name",
    ),
    case(
        "rate_limit_table_name",
        "rl",
        "rate_limit_table_name must be 3 to 255 letters",
        migration_lambda="rate_limit_table_name",
    ),
    case(
        "table_kms_key_arn",
        "alias/dynamodb",
        "table_kms_key_arn must be the ARN of a KMS key",
        migration_lambda="table_kms_key_arn",
    ),
    case(
        "jwt_algorithm",
        "none",
        "jwt_algorithm must be HS256 (with jwt_secret) or RS256",
        migration_lambda="jwt_algorithm",
    ),
    case(
        "jwt_secret",
        "short-secret",
        "jwt_secret must be at least 32 characters",
        migration_lambda="jwt_secret",
    ),
    case(
        "jwt_public_key",
        "ssh-rsa AAAAB3Nza",
        "jwt_public_key must be a PEM public key",
        migration_lambda="jwt_public_key",
    ),
    case(
        "rate_limit_max_calls",
        0,
        "rate_limit_max_calls must be a whole number of at least 1",
        migration_lambda="rate_limit_max_calls",
    ),
    case(
        "rate_limit_window_seconds",
        2.5,
        "rate_limit_window_seconds must be a whole number of at least 1",
        migration_lambda="rate_limit_window_seconds",
    ),
    case(
        "customer_cart_ttl_days",
        -1,
        "customer_cart_ttl_days must be a whole number of days",
        migration_lambda="customer_cart_ttl_days",
    ),
    case(
        "slo_burn_rate_windows",
        [
            {
                "name": "Quick",
                "priority": "P1",
                "long_window_minutes": 5,
                "short_window_minutes": 2,
                "budget_consumed_percent": 0.05,
                "min_events": 0,
            }
        ],
        "slo_burn_rate_windows: min_events must be a whole number of requests of at least 1",
        # Only the root takes the window pairs: it builds the alarms the submodules receive.
    ),
    case("log_sample_rate", 1.5, "log_sample_rate must be between 0", migration_lambda="log_sample_rate"),
    case(
        "log_hash_key",
        "short",
        "log_hash_key must be at least 16 characters",
        migration_lambda="log_hash_key",
    ),
    # Fine alone, wrong with create_lambda = true: the root's input checks (preconditions).
    case(
        "lambda_package_path",
        None,
        "the function needs exactly one package: lambda_package_path",
        cross=True,
    ),
    case(
        "log_hash_key",
        None,
        "or log_hash_key_parameter is required when create_lambda = true",
        cross=True,
        migration_lambda="log_hash_key",
    ),
    case(
        "jwt_algorithm",
        "RS256",
        "jwt_algorithm RS256 needs jwt_public_key or jwt_jwks_url when create_lambda = true",
        cross=True,
        migration_lambda="jwt_algorithm",
    ),
    # An extra alarm under a built-in alarm's key would replace it without a word.
    case(
        "extra_alarms",
        {"HighFailureRate": SIMPLE_EXTRA_ALARM},
        "extra_alarms: HighFailureRate already name(s) an alarm of the module",
        cross=True,
    ),
]

CATALOGUE = f'jsondecode(file("{CATALOGUE_PATH.relative_to(REPO).as_posix()}"))'

# Good values of each submodule's other inputs (HCL expressions), so that only the bad value can fail.
SUBMODULE_BASE = {
    "alerting": {"name_prefix": '"cartmon"'},
    "log_groups": {"function_name": '"fn"', "name_prefix": '"cartmon"'},
    "metric_alarms": {
        "metrics": f"{CATALOGUE}.metrics",
        "log_group_name": '"/aws/lambda/fn"',
        "namespace": '"Cart/Migration"',
        "filter_name_prefix": '"cartmon"',
        "alarm_name_prefix": '"Cart"',
        "alarms": json.dumps({"HighFailureRate": SIMPLE_EXTRA_ALARM}),
        "actions_by_priority": "{ P1 = [], P2 = [], P3 = [] }",
        "runbook_base_url": '"https://runbooks.example.com"',
    },
    "dashboard": {
        "dashboard_name": '"Cart"',
        "namespace": '"Cart/Migration"',
        "function_name": '"fn"',
        "log_group_name": '"/aws/lambda/fn"',
        "outcome_metric_names": '["MigrationSuccessCount"]',
        "rate_limit_metric_names": '["RateLimitExceededCount"]',
        "scenario_metric_names": '["MergeConflictCount"]',
        "events": f"{CATALOGUE}.events",
        "common_fields": f"{CATALOGUE}.common_fields",
        "recent_logs_category": '"migration"',
    },
    "query_definitions": {
        "name_prefix": '"cartmon"',
        "log_group_names": '["/aws/lambda/fn"]',
        "events": f"{CATALOGUE}.events",
        "common_fields": f"{CATALOGUE}.common_fields",
    },
    "migration_lambda": {
        "function_name": '"fn"',
        "name_prefix": '"cartmon"',
        "package": '{ path = "versions.tf" }',
        "catalogue_sha256": f'"{"0" * 64}"',
        "log_group_name": '"/aws/lambda/fn"',
        "log_group_arn": '"arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/fn"',
        "audit_log_group_name": '"/cartmon/audit"',
        "audit_log_group_arn": '"arn:aws:logs:ap-south-1:123456789012:log-group:/cartmon/audit"',
        "log_hash_key": '"a-log-hash-key-long-enough"',
        "jwt_secret": '"a-shared-secret-of-at-least-32-chars!"',
    },
}
ROOT_BASE = {"function_name": '"fn"'}
CROSS_BASE = {"function_name": '"fn"', "create_lambda": "true"}

MOCK_PROVIDER = """mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
  mock_data "aws_region" {
    defaults = { id = "ap-south-1", name = "ap-south-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  # The function has run: its log group exists, so the plan-time check that it does is quiet.
  mock_data "aws_cloudwatch_log_groups" {
    defaults = { log_group_names = ["/aws/lambda/fn"] }
  }
}
"""

# Rules a submodule keeps: for inputs the root does not take. (run name, module, variables, variable it refuses)
KEPT_IN_SUBMODULES = [
    (
        "metric_alarms_keeps_the_catalogue_rules",
        "metric_alarms",
        {
            "metrics": '{ Bad = { filter_pattern = "", value = "x", dimensions = { A = "$.a" }, default_value = 0 } }'
        },
        "metrics",
    ),
    ("dashboard_keeps_its_period_rule", "dashboard", {"period": "45"}, "period"),
    (
        "query_definitions_keeps_its_log_group_rule",
        "query_definitions",
        {"log_group_names": "[]"},
        "log_group_names",
    ),
]


def hcl(value) -> str:
    """A JSON value is an HCL expression (HCL objects accept `key: value`)."""
    return json.dumps(value)


def run_block(
    name: str, variables: dict[str, str], module: str | None = None, expect: str | None = None
) -> str:
    lines = [f'run "{name}" {{', "  command = plan"]
    if module:
        lines.append(f'  module {{\n    source = "./modules/{module}"\n  }}')
    lines.append("  variables {")
    lines += [f"    {k} = {v}" for k, v in variables.items()]
    lines.append("  }")
    if expect:
        lines.append(f"  expect_failures = [var.{expect}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def submodule_run(bad: Case, module: str) -> str:
    return f"{module}__{bad.variable}{'__cross' if bad.cross else ''}"


def terraform_test_files() -> dict[str, str]:
    """One file per run that is meant to fail (a failed run skips the rest of its file)."""
    root_cases = [c for c in CASES if not c.cross]
    cross_cases = [c for c in CASES if c.cross]
    files = {
        "root": run_block("root", ROOT_BASE | {c.variable: hcl(c.value) for c in root_cases}),
        "root_cross": run_block("root_cross", CROSS_BASE | {c.variable: hcl(c.value) for c in cross_cases}),
    }
    for bad in CASES:
        for module, variable in bad.submodules.items():
            name = submodule_run(bad, module)
            files[name] = run_block(name, SUBMODULE_BASE[module] | {variable: hcl(bad.value)}, module)
    files["kept"] = "".join(
        run_block(name, SUBMODULE_BASE[module] | bad, module, expect)
        for name, module, bad, expect in KEPT_IN_SUBMODULES
    ) + run_block(
        "root_accepts_the_catalogue_namespace",
        ROOT_BASE | {"metric_namespace": f"{CATALOGUE}.metric_namespace"},
    )
    return {name: MOCK_PROVIDER + "\n" + body for name, body in files.items()}


def layer_of(errors: list[dict]) -> str:
    """What stopped a value in a submodule run: its own validation, the provider, Terraform, or nothing."""
    if any(d.get("summary") == "Invalid value for variable" for d in errors):
        return SUBMODULE
    if any(d.get("address") for d in errors):
        return PROVIDER
    return OTHER if errors else NOT_REFUSED


@pytest.fixture(scope="module")
def diagnostics(tmp_path_factory, terraform_cli_config) -> dict:
    """{run name: [error diagnostics]} and the status of every run, from one `terraform test -json`."""
    directory = copy_module(tmp_path_factory.mktemp("validation-layers"))
    tests = directory / TEST_DIRECTORY
    tests.mkdir()
    for name, text in terraform_test_files().items():
        (tests / f"{name}.tftest.hcl").write_text(text)
    env = {"TF_CLI_CONFIG_FILE": str(terraform_cli_config), "TF_IN_AUTOMATION": "1"}
    init = subprocess.run(
        [
            "terraform",
            "init",
            "-backend=false",
            "-input=false",
            "-no-color",
            f"-test-directory={TEST_DIRECTORY}",
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        env=env | _path_env(),
    )
    assert init.returncode == 0, init.stdout + init.stderr
    result = subprocess.run(
        ["terraform", "test", "-no-color", "-json", f"-test-directory={TEST_DIRECTORY}"],
        cwd=directory,
        capture_output=True,
        text=True,
        env=env | _path_env(),
        timeout=TIMEOUT_SECONDS,
    )
    found: dict = {"errors": defaultdict(list), "status": {}}
    for line in result.stdout.splitlines():
        message = json.loads(line)
        run = message.get("@testrun")
        if message["type"] == "diagnostic" and message["diagnostic"]["severity"] == "error":
            found["errors"][run].append(message["diagnostic"])
        elif message["type"] == "test_run" and message["test_run"].get("progress") == "complete":
            found["status"][message["test_run"]["run"]] = message["test_run"]["status"]
    assert found["status"], result.stdout[-3000:] + result.stderr[-3000:]
    return found


def _path_env() -> dict:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR")}


def text_of(diagnostic: dict) -> str:
    return " ".join(f"{diagnostic.get('summary', '')} {diagnostic.get('detail', '')}".split())


def refused_by_the_root(diagnostic: dict, bad: Case) -> bool:
    """A validation in ./variables-<concern>.tf of the variable set in the run, or a precondition in ./main.tf on it."""
    code = diagnostic.get("snippet", {}).get("code", "")
    if bad.cross:
        return (
            diagnostic.get("range", {}).get("filename") == "main.tf"
            and diagnostic.get("snippet", {}).get("context") == 'resource "terraform_data" "input_checks"'
        )
    return (
        diagnostic.get("summary") == "Invalid value for variable"
        and re.search(r"validation rule at variables(-[a-z]+)?\.tf:", diagnostic.get("detail", ""))
        is not None
        and code.strip().startswith(f"{bad.variable} =")
    )


@pytest.mark.parametrize("bad", CASES, ids=lambda c: f"{c.variable}{'-cross' if c.cross else ''}")
def test_the_root_refuses_the_value_with_a_message_naming_its_variable(diagnostics, bad):
    errors = diagnostics["errors"]["root_cross" if bad.cross else "root"]
    for message in bad.messages:
        own = [d for d in errors if refused_by_the_root(d, bad)]
        matching = [d for d in own if message in text_of(d)]
        assert matching, f"{bad.variable}: no check of the root says {message!r}:\n" + "\n".join(
            map(text_of, own)
        )
        for d in matching:
            assert bad.variable in d["detail"], f"the message does not name {bad.variable}: {d['detail']}"


def submodule_layers(diagnostics) -> dict[tuple[str, str], str]:
    """(root variable [cross], submodule) => what stops the same value in the submodule."""
    return {
        (bad.variable + (" (cross)" if bad.cross else ""), module): layer_of(
            diagnostics["errors"][submodule_run(bad, module)]
        )
        for bad in CASES
        for module in bad.submodules
    }


def test_no_submodule_repeats_a_root_validation(diagnostics):
    layers = submodule_layers(diagnostics)
    table = "\n".join(f"  {v:44} {m:18} {layer}" for (v, m), layer in sorted(layers.items()))
    print("\nroot variable / submodule / what stops the same value in the submodule\n" + table)
    for bad in CASES:
        for module in bad.submodules:
            assert submodule_run(bad, module) in diagnostics["status"], (
                f"{bad.variable} not tried in {module}"
            )
    repeated = [key for key, layer in layers.items() if layer == SUBMODULE]
    assert not repeated, f"submodules repeat the root's validation of {repeated}:\n{table}"


def test_the_root_is_the_only_guard_of_these_values(diagnostics):
    """Without the root's rule these would be applied as given, or fail later with a message about the
    submodule's internals: the root's refusal is what makes them clear."""
    layers = submodule_layers(diagnostics)
    for key in [
        ("log_hash_key (cross)", "migration_lambda"),  # was refused by the submodule only
        ("log_hash_key", "migration_lambda"),
        ("jwt_algorithm (cross)", "migration_lambda"),
        ("rate_limit_max_calls", "migration_lambda"),
        ("log_sample_rate", "migration_lambda"),
        ("kms_master_key_id", "alerting"),
        ("metric_namespace", "dashboard"),
    ]:
        assert layers[key] == NOT_REFUSED, (key, layers[key])
    # The provider refuses ':' in a metric filter's namespace (CloudWatch metrics allow it), so the
    # root refuses it first, with a message that names metric_namespace and says why.
    assert layers[("metric_namespace", "metric_alarms")] == PROVIDER


def test_submodules_keep_the_rules_for_inputs_the_root_does_not_take(diagnostics):
    for name, _, _, _ in KEPT_IN_SUBMODULES:
        assert diagnostics["status"].get(name) == "pass", (name, diagnostics["errors"].get(name))


def test_the_root_accepts_the_catalogue_namespace(diagnostics):
    """The catalogue's namespace is what a null metric_namespace means: the root's rule must accept it."""
    name = "root_accepts_the_catalogue_namespace"
    assert diagnostics["status"].get(name) == "pass", diagnostics["errors"].get(name)
