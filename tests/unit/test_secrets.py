"""JWT_SECRET and LOG_HASH_KEY from SSM SecureString parameters (moto's SSM), and the plain path."""

from __future__ import annotations

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from botocore.exceptions import ClientError
from moto import mock_aws

from cart_migration import clients, deadline, handler, secrets
from cart_migration.config import ConfigurationError, Settings, check_startup
from tests.unit.support import (
    JWT_SECRET,
    REGION,
    LambdaContext,
    StalledEndpoint,
    api_event,
    bearer,
    captured_stdout,
)

PARAMETER_SECRET = "a-shared-secret-of-at-least-32-characters-from-ssm"


@pytest.fixture
def ssm():
    with mock_aws():
        parameters.clear_caches()
        parameters_base.DEFAULT_PROVIDERS.clear()
        secrets.forget_last_good()
        yield boto3.client("ssm", region_name=REGION)
        parameters.clear_caches()
        # The provider holds a client made under moto: later suites must build their own.
        parameters_base.DEFAULT_PROVIDERS.clear()
        secrets.forget_last_good()


def test_plain_values_are_used_as_given_and_nothing_is_fetched(monkeypatch):
    environ = {"JWT_SECRET": JWT_SECRET, "LOG_HASH_KEY": "plain-hash-key-1234"}
    monkeypatch.setattr(secrets, "fetch_parameter", lambda *_: pytest.fail("fetched without a parameter"))

    assert secrets.load_secret_parameters(environ) == []
    assert environ == {"JWT_SECRET": JWT_SECRET, "LOG_HASH_KEY": "plain-hash-key-1234"}


def test_both_secrets_come_from_their_securestring_parameters(ssm):
    ssm.put_parameter(Name="/cart/jwt", Value=PARAMETER_SECRET, Type="SecureString")
    arn = (
        ssm.put_parameter(Name="/cart/hash", Value="hash-key-from-ssm-123", Type="SecureString")
        and (ssm.get_parameter(Name="/cart/hash")["Parameter"]["ARN"])
    )
    environ = {"JWT_SECRET_PARAMETER": "/cart/jwt", "LOG_HASH_KEY_PARAMETER": arn}

    assert secrets.load_secret_parameters(environ) == ["JWT_SECRET", "LOG_HASH_KEY"]
    assert (environ["JWT_SECRET"], environ["LOG_HASH_KEY"]) == (PARAMETER_SECRET, "hash-key-from-ssm-123")


def test_a_warm_function_answers_from_the_cache_until_max_age(ssm):
    ssm.put_parameter(Name="/cart/jwt", Value=PARAMETER_SECRET, Type="SecureString")
    environ = {"JWT_SECRET_PARAMETER": "/cart/jwt"}
    secrets.load_secret_parameters(environ)

    ssm.put_parameter(
        Name="/cart/jwt", Value="rotated-" + PARAMETER_SECRET, Type="SecureString", Overwrite=True
    )
    secrets.load_secret_parameters(environ)
    assert environ["JWT_SECRET"] == PARAMETER_SECRET, "cached within max_age"


def test_max_age_zero_reads_the_parameter_every_time(ssm):
    ssm.put_parameter(Name="/cart/jwt", Value=PARAMETER_SECRET, Type="SecureString")
    environ = {"JWT_SECRET_PARAMETER": "/cart/jwt", "SECRETS_MAX_AGE_SECONDS": "0"}
    secrets.load_secret_parameters(environ)

    ssm.put_parameter(
        Name="/cart/jwt", Value="rotated-" + PARAMETER_SECRET, Type="SecureString", Overwrite=True
    )
    secrets.load_secret_parameters(environ)
    assert environ["JWT_SECRET"] == "rotated-" + PARAMETER_SECRET


def test_settings_take_the_jwt_secret_from_its_parameter(ssm, monkeypatch):
    ssm.put_parameter(Name="/cart/jwt", Value=PARAMETER_SECRET, Type="SecureString")
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_PARAMETER", "/cart/jwt")

    assert Settings.from_env().jwt_verification_key == PARAMETER_SECRET.encode()


def test_a_missing_parameter_is_a_configuration_error_that_names_it(ssm, monkeypatch):
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_PARAMETER", "/cart/does-not-exist")

    with pytest.raises(ConfigurationError, match="/cart/does-not-exist"):
        Settings.from_env()


def test_a_bad_max_age_is_refused(monkeypatch):
    with pytest.raises(secrets.SecretParameterError, match="SECRETS_MAX_AGE_SECONDS"):
        secrets.load_secret_parameters({"JWT_SECRET_PARAMETER": "/x", "SECRETS_MAX_AGE_SECONDS": "soon"})


# --- a failed refresh degrades -----------------------------------------------------------------


class FailingSsm:
    """Stands for the SSM client while SSM is unwell: every call fails with ``error_code``."""

    def __init__(self, error_code: str) -> None:
        self.error_code = error_code
        self.calls = 0

    def get_parameter(self, **_: object) -> dict:
        self.calls += 1
        raise ClientError({"Error": {"Code": self.error_code, "Message": "unwell"}}, "GetParameter")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _provider_client(replacement: object | None = None) -> object:
    provider = secrets._ssm_provider()
    if replacement is not None:
        provider.client = replacement  # type: ignore[attr-defined]
    return provider.client  # type: ignore[attr-defined]


