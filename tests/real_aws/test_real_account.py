"""Opt-in: what no emulator can show, checked on a real AWS account (docs/real-account-check.md).

    .venv/dev/bin/python -m pytest tests/real_aws --real-aws

Needs working AWS credentials (the usual chain) and AWS_REGION or AWS_DEFAULT_REGION; an
AWS_ENDPOINT_URL of the emulator is ignored. It applies the module with the function, its secrets
in SSM, the REST API and a queue on the warning topic (real resources, a few cents for the
minutes they live), runs the checks, and destroys everything, including on failure. Set
CARTMON_REAL_AWS_KEEP=1 to leave the stack up for a look.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
import tftest

from cartmon.local.tokens import make_token
from cartmon.project import ENVIRONMENT_AT_START, LAMBDA_PACKAGE, copy_module

pytestmark = pytest.mark.real_aws

TEMPLATE = os.path.join(os.path.dirname(__file__), "real_check.tf.tmpl")
RUN = uuid.uuid4().hex[:8]
JWT_SECRET = secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
def real_environment():
    """The environment the run started with, without any emulator endpoint."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({k: v for k, v in ENVIRONMENT_AT_START.items() if not k.startswith("AWS_ENDPOINT_URL")})
    try:
        session = boto3.Session()
        if not session.region_name:
            pytest.fail("--real-aws needs AWS_REGION or AWS_DEFAULT_REGION", pytrace=False)
        try:
            session.client("sts").get_caller_identity()
        except Exception as error:  # noqa: BLE001 - any failure here means "no usable credentials"
            pytest.fail(f"--real-aws needs working AWS credentials: {error}", pytrace=False)
        yield session
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def real_stack(real_environment, terraform_cli_config, tmp_path_factory):
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    module = copy_module(tmp_path_factory.mktemp("real-module"))
    (module / "real_check").mkdir()
    (module / "real_check" / "main.tf").write_text(open(TEMPLATE).read())
    # The region's API Gateway CloudWatch role belongs to the account (modules/api_gateway_account,
    # applied once per region): the suite neither creates nor destroys it, so it must exist.
    if not real_environment.client("apigateway").get_account().get("cloudwatchRoleArn"):
        pytest.fail(
            f"{real_environment.region_name} has no API Gateway CloudWatch role: apply "
            "modules/api_gateway_account once in this region first (its README says how)",
            pytrace=False,
        )
    tf_vars = {
        "run": RUN,
        "lambda_package_path": str(LAMBDA_PACKAGE),
        "jwt_secret": JWT_SECRET,
        "log_hash_key": secrets.token_urlsafe(32),
    }
    runner = tftest.TerraformTest("real_check", basedir=str(module))
    runner.setup(upgrade=False)
    try:
        runner.apply(tf_vars=tf_vars)
        yield {key: value for key, value in runner.output().items()} | {"session": real_environment}
    finally:
        if os.environ.get("CARTMON_REAL_AWS_KEEP") != "1":
            runner.destroy(tf_vars=tf_vars)


def test_an_alarm_notification_passes_the_encrypted_topic(real_stack):
    """CloudWatch can publish to the topic only if the key policy lets it use the KMS key;
    otherwise the notification is dropped without an error anywhere."""
    session = real_stack["session"]
    (alarm,) = [name for name in real_stack["alarm_names"] if name.endswith("-LambdaThrottles")]
    session.client("cloudwatch").set_alarm_state(
        AlarmName=alarm, StateValue="ALARM", StateReason="real-account check of the encrypted topic"
    )
    sqs = session.client("sqs")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=real_stack["warning_inbox_url"], WaitTimeSeconds=20, MaxNumberOfMessages=10
        ).get("Messages", [])
        for message in messages:
            body = json.loads(message["Body"])
            if alarm in body.get("Message", ""):
                assert body["TopicArn"] == real_stack["sns_topic_arns"]["warning"]
                return
    pytest.fail(f"no notification of {alarm} reached the warning topic's queue in 3 minutes")


def request(url: str, token: str | None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_a_request_through_the_api_reaches_the_function_with_its_secret_from_ssm(real_stack):
    """API Gateway -> permission -> function -> secret from SSM -> DynamoDB through the role."""
    url = real_stack["api_invoke_url"].rstrip("/") + "/api/v1/cart/all"
    token = make_token(f"real-check-{RUN}", JWT_SECRET)
    deadline = time.monotonic() + 120  # a new deployment and IAM take a moment to be everywhere
    status, body = request(url, token)
    while status in (403, 500, 502, 503) and time.monotonic() < deadline:
        time.sleep(5)
        status, body = request(url, token)
    assert status == 200, body
    assert request(url, None)[0] == 401, "the function still checks the token"
