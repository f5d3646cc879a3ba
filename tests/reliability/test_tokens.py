"""JWT attacks on every route, with both APIs and both algorithms the function supports: none accepted.

The attack tokens are the unit tests' (tests/unit/test_auth.py), grouped into the six kinds of the
issue: alg "none", wrong key, expired, missing claim, tampered, wrong algorithm (including the RS256
public key used as an HS256 secret). A token is accepted if the answer is not a 401, or if the
function touched DynamoDB before refusing it. A valid token, sent the same way, must be accepted:
otherwise a "refused" could mean the harness never reached the function.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.unit.support import api_event, forbid_aws_calls, invoke, make_token
from tests.unit.test_auth import (
    HS256_ATTACKS,
    OTHER_RSA_KEY,
    RSA_KEY,
    RSA_PUBLIC_PEM,
    key_confusion_token,
    tampered_token,
    unsigned_token,
)

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = pytest.mark.xdist_group("reliability")

ROUTES = [
    ("POST", "/api/v1/cart/migrate", {"guest_session_id": "guest-abc"}),
    ("GET", "/api/v1/cart/all", None),
    ("DELETE", "/api/v1/cart/cleanup-guest/guest-abc", None),
]
APIS = ["rest_v1", "http_v2"]
KIND_OF = {
    "alg_none": "alg none",
    "alg_none_uppercase": "alg none",
    "wrong_secret": "wrong key",
    "expired": "expired",
    "missing_customer_id": "missing claim",
    "missing_exp": "missing claim",
    "tampered_payload": "tampered",
    "rs256_when_hs256_configured": "wrong algorithm",
    "hs512_when_hs256_configured": "wrong algorithm",
    "wrong_token_type": "other claims",
    "customer_id_not_a_string": "other claims",
    "customer_id_posing_as_guest": "other claims",
    "garbage": "other claims",
}
RS256_ATTACKS = {
    "alg_none": ("alg none", unsigned_token),
    "other_rsa_key": ("wrong key", lambda: make_token(key=OTHER_RSA_KEY, algorithm="RS256")),
    "expired": ("expired", lambda: make_token(key=RSA_KEY, algorithm="RS256", expires_in=-60)),
    "missing_customer_id": ("missing claim", lambda: make_token(None, key=RSA_KEY, algorithm="RS256")),
    "tampered_payload": ("tampered", lambda: tampered_rs256()),
    "hs256_with_the_public_key": ("wrong algorithm", key_confusion_token),
}
SIX_KINDS = {"alg none", "wrong key", "expired", "missing claim", "tampered", "wrong algorithm"}


def tampered_rs256() -> str:
    header, _, signature = make_token("user-1", key=RSA_KEY, algorithm="RS256").split(".")
    forged_payload = tampered_token().split(".")[1]
    return f"{header}.{forged_payload}.{signature}"


def send(token: str, monkeypatch) -> list[tuple[int, list[str]]]:
    """(status, DynamoDB calls) of the token sent to every route with both APIs."""
    answers = []
    for api in APIS:
        for method, path, body in ROUTES:
            with monkeypatch.context() as patch:
                forbidden = forbid_aws_calls(patch)
                try:
                    status = invoke(
                        api_event(api, method, path, body, {"Authorization": f"Bearer {token}"})
                    ).status
                except Exception:  # the stand-in client refused a DynamoDB call: the token got through
                    status = 502
            answers.append((status, forbidden.calls))
    return answers


def attack(row, kinds: Counter, kind: str, token: str, monkeypatch) -> None:
    for status, calls in send(token, monkeypatch):
        row.tried += 1
        kinds[kind] += 1
        row.add("accepted", int(status != 401 or bool(calls)))


def test_jwt_attacks_are_refused_on_every_route(lambda_env, monkeypatch, figure):
    row = figure(
        "jwt_attacks",
        "JWT attacks (6 kinds)",
        unit="forged requests",
        scale="alg none, wrong key, expired, missing claim, tampered, wrong algorithm (+ other bad claims): "
        f"{len(HS256_ATTACKS)} tokens against HS256 + {len(RS256_ATTACKS)} against RS256, each on "
        f"{len(ROUTES)} routes x {len(APIS)} API formats",
    )
    row.count("accepted", expected=0)
    row.count("valid tokens refused (control)", expected=0)
    kinds: Counter = Counter()

    for name, (make, _reason) in HS256_ATTACKS.items():
        attack(row, kinds, KIND_OF[name], make(), monkeypatch)
    control = send(make_token(), monkeypatch)

    with monkeypatch.context() as patch:
        patch.setenv("JWT_ALGORITHM", "RS256")
        patch.setenv("JWT_PUBLIC_KEY", RSA_PUBLIC_PEM.replace("\n", "\\n"))
        patch.delenv("JWT_SECRET")
        for _name, (kind, make) in RS256_ATTACKS.items():
            attack(row, kinds, kind, make(), monkeypatch)
        control += send(make_token(key=RSA_KEY, algorithm="RS256"), monkeypatch)

    # A valid token gets past authentication on every route: it reaches the first DynamoDB call,
    # which the stand-in refuses (so the answer is not a 401, and a DynamoDB call was attempted).
    row.add("valid tokens refused (control)", sum(status == 401 or not calls for status, calls in control))
    row.note("by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    assert SIX_KINDS <= set(kinds), SIX_KINDS - set(kinds)
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"
