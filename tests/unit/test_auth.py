"""JWT checks: every forged, expired or malformed token is a 401 with no DynamoDB call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.unit.support import (
    JWT_SECRET,
    SOURCE_IP,
    api_event,
    captured_stdout,
    forbid_aws_calls,
    invoke,
    make_token,
    new_guest_session,
)

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(**claims) -> str:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"customer_id": "user-1", "exp": int(time.time()) + 300, **claims}).encode())
    return f"{header}.{payload}."


def tampered_token() -> str:
    header, _, signature = make_token("user-1").split(".")
    forged_payload = b64url(
        json.dumps({"customer_id": "someone-else", "exp": int(time.time()) + 300}).encode()
    )
    return f"{header}.{forged_payload}.{signature}"


def key_confusion_token() -> str:
    """An HS256 token whose HMAC secret is the RSA public key the server holds (PyJWT refuses to
    make one, so it is signed by hand)."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"customer_id": "user-1", "exp": int(time.time()) + 300}).encode())
    signature = hmac.new(RSA_PUBLIC_PEM.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


HS256_ATTACKS = {
    "alg_none": (lambda: unsigned_token(), "algorithm_not_allowed"),
    "alg_none_uppercase": (
        lambda: unsigned_token().replace(
            b64url(b'{"alg": "none", "typ": "JWT"}'), b64url(b'{"alg": "NONE"}')
        ),
        "algorithm_not_allowed",
    ),
    "wrong_secret": (
        lambda: make_token(key="another-secret-that-is-also-long-enough-32b"),
        "invalid_signature",
    ),
    "expired": (lambda: make_token(expires_in=-60), "token_expired"),
    "missing_customer_id": (lambda: make_token(customer_id=None), "missing_claim"),
    "missing_exp": (
        lambda: jwt.encode({"customer_id": "user-1"}, JWT_SECRET, algorithm="HS256"),
        "missing_claim",
    ),
    "tampered_payload": (tampered_token, "invalid_signature"),
    "rs256_when_hs256_configured": (
        lambda: make_token(key=RSA_KEY, algorithm="RS256"),
        "algorithm_not_allowed",
    ),
    "hs512_when_hs256_configured": (lambda: make_token(algorithm="HS512"), "algorithm_not_allowed"),
    "wrong_token_type": (lambda: make_token(type="guest"), "wrong_token_type"),
    # A claim of the wrong type is the case under test, so the call breaks make_token's annotation.
    "customer_id_not_a_string": (lambda: make_token(customer_id=12345), "invalid_customer_id"),  # type: ignore[arg-type]
    "customer_id_posing_as_guest": (lambda: make_token(customer_id="guest-abc"), "invalid_customer_id"),
    "garbage": (lambda: "definitely-not.a-json-web.token", "malformed_token"),
}


def migrate_with(api: str, authorization: str | None):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return invoke(
        api_event(api, "POST", "/api/v1/cart/migrate", {"guest_session_id": new_guest_session()}, headers)
    )


@pytest.mark.parametrize("attack", sorted(HS256_ATTACKS))
def test_forged_or_invalid_tokens_are_rejected_before_any_dynamodb_call(api, monkeypatch, attack):
    recorder = forbid_aws_calls(monkeypatch)
    make, reason = HS256_ATTACKS[attack]
    token = make()

    result = migrate_with(api, f"Bearer {token}")

    assert result.status == 401
    assert result.body == {"message": "Unauthorized"}
    assert result.headers.get("WWW-Authenticate") == "Bearer"
    assert recorder.calls == []
    (failure,) = result.lines.of_type("auth_failure")
    assert failure["reason"] == reason
    assert failure["ip_address"] == SOURCE_IP
    assert failure["endpoint"] == "POST /api/v1/cart/migrate"
    assert token not in result.lines.text
    assert token.split(".")[1] not in result.lines.text  # not even the claims part
    assert result.lines.event_types == ["auth_failure"]


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing_token"),
        ("", "missing_token"),
        ("Basic dXNlcjpwYXNz", "malformed_authorization_header"),
        ("Bearer", "malformed_authorization_header"),
        ("Bearer a b", "malformed_authorization_header"),
        ("Bearer " + "x" * 9000, "malformed_token"),
    ],
)
def test_missing_or_malformed_authorization_header_is_rejected(api, monkeypatch, authorization, reason):
    recorder = forbid_aws_calls(monkeypatch)

    result = migrate_with(api, authorization)

    assert result.status == 401
    assert recorder.calls == []
    assert [record["reason"] for record in result.lines.of_type("auth_failure")] == [reason]


@pytest.mark.parametrize(
    "path_and_method", [("GET", "/api/v1/cart/all"), ("DELETE", "/api/v1/cart/cleanup-guest/guest-1")]
)
def test_every_route_requires_a_token(api, monkeypatch, path_and_method):
    recorder = forbid_aws_calls(monkeypatch)
    method, path = path_and_method

    result = invoke(api_event(api, method, path, headers={"Authorization": f"Bearer {unsigned_token()}"}))

    assert result.status == 401
    assert recorder.calls == []


