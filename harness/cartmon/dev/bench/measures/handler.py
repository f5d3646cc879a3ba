"""Wall and CPU time of the four operations through `lambda_handler`, beside the guide's targets."""

from __future__ import annotations

import statistics
from typing import Any

from cartmon.dev.bench.fixtures import Bench, Invocation, new_customer, new_session
from cartmon.dev.bench.settings import (
    OPERATIONS,
    Settings,
)
from cartmon.dev.bench.stats import summarize

SCENARIOS = {
    "migrate_single_store": "1 store x 5 items into an existing customer cart (merge)",
    "migrate_multi_store": "3 stores x 5 items into existing customer carts (merge)",
    "get_all_carts": "a customer with 5 carts x 5 items",
    "cleanup_guest_cart": "a guest session with 2 carts x 5 items",
}


def measure_handler(bench: Bench, settings: Settings) -> dict[str, Any]:
    from cart_migration.catalogue import OPERATIONS as CATALOGUE_OPERATIONS

    bench.purge()
    results = []
    for operation in OPERATIONS:
        customer = new_customer(operation.replace("_", "-"))
        token = bench.token(customer)
        if operation == "migrate_single_store":
            bench.seed(None, customer, 1, 5)
        elif operation == "migrate_multi_store":
            bench.seed(None, customer, 3, 5)
        elif operation == "get_all_carts":
            bench.seed(None, customer, 5, 5)

        def prepared_event(operation: str = operation, customer: str = customer, token: str = token):
            session = new_session()
            if operation == "migrate_single_store":
                bench.seed(session, None, 1, 5)
                return bench.event(operation, token, session, "store-000"), 1
            if operation == "migrate_multi_store":
                bench.seed(session, None, 3, 5)
                return bench.event(operation, token, session), 3
            if operation == "cleanup_guest_cart":
                bench.seed(session, None, 2, 5)
                return bench.event(operation, token, session), 2
            return bench.event(operation, token), 5

        calls: list[Invocation] = []
        for index in range(settings.warmup + settings.calls):
            event, expected = prepared_event()
            call = bench.invoke(event)
            body = call.body
            done = body.get("migrated_carts", body.get("total_carts", body.get("deleted_carts")))
            if call.status != 200 or done != expected:
                raise RuntimeError(f"{operation} answered {call.status}: {body}")
            if index >= settings.warmup:
                calls.append(call)

        spec = CATALOGUE_OPERATIONS[operation]
        cpu = [call.cpu * 1000 for call in calls]
        send_cpu = [call.aws.send_cpu * 1000 for call in calls]
        call_cpu = [call.aws.call_cpu * 1000 for call in calls]
        results.append(
            {
                "operation": operation,
                "label": spec.label,
                "scenario": SCENARIOS[operation],
                "target_ms": spec.target_ms,
                "acceptable_ms": spec.acceptable_ms,
                "alert_ms": spec.alert_ms,
                "wall_ms": summarize([call.wall * 1000 for call in calls]),
                "aws_wall_ms": summarize([call.aws.call_wall * 1000 for call in calls]),
                "own_wall_ms": summarize([(call.wall - call.aws.call_wall) * 1000 for call in calls]),
                "cpu_ms": summarize(cpu),
                "send_cpu_ms": summarize(send_cpu),
                "cpu_excluding_send_ms": summarize([c - s for c, s in zip(cpu, send_cpu, strict=True)]),
                "cpu_excluding_aws_ms": summarize([c - a for c, a in zip(cpu, call_cpu, strict=True)]),
                "aws_calls": statistics.fmean(call.aws.count() for call in calls),
                "round_trips": statistics.fmean(call.aws.round_trips() for call in calls),
                "round_trips_range": [
                    min(call.aws.round_trips() for call in calls),
                    max(call.aws.round_trips() for call in calls),
                ],
                "log_lines": statistics.fmean(call.log_lines for call in calls),
            }
        )
    return {"calls": settings.calls, "warmup": settings.warmup, "operations": results}
