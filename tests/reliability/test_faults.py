"""A fault at every DynamoDB call of a migration, for 1, 5 and 25 stores: no cart lost or duplicated,
and the answer, the events, the audit entry and the stored carts tell one story.

The unit tests' fault injection (`RecordingClient` hooks, `SimulatedCrash`), run at a larger scale
and with more faults: for each migration size, a fault-free run counts the DynamoDB calls; then
each call in turn fails in each of nine ways (three for 25 stores): errors, throttling (inside a
transaction as a cancellation reason), answers lost before or after DynamoDB applied the request,
crashes. The table is checked store by store (each store is either untouched or wholly migrated:
never half), the answer against the table (a 503 "nothing migrated" must mean nothing changed; a
commit whose answer was lost must be answered as the success it was), the client retries, and the
result must equal the fault-free run exactly. A second test raises an exception nobody expects at
every call: each migration must still end in exactly one outcome event and an audit entry that
says what happened.
"""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws

from cart_migration import clients
from cart_migration.storage import from_item, item_size, to_item
from tests.unit.conftest import create_tables
from tests.unit.support import (
    CARTS_TABLE,
    CUSTOMER_ID,
    disagreements,
    item,
    make_token,
    migrate,
    record_dynamodb_calls,
    seed_customer_cart,
    seed_guest_cart,
    seed_raw_cart,
    stored_cart,
    table_state,
    terminal_events,
    try_migrate,
)
from tests.unit.test_migration import SESSION, SimulatedCrash
from tests.unit.test_migration import fault as unit_fault
from tests.unit.test_size_limits import bulky_line

MODES = (
    "error_before",
    "throttle_before",
    "throttle_in_transaction_before",
    "connection_lost_before",
    "timeout_before",
    "timeout_after",
    "reset_after",
    "crash_before",
    "crash_after",
)
# For 25 stores (a slow size in moto), one fault of each kind of effect: refused before anything is
# written and answered; applied but the answer lost; applied and the function dies.
FAULTS_BY_SIZE = {1: MODES, 5: MODES, 25: ("error_before", "timeout_after", "crash_after")}

_sizes = random.Random(13)  # fixed: the same sessions every run
SIZE_SESSIONS = [
    [
        (_sizes.choice([1, 150, 210, 300]), _sizes.choice([0, 0, 1, 150, 210]))
        for _ in range(_sizes.randint(8, 14))
    ]
    for _ in range(4)
]

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = [
    pytest.mark.usefixtures("lambda_env", "one_backup_per_table"),
    pytest.mark.xdist_group("reliability"),
]


# The unit tests' faults, by the names they have there.
UNIT_MODES = {
    "throttle_in_transaction_before": "throttle_before",
    "timeout_before": "timeout_before",
    "error_before": "error_before",
    "timeout_after": "timeout_after",
    "reset_after": "reset_after",
    "crash_before": "crash_before",
    "crash_after": "crash_after",
}


def fault(mode: str, at_call: int, fired: list):
    """The unit tests' faults, plus a plain throttling error and a connection lost before sending."""
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
    unit_mode = UNIT_MODES[mode]
    hooks = unit_fault(unit_mode, at_call)
    phase = "after" if unit_mode.endswith("_after") else "before"

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
        scale=f"every DynamoDB call of a migration of 1 and 5 stores x {len(MODES)} faults ("
        + ", ".join(MODES)
        + f"), of 25 stores x 3 ({', '.join(FAULTS_BY_SIZE[25])}); each followed by a retry",
    )
    row.count("carts lost", expected=0)
    row.count("carts duplicated", expected=0)
    row.count("stores half-migrated after the fault", expected=0)
    row.count("retries that did not converge", expected=0)
    row.count("5xx other than 503 (retry later)", expected=0)
    row.count("faults that fired", expected="all")
    row.count("answers, events, audit and carts that disagree", expected=0)
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
                        faulted = try_migrate("http_v2", request_body(stores))
                        status = faulted.answer.status if faulted.answer else 502
                        row.add("5xx other than 503 (retry later)", int(status not in (200, 503)))
                    except SimulatedCrash:
                        faulted = None  # a dead container answers nothing and logs nothing
                    row.add("faults that fired", int(bool(fired)))
                    after_fault = table_state(dynamodb)
                    lost, duplicated, half = store_outcomes(after_fault, initial, final, stores)
                    if faulted is not None:
                        problems = disagreements(faulted, after_fault, initial, final)
                        row.add("answers, events, audit and carts that disagree", int(bool(problems)))
                        if problems:
                            row.note(f"{stores} stores, {mode} at call {at_call}: {'; '.join(problems)}")

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


class UnexpectedSdkError(Exception):
    """An exception no code path expects (neither a ClientError nor a BotoCoreError)."""


