"""The main use: monitoring a function that already ran, whose log group therefore exists.

The group is created out of band first, with log events in it, as Lambda would have done. Then:
the emulator refuses to create it again (as AWS does), so a module that creates it fails; the
module by default leaves it alone; examples/existing-function adopts it with an import block and
sets the 30-day retention; and the documented release step keeps the logs through a destroy.
"""

from __future__ import annotations

import time
import uuid

import pytest
import tftest
from botocore.exceptions import ClientError

from cartmon.project import REGION, copy_module
from tests.terraform_runs import runners_in

# One worker for the group: examples/existing-function applied once on the emulator.
pytestmark = pytest.mark.xdist_group("existing-function")

RUN = uuid.uuid4().hex[:8]
FUNCTION = f"existing-fn-{RUN}"
GROUP = f"/aws/lambda/{FUNCTION}"
STREAM = "2026/01/01/[$LATEST]0123456789abcdef"
EVENTS = ["START RequestId: 1", '{"event_type": "migration_success", "message": "kept"}', "END RequestId: 1"]
ADOPTED_ADDRESS = "module.monitoring.module.log_groups.aws_cloudwatch_log_group.function[0]"


@pytest.fixture(scope="module")
def terraform(terraform_cli_config, tmp_path_factory):
    """Runners in a module copy of this file's own: it runs beside the session's stack, in another
    worker (tests/conftest.py), so it must not share that stack's copy."""
    return runners_in(copy_module(tmp_path_factory.mktemp("existing-function-module")))


@pytest.fixture(scope="module")
def existing_group(aws_client):
    """/aws/lambda/<fn> with a stream and three events, created the way Lambda creates it."""
    logs = aws_client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=STREAM,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(EVENTS)],
    )
    yield GROUP
    try:
        logs.delete_log_group(logGroupName=GROUP)
    except ClientError:
        pass


def stored_messages(logs) -> list[str]:
    events = logs.get_log_events(logGroupName=GROUP, logStreamName=STREAM, startFromHead=True)["events"]
    return [event["message"] for event in events]


def describe_group(logs) -> dict | None:
    groups = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == GROUP), None)


def the_group(logs) -> dict:
    group = describe_group(logs)
    assert group is not None, f"{GROUP} does not exist"
    return group


def test_the_emulator_refuses_a_duplicate_log_group_as_aws_does(existing_group, aws_client):
    with pytest.raises(ClientError) as refused:
        aws_client("logs").create_log_group(logGroupName=existing_group)
    assert refused.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"


def test_creating_the_existing_group_fails_at_apply(existing_group, terraform):
    """What the old default did to every function that had run: the class of failure, caught."""
    runner = terraform("modules/log_groups")
    tf_vars = {"function_name": FUNCTION, "name_prefix": f"dup-{RUN}", "create_function_log_group": "true"}
    try:
        with pytest.raises(tftest.TerraformTestError) as failed:
            runner.apply(tf_vars=tf_vars)
        assert "ResourceAlreadyExistsException" in str(failed.value) or "already exists" in str(failed.value)
    finally:
        runner.destroy(tf_vars=tf_vars)


def test_left_unmanaged_the_group_is_checked_and_a_second_plan_is_empty(
    existing_group, terraform, aws_client
):
    """The default for an existing function: the group is read, not managed, and nothing drifts."""
    runner = terraform("modules/log_groups")
    tf_vars = {"function_name": FUNCTION, "name_prefix": f"keep-{RUN}", "create_function_log_group": "false"}
    try:
        runner.apply(tf_vars=tf_vars)
        # -detailed-exitcode: 2 (a change) raises; the check's data source must not count as one.
        runner.execute_command(
            "plan", "-input=false", "-detailed-exitcode", *[f"-var={k}={v}" for k, v in tf_vars.items()]
        )
        assert the_group(aws_client("logs"))["logGroupName"] == GROUP
    finally:
        runner.destroy(tf_vars=tf_vars)
    assert stored_messages(aws_client("logs")) == EVENTS, (
        "destroying the unmanaged path leaves the group alone"
    )


def test_a_function_that_has_not_logged_gets_its_group_and_keeps_it(terraform, aws_client):
    """The default (create_function_log_group = null) on a function without a log group yet: the
    group is created (the metric filters need it) and tagged, and the next plan, which now sees the
    group, keeps it instead of flipping to "unmanaged" and deleting it."""
    group = f"/aws/lambda/new-fn-{RUN}"
    runner = terraform("modules/log_groups")
    tf_vars = {"function_name": f"new-fn-{RUN}", "name_prefix": f"new-{RUN}"}
    logs = aws_client("logs")
    assert not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    try:
        runner.apply(tf_vars=tf_vars)
        (created,) = [g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]]
        tags = logs.list_tags_for_resource(resourceArn=created["arn"].removesuffix(":*"))["tags"]
        assert tags.get("cart-migration-monitoring:log-group") == "created-by-module"
        # -detailed-exitcode: 2 (a change) raises.
        runner.execute_command(
            "plan", "-input=false", "-detailed-exitcode", *[f"-var={k}={v}" for k, v in tf_vars.items()]
        )
    finally:
        runner.destroy(tf_vars=tf_vars)
    assert not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"], "the module's own group goes"


@pytest.fixture(scope="module")
def adopted(existing_group, terraform, aws_client):
    """examples/existing-function applied over the existing group; released and destroyed after."""
    runner = terraform("examples/existing-function")
    tf_vars = {
        "region": REGION,
        "function_name": FUNCTION,
        "name_prefix": f"adopt-{RUN}",
        "alarm_name_prefix": f"Adopt-{RUN}",
    }
    plan = runner.plan(output=True, tf_vars=tf_vars)
    runner.apply(tf_vars=tf_vars)
    state = {
        "plan": plan,
        "outputs": dict(runner.output().items()),
        "runner": runner,
        "tf_vars": tf_vars,
    }
    yield state
    if not state.get("destroyed"):
        runner.destroy(tf_vars=tf_vars)


def test_the_plan_imports_the_group_instead_of_creating_it(adopted):
    change = adopted["plan"].resource_changes[ADOPTED_ADDRESS]["change"]
    assert change.get("importing", {}).get("id") == GROUP
    assert change["actions"] in (["update"], ["no-op"]), change["actions"]
    assert change["after"]["retention_in_days"] == 30


def test_the_adopted_group_gets_the_guides_retention_and_keeps_its_logs(adopted, aws_client):
    logs = aws_client("logs")
    assert the_group(logs)["retentionInDays"] == 30
    assert stored_messages(logs) == EVENTS
    assert adopted["outputs"]["function_log_group_name"] == GROUP


def test_the_metric_filters_read_the_adopted_group(adopted, aws_client):
    filters = aws_client("logs").describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert {f["filterName"] for f in filters} and all(
        f["filterName"].startswith(f"adopt-{RUN}-") for f in filters
    )


def test_releasing_then_destroying_keeps_the_functions_logs(adopted, aws_client):
    runner, tf_vars = adopted["runner"], adopted["tf_vars"]
    runner.execute_command("state", "rm", ADOPTED_ADDRESS)
    runner.destroy(tf_vars=tf_vars)
    adopted["destroyed"] = True

    logs = aws_client("logs")
    assert describe_group(logs) is not None, "the function's log group survives the destroy"
    assert stored_messages(logs) == EVENTS, "with every event in it"
    assert not aws_client("logs").describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    alarms = aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=f"Adopt-{RUN}-")["MetricAlarms"]
    assert not alarms, "the rest of the monitoring is gone"