def test_the_ssm_client_is_bounded_by_the_invocation_deadline(ssm):
    client = _provider_client()
    assert isinstance(client, clients.DeadlineBoundClient) and client.service == "ssm"
    config = client.unbounded.meta.config
    assert (config.connect_timeout, config.read_timeout) == (2.0, 5.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}


def test_a_failed_refresh_serves_the_last_good_value_for_a_bounded_time(ssm):
    ssm.put_parameter(Name="/cart/jwt", Value=PARAMETER_SECRET, Type="SecureString")
    clock = FakeClock()
    assert secrets.fetch_parameter("/cart/jwt", max_age=0, stale_max_age=60, clock=clock) == PARAMETER_SECRET

    healthy = _provider_client()
    failing = FailingSsm("ThrottlingException")
    _provider_client(failing)
    with captured_stdout() as lines:
        assert (
            secrets.fetch_parameter("/cart/jwt", max_age=0, stale_max_age=60, clock=clock) == PARAMETER_SECRET
        )
        clock.now += 60
        assert (
            secrets.fetch_parameter("/cart/jwt", max_age=0, stale_max_age=60, clock=clock) == PARAMETER_SECRET
        )
        clock.now += 1
        with pytest.raises(secrets.SecretsUnavailable, match="/cart/jwt"):
            secrets.fetch_parameter("/cart/jwt", max_age=0, stale_max_age=60, clock=clock)
    assert failing.calls == 3, "each refresh was tried"
    warnings = [record for record in lines.records if record["level"] == "WARNING"]
    assert [record["failing_for_seconds"] for record in warnings] == [0, 60]
    assert PARAMETER_SECRET not in lines.text, "the secret itself is never logged"

    # SSM answers again: the new value, and a later failure gets its full allowance anew.
    _provider_client(healthy)
    ssm.put_parameter(
        Name="/cart/jwt", Value="rotated-" + PARAMETER_SECRET, Type="SecureString", Overwrite=True
    )
    assert secrets.fetch_parameter("/cart/jwt", max_age=0, stale_max_age=60, clock=clock) == (
        "rotated-" + PARAMETER_SECRET
    )
    _provider_client(failing)
    with captured_stdout():
        assert secrets.fetch_parameter("/cart/jwt", max_age=0, stale_max_age=60, clock=clock) == (
            "rotated-" + PARAMETER_SECRET
        )


def test_a_failed_first_read_is_unavailable_not_misconfigured(ssm):
    _provider_client(FailingSsm("InternalServerError"))
    with pytest.raises(secrets.SecretsUnavailable):
        secrets.fetch_parameter("/cart/jwt", max_age=0)


def test_a_permanent_error_stays_a_configuration_error_even_with_a_good_value(ssm):
    ssm.put_parameter(Name="/cart/jwt", Value=PARAMETER_SECRET, Type="SecureString")
    secrets.fetch_parameter("/cart/jwt", max_age=0)
    _provider_client(FailingSsm("AccessDeniedException"))
    with pytest.raises(secrets.SecretParameterError, match="/cart/jwt"):
        secrets.fetch_parameter("/cart/jwt", max_age=0)


def test_a_bad_stale_limit_is_refused():
    with pytest.raises(secrets.SecretParameterError, match="SECRETS_STALE_MAX_SECONDS"):
        secrets.load_secret_parameters({"JWT_SECRET_PARAMETER": "/x", "SECRETS_STALE_MAX_SECONDS": "-1"})


@pytest.fixture
def stalled_ssm(monkeypatch):
    """SSM pointed at an endpoint that accepts and never answers; no value read before."""
    endpoint = StalledEndpoint()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", endpoint.url)
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_PARAMETER", "/cart/jwt")
    clients.reset()
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()
    secrets.forget_last_good()
    yield endpoint
    endpoint.stop()
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()
    secrets.forget_last_good()
    clients.reset()


def test_a_request_while_ssm_stalls_and_no_value_was_read_answers_503_with_retry_after(stalled_ssm):
    event = api_event("http_v2", "GET", "/api/v1/cart/all", headers=bearer())
    with captured_stdout() as lines:
        response = handler.lambda_handler(event, LambdaContext(timeout_ms=4_000))

    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"] == str(secrets.RETRY_AFTER_SECONDS)
    assert stalled_ssm.accepted >= 1, "SSM was really asked"
    messages = [record["message"] for record in lines.records]
    assert "Secrets unavailable" in messages and "Service misconfigured" not in messages


def test_the_function_starts_while_ssm_stalls(stalled_ssm, monkeypatch):
    # At start there is no invocation deadline: a short read timeout keeps the test quick.
    monkeypatch.setattr(deadline, "UNBOUNDED", deadline.CallLimits(0.1, 0.2, 1))
    with captured_stdout() as lines:
        assert check_startup() is None
    (record,) = lines.records
    assert record["level"] == "WARNING" and record["message"].startswith("Secrets unavailable at start")
