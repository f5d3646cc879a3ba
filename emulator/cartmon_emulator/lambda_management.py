"""Lambda function management served by moto (create, get, update, delete; no invocation).

LocalStack keeps IAM roles in its own store while moto's Lambda checks the execution role in
moto's IAM backend, so a role is mirrored into moto's backend just before a function uses it.
moto drops ``KMSKeyArn`` (the key that encrypts the function's environment variables) and
``LoggingConfig`` (log format, levels and group); both are kept here and returned by
GetFunction/GetFunctionConfiguration, as Lambda does, so a stack that sets them plans clean.
Lambda's defaults for ``LoggingConfig``: format Text, group ``/aws/lambda/<name>``; with JSON, both
levels INFO (https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html).
"""

import json

from localstack.aws.api import RequestContext, handler
from localstack.aws.api.lambda_ import InvalidParameterValueException, LambdaApi
from localstack.aws.connect import connect_to
from localstack.services.moto import call_moto
from localstack.services.plugins import ServiceLifecycleHook
from localstack.state import StateVisitor
from moto.awslambda.models import LambdaFunction

_moto_init = LambdaFunction.__init__
_moto_get_configuration = LambdaFunction.get_configuration
_moto_update_configuration = LambdaFunction.update_configuration


def logging_config(function_name: str, given: dict | None) -> dict:
    """The LoggingConfig Lambda keeps: the given fields over its defaults."""
    config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}", **(given or {})}
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:  # the levels apply to JSON logs only
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def _init_keeping_kms_key(self, account_id, spec, region, version=1):
    _moto_init(self, account_id, spec, region, version)
    self.kms_key_arn = spec.get("KMSKeyArn") or None
    self.logging_config = logging_config(spec.get("FunctionName", ""), spec.get("LoggingConfig"))


def _configuration_with_kms_key(self, *args, **kwargs):
    configuration = _moto_get_configuration(self, *args, **kwargs)
    if getattr(self, "kms_key_arn", None):
        configuration["KMSKeyArn"] = self.kms_key_arn
    if getattr(self, "logging_config", None):
        configuration["LoggingConfig"] = self.logging_config
    return configuration


def _update_keeping_kms_key(self, config_updates):
    if "KMSKeyArn" in config_updates:
        # an empty string removes the customer managed key (Lambda falls back to its own key)
        self.kms_key_arn = config_updates["KMSKeyArn"] or None
    if "LoggingConfig" in config_updates:
        current = {k: v for k, v in (getattr(self, "logging_config", None) or {}).items()}
        self.logging_config = logging_config(
            self.function_name, {**current, **config_updates["LoggingConfig"]}
        )
    return _moto_update_configuration(self, config_updates)


LambdaFunction.__init__ = _init_keeping_kms_key
LambdaFunction.get_configuration = _configuration_with_kms_key
LambdaFunction.update_configuration = _update_keeping_kms_key


def _mirror_role_into_moto(context: RequestContext, role_arn: str) -> None:
    from moto.iam.models import iam_backends

    role_name = role_arn.rsplit("/", 1)[-1]
    iam = connect_to(aws_access_key_id=context.account_id, region_name=context.region).iam
    try:
        role = iam.get_role(RoleName=role_name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        raise InvalidParameterValueException(
            "The role defined for the function cannot be assumed by Lambda."
        ) from None
    if role["Arn"] != role_arn:
        raise InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")
    moto_iam = iam_backends[context.account_id]["aws"]
    if any(existing.arn == role_arn for existing in moto_iam.roles.values()):
        return
    moto_iam.create_role(
        role_name=role["RoleName"],
        assume_role_policy_document=json.dumps(role.get("AssumeRolePolicyDocument", {})),
        path=role.get("Path", "/"),
        permissions_boundary=None,
        description=role.get("Description", ""),
        tags=[],
        max_session_duration=str(role.get("MaxSessionDuration", 3600)),
    )


class MotoLambdaProvider(LambdaApi, ServiceLifecycleHook):
    def accept_state_visitor(self, visitor: StateVisitor):
        from moto.awslambda.models import lambda_backends

        visitor.visit(lambda_backends)

    @handler("CreateFunction", expand=False)
    def create_function(self, context: RequestContext, request):
        _mirror_role_into_moto(context, request["Role"])
        return call_moto(context)

    @handler("UpdateFunctionConfiguration", expand=False)
    def update_function_configuration(self, context: RequestContext, request):
        if request.get("Role"):
            _mirror_role_into_moto(context, request["Role"])
        return call_moto(context)

    @handler("Invoke", expand=False)
    def invoke(self, context: RequestContext, request):
        """A function whose runtime a harness serves runs there (``runtimes``); any other goes to moto."""
        from cartmon_emulator import runtimes

        url = runtimes.runtime_url(request["FunctionName"])
        if url is None or request.get("InvocationType", "RequestResponse") != "RequestResponse":
            return call_moto(context)
        event = request.get("Payload") or b"{}"
        if hasattr(event, "read"):  # the parsed request may hold the blob as a stream
            event = event.read()
        if isinstance(event, str):
            event = event.encode("utf-8")
        payload, function_error = runtimes.invoke(url, event)
        response = {"StatusCode": 200, "Payload": payload, "ExecutedVersion": "$LATEST"}
        if function_error:
            response["FunctionError"] = function_error
        return response
