"""Tokens PyJWT 2.15 refuses are refused here too: non-finite or non-numeric time claims,
non-canonical base64url, RFC 7797 unencoded payloads (``b64: false``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from cart_migration.auth import AuthenticationFailed, verified_claims
from cart_migration.config import Settings
from tests.unit.support import JWT_SECRET, api_event, forbid_aws_calls, invoke, make_token, new_guest_session

BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(header: dict, payload_json: str) -> str:
    """An HS256 token over exactly this payload text (json.dumps cannot write NaN as JSON does not)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(payload_json.encode())}"
    signature = hmac.new(JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def auth_failure(token: str, monkeypatch) -> tuple[int, list[str]]:
    recorder = forbid_aws_calls(monkeypatch)
    result = invoke(
        api_event(
            "rest_v1",
            "POST",
            "/api/v1/cart/migrate",
            {"guest_session_id": new_guest_session()},
            {"Authorization": f"Bearer {token}"},
        )
    )
    assert recorder.calls == []
    return result.status, [record["reason"] for record in result.lines.of_type("auth_failure")]


NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]
NOT_NUMBERS = ['"9999999999"', "true", "false", "[1]", '{"a": 1}']


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", NON_FINITE + NOT_NUMBERS)
def test_a_time_claim_that_is_not_a_finite_number_is_refused(monkeypatch, claim, value):
    claims = {"customer_id": "user-1", "exp": int(time.time()) + 300}
    claims.pop(claim, None)
    payload = json.dumps(claims)[:-1] + f', "{claim}": {value}}}'

    assert auth_failure(signed({"alg": "HS256", "typ": "JWT"}, payload), monkeypatch) == (
        401,
        ["malformed_token"],
    )


def test_pyjwt_agrees_that_these_claims_are_refused():
    """The reference the verifier follows: PyJWT refuses the same never-expiring token."""
    token = signed({"alg": "HS256", "typ": "JWT"}, '{"customer_id": "user-1", "exp": 1e400}')
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, JWT_SECRET, algorithms=["HS256"])


def other_spellings(segment: str) -> list[str]:
    """The same bytes written with non-zero unused bits in the last character."""
    unused_bits = {2: 4, 3: 2}[len(segment) % 4]
    last = BASE64URL_ALPHABET.index(segment[-1])
    return [
        segment[:-1] + BASE64URL_ALPHABET[last | low]
        for low in range(1, 1 << unused_bits)
        if BASE64URL_ALPHABET[last | low] != segment[-1]
    ]


def test_each_non_canonical_spelling_of_a_signature_is_refused(aws, monkeypatch):
    token = make_token()
    header, payload, signature = token.split(".")
    spellings = other_spellings(signature)

    assert len(spellings) == 3  # a 32-byte HMAC: 43 characters, 2 unused bits
    for spelling in spellings:
        forged = f"{header}.{payload}.{spelling}"
        assert base64.urlsafe_b64decode(spelling + "=") == base64.urlsafe_b64decode(signature + "=")
        with pytest.raises(jwt.DecodeError):
            jwt.decode(forged, JWT_SECRET, algorithms=["HS256"])  # the reference refuses it
        assert auth_failure(forged, monkeypatch) == (401, ["malformed_token"])


def hs256_over(header_segment: str, payload_segment: str) -> str:
    """A token whose signature is valid over exactly these segment texts."""
    signing_input = f"{header_segment}.{payload_segment}"
    signature = hmac.new(JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def segment_with_unused_bits(document: dict) -> str:
    """base64url of the document, padded with a filler claim until its last character has unused bits."""
    for filler in range(4):
        segment = b64url(json.dumps({**document, "f": "x" * filler}).encode())
        if len(segment) % 4 in (2, 3):
            return segment
    raise AssertionError("unreachable: one of four lengths leaves unused bits")


@pytest.mark.parametrize("segment_index", [0, 1])
def test_non_canonical_header_or_payload_segments_are_refused(segment_index):
    segments = [
        segment_with_unused_bits({"alg": "HS256", "typ": "JWT"}),
        segment_with_unused_bits({"customer_id": "user-1", "exp": int(time.time()) + 300}),
    ]
    assert verified_claims(hs256_over(*segments), Settings.from_env())["customer_id"] == "user-1"
    segments[segment_index] = other_spellings(segments[segment_index])[0]

    with pytest.raises(AuthenticationFailed, match="malformed_token"):
        verified_claims(hs256_over(*segments), Settings.from_env())


def test_padded_or_impossible_lengths_are_refused():
    header, payload, signature = make_token().split(".")
    for forged in (f"{header}.{payload}.{signature}=", f"{header}.{payload}.{signature}AA"):
        with pytest.raises(AuthenticationFailed, match="malformed_token"):
            verified_claims(forged, Settings.from_env())


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "HS256", "b64": False},
        {"alg": "HS256", "b64": False, "crit": ["b64"]},
        {"alg": "HS256", "b64": "false"},
        {"alg": "HS256", "b64": 0},
    ],
)
def test_an_unencoded_payload_header_is_refused(monkeypatch, header):
    token = signed(header, json.dumps({"customer_id": "user-1", "exp": int(time.time()) + 300}))

    assert auth_failure(token, monkeypatch) == (401, ["invalid_token"])


def test_b64_true_is_the_default_and_signs_in(aws, monkeypatch):
    token = signed(
        {"alg": "HS256", "b64": True}, json.dumps({"customer_id": "user-1", "exp": int(time.time()) + 300})
    )

    result = invoke(
        api_event(
            "http_v2",
            "POST",
            "/api/v1/cart/migrate",
            {"guest_session_id": new_guest_session()},
            {"Authorization": f"Bearer {token}"},
        )
    )

    assert result.status == 200
