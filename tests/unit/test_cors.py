"""CORS: preflights answered by the function, CORS headers on every answer (errors included),
nothing at all when no origins are configured."""

from __future__ import annotations

import pytest

from tests.unit.support import api_event, bearer, forbid_aws_calls, invoke, new_guest_session

SHOP = "https://shop.example.com"
OTHER_SHOP = "http://localhost:3000"
ROUTES = [
    ("POST", "/api/v1/cart/migrate"),
    ("GET", "/api/v1/cart/all"),
    ("DELETE", "/api/v1/cart/cleanup-guest/guest-abc"),
]


@pytest.fixture
def cors(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{SHOP},{OTHER_SHOP}")


def preflight(api: str, path: str, method: str, origin: str = SHOP):
    return invoke(
        api_event(
            api,
            "OPTIONS",
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
    )


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_preflight_from_an_allowed_origin_is_a_204_with_the_cors_headers(
    cors, api, monkeypatch, method, path
):
    recorder = forbid_aws_calls(monkeypatch)

    result = preflight(api, path, method)

    assert result.status == 204
    assert result.headers["Access-Control-Allow-Origin"] == SHOP
    assert result.headers["Access-Control-Allow-Methods"] == f"{method}, OPTIONS"
    assert {"Authorization", "Content-Type", "Idempotency-Key"} <= {
        name.strip() for name in result.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert int(result.headers["Access-Control-Max-Age"]) > 0
    assert result.headers["Vary"] == "Origin"
    assert recorder.calls == []
    assert result.lines.records == []  # not a validation_error, not an auth_failure


def test_each_listed_origin_is_echoed_alone(cors, api):
    result = preflight(api, "/api/v1/cart/all", "GET", origin=OTHER_SHOP)

    assert result.headers["Access-Control-Allow-Origin"] == OTHER_SHOP


def test_a_preflight_from_another_origin_gets_no_allow_origin(cors, api):
    result = preflight(api, "/api/v1/cart/all", "GET", origin="https://evil.example.com")

    assert result.status == 204
    assert "Access-Control-Allow-Origin" not in result.headers
    assert result.headers["Vary"] == "Origin"


def test_a_preflight_for_an_unknown_path_is_still_a_404(cors, api):
    result = preflight(api, "/api/v1/cart/nothing", "GET")

    assert result.status == 404


def test_any_origin_answers_star(api, monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "*")

    result = preflight(api, "/api/v1/cart/all", "GET", origin="https://anyone.example.org")

    assert result.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("with_token", "status"),
    [
        (False, 401),  # no token
        (True, 400),  # body missing
    ],
)
def test_errors_carry_the_cors_headers(cors, api, monkeypatch, with_token, status):
    forbid_aws_calls(monkeypatch)
    # The token is made here, not at collection: it expires minutes after it is made.
    request_headers = bearer() if with_token else {}

    result = invoke(api_event(api, "POST", "/api/v1/cart/migrate", None, {"Origin": SHOP, **request_headers}))

    assert result.status == status
    assert result.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Retry-After" in result.headers["Access-Control-Expose-Headers"]
    assert result.headers["Vary"] == "Origin"


def test_not_found_carries_the_cors_headers(cors, api):
    result = invoke(api_event(api, "GET", "/api/v1/nothing", headers={"Origin": SHOP}))

    assert result.status == 404
    assert result.headers["Access-Control-Allow-Origin"] == SHOP


def test_a_success_carries_the_cors_headers(aws, cors, api):
    result = invoke(
        api_event(
            api,
            "POST",
            "/api/v1/cart/migrate",
            {"guest_session_id": new_guest_session()},
            {"Origin": SHOP, **bearer()},
        )
    )

    assert result.status == 200
    assert result.headers["Access-Control-Allow-Origin"] == SHOP


def test_without_configured_origins_there_are_no_cors_headers(api):
    preflight_result = preflight(api, "/api/v1/cart/all", "GET")
    error = invoke(api_event(api, "GET", "/api/v1/cart/all", headers={"Origin": SHOP}))

    assert preflight_result.status == 204
    assert preflight_result.lines.of_type("validation_error") == []
    for result in (preflight_result, error):
        assert not [name for name in result.headers if name.startswith("Access-Control-") or name == "Vary"]
