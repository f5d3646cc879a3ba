"""Pure cart logic: items, totals and the three merge strategies. No AWS, no I/O."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from typing import Any

CENT = Decimal("0.01")
FREE_DELIVERY_THRESHOLD = Decimal("500")
DELIVERY_FEE = Decimal("20")
TAX_RATE = Decimal("0.05")
# The largest quantity of one line the service reads back (storage.py refuses more as invalid);
# merge caps a summed quantity here so that it never writes a cart it could not read.
MAX_ITEM_QUANTITY = 1_000_000
# Enough digits for any total of readable lines (prices up to 10^12, quantities up to 10^6).
TOTALS_PRECISION = 60


class MergeStrategy(StrEnum):
    MERGE = "merge"
    REPLACE = "replace"
    KEEP_NEWEST = "keep_newest"


class Resolution(StrEnum):
    QUANTITIES_COMBINED = "quantities_combined"
    GUEST_REPLACED_CUSTOMER = "guest_cart_replaced_customer_cart"
    KEPT_GUEST_NEWER = "kept_guest_cart_newer"
    KEPT_CUSTOMER_NEWER = "kept_customer_cart_newer"


@dataclass(frozen=True)
class CartItem:
    """One cart line. ``product_id`` plus ``variant_id`` identify it; ``extra`` holds every other
    attribute of the stored line exactly as read, so that a migration carries it over unchanged."""

    product_id: str
    quantity: int
    price: Decimal
    max_stock: int | None = None
    name: str | None = None
    variant_id: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def line_key(self) -> tuple[str, str | None]:
        return self.product_id, _canonical(self.variant_id)


def _canonical(value: Any) -> str | None:
    """A variant id of any stored type (string, number, map...) as a comparable key."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class Cart:
    store_id: str
    items: tuple[CartItem, ...]
    updated_at: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    delivery_fee: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class MergeOutcome:
    """The customer's cart after migration, and what the response and events report about it."""

    items: tuple[CartItem, ...]
    kept_customer_cart: bool
    items_migrated: int
    conflicting_products: tuple[str, ...]
    resolution: Resolution | None

    @property
    def had_conflict(self) -> bool:
        return self.resolution is not None


def compute_totals(items: tuple[CartItem, ...]) -> Totals:
    """The original rules: 20 delivery below a 500 subtotal, 5% tax. An empty cart costs nothing.

    Computed with a wide decimal context: the default 28 digits would raise on large prices.
    """
    with localcontext() as context:
        context.prec = TOTALS_PRECISION
        subtotal = sum((item.price * item.quantity for item in items), Decimal("0")).quantize(
            CENT, ROUND_HALF_UP
        )
        free_delivery = not items or subtotal >= FREE_DELIVERY_THRESHOLD
        delivery_fee = Decimal("0.00") if free_delivery else DELIVERY_FEE.quantize(CENT)
        tax = (subtotal * TAX_RATE).quantize(CENT, ROUND_HALF_UP)
        total = subtotal + delivery_fee + tax
    return Totals(subtotal=subtotal, delivery_fee=delivery_fee, tax=tax, total=total)


def merge_carts(guest: Cart, customer: Cart | None, strategy: MergeStrategy) -> MergeOutcome:
    """Decide the customer's cart for one store once the guest cart is folded into it.

    An empty guest cart changes nothing. An absent or empty customer cart is no conflict: the
    guest's items move over as they are (capped at stock under ``merge``, like any merged quantity).
    """
    if guest.is_empty:
        kept = customer.items if customer is not None else ()
        return MergeOutcome(
            kept, kept_customer_cart=True, items_migrated=0, conflicting_products=(), resolution=None
        )
    if customer is None or customer.is_empty:
        items = combine_items(guest.items, ()) if strategy is MergeStrategy.MERGE else guest.items
        return MergeOutcome(
            items,
            kept_customer_cart=False,
            items_migrated=len(guest.items),
            conflicting_products=(),
            resolution=None,
        )

    if strategy is MergeStrategy.MERGE:
        overlap = _overlapping_products(guest.items, customer.items)
        return MergeOutcome(
            items=combine_items(customer.items, guest.items),
            kept_customer_cart=False,
            items_migrated=len(guest.items),
            conflicting_products=tuple(overlap),
            resolution=Resolution.QUANTITIES_COMBINED if overlap else None,
        )

    if strategy is MergeStrategy.REPLACE:
        return MergeOutcome(
            items=guest.items,
            kept_customer_cart=False,
            items_migrated=len(guest.items),
            conflicting_products=tuple(sorted(_product_ids(customer.items))),
            resolution=Resolution.GUEST_REPLACED_CUSTOMER,
        )

    if _is_newer_or_same(guest.updated_at, customer.updated_at):
        return MergeOutcome(
            items=guest.items,
            kept_customer_cart=False,
            items_migrated=len(guest.items),
            conflicting_products=tuple(sorted(_product_ids(customer.items))),
            resolution=Resolution.KEPT_GUEST_NEWER,
        )
    return MergeOutcome(
        items=customer.items,
        kept_customer_cart=True,
        items_migrated=0,
        conflicting_products=tuple(sorted(_product_ids(guest.items))),
        resolution=Resolution.KEPT_CUSTOMER_NEWER,
    )


def combine_items(first: tuple[CartItem, ...], second: tuple[CartItem, ...]) -> tuple[CartItem, ...]:
    """One line per identity (``product_id`` and ``variant_id``): quantities summed, capped at the
    lowest known ``max_stock`` and at ``MAX_ITEM_QUANTITY``.

    Lines that differ in variant stay apart, each with its own price and attributes. When two lines
    are the same, the later one's attributes (the guest's, when ``second`` is the guest cart: what
    the shopper saw most recently) win, and attributes only the earlier one has are kept.
    Order is first appearance.
    """
    combined: dict[tuple[str, str | None], CartItem] = {}
    for item in (*first, *second):
        previous = combined.get(item.line_key)
        if previous is None:
            combined[item.line_key] = item
            continue
        combined[item.line_key] = CartItem(
            product_id=item.product_id,
            quantity=previous.quantity + item.quantity,
            price=item.price,
            max_stock=_lowest_cap(previous.max_stock, item.max_stock),
            name=item.name if item.name is not None else previous.name,
            variant_id=item.variant_id,
            extra={**previous.extra, **item.extra},
        )
    return tuple(_capped(item) for item in combined.values())


def _capped(item: CartItem) -> CartItem:
    cap = min(item.max_stock, MAX_ITEM_QUANTITY) if item.max_stock is not None else MAX_ITEM_QUANTITY
    if item.quantity <= cap:
        return item
    return replace(item, quantity=cap)


def _lowest_cap(first: int | None, second: int | None) -> int | None:
    caps = [cap for cap in (first, second) if cap is not None]
    return min(caps) if caps else None


def _product_ids(items: tuple[CartItem, ...]) -> set[str]:
    return {item.product_id for item in items}


def _overlapping_products(first: tuple[CartItem, ...], second: tuple[CartItem, ...]) -> list[str]:
    """Products with a line in both carts of the same identity (a variant of its own is no conflict)."""
    shared = {item.line_key for item in first} & {item.line_key for item in second}
    return sorted({product_id for product_id, _ in shared})


def _is_newer_or_same(guest_time: datetime | None, customer_time: datetime | None) -> bool:
    """A tie, or two unknown times, go to the guest cart: it is the shopper's latest session."""
    if customer_time is None:
        return True
    if guest_time is None:
        return False
    return guest_time >= customer_time
