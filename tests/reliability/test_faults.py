"""A fault at every DynamoDB call of a migration, for 1, 5, 25 and 60 stores: no cart lost or duplicated.

The unit tests' fault injection (`RecordingClient` hooks, `SimulatedCrash`), run at a larger scale
and with two more faults: for each migration size, a fault-free run counts the DynamoDB calls; then
each call in turn fails in each of six ways (three for 25 stores), the table is checked store by
store (each store is either untouched or wholly migrated: never half), the client retries, and the
result must equal the fault-free run exactly.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws

from cart_migration import clients
from tests.unit.conftest import create_tables
from tests.unit.support import (
    CUSTOMER_ID,
    item,
    migrate,
    record_dynamodb_calls,
    seed_customer_cart,
    seed_guest_cart,
    table_state,
)
from tests.unit.test_migration import SESSION, SimulatedCrash
from tests.unit.test_migration import fault as unit_fault

MODES = (
    "error_before",
    "throttle_before",
    "connection_lost_before",
    "timeout_after",
    "crash_before",
    "crash_after",
)
# For 25 stores (a slow size in moto), one fault of each kind of effect: refused before anything is
# written and answered; applied but the answer lost; applied and the function dies.
FAULTS_BY_SIZE = {1: MODES, 5: MODES, 25: ("error_before", "timeout_after", "crash_after")}

pytestmark = pytest.mark.usefixtures("lambda_env", "one_backup_per_table")


def fault(mode: str, at_call: int, fired: list):
    """The unit tests' faults, plus a throttle and a connection lost before the request is sent."""
    if mode in ("throttle_before", "connection_lost_before"):

        def before(operation, number, _params):
            if number == at_call:
                fired.append((operation, mode))
                if mode == "throttle_before":
                    raise ClientError(
                        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}},
                        operation,
                    )
                raise EndpointConnectionError(endpoint_url="https://dynamodb.ap-south-1.amazonaws.com")

        return {"before": before}
    hooks = unit_fault(mode, at_call)
    phase = "after" if mode.endswith("_after") else "before"

    def counted(operation, number, params):
        if number == at_call:
            fired.append((operation, mode))
        hooks[phase](operation, number, params)

    return {phase: counted}


def seed(stores: int) -> None:
    """A guest cart in each store; the customer already has a cart in every third store."""
    for index in range(stores):
        store = f"S{index:03d}"
        seed_guest_cart(SESSION, store, (item(f"p{index}", 1 + index % 3), item("shared", 2)))
        if index % 3 == 0:
            seed_customer_cart(CUSTOMER_ID, store, (item("shared", 1), item("own", 1)))


def request_body(stores: int) -> dict:
    """One store is migrated by name (the single-store path), more as a whole session."""
    return {"guest_session_id": SESSION, **({"store_id": "S000"} if stores == 1 else {})}


def reference(stores: int, monkeypatch) -> tuple[dict, dict, int]:
    """States before and after a fault-free migration, and how many DynamoDB calls it makes."""
    with mock_aws(), monkeypatch.context() as patch:
        create_tables(clients.dynamodb())
        seed(stores)
        initial = table_state()
        recorder = record_dynamodb_calls(patch)
        assert migrate("http_v2", request_body(stores)).body["status"] == "success"
        calls = len(recorder.calls)  # before table_state(), whose scan goes through the recorder too
        return initial, table_state(), calls


def store_outcomes(state: dict, initial: dict, final: dict, stores: int) -> tuple[int, int, int]:
    """(lost, duplicated, half-migrated) carts, store by store, of a state against the two allowed ones."""
    lost = duplicated = half = 0
    for index in range(stores):
        store = f"S{index:03d}"
        guest, customer = state.get((SESSION, store)), state.get((CUSTOMER_ID, store))
        untouched = guest == initial.get((SESSION, store)) and customer == initial.get((CUSTOMER_ID, store))
        migrated = guest is None and customer == final.get((CUSTOMER_ID, store))
        if untouched or migrated:
            continue
        expected = final[(CUSTOMER_ID, store)]
        held = dict(customer or {})
        for product, count in (guest or {}).items():
            held[product] = held.get(product, 0) + count
        if any(held.get(product, 0) < count for product, count in expected.items()):
            lost += 1
        elif held != expected or guest is not None:
            duplicated += 1
        else:
            half += 1
    return lost, duplicated, half


def test_a_fault_at_every_dynamodb_call_loses_and_duplicates_no_cart(monkeypatch, figure):
    row = figure(
        "fault_injection",
        "fault-injection points at DynamoDB calls",
        unit="points",
        scale="every DynamoDB call of a migration of 1 and 5 stores x 6 faults ("
        + ", ".join(MODES)
        + f"), of 25 stores x 3 ({', '.join(FAULTS_BY_SIZE[25])}); each followed by a retry",
    )
    row.count("carts lost", expected=0)
    row.count("carts duplicated", expected=0)
    row.count("stores half-migrated after the fault", expected=0)
    row.count("retries that did not converge", expected=0)
    row.count("5xx other than 503 (retry later)", expected=0)
    row.count("faults that fired", expected="all")
    calls_by_size = {}

    for stores, modes in FAULTS_BY_SIZE.items():
        initial, final, call_count = reference(stores, monkeypatch)
        calls_by_size[stores] = call_count
        for mode in modes:
            for at_call in range(1, call_count + 1):
                fired: list = []
                with mock_aws(), monkeypatch.context() as patch:
                    dynamodb = clients.dynamodb()
                    create_tables(dynamodb)
                    seed(stores)
                    record_dynamodb_calls(patch, **fault(mode, at_call, fired))
                    row.tried += 1
                    try:
                        faulted = migrate("http_v2", request_body(stores))
                        row.add("5xx other than 503 (retry later)", int(faulted.status not in (200, 503)))
                    except SimulatedCrash:
                        pass
                    row.add("faults that fired", int(bool(fired)))
                    after_fault = table_state(dynamodb)
                    lost, duplicated, half = store_outcomes(after_fault, initial, final, stores)

                    patch.undo()
                    retry = migrate("http_v2", request_body(stores))
                    after_retry = table_state()
                    retry_lost, retry_duplicated, _ = store_outcomes(after_retry, final, final, stores)
                    row.add("carts lost", lost + retry_lost)
                    row.add("carts duplicated", duplicated + retry_duplicated)
                    row.add("stores half-migrated after the fault", half)
                    row.add("retries that did not converge", int(after_retry != final or retry.status != 200))

    row.note(
        "DynamoDB calls per migration: " + ", ".join(f"{n} stores {c}" for n, c in calls_by_size.items())
    )
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"
    # The fault-free runs make the calls lambda_src/README.md documents (so every call was faulted).
    assert calls_by_size == {1: 3, 5: 4, 25: 4}, calls_by_size
