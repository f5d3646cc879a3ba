"""Every documented API Gateway event shape reaches its route: routing reads what API Gateway
matched (``resource`` / ``routeKey`` and ``pathParameters``), never the raw path, which carries
stages and custom-domain base paths.

Shapes: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
(REST), https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
(HTTP API payload 1.0 and 2.0), https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html
(custom domains with base path mappings)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.support import (
    bearer,
    forbid_aws_calls,
    http_v2_event,
    invoke,
    item,
    new_guest_session,
    rest_v1_event,
    seed_guest_cart,
)

ALL = "/api/v1/cart/all"
CLEANUP_TEMPLATE = "/api/v1/cart/cleanup-guest/{guest_session_id}"


def rest(
    method: str,
    api_path: str,
    *,
    resource: str | None = None,
    prefix: str = "",
    stage: str = "prod",
    parameters: dict | None = None,
) -> dict[str, Any]:
    """A REST API event: `path` holds a custom domain's base path (`prefix`), never the stage."""
    event = rest_v1_event(
        method, prefix + api_path, headers=bearer(), resource=resource or api_path, path_parameters=parameters
    )
    event["requestContext"]["stage"] = stage
    event["requestContext"]["path"] = prefix + api_path if prefix else f"/{stage}{api_path}"
    return event


def http_v1(
    method: str, api_path: str, *, stage: str, resource: str | None = None, parameters: dict | None = None
) -> dict[str, Any]:
    """An HTTP API payload 1.0 event: `path` holds a named stage; `resource` is the route path."""
    raw_path = api_path if stage == "$default" else f"/{stage}{api_path}"
    event = rest(method, api_path, resource=resource, parameters=parameters, stage=stage)
    event["version"] = "1.0"
    event["path"] = raw_path
    event["requestContext"]["path"] = raw_path
    event["requestContext"]["routeKey"] = f"{method} {resource or api_path}"
    return event


def http_v2(
    method: str,
    api_path: str,
    *,
    stage: str,
    route_key: str | None = None,
    parameters: dict | None = None,
    prefix: str = "",
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event: `rawPath` holds a named stage (or a base path)."""
    raw_path = prefix + (api_path if stage == "$default" or prefix else f"/{stage}{api_path}")
    event = http_v2_event(
        method,
        raw_path,
        headers=bearer(),
        route_key=route_key or f"{method} {api_path}",
        path_parameters=parameters,
    )
    event["requestContext"]["stage"] = stage
    event["requestContext"]["http"]["path"] = raw_path
    return event


# Built when a test runs, not at import: each carries a token that expires.
LIST_CARTS_SHAPES = {
    "rest_on_a_stage": lambda: rest("GET", ALL),
    "rest_custom_domain_with_base_path": lambda: rest("GET", ALL, prefix="/carts"),
    "rest_custom_domain_stage_named_api": lambda: rest("GET", ALL, stage="api"),
    "rest_greedy_proxy_resource": lambda: rest(
        "GET", ALL, resource="/{proxy+}", prefix="/carts", parameters={"proxy": ALL.lstrip("/")}
    ),
    "http_v1_named_stage": lambda: http_v1("GET", ALL, stage="live"),
    "http_v1_named_stage_called_api": lambda: http_v1("GET", ALL, stage="api"),
    "http_v1_default_stage": lambda: http_v1("GET", ALL, stage="$default"),
    "http_v2_named_stage": lambda: http_v2("GET", ALL, stage="live"),
    "http_v2_stage_called_api": lambda: http_v2("GET", ALL, stage="api"),
    "http_v2_default_stage": lambda: http_v2("GET", ALL, stage="$default"),
    "http_v2_custom_domain_with_base_path": lambda: http_v2("GET", ALL, stage="live", prefix="/carts"),
    "http_v2_greedy_proxy_route": lambda: http_v2(
        "GET", ALL, stage="live", route_key="ANY /{proxy+}", parameters={"proxy": ALL.lstrip("/")}
    ),
    "http_v2_default_route_named_stage": lambda: http_v2("GET", ALL, stage="live", route_key="$default"),
    "http_v2_default_route_default_stage": lambda: http_v2(
        "GET", ALL, stage="$default", route_key="$default"
    ),
}


@pytest.mark.parametrize("shape", LIST_CARTS_SHAPES)
def test_the_cart_list_is_reached_from_every_event_shape(aws, shape):
    result = invoke(LIST_CARTS_SHAPES[shape]())

    assert result.status == 200, result.body
    assert result.body["total_carts"] == 0
    assert result.lines.of_type("validation_error") == []


def cleanup_shapes(session: str) -> dict[str, dict[str, Any]]:
    path = f"/api/v1/cart/cleanup-guest/{session}"
    parameters = {"guest_session_id": session}
    return {
        "rest_on_a_stage": rest("DELETE", path, resource=CLEANUP_TEMPLATE, parameters=parameters),
        "rest_custom_domain_with_base_path": rest(
            "DELETE", path, resource=CLEANUP_TEMPLATE, prefix="/carts", parameters=parameters
        ),
        "rest_stage_named_api": rest(
            "DELETE", path, resource=CLEANUP_TEMPLATE, stage="api", parameters=parameters
        ),
        "http_v1_named_stage": http_v1(
            "DELETE", path, stage="live", resource=CLEANUP_TEMPLATE, parameters=parameters
        ),
        "http_v2_named_stage": http_v2(
            "DELETE", path, stage="live", route_key=f"DELETE {CLEANUP_TEMPLATE}", parameters=parameters
        ),
        "http_v2_default_stage": http_v2(
            "DELETE", path, stage="$default", route_key=f"DELETE {CLEANUP_TEMPLATE}", parameters=parameters
        ),
    }


@pytest.mark.parametrize("shape", list(cleanup_shapes("guest-x")))
def test_cleanup_takes_the_session_from_the_path_parameters_of_every_shape(aws, shape):
    session = new_guest_session()
    seed_guest_cart(session, "store-1", (item("p1", 1),))

    result = invoke(cleanup_shapes(session)[shape])

    assert result.status == 200, result.body
    assert result.body["deleted_carts"] == 1


@pytest.mark.parametrize(
    "event",
    [
        rest("GET", "/api/v1/cart/nothing-here"),
        rest("GET", "/carts/api/v1/cart/all", resource="/carts/api/v1/cart/all"),
        http_v2("GET", "/prod", stage="prod"),
        http_v2("GET", "/api/v1/cart/nothing", stage="live", route_key="$default"),
        http_v1("POST", ALL, stage="live"),
    ],
    ids=[
        "unknown_resource",
        "base_path_inside_the_resource",
        "stage_root",
        "default_route_unknown_path",
        "wrong_method",
    ],
)
def test_what_api_gateway_did_not_match_to_a_route_is_404(monkeypatch, event):
    recorder = forbid_aws_calls(monkeypatch)

    result = invoke(event)

    assert result.status == 404
    assert recorder.calls == []
