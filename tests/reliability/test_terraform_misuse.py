"""Every way of misusing the module's variables is refused at plan, with a message that says why.

The plan tests (tests/infra/test_plan.py) check a handful of bad values in one plan; here every
validated variable gets a bad value, every alarm-override field, both extra-alarm rules, the
function's settings, and the checks across variables. Terraform reports each variable's errors
on its own, so two plans hold them all: one with every bad variable at once, and one whose
variables are each fine but do not fit together (those are checked by preconditions, which run
only once the variables have passed). Both plans run at once, on a copy of the module of their
own. The AWS provider reads its data sources before the variables are judged, so the emulator
is needed: without it the test fails, it never skips.

A case counts as refused with a clear message when an error block of the plan names the
variable (`var.<name> is ...`, or the precondition's source) and carries the expected text.
Every variable is the root's: which layer checks what is shown by tests/infra/test_validation_layers.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cartmon.project import copy_module
from tests.infra.guide import SIMPLE_EXTRA_ALARM
from tests.infra.test_plan import BAD_VARIABLES

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = pytest.mark.xdist_group("reliability")

PLAN_TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class Misuse:
    variable: str  # the root module variable set wrong
    value: Any  # any Terraform value, of the wrong type on purpose in many cases
    message: str  # text the error must carry
    shown_as: str = ""  # what the error block names; default `var.<variable> `
    plan: int = 1  # 1: bad variables; 2: good variables that do not fit together

    @property
    def marker(self) -> str:
        return self.shown_as or f"var.{self.variable} "


# Where the root's checks across variables (preconditions) report.
INPUT_CHECKS = 'resource "terraform_data" "input_checks"'


def override(alarm: str, **fields) -> dict:
    return {alarm: fields}


def extra_alarm(name: str, **fields) -> dict:
    return {name: dict(SIMPLE_EXTRA_ALARM, **fields)}


# The plan tests' cases, reused as they are, then the rest.
CASES = [Misuse(variable, value, message) for variable, (value, message) in BAD_VARIABLES.items()] + [
    Misuse("function_name", "cart migration!", "function_name must be 1 to 64 letters"),
    Misuse("alarm_name_prefix", "-Cart", "alarm_name_prefix must be 1 to 64 characters"),
    Misuse("metric_namespace", "AWS/Lambda", "must not start with 'AWS/' (reserved for AWS)"),
    Misuse("page_topic_arn", "my-pager-topic", "page_topic_arn must be an SNS topic ARN"),
    Misuse(
        "alerts_topic_arn",
        "arn:aws:sqs:ap-south-1:123456789012:q",
        "alerts_topic_arn must be an SNS topic ARN",
    ),
    Misuse("kms_key_deletion_window_in_days", 3, "kms_key_deletion_window_in_days must be between 7 and 30"),
    Misuse(
        "additional_subscriptions",
        {"pager": {"topic": "urgent", "protocol": "https", "endpoint": "https://pager.example.com"}},
        "additional_subscriptions: topic must be alerts (every alarm) or page (pages only)",
    ),
    Misuse(
        "additional_subscriptions",
        {"pigeon": {"topic": "page", "protocol": "carrier-pigeon", "endpoint": "loft-7"}},
        "additional_subscriptions: protocol must be one of the SNS protocols",
    ),
    Misuse(
        "priority_topics",
        {"P1": "critical", "P2": "pager", "P3": "warning"},
        "priority_topics must map each of P1, P2, P3 to critical or warning",
    ),
    Misuse(
        "audit_log_retention_in_days", 45, "audit_log_retention_in_days must be one of the values CloudWatch"
    ),
    Misuse("log_group_kms_key_id", "alias/logs", "log_group_kms_key_id must be the ARN of a KMS key"),
    Misuse("runbook_base_url", "ftp://runbooks.example.com", "runbook_base_url must be an http(s) URL"),
    Misuse(
        "alarm_overrides",
        override("LowSuccessRate", evaluation_periods=0),
        "evaluation_periods must be a whole number of at least 1",
    ),
    Misuse(
        "alarm_overrides",
        override("LambdaErrors", datapoints_to_alarm=1.5),
        "datapoints_to_alarm must be a whole number of at least 1",
    ),
    Misuse(
        "alarm_overrides",
        override("LambdaThrottles", period=45),
        "period must be a multiple of 60 seconds",
    ),
    Misuse(
        "alarm_overrides",
        override("NoSuccessfulMigrations", treat_missing_data="sometimes"),
        "treat_missing_data must be breaching, notBreaching, ignore or missing",
    ),
    Misuse(
        "extra_alarms", extra_alarm("Paging", priority="P0"), "extra_alarms: priority must be P1, P2 or P3"
    ),
    Misuse(
        "extra_alarms", extra_alarm("Negative", threshold=-2), "extra_alarms: threshold must not be negative"
    ),
    Misuse("extra_alarms", extra_alarm("Bad Key!"), "extra_alarms: every key must be 1 to 64 letters"),
    Misuse(
        "extra_alarms",
        extra_alarm("Sideways", comparison_operator="Above"),
        "extra_alarms: comparison_operator must be GreaterThanThreshold",
    ),
    Misuse(
        "extra_alarms",
        extra_alarm("Sometimes", treat_missing_data="sometimes"),
        "extra_alarms: treat_missing_data must be breaching",
    ),
    Misuse(
        "extra_alarms",
        extra_alarm("Never", evaluation_periods=0),
        "extra_alarms: evaluation_periods must be a whole number of at least 1",
    ),
    Misuse(
        "extra_alarms",
        extra_alarm("Half", datapoints_to_alarm=0.5),
        "extra_alarms: datapoints_to_alarm must be a whole number of at least 1",
    ),
    Misuse(
        "extra_alarms",
        extra_alarm("Odd", period=45),
        "extra_alarms: period must be 10, 20, 30 or a multiple of 60",
    ),
    Misuse(
        "extra_alarms",
        extra_alarm("Percentile", statistic="p99"),
        "extra_alarms: statistic (also in expression_metrics) must be SampleCount",
    ),
    Misuse(
        "extra_alarms",
        extra_alarm("Low", evaluate_low_sample_count_percentiles="maybe"),
        "extra_alarms: evaluate_low_sample_count_percentiles must be evaluate or ignore",
    ),
    Misuse("additional_queries", {"Blank": "  "}, "additional_queries: every query name must be 1 to 200"),
    Misuse(
        "lambda_environment_variables",
        {"1ST_TRY": "x"},
        "lambda_environment_variables: every name must be at least 2 characters",
    ),
    Misuse("jwt_algorithm", "none", "jwt_algorithm must be HS256 (with jwt_secret) or RS256"),
    Misuse("jwt_secret", "short-secret", "jwt_secret must be at least 32 characters"),
    Misuse("jwt_public_key", "ssh-rsa AAAAB3Nza", "jwt_public_key must be a PEM public key"),
    Misuse("log_hash_key", "short", "log_hash_key must be at least 16 characters"),
    Misuse("carts_table_name", "carts table!", "carts_table_name must be 3 to 255 letters"),
    Misuse("rate_limit_table_name", "rl", "rate_limit_table_name must be 3 to 255 letters"),
    Misuse("table_kms_key_arn", "alias/dynamodb", "table_kms_key_arn must be the ARN of a KMS key"),
    Misuse(
        "lambda_reserved_concurrent_executions", -5, "lambda_reserved_concurrent_executions must be a whole"
    ),
    # The function's settings, checked by the root like every input.
    Misuse(
        "lambda_package_path",
        "no/such/package.zip",
        "lambda_package_path must point at an existing deployment zip",
    ),
    Misuse("lambda_memory_size", 64, "lambda_memory_size must be a whole number of MB between 128 and 10240"),
    Misuse("lambda_timeout", 1000, "lambda_timeout must be a whole number of seconds, at most 900"),
    Misuse("lambda_architectures", ["sparc"], 'lambda_architectures must be ["x86_64"] or ["arm64"]'),
    Misuse("rate_limit_max_calls", 0, "rate_limit_max_calls must be a whole number of at least 1"),
    Misuse(
        "rate_limit_window_seconds", 2.5, "rate_limit_window_seconds must be a whole number of at least 1"
    ),
    Misuse(
        "customer_cart_ttl_days",
        -1,
        "customer_cart_ttl_days must be a whole number of days, 0 (no expiry) or more",
    ),
    Misuse("log_sample_rate", 1.5, "log_sample_rate must be between 0 and 1"),
    Misuse("lambda_package_s3_bucket", "Not_A_Bucket", "lambda_package_s3_bucket must be an S3 bucket name"),
    Misuse(
        "lambda_package_catalogue_sha256",
        "abc",
        "lambda_package_catalogue_sha256 must be 64 lowercase hex digits",
    ),
    Misuse(
        "lambda_package_source_code_hash", "abc", "lambda_package_source_code_hash must be a base64 sha256"
    ),
    Misuse(
        "log_archive",
        {"transition_to_infrequent_access_days": 10},
        "log_archive: transition_to_infrequent_access_days must be at least 30",
    ),
    # Each variable fine, together wrong: preconditions.
    Misuse(
        "extra_alarms",
        extra_alarm("Orphan", metric="NoSuchMetric"),
        "Alarm(s) name metric(s) the event catalogue lacks: Orphan -> NoSuchMetric",
        "modules/metric_alarms/main.tf",
        plan=2,
    ),
    Misuse(
        "alarm_overrides",
        override("NoSuchAlarm", threshold=1),
        "alarm_overrides names alarm(s) that do not exist: NoSuchAlarm",
        INPUT_CHECKS,
        plan=2,
    ),
    Misuse("jwt_algorithm", "RS256", "jwt_algorithm RS256 needs jwt_public_key", INPUT_CHECKS, plan=2),
    Misuse(
        "extra_alarms",
        extra_alarm("HighFailureRate"),
        "extra_alarms: HighFailureRate already name(s) an alarm of the module",
        INPUT_CHECKS,
        plan=2,
    ),
    Misuse(
        "lambda_package_path",
        None,
        "With create_lambda = true the function needs exactly one package: lambda_package_path",
        INPUT_CHECKS,
        plan=2,
    ),
    Misuse(
        "log_hash_key",
        None,
        "or log_hash_key_parameter is required when create_lambda = true",
        INPUT_CHECKS,
        plan=2,
    ),
]
MERGEABLE = {"alarm_overrides", "extra_alarms", "additional_subscriptions"}


def plan_variables(plan: int, package: Path) -> dict:
    """The variables of one plan: good defaults, then its cases' values, merged where a variable is a map."""
    tf_vars: dict = {"function_name": "fn", "create_lambda": True}
    if plan == 2:
        tf_vars["lambda_package_path"] = str(package)
        tf_vars["log_hash_key"] = "a-log-hash-key-long-enough"
    set_by_cases: set[str] = set()
    for case in (c for c in CASES if c.plan == plan):
        if case.variable in MERGEABLE and case.variable in set_by_cases:
            assert not set(tf_vars[case.variable]) & set(case.value), case
            tf_vars[case.variable] = {**tf_vars[case.variable], **case.value}
        else:
            assert case.variable not in set_by_cases, f"{case.variable} twice"
            tf_vars[case.variable] = case.value
            set_by_cases.add(case.variable)
    return {name: value for name, value in tf_vars.items() if value is not None}


