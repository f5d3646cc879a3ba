"""Migrate a guest session's carts into a customer's carts, atomically per transaction.

Per store, one transaction deletes the guest cart and writes the customer cart, each on the
condition that it is still as it was read. Any crash leaves either the state before or the state
after; a condition failure (another migration, or the shop editing a cart) means re-read and
re-plan; a guest cart that has gone was migrated by someone else, so nothing moves twice.

Stores are packed into transactions by action count (100) and by bytes (DynamoDB's 4 MB); a
store whose merged cart would be over the 400 KB item limit fails alone and keeps its guest cart.
A transaction whose answer was lost is checked by re-reading its keys. Every migration ends in
exactly one outcome event, an unexpected exception included (``MigrationResult.unexpected_error``).
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
    ITEM_SIZE_LIMIT_BYTES,
    MAX_ITEM_BYTES,
    MAX_TRANSACTION_BYTES,
    MAX_TRANSACTION_OPERATIONS,
    MIGRATED_FROM,
    MIGRATION_TIMESTAMP,
    VERSION,
    CartKey,
    CartTable,
    InvalidCartData,
    StoredCart,
    TransactionConflict,
    check_unchanged,
    delete_if_unchanged,
    item_size,
    migrated_cart_attributes,
    put_if_unchanged,
)

MAX_COMMIT_ATTEMPTS = 4
MAX_ERROR_MESSAGE_LENGTH = 300


class MigrationStatus(StrEnum):
    SUCCESS = "success"
    NO_CARTS_FOUND = "no_carts_found"
    PARTIAL_FAILURE = "partial_failure"
    FAILED = "failed"


class FailureReason(StrEnum):
    STORAGE_ERROR = "storage_error"
    CONCURRENT_MODIFICATION = "concurrent_modification"
    INVALID_CART_DATA = "invalid_cart_data"
    CART_TOO_LARGE = "cart_too_large"
    INTERNAL_ERROR = "internal_error"


class CartTooLarge(Exception):
    """The merged cart of one store would be over DynamoDB's item size limit."""

    def __init__(self, size: int):
        super().__init__(
            f"the merged cart would be about {-(-size // 1024)} KB; DynamoDB holds at most "
            f"{ITEM_SIZE_LIMIT_BYTES // 1024} KB per cart (less a margin this service keeps), "
            "so the guest cart was left in place"
        )
        self.size = size


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
    message: str | None = None

    def as_response(self) -> dict[str, Any]:
        body: dict[str, Any] = {"success": self.success, "store_id": self.store_id}
        if self.items_migrated is not None:
            body["items_migrated"] = self.items_migrated
        if self.cart_total is not None:
            body["cart_total"] = float(self.cart_total)
        if self.reason is not None:
            body["reason"] = self.reason.value
        if self.message is not None:
            body["message"] = self.message
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
    # An exception the migration did not expect (a bug, an unknown SDK error). The outcome events
    # are written; the handler audits and then re-raises it.
    unexpected_error: Exception | None = None
    # A transaction's answer was lost and the re-read failed too: it may or may not have committed.
    outcome_unknown: bool = False
    # Stores read but not yet migrated, failed or found migrated by someone else.
    unsettled: set[str] = field(default_factory=set)

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

    @property
    def audit_outcome(self) -> str:
        """What the audit entry records: the status, or ``unknown`` when nobody can tell."""
        return "unknown" if self.outcome_unknown and not self.migrated else self.status.value

    def settle(self, store: StoreResult) -> None:
        self.stores.append(store)
        self.unsettled.discard(store.store_id)

    def as_response(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "migrated_carts": len(self.migrated),
            "details": [store.as_response() for store in self.stores],
            "conflicts_resolved": [conflict.as_response() for conflict in self.conflicts],
        }


