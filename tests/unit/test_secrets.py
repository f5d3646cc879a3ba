"""JWT_SECRET and LOG_HASH_KEY from SSM SecureString parameters (moto's SSM), and the plain path."""

from __future__ import annotations

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from moto import mock_aws

from cart_migration import secrets
from cart_migration.config import ConfigurationError, Settings
from tests.unit.support import JWT_SECRET, REGION

PARAMETER_SECRET = "a-shared-secret-of-at-least-32-characters-from-ssm"


@pytest.fixture
def ssm():
    with mock_aws():
        parameters.clear_caches()
        parameters_base.DEFAULT_PROVIDERS.clear()
        yield boto3.client("ssm", region_name=REGION)
        parameters.clear_caches()
        # The provider holds a client made under moto: later suites must build their own.
        parameters_base.DEFAULT_PROVIDERS.clear()


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
