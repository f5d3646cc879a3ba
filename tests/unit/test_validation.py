"""Bad input anywhere is a 4xx with a message and a validation_error event; never a 5xx."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_migration.handler import lambda_handler
from tests.unit.support import (
    LambdaContext,
    api_event,
    bearer,
    captured_stdout,
    forbid_aws_calls,
    invoke,
    unit_settings,
)

VALID_SESSION = re.compile(r"guest-[A-Za-z0-9_-]{1,128}")
VALID_STORE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
STRATEGIES = {"merge", "replace", "keep_newest"}

apis = st.sampled_from(["rest_v1", "http_v2"])
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
not_strings = (
    st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.lists(json_scalars, max_size=3)
    | (st.dictionaries(st.text(max_size=5), json_scalars, max_size=3))
)
odd_text = st.text(
    st.characters(codec="utf-8") | st.sampled_from(["\u202e", "\u0000", "\ufeff", "\u200b", "é", "🛒"]),
    max_size=40,
)
bad_sessions = st.one_of(
    st.none(),
    not_strings,
    odd_text.filter(lambda text: not VALID_SESSION.fullmatch(text)),
    odd_text.map(lambda text: "guest-" + text).filter(lambda text: not VALID_SESSION.fullmatch(text)),
    st.just("guest-" + "a" * 129),
    st.just("GUEST-abc"),
)
bad_stores = not_strings | odd_text.filter(lambda text: not VALID_STORE.fullmatch(text))
bad_strategies = not_strings | odd_text.filter(lambda text: text not in STRATEGIES)
good_session = st.from_regex(VALID_SESSION, fullmatch=True)
good_store = st.none() | st.from_regex(VALID_STORE, fullmatch=True)
good_strategy = st.none() | st.sampled_from(sorted(STRATEGIES))


@st.composite
def invalid_documents(draw):
    """A JSON object with exactly one thing wrong, so every field's rule is exercised."""
    document = {"guest_session_id": draw(good_session)}
    if (store := draw(good_store)) is not None:
        document["store_id"] = store
    if (strategy := draw(good_strategy)) is not None:
        document["merge_strategy"] = strategy
    fault = draw(st.sampled_from(["session", "missing_session", "store", "strategy", "unknown_field"]))
    if fault == "session":
        document["guest_session_id"] = draw(bad_sessions)
    elif fault == "missing_session":
        del document["guest_session_id"]
    elif fault == "store":
        document["store_id"] = draw(bad_stores)
    elif fault == "strategy":
        document["merge_strategy"] = draw(bad_strategies)
    else:
        document[draw(st.text(min_size=1, max_size=10).filter(lambda k: k not in document))] = draw(
            json_scalars
        )
    return json.dumps(document)


raw_bodies = st.one_of(
    invalid_documents(),
    st.text(max_size=200).filter(lambda text: "guest-" not in text),
    st.binary(max_size=64).map(lambda data: data.decode("latin-1")),
    st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=8).map(json.dumps),
    st.integers(min_value=1_000, max_value=20_000).map(lambda depth: "[" * depth + "]" * depth),
    st.just('{"guest_session_id": NaN}'),
    st.just('{"guest_session_id": "guest-\\ud800"}'),
    st.just(json.dumps({"guest_session_id": "guest-abc", "store_id": "S1", "pad": "x" * 20_000})),
)


def assert_rejected_as_bad_input(response: dict, lines) -> None:
    assert 400 <= response["statusCode"] < 500
    message = json.loads(response["body"])["message"]
    assert isinstance(message, str) and message
    assert lines.event_types == ["validation_error"]
    (record,) = lines.of_type("validation_error")
    assert record["field"] and record["error_message"]


@settings(unit_settings, max_examples=200)
@given(api=apis, body=raw_bodies)
def test_fuzzed_migrate_bodies_are_rejected_with_a_4xx(monkeypatch, api, body):
    forbidden = forbid_aws_calls(monkeypatch)

    with captured_stdout() as lines:
        response = lambda_handler(
            api_event(api, "POST", "/api/v1/cart/migrate", body, bearer()), LambdaContext()
        )

    assert_rejected_as_bad_input(response, lines)
    assert forbidden.calls == []


