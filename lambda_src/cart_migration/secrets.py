"""The function's two secrets, read from SSM Parameter Store instead of plain environment variables.

A plain ``JWT_SECRET`` / ``LOG_HASH_KEY`` in the environment is readable by anyone allowed
``lambda:GetFunctionConfiguration``. Deployed by the module with ``jwt_secret_parameter`` /
``log_hash_key_parameter``, the function instead gets ``JWT_SECRET_PARAMETER`` /
``LOG_HASH_KEY_PARAMETER``: the name or ARN of a SecureString parameter, which is fetched and
decrypted at cold start and kept for ``SECRETS_MAX_AGE_SECONDS`` (300 by default) by the
Powertools Parameters cache, so a rotated value is picked up within minutes and a warm function
makes no SSM call per request. The value is placed where the rest of the code reads it (the
process environment of this sandbox only; the function configuration never holds it).

A failed refresh degrades instead of failing: when SSM does not answer (throttling, a timeout, a 5XX,
too little time left in the invocation), the last good value is served for up to
``SECRETS_STALE_MAX_SECONDS`` (900 by default) after the first failed refresh, with a warning line.
With no good value at hand, ``SecretsUnavailable`` makes the request answer 503 with Retry-After.
A parameter that is missing, not readable or not decryptable is a setting to fix, not a transient
condition: ``SecretParameterError``, and the function refuses to start. The SSM client is the
deadline-bound client of clients.py: its timeouts and attempts fit in the invocation's time.

A plain value still works for local use (the local runtime, the unit tests): without a
``*_PARAMETER`` variable nothing is fetched and Powertools' Parameters utility is not imported.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, MutableMapping

from .event_log import log_operational

SECRET_NAMES = ("JWT_SECRET", "LOG_HASH_KEY")
PARAMETER_SUFFIX = "_PARAMETER"
MAX_AGE_ENV = "SECRETS_MAX_AGE_SECONDS"
DEFAULT_MAX_AGE_SECONDS = 300
STALE_MAX_AGE_ENV = "SECRETS_STALE_MAX_SECONDS"
# Rides out an SSM brownout, while a secret that was rotated out is not trusted for long.
DEFAULT_STALE_MAX_SECONDS = 900
RETRY_AFTER_SECONDS = 5
# Errors that say the setting is wrong (fix the parameter, its policy or its key), not that SSM is
# unwell: retrying does not help, so they are configuration errors.
PERMANENT_ERROR_CODES = frozenset(
    {
        "ParameterNotFound",
        "ParameterVersionNotFound",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "ValidationException",
        "InvalidKeyId",
        "KMSAccessDeniedException",
        "KMSDisabledException",
        "KMSInvalidStateException",
        "KMSNotFoundException",
    }
)


class SecretParameterError(Exception):
    """A secret's parameter is configured but cannot be read (missing, no access, not decryptable)."""


class SecretsUnavailable(Exception):
    """SSM did not answer and there is no good value to serve: answer 503, retry later."""

    retry_after_seconds = RETRY_AFTER_SECONDS


class _LastGood:
    __slots__ = ("value", "failing_since")

    def __init__(self, value: str) -> None:
        self.value = value
        self.failing_since: float | None = None


# Per parameter: the last value read, and since when its refreshes fail (None while they succeed).
_last_good: dict[str, _LastGood] = {}


def forget_last_good() -> None:
    """Drop the values kept for failed refreshes (tests, or after a deliberate rotation)."""
    _last_good.clear()


def parameter_variable(secret_name: str) -> str:
    """Environment variable that names the parameter holding ``secret_name``."""
    return secret_name + PARAMETER_SUFFIX


def _seconds_setting(environ: MutableMapping[str, str], name: str, default: int) -> int:
    """A whole, non-negative number of seconds from the environment, or its default."""
    raw = environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise SecretParameterError(f"{name} must be a whole number of seconds") from None
    if value < 0:
        raise SecretParameterError(f"{name} must not be negative")
    return value


def _is_permanent(error: BaseException | None) -> bool:
    # A botocore ClientError, read by its shape: this module is imported without the SDK (auth's
    # checks run from the bare zip) and only needs it when a parameter is configured.
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in PERMANENT_ERROR_CODES


def _ssm_provider() -> object:
    """Powertools' default SSM provider, on the deadline-bound client (made once, or again after
    ``parameters_base.DEFAULT_PROVIDERS`` was cleared)."""
    from aws_lambda_powertools.utilities.parameters import base
    from aws_lambda_powertools.utilities.parameters.ssm import SSMProvider

    from . import clients

    provider = base.DEFAULT_PROVIDERS.get("ssm")
    if provider is None:
        provider = base.DEFAULT_PROVIDERS["ssm"] = SSMProvider(boto3_client=clients.ssm())
    return provider


def fetch_parameter(
    name_or_arn: str,
    max_age: int,
    stale_max_age: int = DEFAULT_STALE_MAX_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Decrypted value of a SecureString parameter, through Powertools' cache."""
    # Imported here: a function deployed with plain values never pays for the import.
    from aws_lambda_powertools.utilities import parameters

    _ssm_provider()
    try:
        value = parameters.get_parameter(name_or_arn, decrypt=True, max_age=max_age)
    except parameters.GetParameterError as error:
        # Powertools wraps the SDK's error; the original is the one raised inside its handler.
        cause = error.__cause__ or error.__context__
        if _is_permanent(cause):
            # The parameter's name is configuration, not a secret: it helps the operator.
            raise SecretParameterError(f"cannot read parameter {name_or_arn}: {error}") from None
        return _serve_last_good(name_or_arn, error, stale_max_age, clock)
    if not isinstance(value, str) or not value:
        raise SecretParameterError(f"parameter {name_or_arn} is empty")
    _last_good[name_or_arn] = _LastGood(value)
    return value


def _serve_last_good(
    name_or_arn: str, error: Exception, stale_max_age: int, clock: Callable[[], float]
) -> str:
    kept = _last_good.get(name_or_arn)
    now = clock()
    if kept is not None:
        if kept.failing_since is None:
            kept.failing_since = now
        stale_for = now - kept.failing_since
        if stale_for <= stale_max_age:
            log_operational(
                "WARNING",
                "Secret refresh failed; serving the last good value",
                parameter=name_or_arn,
                failing_for_seconds=round(stale_for, 3),
                stale_max_seconds=stale_max_age,
                error_message=str(error)[:300],
            )
            return kept.value
    raise SecretsUnavailable(
        f"cannot read parameter {name_or_arn} and no good value is at hand "
        f"(a failed refresh serves the last one for {STALE_MAX_AGE_ENV}={stale_max_age} s): {error}"[:500]
    ) from None


def load_secret_parameters(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Resolve every ``<SECRET>_PARAMETER`` into ``<SECRET>``; return the names resolved.

    Cheap on a warm function: Powertools answers from its cache until max_age has passed.
    """
    environ = os.environ if environ is None else environ
    resolved = []
    for secret_name in SECRET_NAMES:
        parameter = environ.get(parameter_variable(secret_name))
        if parameter:
            environ[secret_name] = fetch_parameter(
                parameter,
                _seconds_setting(environ, MAX_AGE_ENV, DEFAULT_MAX_AGE_SECONDS),
                _seconds_setting(environ, STALE_MAX_AGE_ENV, DEFAULT_STALE_MAX_SECONDS),
            )
            resolved.append(secret_name)
    return resolved
