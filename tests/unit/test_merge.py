"""The pure merge logic: strategies, stock caps, totals; conservation laws as properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cart_migration.merge import (
    MAX_ITEM_QUANTITY,
    Cart,
    CartItem,
    MergeStrategy,
    Resolution,
    combine_items,
    compute_totals,
    merge_carts,
)
from tests.unit.support import unit_settings

EARLIER = datetime(2025, 11, 21, 10, 0, tzinfo=UTC)
LATER = EARLIER + timedelta(minutes=5)

prices = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
cart_items = st.builds(
    CartItem,
    product_id=st.sampled_from(["p1", "p2", "p3", "p4", "p5"]),  # few ids, so carts overlap
    quantity=st.integers(min_value=0, max_value=40),
    price=prices,
    max_stock=st.none() | st.integers(min_value=0, max_value=60),
    name=st.none() | st.sampled_from(["Rice 5kg", "Tea 250g"]),
)
times = st.none() | st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)
)
guest_carts = st.builds(
    Cart, store_id=st.just("S1"), items=st.lists(cart_items, max_size=8).map(tuple), updated_at=times
)
customer_carts = st.none() | guest_carts


def cap_of(product_id: str, *carts: Cart | None) -> int | None:
    caps = [
        i.max_stock
        for c in carts
        if c
        for i in c.items
        if i.product_id == product_id and i.max_stock is not None
    ]
    return min(caps) if caps else None


def total_quantity(product_id: str, *carts: Cart | None) -> int:
    return sum(i.quantity for c in carts if c for i in c.items if i.product_id == product_id)


@unit_settings
@given(guest_carts, customer_carts)
def test_merge_sums_every_product_once_capped_at_the_lowest_known_stock(guest, customer):
    outcome = merge_carts(guest, customer, MergeStrategy.MERGE)

    if guest.is_empty:
        assert outcome.items == (customer.items if customer else ())
        assert outcome.kept_customer_cart and outcome.items_migrated == 0
        return
    source = (guest, customer) if customer is not None and not customer.is_empty else (guest,)
    products = {line.product_id for cart in source for line in cart.items}
    assert sorted(line.product_id for line in outcome.items) == sorted(products)  # each exactly once
    for line in outcome.items:
        summed = total_quantity(line.product_id, *source)
        cap = cap_of(line.product_id, *source)
        assert line.quantity == (summed if cap is None else min(summed, cap))
    assert outcome.items_migrated == len(guest.items)
    assert not outcome.kept_customer_cart


@unit_settings
@given(guest_carts, customer_carts)
def test_replace_keeps_exactly_the_guest_lines(guest, customer):
    outcome = merge_carts(guest, customer, MergeStrategy.REPLACE)

    if guest.is_empty:
        assert outcome.items == (customer.items if customer else ()) and not outcome.had_conflict
        return
    assert outcome.items == guest.items
    assert outcome.had_conflict == (customer is not None and not customer.is_empty)


@unit_settings
@given(guest_carts, customer_carts)
def test_keep_newest_keeps_one_cart_whole_and_never_mixes(guest, customer):
    outcome = merge_carts(guest, customer, MergeStrategy.KEEP_NEWEST)

    if guest.is_empty:
        assert outcome.items == (customer.items if customer else ()) and outcome.items_migrated == 0
        return
    kept = customer if outcome.kept_customer_cart else guest
    assert outcome.items == kept.items
    if outcome.kept_customer_cart:
        assert customer.updated_at is not None
        assert guest.updated_at is None or guest.updated_at < customer.updated_at
        assert outcome.items_migrated == 0
    else:
        assert outcome.items_migrated == len(guest.items)


@unit_settings
@given(st.lists(cart_items, max_size=12).map(tuple))
def test_totals_follow_the_delivery_and_tax_rules(items):
    totals = compute_totals(items)

    expected_subtotal = sum((i.price * i.quantity for i in items), Decimal(0))
    assert abs(totals.subtotal - expected_subtotal) < Decimal("0.005")
    assert totals.delivery_fee == (Decimal(0) if not items or totals.subtotal >= 500 else Decimal(20))
    assert abs(totals.tax - totals.subtotal * Decimal("0.05")) <= Decimal("0.005")
    assert totals.total == totals.subtotal + totals.delivery_fee + totals.tax
    assert totals.total.as_tuple().exponent == -2


def test_merge_of_overlapping_product_reports_the_conflict_and_caps():
    guest = Cart("S1", (CartItem("rice", 3, Decimal("60.00"), 5), CartItem("tea", 1, Decimal("120.00"))))
    customer = Cart("S1", (CartItem("rice", 4, Decimal("55.00"), 5),))

    outcome = merge_carts(guest, customer, MergeStrategy.MERGE)

    assert [(i.product_id, i.quantity, i.price) for i in outcome.items] == [
        ("rice", 5, Decimal("60.00")),  # 3 + 4 capped at 5; the guest's (latest) price
        ("tea", 1, Decimal("120.00")),
    ]
    assert outcome.resolution is Resolution.QUANTITIES_COMBINED
    assert outcome.conflicting_products == ("rice",)


def test_keep_newest_keeps_the_customer_cart_when_it_is_newer():
    guest = Cart("S1", (CartItem("rice", 1, Decimal("60.00")),), updated_at=EARLIER)
    customer = Cart("S1", (CartItem("tea", 2, Decimal("120.00")),), updated_at=LATER)

    outcome = merge_carts(guest, customer, MergeStrategy.KEEP_NEWEST)

    assert outcome.kept_customer_cart
    assert outcome.resolution is Resolution.KEPT_CUSTOMER_NEWER
    assert outcome.conflicting_products == ("rice",)


def test_keep_newest_gives_a_tie_to_the_guest_cart():
    guest = Cart("S1", (CartItem("rice", 1, Decimal("60.00")),), updated_at=LATER)
    customer = Cart("S1", (CartItem("tea", 2, Decimal("120.00")),), updated_at=LATER)

    assert merge_carts(guest, customer, MergeStrategy.KEEP_NEWEST).resolution is Resolution.KEPT_GUEST_NEWER


def test_an_empty_customer_cart_is_not_a_conflict_for_any_strategy():
    guest = Cart("S1", (CartItem("rice", 2, Decimal("60.00")),), updated_at=EARLIER)
    empty_newer = Cart("S1", (), updated_at=LATER)

    for strategy in MergeStrategy:
        outcome = merge_carts(guest, empty_newer, strategy)
        assert outcome.items == guest.items
        assert not outcome.had_conflict


def test_totals_match_the_original_rules_at_the_free_delivery_threshold():
    below = compute_totals((CartItem("a", 1, Decimal("499.99")),))
    at = compute_totals((CartItem("a", 1, Decimal("500.00")),))

    assert (below.delivery_fee, below.tax, below.total) == (
        Decimal("20.00"),
        Decimal("25.00"),
        Decimal("544.99"),
    )
    assert (at.delivery_fee, at.tax, at.total) == (Decimal("0.00"), Decimal("25.00"), Decimal("525.00"))


def test_duplicate_lines_of_one_product_collapse_into_one():
    combined = combine_items((CartItem("a", 2, Decimal("1"), 10), CartItem("a", 3, Decimal("1"), 4)), ())

    assert combined == (CartItem("a", 4, Decimal("1"), 4),)


def test_an_empty_guest_cart_changes_nothing():
    customer = Cart("S1", (CartItem("tea", 2, Decimal("120.00")),))

    for strategy in MergeStrategy:
        outcome = merge_carts(Cart("S1", ()), customer, strategy)
        assert (outcome.items, outcome.kept_customer_cart, outcome.items_migrated) == (
            customer.items,
            True,
            0,
        )


def test_an_empty_cart_costs_nothing():
    assert compute_totals(()).total == Decimal("0.00")


# --- variants and attributes the service does not read ---------------------------------------------

variant_items = st.builds(
    CartItem,
    product_id=st.sampled_from(["p1", "p2"]),
    quantity=st.integers(min_value=0, max_value=MAX_ITEM_QUANTITY),
    price=prices,
    max_stock=st.none() | st.integers(min_value=0, max_value=MAX_ITEM_QUANTITY),
    name=st.none() | st.text(max_size=5),
    variant_id=st.none() | st.sampled_from(["red-M", "blue-L"]) | st.integers(0, 3).map(Decimal),
    extra=st.dictionaries(
        st.sampled_from(["sku", "image_url", "options"]),
        st.text(max_size=5) | st.lists(st.integers(0, 9).map(Decimal), max_size=2),
        max_size=2,
    ),
)
variant_carts = st.builds(
    Cart, store_id=st.just("S1"), items=st.lists(variant_items, max_size=6).map(tuple), updated_at=times
)


@unit_settings
@given(variant_carts, st.none() | variant_carts, st.sampled_from(list(MergeStrategy)))
def test_every_line_survives_whole_and_only_merge_changes_quantities(guest, customer, strategy):
    outcome = merge_carts(guest, customer, strategy)
    sources = [cart for cart in (customer, guest) if cart is not None]
    in_lines = [line for cart in sources for line in cart.items]

    # Lines preserved: every output line has the identity of an input line (merge never invents one).
    assert {line.line_key for line in outcome.items} <= {line.line_key for line in in_lines}
    for line in outcome.items:
        same = [source for source in in_lines if source.line_key == line.line_key]
        # Every attribute comes from a line of the same identity (the latest one for merge).
        assert line.price in {source.price for source in same}
        for name, value in line.extra.items():
            assert any(source.extra.get(name) == value for source in same)
        # Quantities change only as merge defines: summed, capped; other strategies keep them.
        if strategy is MergeStrategy.MERGE and not outcome.kept_customer_cart:
            caps = [source.max_stock for source in same if source.max_stock is not None]
            assert line.quantity == min([sum(source.quantity for source in same), *caps, MAX_ITEM_QUANTITY])
        else:
            assert line in same
    if strategy is MergeStrategy.MERGE and not guest.is_empty:
        # Nothing is lost, nothing doubled: every identity of either cart, once.
        assert sorted(map(repr, (line.line_key for line in outcome.items))) == sorted(
            map(repr, {line.line_key for line in in_lines})
        )
    assert all(0 <= line.quantity <= MAX_ITEM_QUANTITY for line in outcome.items)
