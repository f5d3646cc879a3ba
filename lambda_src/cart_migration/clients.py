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
        # total_max_attempts counts the first attempt too (max_attempts would count retries only).
        retries={"mode": "standard", "total_max_attempts": limits.attempts},
    )
    return boto3.client(service, config=config)


_UNBOUNDED_ATTRIBUTES = frozenset({"meta", "exceptions", "get_paginator", "get_waiter", "can_paginate"})


class DeadlineBoundClient:
    """Stands for a boto3 client; each API call goes to a client sized for the time left."""

    def __init__(self, service: str) -> None:
        self.service = service

    @property
    def unbounded(self) -> Any:
        """The client with the longest limits (for attributes such as ``meta`` and ``exceptions``)."""
        return _sized_client(self.service, deadline.UNBOUNDED.within(SERVICE_CAPS.get(self.service)))

    def __getattr__(self, name: str) -> Any:
        # Paginators and waiters make several calls: they keep the client of their creation.
        if name.startswith("_") or name in _UNBOUNDED_ATTRIBUTES:
            return getattr(self.unbounded, name)

        def bounded_call(**params: Any) -> Any:
            # Raises DeadlineExceeded when no attempt fits: the call is not made.
            limits = self._limits(name)
            client = _sized_client(self.service, limits)
            # The first client of a service takes a while to build (its model is loaded): the
            # limits are taken again after it, from the time then left (a second build is quick).
            again = self._limits(name)
            if again != limits:
                client = _sized_client(self.service, again)
            return getattr(client, name)(**params)

        return bounded_call

    def _limits(self, operation: str) -> CallLimits:
        return deadline.limits_for(self.service, operation).within(SERVICE_CAPS.get(self.service))


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
