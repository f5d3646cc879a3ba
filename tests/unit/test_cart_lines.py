"""Cart lines survive a migration whole, and whatever a migration writes reads back.

Through the public API on moto: carts with variants and arbitrary extra attributes, under all
three strategies. A line is `product_id` plus `variant_id`; `merge` combines only identical lines
and changes nothing but the quantity (summed, capped at the lowest `max_stock` and at the
reader's limit); every other attribute travels unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cart_migration.merge import MAX_ITEM_QUANTITY
from cart_migration.storage import LINE_ATTRIBUTES
from tests.unit.support import (
    CUSTOMER_ID,
    all_carts,
    clear_carts,
    existing_cart,
    migrate,
    new_guest_session,
    seed_raw_cart,
    stored_cart,
    unit_settings,
)

EARLY = "2025-01-01T00:00:00.000Z"
LATE = "2030-01-01T00:00:00.000Z"

# Any value DynamoDB can hold (no empty sets, no floats), nested a little.
scalar_values = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.decimals(min_value=-1000, max_value=1000, places=3),
    st.booleans(),
    st.none(),
    st.binary(min_size=0, max_size=8),
)
attribute_values = st.recursive(
    scalar_values | st.frozensets(st.text(max_size=5), min_size=1, max_size=3).map(set),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
extra_names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(
    lambda name: name not in LINE_ATTRIBUTES
)


@st.composite
def lines(draw) -> list[dict[str, Any]]:
    """A cart's lines, each identity (product, variant) once; variants of one product apart."""
    identities = draw(
        st.lists(
            st.tuples(st.sampled_from(["p1", "p2"]), st.none() | st.sampled_from(["red-M", "blue-L", 7])),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    cart = []
    for product_id, variant in identities:
        line: dict[str, Any] = dict(draw(st.dictionaries(extra_names, attribute_values, max_size=3)))
        line.update(
            product_id=product_id,
            quantity=draw(st.integers(1, 9)),
            price=draw(st.decimals(min_value=0, max_value=500, places=2)),
        )
        if variant is not None:
            line["variant_id"] = variant
        if draw(st.booleans()):
            line["max_stock"] = draw(st.integers(1, 12))
        if draw(st.booleans()):
            line["name"] = draw(st.text(max_size=10))
        cart.append(line)
    return cart


def identity(line: dict[str, Any]) -> tuple:
    variant = line.get("variant_id")
    # A number is the same variant whether written as int or read back as Decimal; text is not a number.
    return (
        line["product_id"],
        type(variant).__name__ if isinstance(variant, str | None) else "number",
        str(variant),
    )


def expected_merge(customer: list[dict], guest: list[dict]) -> list[dict]:
    """The model of `merge`: same identity -> one line, quantity summed and capped, the guest's
    attributes over the customer's; different identities stay apart as they are."""
    merged: dict[tuple, dict] = {}
    for line in [*customer, *guest]:
        previous = merged.get(identity(line))
        if previous is None:
            merged[identity(line)] = dict(line)
            continue
        combined = {**previous, **line, "quantity": previous["quantity"] + line["quantity"]}
        caps = [cap for cap in (previous.get("max_stock"), line.get("max_stock")) if cap is not None]
        if caps:
            combined["max_stock"] = min(caps)
        merged[identity(line)] = combined
    for line in merged.values():
        line["quantity"] = min(line["quantity"], line.get("max_stock", MAX_ITEM_QUANTITY), MAX_ITEM_QUANTITY)
    return list(merged.values())


def by_identity(cart_lines: list[dict]) -> dict[tuple, dict]:
    return {identity(line): line for line in cart_lines}


@settings(unit_settings, max_examples=30)
@given(
    guest=lines(),
    customer=st.none() | lines(),
    strategy=st.sampled_from(["merge", "replace", "keep_newest"]),
    guest_is_newer=st.booleans(),
)
def test_lines_are_preserved_whole_and_everything_written_reads_back(
    aws, guest, customer, strategy, guest_is_newer
):
    clear_carts(aws)
    session = new_guest_session()
    seed_raw_cart(session, "S1", guest, updated_at=LATE if guest_is_newer else EARLY)
    if customer is not None:
        seed_raw_cart(CUSTOMER_ID, "S1", customer, updated_at=EARLY if guest_is_newer else LATE)

    result = migrate("http_v2", {"guest_session_id": session, "merge_strategy": strategy})

    assert result.status == 200, result.body
    assert result.body["status"] == "success"
    if customer is None:
        expected = expected_merge([], guest) if strategy == "merge" else guest
    elif strategy == "merge":
        expected = expected_merge(customer, guest)
    elif strategy == "replace" or guest_is_newer:
        expected = guest
    else:
        expected = customer
    written = existing_cart(CUSTOMER_ID, "S1")
    assert by_identity(written["items"]) == by_identity(expected)  # every attribute, every line
    assert len(written["items"]) == len(expected)
    assert stored_cart(session, "S1") is None

    # Anything written reads back: the listing shows it, JSON-safe, and a later migration reads it.
    listing = all_carts()
    assert listing.status == 200
    (summary,) = listing.body["carts"]
    assert sorted((line["product_id"], line["quantity"]) for line in summary["items"]) == sorted(
        (line["product_id"], line["quantity"]) for line in expected
    )
    later = new_guest_session()
    seed_raw_cart(later, "S1", [{"product_id": "p1", "quantity": 1, "price": Decimal("1.00")}])
    assert migrate("http_v2", {"guest_session_id": later}).body["status"] == "success"


def test_two_variants_of_one_product_stay_two_lines_with_their_own_prices(aws, api):
    session = new_guest_session()
    red = {
        "product_id": "shirt",
        "variant_id": "red-M",
        "quantity": 1,
        "price": Decimal("20.00"),
        "sku": "SH-R-M",
    }
    blue = {
        "product_id": "shirt",
        "variant_id": "blue-L",
        "quantity": 2,
        "price": Decimal("25.00"),
        "image_url": "https://img.example/blue.png",
        "options": {"size": "L", "colour": "blue"},
    }
    seed_raw_cart(session, "S1", [red, blue])
    seed_raw_cart(CUSTOMER_ID, "S1", [{**red, "quantity": 3, "gift_wrap": True}])

    result = migrate(api, {"guest_session_id": session})

    assert result.body["status"] == "success"
    written = by_identity(existing_cart(CUSTOMER_ID, "S1")["items"])
    assert written == by_identity([{**red, "quantity": 4, "gift_wrap": True}, blue])
    assert result.body["conflicts_resolved"][0]["conflicting_products"] == ["shirt"]
    listing = all_carts(api)
    (cart,) = listing.body["carts"]
    assert {(line["variant_id"], line["price"]) for line in cart["items"]} == {
        ("red-M", 20.0),
        ("blue-L", 25.0),
    }
    assert cart["subtotal"] == 4 * 20.0 + 2 * 25.0


def test_a_merge_past_the_readers_quantity_limit_is_capped_and_reads_back(aws, api):
    session = new_guest_session()
    huge = MAX_ITEM_QUANTITY - 1
    seed_raw_cart(session, "S1", [{"product_id": "p", "quantity": huge, "price": Decimal("1")}])
    seed_raw_cart(CUSTOMER_ID, "S1", [{"product_id": "p", "quantity": huge, "price": Decimal("1")}])

    result = migrate(api, {"guest_session_id": session})

    assert result.body["status"] == "success"
    assert existing_cart(CUSTOMER_ID, "S1")["items"][0]["quantity"] == MAX_ITEM_QUANTITY
    listing = all_carts(api)
    assert (listing.status, listing.body["total_carts"]) == (200, 1)
    assert listing.body["carts"][0]["item_count"] == MAX_ITEM_QUANTITY
    # A later migration into the same store is not refused as invalid data.
    later = new_guest_session()
    seed_raw_cart(later, "S1", [{"product_id": "p", "quantity": 5, "price": Decimal("1")}])
    assert migrate(api, {"guest_session_id": later}).body["status"] == "success"
    assert existing_cart(CUSTOMER_ID, "S1")["items"][0]["quantity"] == MAX_ITEM_QUANTITY


def test_identical_lines_within_one_guest_cart_combine_and_others_do_not(aws, api):
    session = new_guest_session()
    seed_raw_cart(
        session,
        "S1",
        [
            {"product_id": "p", "variant_id": "a", "quantity": 1, "price": Decimal("2"), "note": "first"},
            {"product_id": "p", "variant_id": "b", "quantity": 1, "price": Decimal("3")},
            {"product_id": "p", "variant_id": "a", "quantity": 2, "price": Decimal("2"), "note": "second"},
        ],
    )

    migrate(api, {"guest_session_id": session})

    written = by_identity(existing_cart(CUSTOMER_ID, "S1")["items"])
    assert written == by_identity(
        [
            {"product_id": "p", "variant_id": "a", "quantity": 3, "price": Decimal("2"), "note": "second"},
            {"product_id": "p", "variant_id": "b", "quantity": 1, "price": Decimal("3")},
        ]
    )


# --- one odd cart never breaks the listing ---------------------------------------------------------

ODD_CARTS: dict[str, tuple[Any, dict[str, Any]]] = {
    "numeric updated_at": (
        [{"product_id": "p", "quantity": 1, "price": Decimal("5")}],
        {"updated_at": 1732184400},
    ),
    "price past the decimal context": (
        [{"product_id": "p", "quantity": 3, "price": Decimal("9.99E+125")}],
        {},
    ),
    "items not a list": ("not a list", {}),
    "quantity a string": ([{"product_id": "p", "quantity": "2", "price": Decimal("5")}], {}),
    "binary, sets and big numbers everywhere": (
        [
            {
                "product_id": "p",
                "quantity": 1,
                "price": Decimal("5"),
                "blob": b"\x00\xff",
                "tags": {"a", "b"},
                "huge": Decimal("9.99E+125"),
                "tiny": Decimal("1E-130"),
            }
        ],
        {"migrated_from": {"session": b"x"}, "extra": {Decimal("1"), Decimal("2")}},
    ),
}


def test_odd_stored_carts_are_skipped_or_normalised_and_the_listing_answers_200(aws, api):
    seed_raw_cart(CUSTOMER_ID, "GOOD", [{"product_id": "g", "quantity": 2, "price": Decimal("10")}])
    for index, (lines_value, attributes) in enumerate(ODD_CARTS.values()):
        seed_raw_cart(CUSTOMER_ID, f"ODD{index}", lines_value, **attributes)

    listing = all_carts(api)

    assert listing.status == 200
    listed = {cart["store_id"]: cart for cart in listing.body["carts"]}
    # Normalised: numeric updated_at becomes ISO text; odd extra values become plain JSON.
    assert listed["ODD0"]["updated_at"] == "2024-11-21T10:20:00.000Z"
    odd_line = listed["ODD4"]["items"][0]
    assert (odd_line["tags"], odd_line["blob"], odd_line["huge"]) == (["a", "b"], "AP8=", 9.99e125)
    # Skipped, and logged with the store and the reason.
    assert set(listed) == {"GOOD", "ODD0", "ODD4"}
    skipped = [record for record in listing.lines.records if record["message"] == "Unreadable cart skipped"]
    assert sorted(record["store_id"] for record in skipped) == ["ODD1", "ODD2", "ODD3"]
    assert all(record["reason"] for record in skipped)
    assert listing.body["total_carts"] == 3
