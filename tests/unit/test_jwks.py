"""RS256 keys from a JWKS URL: kid selection, caching, rate-limited refresh, bounded fetches.

The identity provider is a JWKS endpoint served on 127.0.0.1 (cartmon.local.jwks); its fetch
counter is the evidence of what the function fetched and when."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cart_migration import jwks
from cart_migration.config import ConfigurationError, Settings
from cartmon.local.jwks import public_jwk, serving_jwks
from tests.unit.support import api_event, forbid_aws_calls, invoke, make_token, new_guest_session

SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROTATED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SMALL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.fixture
def identity_provider(monkeypatch):
    """A JWKS endpoint publishing SIGNING_KEY as kid "k1", and the function pointed at it."""
    with serving_jwks(public_jwk(SIGNING_KEY, "k1")) as endpoint:
        monkeypatch.setenv("JWT_ALGORITHM", "RS256")
        monkeypatch.setenv("JWT_JWKS_URL", endpoint.url)
        monkeypatch.delenv("JWT_SECRET")
        yield endpoint
    jwks.forget_key_sets()


def rs256_token(kid: str | None, key=SIGNING_KEY) -> str:
    return make_token(key=key, algorithm="RS256", headers={} if kid is None else {"kid": kid})


def migrate(token: str):
    return invoke(
        api_event(
            "http_v2",
            "POST",
            "/api/v1/cart/migrate",
            {"guest_session_id": new_guest_session()},
            {"Authorization": f"Bearer {token}"},
        )
    )


def auth_failures(result) -> list[str]:
    return [record["reason"] for record in result.lines.of_type("auth_failure")]


def test_a_token_is_verified_with_the_key_its_kid_names_and_the_key_set_is_cached(aws, identity_provider):
    first = migrate(rs256_token("k1"))
    second = migrate(rs256_token("k1"))

    assert (first.status, second.status) == (200, 200)
    assert identity_provider.fetches == 1


def test_a_rotated_key_is_fetched_when_a_token_names_it(aws, identity_provider):
    assert migrate(rs256_token("k1")).status == 200
    identity_provider.publish(public_jwk(SIGNING_KEY, "k1"), public_jwk(ROTATED_KEY, "k2"))
    # The first fetch started the refresh cooldown; a rotation seen later than that is fetched.
    jwks.jwks_keys(
        identity_provider.url
    )._jwk_client()._last_successful_fetch -= jwks.REFRESH_COOLDOWN_SECONDS

    result = migrate(rs256_token("k2", key=ROTATED_KEY))

    assert result.status == 200
    assert identity_provider.fetches == 2


def test_unknown_kids_refetch_at_most_once_per_cooldown(identity_provider, monkeypatch):
    forbid_aws_calls(monkeypatch)
    answers = [migrate(rs256_token(f"made-up-{attempt}")) for attempt in range(5)]

    assert [answer.status for answer in answers] == [401] * 5
    assert all(auth_failures(answer) == ["unknown_key"] for answer in answers)
    # The first token fetched the set; the made-up kids after it found the refresh cooling down.
    assert identity_provider.fetches == 1


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: rs256_token(None), "unknown_key"),
        (lambda: rs256_token("k1", key=ROTATED_KEY), "invalid_signature"),
        (lambda: rs256_token("hmac"), "algorithm_not_allowed"),
        (lambda: rs256_token("small", key=SMALL_KEY), "invalid_signature"),
        (lambda: make_token(headers={"kid": "k1"}), "algorithm_not_allowed"),
    ],
    ids=["no_kid", "other_key_same_kid", "hmac_key_in_the_set", "rsa_key_under_2048_bits", "hs256_token"],
)
def test_tokens_the_key_set_does_not_vouch_for_are_refused(identity_provider, monkeypatch, make, reason):
    identity_provider.publish(
        public_jwk(SIGNING_KEY, "k1"),
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"},
        public_jwk(SMALL_KEY, "small"),
    )
    forbid_aws_calls(monkeypatch)

    result = migrate(make())

    assert result.status == 401
    assert auth_failures(result) == [reason]


def test_an_unreachable_key_set_is_a_503_to_retry_not_a_401(identity_provider, monkeypatch):
    identity_provider.status = 500
    recorder = forbid_aws_calls(monkeypatch)

    result = migrate(rs256_token("k1"))

    assert result.status == 503
    assert result.headers.get("Retry-After") == "1"
    assert recorder.calls == []
    assert auth_failures(result) == []
    assert "Token keys unavailable" in result.lines.text


def test_a_stuck_key_set_endpoint_is_given_up_after_the_fetch_timeout(identity_provider, monkeypatch):
    monkeypatch.setattr(jwks, "FETCH_TIMEOUT_SECONDS", 0.2)
    identity_provider.hold.clear()  # the endpoint accepts the request and does not answer

    result = migrate(rs256_token("k1"))

    # Answered while the endpoint still holds the request: the fetch gave up on its own.
    assert not identity_provider.hold.is_set()
    assert result.status == 503


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"JWT_JWKS_URL": "http://idp.example.com/jwks.json"}, "https://"),
        ({"JWT_JWKS_URL": "file:///etc/passwd"}, "https://"),
        ({"JWT_JWKS_URL": "https://idp.example.com/jwks.json", "JWT_ALGORITHM": "HS256"}, "HS256"),
        ({"JWT_JWKS_URL": "https://idp.example.com/jwks.json", "JWT_PUBLIC_KEY": "x"}, "not both"),
    ],
)
def test_a_bad_jwks_setting_stops_the_function(monkeypatch, changes, message):
    monkeypatch.setenv("JWT_ALGORITHM", "RS256")
    for name, value in changes.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env()
