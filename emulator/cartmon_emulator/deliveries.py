"""Invocations the emulator accepts but cannot carry out itself, kept for the local runtime and tests.

AWS accepts a subscription filter to a Lambda function and an alarm action that invokes a Lambda
function (or stops an EC2 instance, opens an OpsItem, ...). The emulator runs no function, so it
does not refuse those calls (a user's configuration must apply as it does on AWS): it records each
invocation AWS would make, with the event AWS would send, here.

The hook, for a harness that runs functions locally (``cartmon.local.runtime.LocalLambda``):

* ``GET  /_cartmon/deliveries[?targetArn=ARN]`` lists the pending invocations, oldest first;
* ``POST /_cartmon/deliveries/take {"targetArn": ARN}`` returns them and forgets them, so each is
  handed to one runtime once.

Each entry is ``{"id", "source", "targetArn", "sourceArn", "time", "event"}``: ``source`` is
``logs-subscription`` (``event`` is CloudWatch Logs' ``{"awslogs": {"data": base64 gzip JSON}}``)
or ``cloudwatch-alarm`` (``event`` is the alarm state-change event CloudWatch sends to Lambda, or
``None`` for actions that are not invocations). Nothing is an error: a test reads what would have
been delivered.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from localstack.http import Request, Response

from cartmon_emulator.clock import CLOCK

DELIVERIES_PATH = "/_cartmon/deliveries"
MAX_PENDING = 10_000  # oldest dropped past this, so an emulator nobody drains cannot grow without end

_lock = threading.Lock()
_pending: list[dict[str, Any]] = []
_ids = itertools.count(1)


def record(source: str, target_arn: str, source_arn: str, event: Any) -> None:
    with _lock:
        _pending.append(
            {
                "id": next(_ids),
                "source": source,
                "targetArn": target_arn,
                "sourceArn": source_arn,
                "time": CLOCK.now(),
                "event": event,
            }
        )
        del _pending[: max(0, len(_pending) - MAX_PENDING)]


def pending(target_arn: str | None = None) -> list[dict[str, Any]]:
    with _lock:
        return [dict(d) for d in _pending if target_arn is None or d["targetArn"] == target_arn]


def take(target_arn: str) -> list[dict[str, Any]]:
    with _lock:
        taken = [d for d in _pending if d["targetArn"] == target_arn]
        _pending[:] = [d for d in _pending if d["targetArn"] != target_arn]
    return taken


def _list_endpoint(request: Request) -> Response:
    return Response.for_json({"deliveries": pending(request.args.get("targetArn") or None)})


def _take_endpoint(request: Request) -> Response:
    body = request.get_json(force=True, silent=True) or {}
    target = body.get("targetArn")
    if not isinstance(target, str) or not target:
        return Response.for_json({"message": "targetArn is required"}, status=400)
    return Response.for_json({"deliveries": take(target)})


def install_routes() -> None:
    from localstack.services.edge import ROUTER

    ROUTER.add(DELIVERIES_PATH, _list_endpoint, methods=["GET"])
    ROUTER.add(f"{DELIVERIES_PATH}/take", _take_endpoint, methods=["POST"])
