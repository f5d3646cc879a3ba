"""API Gateway's own answers (gateway responses) with the headers the API's gateway responses map.

LocalStack's REST API runtime answers an error it raises itself (a missing route, a function that
cannot be invoked, throttling) with the gateway response of that type, or the API's DEFAULT_4XX or
DEFAULT_5XX, but applies only its status code: its `responseParameters` are left out. AWS adds
every `gatewayresponse.header.<name>` they map, from a static `'value'`, a request header, path or
query string parameter (`method.request.header.<name>`...), a stage variable or a `$context`
variable, and leaves a header out when its source is absent:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html
The module's CORS headers on those answers (modules/api_gateway) depend on it.
"""

from __future__ import annotations

import logging

LOG = logging.getLogger(__name__)

HEADER_PREFIX = "gatewayresponse.header."


def mapped_headers(response_parameters: dict[str, str] | None, context) -> dict[str, str]:
    """The headers a gateway response's `responseParameters` give for this invocation."""
    from localstack.services.apigateway.next_gen.execute_api.header_utils import build_multi_value_headers
    from localstack.services.apigateway.next_gen.execute_api.parameters_mapping import ParametersMapper

    mapper = ParametersMapper()
    request = getattr(context, "invocation_request", None) or {}
    headers: dict[str, str] = {}
    for target, source in (response_parameters or {}).items():
        if not target.startswith(HEADER_PREFIX) or not isinstance(source, str):
            continue  # path and querystring targets mean nothing on an answer
        try:
            if source.startswith("method.request."):
                if not request:
                    continue
                value = mapper._retrieve_parameter_from_invocation_request(
                    source.removeprefix("method.request."),
                    request,
                    build_multi_value_headers(request.get("headers") or {}),
                )
            else:
                value = mapper._retrieve_parameter_from_variables_and_static(
                    mapping_value=source,
                    context_variables=getattr(context, "context_variables", None) or {},
                    stage_variables=getattr(context, "stage_variables", None) or {},
                )
        except Exception as error:  # a mapping that cannot be read leaves its header out, as on AWS
            LOG.debug("gateway response mapping %s from %s: %s", target, source, error)
            continue
        if isinstance(value, list):
            value = value[-1] if value else None
        if value:
            headers[target.removeprefix(HEADER_PREFIX)] = value
    return headers


def install() -> None:
    from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
        get_gateway_response_or_default,
    )
    from localstack.services.apigateway.next_gen.execute_api.handlers.gateway_exception import (
        GatewayExceptionHandler,
    )

    original = GatewayExceptionHandler.create_exception_response
    if getattr(original, "cartmon_maps_headers", False):
        return

    def create_exception_response(self, exception, context):
        response = original(self, exception, context)
        if response is None:
            return response
        gateway_response = get_gateway_response_or_default(
            exception.type, context.deployment.rest_api.gateway_responses
        )
        for name, value in mapped_headers(gateway_response.get("responseParameters"), context).items():
            response.headers[name] = value
        return response

    create_exception_response.cartmon_maps_headers = True  # type: ignore[attr-defined]
    GatewayExceptionHandler.create_exception_response = create_exception_response
