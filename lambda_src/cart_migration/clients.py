"""AWS clients, created once per container and reused across invocations.

Each client is a ``DeadlineBoundClient``: every API call made through it runs on a botocore client
whose connect/read timeouts and attempts fit in the time the invocation has left (deadline.py), so
a stalled dependency cannot carry a request past the function's timeout. Clients of the few
distinct limits ever used are built once and kept.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from . import deadline
from .deadline import CallLimits


# The audit write must not hold a migration response hostage: shorter limits than DynamoDB's.
SERVICE_CAPS = {"logs": CallLimits(connect_timeout=1.0, read_timeout=2.0, attempts=2)}


@cache
def _sized_client(service: str, limits: CallLimits) -> Any:
    config = Config(
        connect_timeout=limits.connect_timeout,
        read_timeout=limits.read_timeout,
        retries={"mode": "standard", "max_attempts": limits.attempts},
    )
    return boto3.client(service, config=config)


class DeadlineBoundClient:
    """Stands for a boto3 client; each API call goes to a client sized for the time left."""

    def __init__(self, service: str) -> None:
        self.service = service

    @property
    def unbounded(self) -> Any:
        """The client with the longest limits (for attributes such as ``meta`` and ``exceptions``)."""
        return _sized_client(self.service, deadline.UNBOUNDED.within(SERVICE_CAPS.get(self.service)))

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.unbounded, name)
        if name.startswith("_") or name in {"meta", "exceptions"} or not callable(attribute):
            return attribute
        # Paginators and waiters make several calls: they keep the client of their creation.
        if name in {"get_paginator", "get_waiter", "can_paginate"}:
            return attribute

        def bounded_call(*args: Any, **params: Any) -> Any:
            # Raises DeadlineExceeded when no attempt fits: the call is not made.
            limits = deadline.limits_for(self.service, name).within(SERVICE_CAPS.get(self.service))
            return getattr(_sized_client(self.service, limits), name)(*args, **params)

        return bounded_call


@cache
def _client(service: str) -> DeadlineBoundClient:
    return DeadlineBoundClient(service)


def dynamodb() -> Any:
    return _client("dynamodb")


def logs() -> Any:
    return _client("logs")


def ssm() -> Any:
    return _client("ssm")


def reset() -> None:
    """Forget the cached clients, e.g. after the AWS endpoint or credentials in the environment changed."""
    _client.cache_clear()
    _sized_client.cache_clear()
