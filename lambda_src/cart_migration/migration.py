"""Migrate a guest session's carts into a customer's carts, atomically per transaction.

Per store, one transaction deletes the guest cart and writes the customer cart, each on the
condition that it is still as it was read. Any crash leaves either the state before or the state
after; a condition failure (another migration, or the shop editing a cart) means re-read and
re-plan; a guest cart that has gone was migrated by someone else, so nothing moves twice.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .dynamo import StorageError
from .event_log import CartMigrationMetrics
from .merge import MergeStrategy, compute_totals, merge_carts
from .storage import (
    MAX_TRANSACTION_OPERATIONS,
    CartTable,
    InvalidCartData,
    StoredCart,
    TransactionConflict,
    check_unchanged,
    delete_if_unchanged,
    migrated_cart_attributes,
    put_if_unchanged,
)

# Two operations per store (guest delete, customer write) in one transaction.
MAX_STORES_PER_TRANSACTION = MAX_TRANSACTION_OPERATIONS // 2
MAX_COMMIT_ATTEMPTS = 4


class MigrationStatus(StrEnum):
    SUCCESS = "success"
    NO_CARTS_FOUND = "no_carts_found"
    PARTIAL_FAILURE = "partial_failure"
    FAILED = "failed"


class FailureReason(StrEnum):
    STORAGE_ERROR = "storage_error"
    CONCURRENT_MODIFICATION = "concurrent_modification"
    INVALID_CART_DATA = "invalid_cart_data"


@dataclass(frozen=True)
class MigrationRequest:
    customer_id: str
    guest_session_id: str
    store_id: str | None
    strategy: MergeStrategy


@dataclass(frozen=True)
class StoreResult:
    store_id: str
    success: bool
    items_migrated: int | None = None
    cart_total: Decimal | None = None
    reason: FailureReason | None = None

    def as_response(self) -> dict[str, Any]:
        body: dict[str, Any] = {"success": self.success, "store_id": self.store_id}
        if self.items_migrated is not None:
            body["items_migrated"] = self.items_migrated
        if self.cart_total is not None:
            body["cart_total"] = float(self.cart_total)
        if self.reason is not None:
            body["reason"] = self.reason.value
        return body


@dataclass(frozen=True)
class ConflictReport:
    store_id: str
    strategy: MergeStrategy
    resolution: str
    conflicting_products: tuple[str, ...]

    def as_response(self) -> dict[str, Any]:
        return {
            "store_id": self.store_id,
            "strategy": self.strategy.value,
            "resolution": self.resolution,
            "conflicting_products": list(self.conflicting_products),
        }


@dataclass
class MigrationResult:
    status: MigrationStatus
    stores: list[StoreResult] = field(default_factory=list)
    conflicts: list[ConflictReport] = field(default_factory=list)
    storage_error: StorageError | None = None

    @property
    def migrated(self) -> list[StoreResult]:
        return [store for store in self.stores if store.success]

    @property
    def failed(self) -> list[StoreResult]:
        return [store for store in self.stores if not store.success]

    @property
    def total_items(self) -> int:
        return sum(store.items_migrated or 0 for store in self.migrated)

    @property
    def total_value(self) -> Decimal:
        return sum((store.cart_total or Decimal("0") for store in self.migrated), Decimal("0"))

    @property
    def failure_reason(self) -> FailureReason | None:
        return self.failed[0].reason if self.failed else None

    def as_response(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "migrated_carts": len(self.migrated),
            "details": [store.as_response() for store in self.stores],
            "conflicts_resolved": [conflict.as_response() for conflict in self.conflicts],
        }


@dataclass(frozen=True)
class _StorePlan:
    operations: list[dict[str, Any]]
    result: StoreResult
    conflict: ConflictReport | None


Pairs = dict[str, tuple[StoredCart, StoredCart | None]]


class CartMigrator:
    def __init__(
        self,
        table: CartTable,
        customer_cart_ttl_seconds: int,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.table = table
        self.customer_cart_ttl_seconds = customer_cart_ttl_seconds
        self.clock = clock
        self.sleep = sleep

    def migrate(self, request: MigrationRequest) -> MigrationResult:
        """Run one migration and emit its events (start, per store, and the outcome)."""
        started = time.perf_counter()
        CartMigrationMetrics.log_migration_start(
            request.customer_id, request.guest_session_id, request.strategy.value, request.store_id
        )
        try:
            result = self._migrate(request)
        except StorageError as error:
            result = MigrationResult(MigrationStatus.FAILED, storage_error=error)
        self._report(request, result, duration_ms=(time.perf_counter() - started) * 1000)
        return result

    def _migrate(self, request: MigrationRequest) -> MigrationResult:
        pairs = self._read_pairs(request)
        if not pairs:
            return MigrationResult(MigrationStatus.NO_CARTS_FOUND)
        result = MigrationResult(MigrationStatus.SUCCESS)
        store_ids = sorted(pairs)
        for start in range(0, len(store_ids), MAX_STORES_PER_TRANSACTION):
            chunk = store_ids[start : start + MAX_STORES_PER_TRANSACTION]
            if result.storage_error is not None:
                # DynamoDB is failing: leave the remaining guest carts for a retry.
                _mark_failed(result, chunk, FailureReason.STORAGE_ERROR)
                continue
            try:
                self._commit(request, {store: pairs[store] for store in chunk}, result)
            except StorageError as error:
                result.storage_error = error
                _mark_failed(result, chunk, FailureReason.STORAGE_ERROR)
        result.status = _overall_status(result)
        return result

    def _read_pairs(self, request: MigrationRequest) -> Pairs:
        """One BatchGetItem with a store id; one Query plus one BatchGetItem per 100 stores without."""
        now = self.clock()
        if request.store_id is not None:
            guest_key = (request.guest_session_id, request.store_id)
            customer_key = (request.customer_id, request.store_id)
            found = self.table.get_many([guest_key, customer_key])
            guest = found.get(guest_key)
            if guest is None or guest.is_expired(now):
                return {}
            return {request.store_id: (guest, found.get(customer_key))}
        guests = [
            cart for cart in self.table.query_owner(request.guest_session_id) if not cart.is_expired(now)
        ]
        if not guests:
            return {}
        customers = self.table.get_many((request.customer_id, guest.store_id) for guest in guests)
        return {
            guest.store_id: (guest, customers.get((request.customer_id, guest.store_id))) for guest in guests
        }

    def _reread_pairs(self, request: MigrationRequest, store_ids: list[str]) -> Pairs:
        now = self.clock()
        keys = [
            (owner, store) for store in store_ids for owner in (request.guest_session_id, request.customer_id)
        ]
        found = self.table.get_many(keys)
        pairs: Pairs = {}
        for store in store_ids:
            guest = found.get((request.guest_session_id, store))
            if guest is not None and not guest.is_expired(now):
                pairs[store] = (guest, found.get((request.customer_id, store)))
        return pairs

    def _commit(self, request: MigrationRequest, pairs: Pairs, result: MigrationResult) -> None:
        for attempt in range(1, MAX_COMMIT_ATTEMPTS + 1):
            plans = self._plan(request, pairs, result)
            if not plans:
                return
            try:
                operations = [operation for plan in plans.values() for operation in plan.operations]
                self.table.transact(operations, request_token=str(uuid.uuid4()))
            except TransactionConflict:
                if attempt == MAX_COMMIT_ATTEMPTS:
                    _mark_failed(result, plans, FailureReason.CONCURRENT_MODIFICATION)
                    return
                self.sleep(random.uniform(0.01, 0.03) * 2**attempt)
                # Stores whose guest cart has gone were migrated (or cleaned up) by someone else.
                pairs = self._reread_pairs(request, sorted(plans))
                continue
            for plan in plans.values():
                result.stores.append(plan.result)
                if plan.conflict is not None:
                    result.conflicts.append(plan.conflict)
            return

    def _plan(
        self, request: MigrationRequest, pairs: Pairs, result: MigrationResult
    ) -> dict[str, _StorePlan]:
        plans: dict[str, _StorePlan] = {}
        for store, (guest, customer) in pairs.items():
            try:
                plans[store] = self._plan_store(request, guest, customer)
            except InvalidCartData:
                result.stores.append(StoreResult(store, False, reason=FailureReason.INVALID_CART_DATA))
        return plans

    def _plan_store(
        self, request: MigrationRequest, guest: StoredCart, customer: StoredCart | None
    ) -> _StorePlan:
        now = self.clock()
        table = self.table.name
        live_customer = customer if customer is not None and not customer.is_expired(now) else None
        outcome = merge_carts(guest.cart(), live_customer.cart() if live_customer else None, request.strategy)
        if outcome.kept_customer_cart:
            # The decision rests on the customer cart as read, so it must still be that cart.
            operations = [delete_if_unchanged(table, guest)]
            if customer is not None:
                operations.insert(0, check_unchanged(table, customer))
        else:
            attributes = migrated_cart_attributes(
                request.customer_id,
                guest.store_id,
                outcome.items,
                customer,
                request.guest_session_id,
                now,
                self.customer_cart_ttl_seconds,
            )
            operations = [put_if_unchanged(table, attributes, customer), delete_if_unchanged(table, guest)]
        conflict = None
        if outcome.resolution is not None:
            conflict = ConflictReport(
                guest.store_id, request.strategy, outcome.resolution.value, outcome.conflicting_products
            )
        return _StorePlan(
            operations=operations,
            result=StoreResult(
                guest.store_id, True, outcome.items_migrated, compute_totals(outcome.items).total
            ),
            conflict=conflict,
        )

    def _report(self, request: MigrationRequest, result: MigrationResult, duration_ms: float) -> None:
        customer, session, strategy = request.customer_id, request.guest_session_id, request.strategy.value
        for store in result.migrated:
            CartMigrationMetrics.log_store_cart_migrated(
                customer, session, store.store_id, store.items_migrated, store.cart_total, strategy
            )
        for conflict in result.conflicts:
            CartMigrationMetrics.log_merge_conflict(
                customer,
                session,
                conflict.store_id,
                strategy,
                list(conflict.conflicting_products),
                conflict.resolution,
            )
        duration_ms = round(duration_ms, 3)
        if result.status is MigrationStatus.NO_CARTS_FOUND:
            CartMigrationMetrics.log_no_guest_carts(customer, session, request.store_id)
        elif result.status is MigrationStatus.SUCCESS:
            CartMigrationMetrics.log_migration_success(
                customer,
                session,
                len(result.migrated),
                result.total_items,
                result.total_value,
                strategy,
                duration_ms,
            )
        else:
            error_type, error_message = _failure_summary(result)
            CartMigrationMetrics.log_migration_failure(
                customer, session, error_message, error_type, strategy, duration_ms, store_id=request.store_id
            )


def _mark_failed(result: MigrationResult, store_ids: Iterable[str], reason: FailureReason) -> None:
    recorded = {store.store_id for store in result.stores}
    result.stores.extend(
        StoreResult(store, False, reason=reason) for store in store_ids if store not in recorded
    )


def _overall_status(result: MigrationResult) -> MigrationStatus:
    if not result.stores:
        # Every guest cart vanished between read and write: another request migrated them.
        return MigrationStatus.NO_CARTS_FOUND
    if not result.failed:
        return MigrationStatus.SUCCESS
    return MigrationStatus.PARTIAL_FAILURE if result.migrated else MigrationStatus.FAILED


def _failure_summary(result: MigrationResult) -> tuple[str, str]:
    if result.storage_error is not None:
        error = result.storage_error
        prefix = (
            f"{len(result.migrated)} of {len(result.stores)} store carts migrated; " if result.stores else ""
        )
        return error.error_code, f"{prefix}DynamoDB {error.operation} failed"
    reason = result.failure_reason
    error_type = (
        "ConcurrentModification" if reason is FailureReason.CONCURRENT_MODIFICATION else "InvalidCartData"
    )
    return error_type, f"{len(result.migrated)} of {len(result.stores)} store carts migrated; {reason.value}"
