"""AWS clients, created once per container and reused across invocations."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Short timeouts: API Gateway gives up after 29 s, and the migration targets are sub-second.
_DYNAMODB_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
# The audit write must not hold a migration response hostage.
_LOGS_CONFIG = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2})


@cache
def _client(service: str) -> Any:
    return boto3.client(service, config=_LOGS_CONFIG if service == "logs" else _DYNAMODB_CONFIG)


def dynamodb() -> Any:
    return _client("dynamodb")


def logs() -> Any:
    return _client("logs")


def reset() -> None:
    """Forget the cached clients, e.g. after the AWS endpoint or credentials in the environment changed."""
    _client.cache_clear()
