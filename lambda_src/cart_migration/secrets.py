"""The function's two secrets, read from SSM Parameter Store instead of plain environment variables.

A plain ``JWT_SECRET`` / ``LOG_HASH_KEY`` in the environment is readable by anyone allowed
``lambda:GetFunctionConfiguration``. Deployed by the module with ``jwt_secret_parameter`` /
``log_hash_key_parameter``, the function instead gets ``JWT_SECRET_PARAMETER`` /
``LOG_HASH_KEY_PARAMETER``: the name or ARN of a SecureString parameter, which is fetched and
decrypted at cold start and kept for ``SECRETS_MAX_AGE_SECONDS`` (300 by default) by the
Powertools Parameters cache, so a rotated value is picked up within minutes and a warm function
makes no SSM call per request. The value is placed where the rest of the code reads it (the
process environment of this sandbox only; the function configuration never holds it).

A plain value still works for local use (the local runtime, the unit tests): without a
``*_PARAMETER`` variable nothing is fetched and Powertools' Parameters utility is not imported.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

SECRET_NAMES = ("JWT_SECRET", "LOG_HASH_KEY")
PARAMETER_SUFFIX = "_PARAMETER"
MAX_AGE_ENV = "SECRETS_MAX_AGE_SECONDS"
DEFAULT_MAX_AGE_SECONDS = 300


class SecretParameterError(Exception):
    """A secret's parameter is configured but cannot be read (missing, no access, not decryptable)."""


def parameter_variable(secret_name: str) -> str:
    """Environment variable that names the parameter holding ``secret_name``."""
    return secret_name + PARAMETER_SUFFIX


def _max_age(environ: MutableMapping[str, str]) -> int:
    raw = environ.get(MAX_AGE_ENV, "")
    try:
        value = int(raw) if raw else DEFAULT_MAX_AGE_SECONDS
    except ValueError:
        raise SecretParameterError(f"{MAX_AGE_ENV} must be a whole number of seconds") from None
    if value < 0:
        raise SecretParameterError(f"{MAX_AGE_ENV} must not be negative")
    return value


def fetch_parameter(name_or_arn: str, max_age: int) -> str:
    """Decrypted value of a SecureString parameter, through Powertools' cache."""
    # Imported here: a function deployed with plain values never pays for the import.
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_parameter(name_or_arn, decrypt=True, max_age=max_age)
    except parameters.GetParameterError as error:
        # The parameter's name is configuration, not a secret: it helps the operator.
        raise SecretParameterError(f"cannot read parameter {name_or_arn}: {error}") from None
    if not isinstance(value, str) or not value:
        raise SecretParameterError(f"parameter {name_or_arn} is empty")
    return value


def load_secret_parameters(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Resolve every ``<SECRET>_PARAMETER`` into ``<SECRET>``; return the names resolved.

    Cheap on a warm function: Powertools answers from its cache until max_age has passed.
    """
    environ = os.environ if environ is None else environ
    resolved = []
    for secret_name in SECRET_NAMES:
        parameter = environ.get(parameter_variable(secret_name))
        if parameter:
            environ[secret_name] = fetch_parameter(parameter, _max_age(environ))
            resolved.append(secret_name)
    return resolved
