"""The created function as a real account would run it, applied once on the emulator (the session's
feature stack, tests/feature_stack.py): its secrets in SSM SecureString parameters (none in its
environment), its tables under a customer key, the optional REST API in front of it, and a
permission for a caller's own API.

The emulator cannot invoke the function through API Gateway (its Lambda does not run code here),
so the API is checked by describing it; the secrets path is run through the local runtime against
the emulator's SSM with the environment the function was deployed with.
"""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base

from cartmon.local.events import api_event
from cartmon.local.runtime import LocalLambda
from cartmon.local.tokens import make_token
from cartmon.project import REGION
from tests.feature_stack import FUNCTION, JWT_PARAMETER, JWT_SECRET, OWN_API_SOURCE, RUN

# One worker for the group: the root with every optional feature on, applied once (tests/feature_stack.py).
pytestmark = pytest.mark.xdist_group("feature-stack")


@pytest.fixture(scope="module")
def stack(feature_stack):
    return feature_stack


@pytest.fixture(scope="module")
def secret_parameters(feature_stack):
    return feature_stack["_secret_parameters"]


@pytest.fixture(scope="module")
def customer_key(feature_stack):
    return feature_stack["_customer_key"]


@pytest.fixture(scope="module")
def function_config(stack, aws_client):
    return aws_client("lambda").get_function_configuration(FunctionName=FUNCTION)


def role_statements(aws_client) -> dict:
    iam = aws_client("iam")
    suffix = f"-role-{REGION}"  # IAM names are account-wide: the function's role carries the region
    role = f"{FUNCTION[: 64 - len(suffix)]}{suffix}"
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    return {s["Sid"]: s for s in document["Statement"]}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------ secrets and keys


def test_no_secret_sits_in_the_functions_environment(function_config, secret_parameters, customer_key, stack):
    variables = function_config["Environment"]["Variables"]
    assert "JWT_SECRET" not in variables and "LOG_HASH_KEY" not in variables
    assert variables["JWT_SECRET_PARAMETER"] == secret_parameters["jwt"]
    assert variables["LOG_HASH_KEY_PARAMETER"] == secret_parameters["hash_arn"]
    assert JWT_SECRET not in json.dumps(function_config)
    # The emulator's Lambda drops KMSKeyArn (GetFunctionConfiguration omits it): the plan says what is sent.
    assert stack["_planned_function"]["kms_key_arn"] == customer_key


def test_the_role_reads_exactly_the_two_parameters_through_their_key(
    aws_client, secret_parameters, customer_key
):
    statements = role_statements(aws_client)
    assert as_list(statements["SecretParameters"]["Action"]) == ["ssm:GetParameter"]
    assert sorted(as_list(statements["SecretParameters"]["Resource"])) == sorted(
        [f"arn:aws:ssm:{REGION}:000000000000:parameter{JWT_PARAMETER}", secret_parameters["hash_arn"]]
    )
    key = statements["SecretParametersKey"]
    assert (as_list(key["Action"]), as_list(key["Resource"])) == (["kms:Decrypt"], [customer_key])
    assert key["Condition"] == {"StringEquals": {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}}


def test_the_role_may_use_the_tables_key_through_dynamodb_only(aws_client, customer_key):
    statement = role_statements(aws_client)["TableKey"]
    assert sorted(as_list(statement["Action"])) == sorted(
        ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    )
    assert as_list(statement["Resource"]) == [customer_key]
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": f"dynamodb.{REGION}.amazonaws.com"}}


@pytest.fixture
def fresh_parameter_cache():
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()  # a provider built by another suite may hold another endpoint
    yield
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()


def test_the_function_reads_its_secrets_from_ssm_and_serves_a_request(
    function_config, aws_client, monkeypatch, fresh_parameter_cache
):
    """The deployed environment, as is, in the local runtime: the token signed with the secret
    stored in SSM is accepted, which only works if the secret was fetched and decrypted."""
    for name in ("JWT_SECRET", "LOG_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in function_config["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)
    from cart_migration import clients

    clients.reset()
    runtime = LocalLambda(
        function_name=FUNCTION,
        log_group=f"/aws/lambda/{FUNCTION}",
        logs_client=aws_client("logs"),
        cloudwatch_client=aws_client("cloudwatch"),
        environment={},
    )

    def request(key: str):
        bearer = {"Authorization": f"Bearer {make_token('customer-' + RUN, key)}"}
        return runtime.invoke(api_event("rest_v1", "GET", "/api/v1/cart/all", headers=bearer))

    accepted = request(JWT_SECRET)
    assert accepted.error is None and accepted.status_code == 200, accepted.body
    assert request("not-" + JWT_SECRET).status_code == 401


# ------------------------------------------------------------------ the API in front


@pytest.fixture(scope="module")
def api(stack, aws_client):
    apigateway = aws_client("apigateway")
    rest_api_id = stack["api_id"]
    resources = apigateway.get_resources(restApiId=rest_api_id, limit=500)["items"]
    return {"client": apigateway, "id": rest_api_id, "resources": resources}


def test_the_api_serves_the_three_routes_through_the_function(api, stack):
    routes = {
        (method, resource["path"]): resource["id"]
        for resource in api["resources"]
        for method in resource.get("resourceMethods", {})
        if method != "OPTIONS"  # the CORS preflights: tests/e2e/test_api_through_the_emulator.py
    }
    assert set(routes) == {
        ("POST", "/api/v1/cart/migrate"),
        ("GET", "/api/v1/cart/all"),
        ("DELETE", "/api/v1/cart/cleanup-guest/{guest_session_id}"),
    }
    for (method, _path), resource_id in routes.items():
        integration = api["client"].get_integration(
            restApiId=api["id"], resourceId=resource_id, httpMethod=method
        )
        assert integration["type"] == "AWS_PROXY" and integration["httpMethod"] == "POST"
        assert stack["lambda_function_arn"] in integration["uri"]
    assert stack["api_invoke_url"].rstrip("/").endswith("/live")


def test_the_stage_logs_every_request_as_json_to_a_group_with_retention(api, stack, aws_client):
    stage = api["client"].get_stage(restApiId=api["id"], stageName="live")
    group = stack["api_access_log_group_name"]
    assert stage["accessLogSettings"]["destinationArn"].endswith(f":log-group:{group}")
    fields = json.loads(stage["accessLogSettings"]["format"])
    assert {"requestId", "status", "resourcePath", "integrationLatency"} <= set(fields)
    (described,) = [
        g
        for g in aws_client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        if g["logGroupName"] == group
    ]
    assert described["retentionInDays"] == 14
    settings = stage["methodSettings"]["*/*"]
    assert (settings["throttlingBurstLimit"], settings["throttlingRateLimit"]) == (40, 20.0)


def test_only_this_api_and_the_named_caller_may_invoke_the_function(stack, aws_client):
    policy = json.loads(aws_client("lambda").get_policy(FunctionName=FUNCTION)["Policy"])
    sources = {
        s["Condition"]["ArnLike"]["AWS:SourceArn"]: s["Principal"]["Service"] for s in policy["Statement"]
    }
    assert sources == {
        f"{stack['api_execution_arn']}/live/*/api/v1/cart/*": "apigateway.amazonaws.com",
        OWN_API_SOURCE: "apigateway.amazonaws.com",
    }
    assert stack["lambda_invoke_arn"].endswith(f"function:{FUNCTION}/invocations")
