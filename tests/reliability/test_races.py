"""20 threads migrating one guest session at once, in several rounds: its items move exactly once.

The unit test's race (tests/unit/test_migration.py), at a larger scale: every thread reads the
carts, then waits at a barrier until all have read, so all 20 plan the same migration and try to
commit it. DynamoDB serialises each call (the lock models that); the race between reading,
planning and writing is untouched. Exactly one thread may win; the table must end as a single
fault-free migration leaves it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from moto import mock_aws

from cart_migration import clients
from cart_migration.merge import MergeStrategy
from cart_migration.migration import CartMigrator, MigrationRequest, MigrationStatus
from cart_migration.storage import CartTable
from tests.unit.conftest import create_tables
from tests.unit.support import (
    CARTS_TABLE,
    CUSTOMER_ID,
    RecordingClient,
    captured_stdout,
    item,
    new_guest_session,
    seed_customer_cart,
    seed_guest_cart,
    table_state,
)

RACERS = 20
ROUNDS = [
    (1, MergeStrategy.MERGE),
    (2, MergeStrategy.REPLACE),
    (2, MergeStrategy.KEEP_NEWEST),
    (3, MergeStrategy.MERGE),
    (5, MergeStrategy.MERGE),
]

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = [
    pytest.mark.usefixtures("lambda_env", "one_backup_per_table"),
    pytest.mark.xdist_group("reliability"),
]


def seed(session: str, stores: int) -> None:
    for index in range(stores):
        store = f"S{index:02d}"
        seed_guest_cart(session, store, (item("p1", 1 + index % 4), item(f"only-{index}", 2)))
        if index % 2 == 0:
            seed_customer_cart(CUSTOMER_ID, store, (item("p1", 3), item("mine", 1)))


def migrator(client) -> CartMigrator:
    return CartMigrator(
        CartTable(client, CARTS_TABLE), 0, clock=lambda: datetime.now(UTC), sleep=lambda _: None
    )


def expected_state(session: str, stores: int, strategy: MergeStrategy) -> dict:
    """What one migration, alone, leaves behind."""
    with mock_aws():
        create_tables(clients.dynamodb())
        seed(session, stores)
        with captured_stdout():
            result = migrator(clients.dynamodb()).migrate(
                MigrationRequest(CUSTOMER_ID, session, None, strategy)
            )
        assert result.status is MigrationStatus.SUCCESS
        return table_state()


def race(session: str, stores: int, strategy: MergeStrategy) -> tuple[list, dict, int, int]:
    """(results, final state, transaction attempts, migration_success lines) of RACERS threads."""
    with mock_aws():
        dynamodb = clients.dynamodb()
        create_tables(dynamodb)
        seed(session, stores)
        everyone_has_read = threading.Barrier(RACERS, timeout=60)
        first_write = threading.local()

        def hold_first_write_until_all_have_read(operation, _number, _params):
            if operation == "transact_write_items" and not getattr(first_write, "done", False):
                first_write.done = True
                everyone_has_read.wait()

        client = RecordingClient(dynamodb, before=hold_first_write_until_all_have_read, lock=threading.Lock())
        racer = migrator(client)
        request = MigrationRequest(CUSTOMER_ID, session, None, strategy)
        results: list = []
        errors: list = []

        def run():
            try:
                results.append(racer.migrate(request))
            except BaseException as error:  # a broken barrier, or worse: reported below
                errors.append(error)

        with captured_stdout() as lines:
            threads = [threading.Thread(target=run) for _ in range(RACERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert not errors, errors
        assert not any(thread.is_alive() for thread in threads), "a racer hung"
        return (
            results,
            table_state(dynamodb),
            client.count("transact_write_items"),
            len(lines.of_type("migration_success")),
        )


def test_concurrent_migrations_of_one_guest_session_move_its_items_exactly_once(figure):
    row = figure(
        "concurrent_migrations",
        "concurrent migrations of one guest session",
        unit="migrations",
        scale=f"{len(ROUNDS)} rounds x {RACERS} threads released together after all have read "
        f"({', '.join(f'{n} store(s) {s.value}' for n, s in ROUNDS)})",
    )
    row.count("items duplicated", expected=0)
    row.count("items lost", expected=0)
    row.count("rounds without exactly one winner", expected=0)
    row.count("failed migrations", expected=0)
    attempts = 0

    for stores, strategy in ROUNDS:
        session = new_guest_session()
        expected = expected_state(session, stores, strategy)
        results, state, transactions, success_lines = race(session, stores, strategy)
        row.tried += len(results)
        attempts += transactions
        for key in set(expected) | set(state):
            held, wanted = state.get(key, {}), expected.get(key, {})
            for product in set(held) | set(wanted):
                row.add("items duplicated", max(0, held.get(product, 0) - wanted.get(product, 0)))
                row.add("items lost", max(0, wanted.get(product, 0) - held.get(product, 0)))
        statuses = sorted(result.status for result in results)
        winners = statuses.count(MigrationStatus.SUCCESS)
        row.add("rounds without exactly one winner", int(winners != 1 or success_lines != 1))
        row.add(
            "failed migrations",
            sum(
                status not in (MigrationStatus.SUCCESS, MigrationStatus.NO_CARTS_FOUND) for status in statuses
            ),
        )
        # Every racer really tried to commit: the race was run, not avoided.
        assert transactions >= RACERS, (stores, strategy, transactions)

    row.note(
        f"{attempts} transactions tried by the racers; the losers re-read and found nothing left to move"
    )
    assert row.tried == len(ROUNDS) * RACERS
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"