@unit_settings
@given(api=apis, data=st.binary(max_size=64), bad_base64=st.booleans())
def test_base64_bodies_that_are_not_valid_base64_json_are_rejected(monkeypatch, api, data, bad_base64):
    forbid_aws_calls(monkeypatch)
    event = api_event(api, "POST", "/api/v1/cart/migrate", None, bearer())
    event["isBase64Encoded"] = True
    event["body"] = "***not base64***" if bad_base64 else base64.b64encode(b"\xff\xfe" + data).decode()

    with captured_stdout() as lines:
        response = lambda_handler(event, LambdaContext())

    assert_rejected_as_bad_input(response, lines)


@settings(unit_settings, max_examples=100)
@given(api=apis, segment=odd_text.filter(lambda text: text and not VALID_SESSION.fullmatch(text)))
def test_fuzzed_cleanup_session_ids_are_rejected_with_a_4xx(monkeypatch, api, segment):
    forbidden = forbid_aws_calls(monkeypatch)
    # API Gateway hands REST APIs the decoded path and HTTP APIs the raw, percent-encoded one.
    path_segment = segment if api == "rest_v1" else quote(segment, safe="")

    with captured_stdout() as lines:
        response = lambda_handler(
            api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{path_segment}", headers=bearer()),
            LambdaContext(),
        )

    assert_rejected_as_bad_input(response, lines)
    assert forbidden.calls == []


def test_unknown_merge_strategy_is_a_400_not_a_silent_merge(monkeypatch, api):
    forbidden = forbid_aws_calls(monkeypatch)

    result = invoke(
        api_event(
            api,
            "POST",
            "/api/v1/cart/migrate",
            {"guest_session_id": "guest-abc", "merge_strategy": "union"},
            bearer(),
        )
    )

    assert result.status == 400
    assert result.body == {"message": "merge_strategy must be one of: merge, replace, keep_newest"}
    (record,) = result.lines.of_type("validation_error")
    assert (record["field"], record["endpoint"]) == ("merge_strategy", "POST /api/v1/cart/migrate")
    assert forbidden.calls == []


@pytest.mark.parametrize(
    ("session", "message"),
    [
        ("user-abc", "guest_session_id must start with 'guest-'"),
        ("guest-a.b", "guest_session_id must be 'guest-' then 1-128 letters, digits, '-' or '_'"),
    ],
)
def test_cleanup_requires_a_guest_session_id(monkeypatch, api, session, message):
    forbid_aws_calls(monkeypatch)

    result = invoke(api_event(api, "DELETE", f"/api/v1/cart/cleanup-guest/{session}", headers=bearer()))

    assert (result.status, result.body) == (400, {"message": message})


def test_a_body_over_16_kib_is_a_413(monkeypatch, api):
    forbid_aws_calls(monkeypatch)
    body = json.dumps({"guest_session_id": "guest-abc", "pad": "x" * 17_000})

    result = invoke(api_event(api, "POST", "/api/v1/cart/migrate", body, bearer()))

    assert result.status == 413
    assert result.lines.of_type("validation_error")[0]["field"] == "body"


def test_unknown_routes_are_a_404_with_a_validation_error(monkeypatch, api):
    forbid_aws_calls(monkeypatch)

    result = invoke(api_event(api, "PUT", "/api/v1/cart/migrate", {}, bearer()))

    assert result.status == 404
    assert result.lines.event_types == ["validation_error"]


@pytest.mark.parametrize("event", [{}, {"Records": []}, [], "text", {"version": "2.0"}, None])
def test_an_event_that_is_not_from_api_gateway_is_a_400(monkeypatch, event):
    forbid_aws_calls(monkeypatch)

    with captured_stdout() as lines:
        response = lambda_handler(event, LambdaContext())

    assert response["statusCode"] == 400
    assert lines.event_types == ["validation_error"]