def test_an_unexpected_exception_at_every_dynamodb_call_is_counted_once_and_audited_truly(
    monkeypatch, figure
):
    row = figure(
        "unexpected_exceptions",
        "unexpected exceptions at DynamoDB calls",
        unit="points",
        scale="every DynamoDB call of a migration of 1 and 5 stores, before and after the call is "
        "applied, raises an exception of no known kind; each followed by a retry",
    )
    row.count("migrations without exactly one outcome event", expected=0)
    row.count("audit entries that disagree with the carts", expected=0)
    row.count("unexpected exceptions neither raised nor found harmless", expected=0)
    row.count("confirmed commits whose exception left no dynamo_error", expected=0)
    row.count("carts lost", expected=0)
    row.count("carts duplicated", expected=0)
    row.count("retries that did not converge", expected=0)

    for stores in (1, 5):
        initial, final, call_count = reference(stores, monkeypatch)
        for phase in ("before", "after"):
            for at_call in range(1, call_count + 1):
                with mock_aws(), monkeypatch.context() as patch:
                    dynamodb = clients.dynamodb()
                    create_tables(dynamodb)
                    seed(stores)

                    def explode(operation, number, _params, at_call=at_call):
                        if number == at_call:
                            raise UnexpectedSdkError(f"{operation} went wrong for priya@example.com")

                    record_dynamodb_calls(patch, **{phase: explode})
                    row.tried += 1
                    outcome = try_migrate("http_v2", request_body(stores))
                    after_fault = table_state(dynamodb)
                    started = "migration_start" in outcome.lines.event_types
                    if started:
                        row.add(
                            "migrations without exactly one outcome event",
                            int(len(terminal_events(outcome.lines)) != 1),
                        )
                        problems = disagreements(outcome, after_fault, initial, final)
                        row.add("audit entries that disagree with the carts", int(bool(problems)))
                    # Raised, unless the re-read showed the transaction had committed: then the
                    # answer is the success it was (the exception is still a dynamo_error event).
                    confirmed = (
                        outcome.answer is not None and outcome.answer.status == 200 and after_fault == final
                    )
                    row.add(
                        "unexpected exceptions neither raised nor found harmless",
                        int(outcome.error is None and not confirmed),
                    )
                    if outcome.error is None:
                        row.note(
                            f"{stores} stores, {phase} call {at_call}: committed, confirmed by re-reading"
                        )
                        row.add(
                            "confirmed commits whose exception left no dynamo_error",
                            int(not outcome.lines.of_type("dynamo_error")),
                        )
                    lost, duplicated, _ = store_outcomes(after_fault, initial, final, stores)

                    patch.undo()
                    retry = migrate("http_v2", request_body(stores))
                    after_retry = table_state()
                    retry_lost, retry_duplicated, _ = store_outcomes(after_retry, final, final, stores)
                    row.add("carts lost", lost + retry_lost)
                    row.add("carts duplicated", duplicated + retry_duplicated)
                    row.add("retries that did not converge", int(after_retry != final or retry.status != 200))

    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"


def test_carts_near_dynamodbs_size_limits_migrate_or_fail_alone(aws, figure, monkeypatch):
    row = figure(
        "size_limits",
        "stores near DynamoDB's size limits",
        unit="stores",
        scale=f"{len(SIZE_SESSIONS)} sessions of 8-14 stores whose guest and customer carts are 1-300 KB each "
        "(so that merged carts straddle the 400 KB item limit and sessions the 4 MB transaction limit)",
    )
    row.count("stores neither migrated nor failed alone as cart_too_large", expected=0)
    row.count("carts changed by a store that failed", expected=0)
    row.count("transactions over 100 actions or 4 MB", expected=0)
    row.count("migrations not answered 200", expected=0)
    transactions: list[tuple[int, int]] = []

    def measure(operation, _number, params):
        if operation == "transact_write_items":
            size = 0
            for action in params["TransactItems"]:
                if "Put" in action:
                    size += item_size(from_item(action["Put"]["Item"]))
                else:
                    key = from_item(next(iter(action.values()))["Key"])
                    found = aws.get_item(TableName=CARTS_TABLE, Key=to_item(key)).get("Item")
                    size += item_size(from_item(found)) if found else 0
            transactions.append((len(params["TransactItems"]), size))

    record_dynamodb_calls(monkeypatch, before=measure)
    too_large = 0
    for session_index, sizes in enumerate(SIZE_SESSIONS):
        session = f"guest-size-{session_index}"
        customer = f"size-customer-{session_index}"
        for store_index, (guest_kb, customer_kb) in enumerate(sizes):
            store = f"S{store_index:02d}"
            seed_raw_cart(session, store, [bulky_line(f"g{store_index}", guest_kb)])
            if customer_kb:
                seed_raw_cart(customer, store, [bulky_line(f"c{store_index}", customer_kb)])
        before = {
            (owner, f"S{index:02d}"): stored_cart(owner, f"S{index:02d}")
            for owner in (session, customer)
            for index in range(len(sizes))
        }
        answer = migrate("http_v2", {"guest_session_id": session}, token=make_token(customer))
        row.add("migrations not answered 200", int(answer.status != 200))
        details = {entry["store_id"]: entry for entry in answer.body.get("details", [])}
        for index in range(len(sizes)):
            store = f"S{index:02d}"
            row.tried += 1
            entry = details.get(store, {})
            if entry.get("success"):
                migrated = stored_cart(session, store) is None and stored_cart(customer, store) is not None
                row.add("stores neither migrated nor failed alone as cart_too_large", int(not migrated))
            elif entry.get("reason") == "cart_too_large":
                too_large += 1
                unchanged = all(
                    stored_cart(owner, store) == before[(owner, store)] for owner in (session, customer)
                )
                row.add("carts changed by a store that failed", int(not unchanged))
            else:
                row.add("stores neither migrated nor failed alone as cart_too_large")
    row.add(
        "transactions over 100 actions or 4 MB",
        sum(1 for actions, size in transactions if actions > 100 or size > 4 * 1024 * 1024),
    )
    row.note(f"{too_large} stores too large to merge; {len(transactions)} transactions")
    assert too_large > 0 and len(transactions) > len(SIZE_SESSIONS), "the sizes never reached a limit"
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"