def error_blocks(output: str) -> list[str]:
    return [" ".join(block.replace("│", " ").split()) for block in output.split("Error: ")[1:]]


def refused_clearly(case: Misuse, blocks: list[str]) -> bool:
    return any(case.marker in block and case.message in block for block in blocks)


def plan_the_misuses(ctx) -> dict:
    """Both plans at once, on a copy of the module of their own: {plan: (returncode, output)}."""
    if ctx.endpoint is None:
        return {"no_emulator": True}
    scratch = Path(tempfile.mkdtemp(prefix="reliability-misuse-"))
    try:
        directory = copy_module(scratch)
        env = ctx.aws_environment()
        init = subprocess.run(
            ["terraform", "init", "-input=false", "-no-color"],
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
        )
        if init.returncode != 0:
            return {"init": init.stdout + init.stderr}
        package = scratch / "cart_migration.zip"
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("cart_migration/__init__.py", "")
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                plan: pool.submit(run_plan, directory, plan, plan_variables(plan, package), env)
                for plan in (1, 2)
            }
            return {
                plan: (f.result().returncode, f.result().stdout + f.result().stderr)
                for plan, f in futures.items()
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_plan(directory: Path, plan: int, tf_vars: dict, env: dict) -> subprocess.CompletedProcess:
    var_file = directory / f"misuse-{plan}.tfvars.json"
    var_file.write_text(json.dumps(tf_vars, indent=2))
    return subprocess.run(
        ["terraform", "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={var_file.name}"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=PLAN_TIMEOUT_SECONDS,
    )


@pytest.mark.background(job=plan_the_misuses)
def test_every_variable_misuse_is_refused_at_plan_with_a_clear_message(aws_endpoint, background, figure):
    row = figure(
        "terraform_misuse",
        "Terraform variable misuse cases",
        unit="cases",
        scale=f"{len(CASES)} cases over {len({c.variable for c in CASES})} variables, in 2 plans "
        "(every bad variable at once; good variables that do not fit together)",
    )
    row.count("refused at plan with a clear message", expected="all")
    row.count("plans that succeeded", expected=0)
    results = background.result(plan_the_misuses, row)
    assert "no_emulator" not in results and "init" not in results, results

    unclear = []
    for plan, (returncode, output) in results.items():
        row.add("plans that succeeded", int(returncode == 0))
        blocks = error_blocks(output)
        for case in (c for c in CASES if c.plan == plan):
            row.tried += 1
            if refused_clearly(case, blocks):
                row.add("refused at plan with a clear message")
            else:
                unclear.append(f"{case.variable}={case.value!r}: expected {case.message!r}")
        assert returncode != 0, f"plan {plan} succeeded:\n{output[-3000:]}"
    row.note(
        f"plan 1: {sum(c.plan == 1 for c in CASES)} bad variables at once; "
        f"plan 2: {sum(c.plan == 2 for c in CASES)} cross-variable checks (preconditions)"
    )
    assert not unclear, "refused without the expected message:\n" + "\n".join(unclear)