def test_the_scheme_is_case_insensitive(aws, api):
    result = migrate_with(api, f"bearer {make_token()}")

    assert result.status == 200


@pytest.fixture
def rs256(monkeypatch):
    monkeypatch.setenv("JWT_ALGORITHM", "RS256")
    # As Terraform would pass it: newlines escaped in a single-line variable.
    monkeypatch.setenv("JWT_PUBLIC_KEY", RSA_PUBLIC_PEM.replace("\n", "\\n"))
    monkeypatch.delenv("JWT_SECRET")


def test_rs256_accepts_a_token_signed_with_the_private_key(aws, api, rs256):
    result = migrate_with(api, f"Bearer {make_token(key=RSA_KEY, algorithm='RS256')}")

    assert result.status == 200
    assert result.body["status"] == "no_carts_found"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: make_token(key=OTHER_RSA_KEY, algorithm="RS256"), "invalid_signature"),
        (key_confusion_token, "algorithm_not_allowed"),
        (lambda: unsigned_token(), "algorithm_not_allowed"),
    ],
)
def test_rs256_rejects_other_keys_and_algorithm_confusion(api, rs256, monkeypatch, make, reason):
    recorder = forbid_aws_calls(monkeypatch)

    result = migrate_with(api, f"Bearer {make()}")

    assert result.status == 401
    assert recorder.calls == []
    assert [record["reason"] for record in result.lines.of_type("auth_failure")] == [reason]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("JWT_ALGORITHM", "none"), ("JWT_SECRET", ""), ("CARTS_TABLE", "")],
)
def test_a_misconfigured_function_answers_500_without_touching_dynamodb(api, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    recorder = forbid_aws_calls(monkeypatch)

    result = migrate_with(api, f"Bearer {make_token()}")

    assert result.status == 500
    assert recorder.calls == []
    assert "Service misconfigured" in result.lines.text


# --- clock skew, issuer, audience ---------------------------------------------------------------


def token_with(**claims) -> str:
    """An HS256 token with exactly these claims besides customer_id and type."""
    return jwt.encode({"customer_id": "user-1", "type": "customer", **claims}, JWT_SECRET, algorithm="HS256")


def failure_reason(api: str, token: str) -> str | None:
    result = migrate_with(api, f"Bearer {token}")
    failures = result.lines.of_type("auth_failure")
    return failures[0]["reason"] if failures else None


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_a_token_minted_a_few_seconds_ahead_of_the_clock_signs_in(aws, api, claim):
    now = int(time.time())

    result = migrate_with(api, f"Bearer {token_with(exp=now + 300, **{claim: now + 5})}")

    assert result.status == 200


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_a_token_from_beyond_the_leeway_is_not_yet_valid(api, monkeypatch, claim):
    forbid_aws_calls(monkeypatch)
    now = int(time.time())

    assert failure_reason(api, token_with(exp=now + 300, **{claim: now + 120})) == "token_not_yet_valid"


def test_a_token_that_expired_within_the_leeway_still_signs_in_and_beyond_it_does_not(aws, api, monkeypatch):
    now = int(time.time())

    assert migrate_with(api, f"Bearer {token_with(exp=now - 5)}").status == 200
    monkeypatch.setenv("JWT_LEEWAY_SECONDS", "0")
    assert failure_reason(api, token_with(exp=now - 5)) == "token_expired"


def test_the_leeway_is_configurable(aws, api, monkeypatch):
    future = int(time.time()) + 100
    token = token_with(exp=future + 300, nbf=future)

    assert failure_reason(api, token) == "token_not_yet_valid"
    monkeypatch.setenv("JWT_LEEWAY_SECONDS", "120")
    assert migrate_with(api, f"Bearer {token}").status == 200


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_time_claim_that_is_not_a_number_is_malformed(api, monkeypatch, claim):
    forbid_aws_calls(monkeypatch)
    claims = {"exp": int(time.time()) + 300, claim: "soon"}

    assert failure_reason(api, token_with(**claims)) == "malformed_token"


def test_issuer_is_checked_only_when_configured(aws, api, monkeypatch):
    exp = int(time.time()) + 300

    assert migrate_with(api, f"Bearer {token_with(exp=exp, iss='https://someone-else')}").status == 200
    monkeypatch.setenv("JWT_ISSUER", "https://auth.example.com")
    assert migrate_with(api, f"Bearer {token_with(exp=exp, iss='https://auth.example.com')}").status == 200
    assert failure_reason(api, token_with(exp=exp, iss="https://someone-else")) == "invalid_issuer"
    assert failure_reason(api, token_with(exp=exp)) == "missing_claim"


def test_audience_is_checked_only_when_configured(aws, api, monkeypatch):
    exp = int(time.time()) + 300

    assert migrate_with(api, f"Bearer {token_with(exp=exp)}").status == 200
    # With no audience configured, a token meant for named audiences is refused (RFC 7519, 4.1.3).
    assert failure_reason(api, token_with(exp=exp, aud="cart-api")) == "invalid_audience"
    monkeypatch.setenv("JWT_AUDIENCE", "cart-api")
    assert migrate_with(api, f"Bearer {token_with(exp=exp, aud='cart-api')}").status == 200
    assert migrate_with(api, f"Bearer {token_with(exp=exp, aud=['other', 'cart-api'])}").status == 200
    assert failure_reason(api, token_with(exp=exp, aud="other-api")) == "invalid_audience"
    assert failure_reason(api, token_with(exp=exp, aud=[1, 2])) == "invalid_audience"
    assert failure_reason(api, token_with(exp=exp)) == "missing_claim"


def test_a_crit_header_is_refused(api, monkeypatch):
    forbid_aws_calls(monkeypatch)

    assert failure_reason(api, make_token(headers={"crit": ["exp"]})) == "invalid_token"


def test_algorithm_pinning_still_holds_with_issuer_and_audience_set(api, monkeypatch):
    forbid_aws_calls(monkeypatch)
    monkeypatch.setenv("JWT_ISSUER", "https://auth.example.com")
    monkeypatch.setenv("JWT_AUDIENCE", "cart-api")

    assert failure_reason(api, unsigned_token(iss="https://auth.example.com", aud="cart-api")) == (
        "algorithm_not_allowed"
    )
    assert failure_reason(
        api, make_token(algorithm="HS512", iss="https://auth.example.com", aud="cart-api")
    ) == ("algorithm_not_allowed")


# --- configuration mistakes stop the function at start-up -----------------------------------------


CONFIGURATION_MISTAKES: dict[str, tuple[dict[str, str | None], str]] = {
    "hash_key_unset": ({"LOG_HASH_KEY": None}, "LOG_HASH_KEY is not set"),
    "hash_key_short": ({"LOG_HASH_KEY": "short"}, "LOG_HASH_KEY must be at least 16 characters"),
    "pem_as_hs256_secret": ({"JWT_SECRET": RSA_PUBLIC_PEM}, "JWT_SECRET holds a public or private key"),
    "escaped_pem_as_hs256_secret": (
        {"JWT_SECRET": RSA_PUBLIC_PEM.replace("\n", "\\n")},
        "JWT_SECRET holds a public or private key",
    ),
    "short_hs256_secret": ({"JWT_SECRET": "x" * 31}, "JWT_SECRET must be at least 32 bytes"),
    "leeway_too_large": ({"JWT_LEEWAY_SECONDS": "3600"}, "JWT_LEEWAY_SECONDS must be at most 300"),
    "leeway_not_a_number": ({"JWT_LEEWAY_SECONDS": "30s"}, "JWT_LEEWAY_SECONDS must be an integer"),
    "read_quota_zero": ({"READ_RATE_LIMIT_MAX_CALLS": "0"}, "READ_RATE_LIMIT_MAX_CALLS must be > 0"),
    "rs256_with_a_non_rsa_key": (
        {"JWT_ALGORITHM": "RS256", "JWT_PUBLIC_KEY": "not a key", "JWT_SECRET": None},
        "JWT_PUBLIC_KEY is not a PEM public key",
    ),
}


def apply_env(monkeypatch, changes: dict) -> None:
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.mark.parametrize("mistake", sorted(CONFIGURATION_MISTAKES))
def test_a_configuration_mistake_is_a_clear_start_up_error(monkeypatch, mistake):
    from cart_migration import handler
    from cart_migration.config import ConfigurationError

    changes, message = CONFIGURATION_MISTAKES[mistake]
    apply_env(monkeypatch, changes)

    with captured_stdout() as lines, pytest.raises(ConfigurationError, match=message):
        handler.check_configuration()
    (record,) = lines.records
    assert record["message"] == "Service misconfigured; the function cannot start"
    assert message in record["error_message"]
    if "JWT_SECRET" in changes and changes["JWT_SECRET"]:
        assert changes["JWT_SECRET"] not in lines.text  # the key itself is never logged


@pytest.mark.parametrize("mistake", sorted(CONFIGURATION_MISTAKES))
def test_a_request_to_a_misconfigured_function_is_a_500_not_a_502(api, monkeypatch, mistake):
    recorder = forbid_aws_calls(monkeypatch)
    changes, message = CONFIGURATION_MISTAKES[mistake]
    apply_env(monkeypatch, changes)

    result = migrate_with(api, f"Bearer {make_token()}")

    assert result.status == 500
    assert recorder.calls == []
    (line,) = [record for record in result.lines.records if record["message"] == "Service misconfigured"]
    assert message in line["error_message"]


def test_inside_lambda_a_missing_hash_key_fails_the_init_phase():
    environment = {
        name: value for name, value in os.environ.items() if name not in ("LOG_HASH_KEY", "PYTHONPATH")
    }
    environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"

    result = subprocess.run(
        [sys.executable, "-c", "import cart_migration.handler"],
        env=environment,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "ConfigurationError: LOG_HASH_KEY is not set" in result.stderr
    assert "the function cannot start" in result.stdout


def test_inside_lambda_a_good_configuration_starts():
    environment = dict(os.environ)
    environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"

    result = subprocess.run(
        [sys.executable, "-c", "import cart_migration.handler"],
        env=environment,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == ""
