"""Session fixtures shared by every suite: the emulator endpoint, boto3 clients, Terraform runs.

A test that needs the emulator asks for `aws_endpoint` (directly or through another fixture) and
fails, never skips, when no emulator answers. The standard AWS_ENDPOINT_URL variable routes
boto3 and the Terraform AWS provider alike, so nothing here is emulator-specific.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from cartmon.local.inbox import create_alarm_inboxes, delete_alarm_inboxes
from cartmon.project import (
    CLIENT_CONFIG,
    LAMBDA_PACKAGE,
    REGION,
    ROOT,
    EmulatorClock,
    copy_module,
    discover_endpoint,
    endpoint_reachable,
    local_example_vars,
)
from tests import feature_stack as feature
from tests.terraform_runs import runners_in


def pytest_addoption(parser):
    parser.addoption("--real-aws", action="store_true", help="also run the opt-in checks against real AWS")


# `make test` runs the suite on TEST_WORKERS pytest-xdist workers with `--dist loadgroup` (Makefile).
# Tests that share an expensive session fixture, or state of their own suite, carry the mark
# `xdist_group(<name>)` in their module (`pytestmark`): a group runs in one worker, one test at a time,
# so the fixture is built once (the stack is applied once). No test relies on which tests ran before
# it: the e2e scenarios each drive their own copy of the stack's monitoring
# (tests/e2e/scenario_monitoring.py), and any subset runs in any order. The mark travels with the test, so a moved
# test keeps its group. A test module without a mark is a group of its own, so its module fixtures
# are built once too. Collection checks that every test using a group's fixture carries its mark.
GROUP_MARK = "xdist_group"
# Session fixtures and the groups whose tests may use them: the stack and its module copy are built
# once, in one worker; the clock may be read beside it, but only the stack's group moves it.
XDIST_GROUP_FIXTURES = {
    "applied_stack": {"stack-and-clock"},
    "module_copy": {"stack-and-clock"},
    "emulator_clock": {"stack-and-clock", "feature-stack"},
    "feature_stack": {"feature-stack"},
    "local_plan": {"plan"},
    "root_tf": {"plan"},
    "plan_copy": {"plan"},
}


def xdist_group(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker(GROUP_MARK)
    if mark is None:
        return None
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Real-AWS checks are opt-in: without --real-aws they are not collected at all. A test that
    uses a group's shared fixture without the group's mark is an error (it would build the fixture a
    second time in another worker). Runs before pytest-xdist reads the marks (tryfirst)."""
    misplaced = []
    for item in items:
        group = xdist_group(item)
        if group is None:  # one module, one group: its module fixtures are built once
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
        for fixture in set(getattr(item, "fixturenames", ())) & XDIST_GROUP_FIXTURES.keys():
            if group not in XDIST_GROUP_FIXTURES[fixture]:
                allowed = " or ".join(sorted(XDIST_GROUP_FIXTURES[fixture]))
                misplaced.append(f"{item.nodeid} ({fixture} needs pytest.mark.xdist_group({allowed!r}))")
    if misplaced:
        raise pytest.UsageError(
            "tests that share a session fixture must carry its group's mark (XDIST_GROUP_FIXTURES in "
            "tests/conftest.py): " + "; ".join(misplaced)
        )
    if config.getoption("--real-aws"):
        return
    selected = [item for item in items if "real_aws" not in item.keywords]
    deselected = [item for item in items if "real_aws" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session")
def aws_endpoint() -> str:
    url = discover_endpoint()
    if not url:
        pytest.fail(
            "no emulator: run the suite with `make test`, or start one with `make emulator`", pytrace=False
        )
    if not endpoint_reachable(url):
        pytest.fail(f"the emulator at {url} does not answer; restart it with `make emulator`", pytrace=False)
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ["AWS_REGION"] = REGION
    return url


@pytest.fixture(scope="session")
def aws_client(aws_endpoint):
    """Factory of boto3 clients bound to the emulator: aws_client("logs")."""
    cache: dict[str, object] = {}

    def make(service: str):
        if service not in cache:
            cache[service] = boto3.client(
                service, region_name=REGION, endpoint_url=aws_endpoint, config=CLIENT_CONFIG
            )
        return cache[service]

    return make


@pytest.fixture(scope="session")
def emulator_clock(aws_endpoint) -> EmulatorClock:
    """The emulator's clock; only the stack-and-clock group may move it (XDIST_GROUP_FIXTURES)."""
    clock = EmulatorClock(aws_endpoint)
    try:
        clock.now()
    except OSError as error:
        pytest.fail(
            f"the emulator at {aws_endpoint} lacks this project's plugins (/_cartmon/clock): {error}",
            pytrace=False,
        )
    return clock


@pytest.fixture(scope="session")
def terraform_cli_config() -> Path:
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if configured and Path(configured).is_file():
        return Path(configured)
    path = ROOT / "build" / "terraformrc"
    subprocess.run([sys.executable, str(ROOT / "bootstrap" / "terraformrc.py"), str(path)], check=True)
    os.environ["TF_CLI_CONFIG_FILE"] = str(path)
    return path


@pytest.fixture(scope="session")
def module_copy(tmp_path_factory) -> Path:
    """The session's copy of the module: Terraform state and .terraform stay out of the working tree."""
    return copy_module(tmp_path_factory.mktemp("module"))


@pytest.fixture(scope="session")
def terraform(terraform_cli_config, module_copy):
    """Factory of tftest runners for a directory of the module copy: terraform("examples/local")."""

    return runners_in(module_copy)


@pytest.fixture(scope="session")
def feature_stack(aws_endpoint, aws_client, terraform_cli_config, tmp_path_factory):
    """The root module with every optional feature of the created function on (tests/feature_stack.py),
    applied once; destroyed at the end. Yields its outputs, plus the secret parameters, the customer
    key and the function as planned (`_planned_function`)."""
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    ssm, kms = aws_client("ssm"), aws_client("kms")
    ssm.put_parameter(Name=feature.JWT_PARAMETER, Value=feature.JWT_SECRET, Type="SecureString")
    ssm.put_parameter(
        Name=feature.HASH_PARAMETER, Value="log-hash-key-from-ssm-" + feature.RUN, Type="SecureString"
    )
    hash_arn = ssm.get_parameter(Name=feature.HASH_PARAMETER)["Parameter"]["ARN"]
    customer_key = kms.create_key(Description=f"{feature.PREFIX} tables and environment")["KeyMetadata"][
        "Arn"
    ]
    runner = runners_in(copy_module(tmp_path_factory.mktemp("feature-module")))(".")
    tf_vars = feature.terraform_variables(str(LAMBDA_PACKAGE), feature.JWT_PARAMETER, hash_arn, customer_key)
    try:
        plan = runner.plan(output=True, tf_vars=tf_vars)
        runner.apply(tf_vars=tf_vars)
        outputs = dict(runner.output().items())
        outputs["_planned_function"] = next(
            rc["change"]["after"]
            for rc in plan.resource_changes.values()
            if rc["type"] == "aws_lambda_function"
        )
        outputs["_secret_parameters"] = {"jwt": feature.JWT_PARAMETER, "hash_arn": hash_arn}
        outputs["_customer_key"] = customer_key
        yield outputs
    finally:
        try:
            runner.destroy(tf_vars=tf_vars)
        finally:
            ssm.delete_parameters(Names=[feature.JWT_PARAMETER, feature.HASH_PARAMETER])


@pytest.fixture(scope="session")
def applied_stack(aws_endpoint, aws_client, terraform):
    """examples/local applied once per session on the emulator; destroyed at the end.

    Yields the plain output values (`terraform output -json` with the values unwrapped), plus
    `alarm_inbox_queue_urls`: the SQS queue per alert topic that the stack subscribes by name,
    created here (see cartmon.local.inbox) and deleted after the stack.
    """
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    runner = terraform("examples/local")
    tf_vars = local_example_vars()
    outputs = None
    inboxes: dict[str, str] = {}
    try:
        runner.apply(tf_vars=tf_vars)
        outputs = dict(runner.output().items())
        inboxes = create_alarm_inboxes(aws_client("sqs"), outputs)
        yield {**outputs, "alarm_inbox_queue_urls": inboxes}
    finally:
        runner.destroy(tf_vars=tf_vars)
        delete_alarm_inboxes(aws_client("sqs"), inboxes)
    leftovers = resources_left_behind(aws_client, outputs)
    assert not leftovers, f"destroy left resources behind: {leftovers}"


def resources_left_behind(aws_client, outputs: dict) -> list[str]:
    """What of the applied stack still exists, asked of each service."""
    from botocore.exceptions import ClientError

    left = []
    alarm_names = list(outputs["alarm_arns"])
    left += [
        a["AlarmName"]
        for a in aws_client("cloudwatch").describe_alarms(AlarmNames=alarm_names)["MetricAlarms"]
    ]
    dashboards = aws_client("cloudwatch").list_dashboards(DashboardNamePrefix=outputs["dashboard_name"])[
        "DashboardEntries"
    ]
    left += [d["DashboardName"] for d in dashboards]
    topics = {t["TopicArn"] for t in aws_client("sns").list_topics()["Topics"]}
    left += [arn for arn in outputs["sns_topic_arns"].values() if arn in topics]
    for name in outputs["log_group_names"].values():
        groups = aws_client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        left += [g["logGroupName"] for g in groups if g["logGroupName"] == name]
    definitions = aws_client("logs").describe_query_definitions()["queryDefinitions"]
    left += [
        d["name"] for d in definitions if d["queryDefinitionId"] in outputs["query_definition_ids"].values()
    ]
    tables = set(aws_client("dynamodb").list_tables()["TableNames"])
    left += [t for t in (outputs["carts_table_name"], outputs["rate_limit_table_name"]) if t in tables]
    try:
        aws_client("lambda").get_function(FunctionName=outputs["lambda_function_name"])
        left.append(outputs["lambda_function_name"])
    except ClientError:
        pass
    key = aws_client("kms").describe_key(KeyId=outputs["kms_key_arn"])["KeyMetadata"]
    if key["KeyState"] != "PendingDeletion":
        left.append(outputs["kms_key_arn"])
    return left
