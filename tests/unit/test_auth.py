"""JWT checks: every forged, expired or malformed token is a 401 with no DynamoDB call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.unit.support import (
    JWT_SECRET,
    SOURCE_IP,
    api_event,
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
    "customer_id_not_a_string": (lambda: make_token(customer_id=12345), "invalid_customer_id"),
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