@dataclass(frozen=True)
class _StorePlan:
    store_id: str
    operations: list[dict[str, Any]]
    result: StoreResult
    conflict: ConflictReport | None
    # What the transaction counts for this store: every item it writes, deletes or checks.
    size: int
    # The customer cart the Put writes (None when the customer's own cart is kept).
    written: dict[str, Any] | None


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
        """Run one migration and emit its events: start, per store, and exactly one outcome.

        Never raises an ``Exception``: an unexpected one is reported as a failure and handed back
        in ``unexpected_error``. (A dying container raises no Exception and can log nothing.)
        """
        started = time.perf_counter()
        CartMigrationMetrics.log_migration_start(
            request.customer_id, request.guest_session_id, request.strategy.value, request.store_id
        )
        result = MigrationResult(MigrationStatus.SUCCESS)
        try:
            self._migrate(request, result)
        except StorageError as error:
            result.storage_error = error
        except Exception as error:  # noqa: BLE001 - counted as a failure, then re-raised by the handler
            result.unexpected_error = error
        if result.storage_error is not None or result.unexpected_error is not None:
            reason = (
                FailureReason.STORAGE_ERROR
                if result.unexpected_error is None
                else FailureReason.INTERNAL_ERROR
            )
            _mark_failed(result, sorted(result.unsettled), reason)
            result.status = MigrationStatus.PARTIAL_FAILURE if result.migrated else MigrationStatus.FAILED
        self._report(request, result, duration_ms=(time.perf_counter() - started) * 1000)
        return result

    def _migrate(self, request: MigrationRequest, result: MigrationResult) -> None:
        pairs = self._read_pairs(request)
        if not pairs:
            result.status = MigrationStatus.NO_CARTS_FOUND
            return
        result.unsettled.update(pairs)
        queue = list(self._plan(request, dict(sorted(pairs.items())), result).values())
        while queue:
            chunk, queue = _take_chunk(queue)
            if result.storage_error is not None:
                # DynamoDB is failing: leave the remaining guest carts for a retry.
                _mark_failed(result, [plan.store_id for plan in chunk], FailureReason.STORAGE_ERROR)
                continue
            try:
                queue.extend(self._commit(request, chunk, result))
            except StorageError as error:
                result.storage_error = error
                _mark_failed(result, [plan.store_id for plan in chunk], FailureReason.STORAGE_ERROR)
        # Plans put back by a commit that then failed are still unsettled: they were not migrated.
        _mark_failed(result, sorted(result.unsettled), FailureReason.STORAGE_ERROR)
        result.status = _overall_status(result)

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

    def _reread(self, request: MigrationRequest, store_ids: list[str]) -> dict[CartKey, StoredCart]:
        keys = [
            (owner, store) for store in store_ids for owner in (request.guest_session_id, request.customer_id)
        ]
        return self.table.get_many(keys)

    def _reread_pairs(
        self, request: MigrationRequest, store_ids: list[str], result: MigrationResult
    ) -> Pairs:
        now = self.clock()
        found = self._reread(request, store_ids)
        pairs: Pairs = {}
        for store in store_ids:
            guest = found.get((request.guest_session_id, store))
            if guest is not None and not guest.is_expired(now):
                pairs[store] = (guest, found.get((request.customer_id, store)))
            else:
                # Migrated (or cleaned up) by someone else: nothing of this request's to report.
                result.unsettled.discard(store)
        return pairs

    def _commit(
        self, request: MigrationRequest, chunk: list[_StorePlan], result: MigrationResult
    ) -> list[_StorePlan]:
        """Commit one chunk, re-reading and re-planning after a condition failure.

        Returns the plans that no longer fit this transaction once re-planned (a guest cart that
        grew meanwhile), for a later one.
        """
        plans, overflow = chunk, list[_StorePlan]()
        for attempt in range(1, MAX_COMMIT_ATTEMPTS + 1):
            if not plans:
                return overflow
            try:
                operations = [operation for plan in plans for operation in plan.operations]
                self.table.transact(operations, request_token=str(uuid.uuid4()))
            except TransactionConflict:
                if attempt == MAX_COMMIT_ATTEMPTS:
                    _mark_failed(
                        result, [plan.store_id for plan in plans], FailureReason.CONCURRENT_MODIFICATION
                    )
                    return overflow
                self.sleep(random.uniform(0.01, 0.03) * 2**attempt)
                # Stores whose guest cart has gone were migrated (or cleaned up) by someone else.
                pairs = self._reread_pairs(request, [plan.store_id for plan in plans], result)
                plans, more = _take_chunk(list(self._plan(request, pairs, result).values()))
                overflow.extend(more)
                continue
            except StorageError as error:
                if not error.transport_failure or not self._applied_after_all(request, plans, result):
                    raise
            except Exception:
                # Nothing tells what an unknown exception means for the request: it may have been
                # applied. Find out; if it was not (or nobody can tell), it stays unexpected.
                if not self._applied_after_all(request, plans, result):
                    raise
            for plan in plans:
                result.settle(plan.result)
                if plan.conflict is not None:
                    result.conflicts.append(plan.conflict)
            return overflow
        return overflow

    def _applied_after_all(
        self, request: MigrationRequest, plans: list[_StorePlan], result: MigrationResult
    ) -> bool:
        """After a lost answer (timeout, connection reset): did the transaction commit?

        All or nothing, so the keys as they are now tell: every guest cart gone and every customer
        cart as this transaction wrote it means committed. If the re-read fails too, nobody can
        tell: ``outcome_unknown``, and a retry is safe (it finds no guest cart if it had committed).
        """
        try:
            found = self._reread(request, [plan.store_id for plan in plans])
        except StorageError:
            result.outcome_unknown = True
            return False
        for plan in plans:
            if (request.guest_session_id, plan.store_id) in found:
                return False
            if plan.written is not None:
                customer = found.get((request.customer_id, plan.store_id))
                if customer is None or any(
                    customer.attributes.get(name) != plan.written[name]
                    for name in (VERSION, MIGRATED_FROM, MIGRATION_TIMESTAMP)
                ):
                    return False
        return True

    def _plan(
        self, request: MigrationRequest, pairs: Pairs, result: MigrationResult
    ) -> dict[str, _StorePlan]:
        plans: dict[str, _StorePlan] = {}
        for store, (guest, customer) in pairs.items():
            try:
                plans[store] = self._plan_store(request, guest, customer)
            except InvalidCartData:
                result.settle(StoreResult(store, False, reason=FailureReason.INVALID_CART_DATA))
            except CartTooLarge as too_large:
                result.settle(
                    StoreResult(store, False, reason=FailureReason.CART_TOO_LARGE, message=str(too_large))
                )
        return plans

    def _plan_store(
        self, request: MigrationRequest, guest: StoredCart, customer: StoredCart | None
    ) -> _StorePlan:
        now = self.clock()
        table = self.table.name
        live_customer = customer if customer is not None and not customer.is_expired(now) else None
        outcome = merge_carts(guest.cart(), live_customer.cart() if live_customer else None, request.strategy)
        size = guest.size + (customer.size if customer is not None else 0)
        written = None
        if outcome.kept_customer_cart:
            # The decision rests on the customer cart as read, so it must still be that cart.
            operations = [delete_if_unchanged(table, guest)]
            if customer is not None:
                operations.insert(0, check_unchanged(table, customer))
        else:
            written = migrated_cart_attributes(
                request.customer_id,
                guest.store_id,
                outcome.items,
                customer,
                request.guest_session_id,
                now,
                self.customer_cart_ttl_seconds,
            )
            written_size = item_size(written)
            if written_size > MAX_ITEM_BYTES:
                raise CartTooLarge(written_size)
            size += written_size
            operations = [put_if_unchanged(table, written, customer), delete_if_unchanged(table, guest)]
        conflict = None
        if outcome.resolution is not None:
            conflict = ConflictReport(
                guest.store_id, request.strategy, outcome.resolution.value, outcome.conflicting_products
            )
        return _StorePlan(
            store_id=guest.store_id,
            operations=operations,
            result=StoreResult(
                guest.store_id, True, outcome.items_migrated, compute_totals(outcome.items).total
            ),
            conflict=conflict,
            size=size,
            written=written,
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
            # reraised: the handler raises this failure again (unexpected_error), so AWS/Lambda Errors
            # counts the same request; the availability SLI subtracts it once (docs/slo-arithmetic.md).
            CartMigrationMetrics.log_migration_failure(
                customer,
                session,
                error_message,
                error_type,
                strategy,
                duration_ms,
                result.unexpected_error is not None,
                store_id=request.store_id,
            )


def _take_chunk(plans: list[_StorePlan]) -> tuple[list[_StorePlan], list[_StorePlan]]:
    """The longest prefix of ``plans`` one transaction holds (100 actions, 4 MB), and the rest.

    Always at least one plan: a single store's plan is within both limits (its written cart was
    checked against the item limit, and three items of at most 400 KB are well under 4 MB).
    """
    actions = size = 0
    for index, plan in enumerate(plans):
        actions += len(plan.operations)
        size += plan.size
        if index and (actions > MAX_TRANSACTION_OPERATIONS or size > MAX_TRANSACTION_BYTES):
            return plans[:index], plans[index:]
    return plans, []


def _mark_failed(result: MigrationResult, store_ids: Iterable[str], reason: FailureReason) -> None:
    """Fail the stores not yet settled (a store found migrated by someone else stays unreported)."""
    for store in store_ids:
        if store in result.unsettled:
            result.settle(StoreResult(store, False, reason=reason))


def _overall_status(result: MigrationResult) -> MigrationStatus:
    if not result.stores:
        # Every guest cart vanished between read and write: another request migrated them.
        return MigrationStatus.NO_CARTS_FOUND
    if not result.failed:
        return MigrationStatus.SUCCESS
    return MigrationStatus.PARTIAL_FAILURE if result.migrated else MigrationStatus.FAILED


_ERROR_TYPES = {
    FailureReason.CONCURRENT_MODIFICATION: "ConcurrentModification",
    FailureReason.INVALID_CART_DATA: "InvalidCartData",
    FailureReason.CART_TOO_LARGE: "CartTooLarge",
}


def _failure_summary(result: MigrationResult) -> tuple[str, str]:
    prefix = f"{len(result.migrated)} of {len(result.stores)} store carts migrated; " if result.stores else ""
    if result.unexpected_error is not None:
        error = result.unexpected_error
        # The formatter redacts the message like any field; the cut keeps stack-sized text out.
        text = str(error)[:MAX_ERROR_MESSAGE_LENGTH]
        return type(error).__name__, f"{prefix}unexpected error: {text}"
    if result.storage_error is not None:
        error = result.storage_error
        unknown = "; the outcome is unknown (the answer was lost)" if result.outcome_unknown else ""
        return error.error_code, f"{prefix}DynamoDB {error.operation} failed{unknown}"
    reason = result.failure_reason
    if reason is None:
        return "MigrationFailed", f"{prefix}failed"
    return _ERROR_TYPES.get(reason, "MigrationFailed"), f"{prefix}{reason.value}"
