"""1000 log payloads carrying emails, phone numbers, card numbers, names and large whole numbers:
none reaches a log line.

800 payloads go straight to the logging layer (every event type, any field, nested, under personal
keys, as the customer id, as a dictionary key, in an operational message, in an unhandled
exception, as a whole number); 200 go through the handler, as request fields the function logs (a store id or guest
session made of a phone or card number, a bad field carrying an email or a name). The secret
generators are the unit tests' (tests/unit/test_redaction.py): phone and card numbers grouped by
hyphens, spaces or dots, personal values that hold an '@' without being an email
("Jane Doe @home"), whole numbers of ten digits or more.

A leak is the secret itself in the output, or, for phone and card numbers, its digits in the
output's digits (so "+91 98765 43210" leaks as "919876543210" too). The same detector is shown
every raw secret first: it must see it, or it could not see a leak either.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import quote

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from cart_migration.event_log import CartMigrationMetrics, log_operational, log_unhandled_error
from tests.unit.support import api_event, bearer, captured_stdout, invoke, unit_settings
from tests.unit.test_redaction import (
    card_numbers,
    emails,
    event_types,
    field_names,
    large_integers,
    personal_keys,
    personal_values,
    phones,
)

LOGGED_PAYLOADS = 800
REQUEST_PAYLOADS = 200
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]  # every run of a body is counted once

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = [pytest.mark.usefixtures("lambda_env"), pytest.mark.xdist_group("reliability")]

SECRETS = {"email": emails, "phone": phones, "card": card_numbers}


@st.composite
def secrets(draw, kinds=tuple(SECRETS)):
    """(kind, secret), the kinds in even shares (st.one_of would favour the first)."""
    kind = kinds[draw(st.integers(0, len(kinds) - 1))]
    return kind, draw(SECRETS[kind])


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def leaked(kind: str, secret: str, output: str) -> bool:
    if kind == "name":  # a name is caught by its surname ("Zq..."), which no log line holds by chance
        return secret in output or any(word in output for word in secret.split() if word.startswith("Zq"))
    if kind == "number":  # a whole number is written as its decimal digits
        return secret.lstrip("-") in output
    if secret in output or json.dumps(secret)[1:-1] in output:
        return True
    return kind in ("phone", "card") and digits(secret) in digits(output)


def log_payload(shape: str, kind: str, secret: str, event_type: str, field: str, key: str) -> None:
    """Hand `secret` to the logging layer in one of the ways a call site could."""
    if shape == "field_text":
        text = f"about {secret}: see"
        CartMigrationMetrics.emit(event_type, **{field: text, "nested": {"list": [text, {"deeper": text}]}})
    elif shape == "personal_key":
        CartMigrationMetrics.emit(
            event_type, **{key: secret, "context": {key: secret}, "items": [{key: secret}]}
        )
    elif shape == "customer_id":
        CartMigrationMetrics.emit(event_type, customer_id=secret)
    elif shape == "dictionary_key":
        CartMigrationMetrics.emit(event_type, error_message={secret: "bad"})
    elif shape == "number":
        number = int(secret)
        CartMigrationMetrics.emit(
            event_type, **{field: number, "nested": {"list": [number, {"deeper": number}]}}
        )
    elif shape == "operational_message":
        log_operational("WARNING", f"Could not reach {secret}", detail=secret)
    else:  # an unhandled exception whose message carries the secret
        try:
            raise RuntimeError(f"crash while handling {secret}")
        except RuntimeError:
            log_unhandled_error("Unhandled error")


@st.composite
def logged_payloads(draw):
    shape = draw(
        st.sampled_from(
            [
                "field_text",
                "personal_key",
                "customer_id",
                "dictionary_key",
                "operational_message",
                "exception",
                "number",
            ]
        )
    )
    if shape == "personal_key":
        kind, secret = ("name", draw(personal_values)) if draw(st.booleans()) else draw(secrets())
    elif shape == "number":
        kind, secret = "number", str(draw(large_integers))
    else:
        kind, secret = draw(secrets())
    return shape, kind, secret, draw(event_types), draw(field_names), draw(personal_keys)


@st.composite
def request_payloads(draw):
    """A request whose fields the function logs, carrying a secret."""
    api = draw(st.sampled_from(["rest_v1", "http_v2"]))
    shape = draw(
        st.sampled_from(["store_id", "guest_session", "cleanup_session", "bad_field", "personal_field"])
    )
    if shape in ("store_id", "guest_session", "cleanup_session"):
        # Valid identifiers made of a phone or card number: the request is served and logged.
        kind, secret = draw(secrets(("phone", "card")))
        secret = digits(secret)[-10:] if kind == "phone" else digits(secret)
        if shape == "store_id":
            body = {"guest_session_id": "guest-abc", "store_id": secret}
            return kind, secret, api_event(api, "POST", "/api/v1/cart/migrate", body, bearer())
        if shape == "guest_session":
            body = {"guest_session_id": f"guest-{secret}"}
            return kind, secret, api_event(api, "POST", "/api/v1/cart/migrate", body, bearer())
        return (
            kind,
            secret,
            api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/guest-{secret}", headers=bearer()),
        )
    if shape == "bad_field":
        kind, secret = draw(secrets())
        where = draw(st.sampled_from(["guest_session_id", "store_id", "merge_strategy", "path"]))
        if where == "path":
            path = "/api/v1/cart/cleanup-guest/" + (secret if api == "rest_v1" else quote(secret, safe=""))
            return kind, secret, api_event(api, "DELETE", path, headers=bearer())
        body = {"guest_session_id": "guest-abc", where: secret}
        return kind, secret, api_event(api, "POST", "/api/v1/cart/migrate", body, bearer())
    name = draw(personal_values)
    body = {"guest_session_id": "guest-abc", draw(personal_keys): name}
    return "name", name, api_event(api, "POST", "/api/v1/cart/migrate", body, bearer())


def fill(row, kinds: Counter, kind: str, secret: str, output: str) -> None:
    row.tried += 1
    kinds[kind] += 1
    row.add("leaks into log lines", int(leaked(kind, secret, output)))
    row.add(
        "secrets the detector missed when logged raw",
        int(not leaked(kind, secret, json.dumps({"x": secret}))),
    )


def test_personal_data_never_reaches_a_log_line(aws, figure):
    row = figure(
        "pii_payloads",
        "log payloads with emails, phones, cards, names, large numbers",
        unit="payloads",
        scale=f"{LOGGED_PAYLOADS} to the logging layer (every event type; fields, nesting, personal keys, "
        f"customer id, dictionary keys, messages, exceptions, whole numbers; phones and cards grouped by "
        f"hyphens, spaces or dots) + {REQUEST_PAYLOADS} through the handler",
    )
    row.count("leaks into log lines", expected=0)
    row.count("secrets the detector missed when logged raw", expected=0)
    row.count("payloads that logged no line", expected=0)
    kinds: Counter = Counter()

    @settings(unit_settings, max_examples=LOGGED_PAYLOADS, phases=NO_SHRINK)
    @given(payload=logged_payloads())
    def logged(payload):
        shape, kind, secret, event_type, field, key = payload
        with captured_stdout() as lines:
            log_payload(shape, kind, secret, event_type, field, key)
        fill(row, kinds, kind, secret, lines.text)
        row.add("payloads that logged no line", int(not lines.text.strip()))
        assert not leaked(kind, secret, lines.text), (shape, lines.text)

    @settings(unit_settings, max_examples=REQUEST_PAYLOADS, phases=NO_SHRINK)
    @given(payload=request_payloads())
    def requested(payload):
        kind, secret, event = payload
        result = invoke(event)
        fill(row, kinds, kind, secret, result.lines.text)
        row.add("payloads that logged no line", int(not result.lines.records))
        assert result.status < 500, result.body
        assert not leaked(kind, secret, result.lines.text), result.lines.text

    logged()
    requested()

    row.note("by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    assert row.tried >= LOGGED_PAYLOADS + REQUEST_PAYLOADS
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"
