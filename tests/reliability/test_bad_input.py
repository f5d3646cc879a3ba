"""Fuzzed requests against the handler and a live (moto) carts table: no 5xx, no item lost.

500 requests, drawn by hypothesis from the unit tests' strategies and a few more: malformed
migrate bodies, cleanup ids, Authorization headers, routes, base64 bodies, events that are not
from API Gateway, and valid migrations mixed in. Bad input must be a 4xx that leaves the table as
it was; a valid migration must be a 200 that moves every item (no quantity of any product appears
or disappears in the table as a whole).
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from decimal import Decimal
from urllib.parse import quote

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from cart_migration.handler import lambda_handler
from cart_migration.storage import from_item
from tests.unit.support import (
    CARTS_TABLE,
    CUSTOMER_ID,
    LambdaContext,
    all_carts,
    api_event,
    bearer,
    captured_stdout,
    item,
    make_token,
    record_dynamodb_calls,
    seed_customer_cart,
    seed_guest_cart,
    seed_raw_cart,
    stored_cart,
    try_migrate,
    unit_settings,
)
from tests.unit.test_validation import VALID_SESSION, apis, json_scalars, odd_text, raw_bodies

FUZZED_REQUESTS = int(os.environ.get("RELIABILITY_FUZZ", "500"))
ROUTES = {("POST", "/api/v1/cart/migrate"), ("GET", "/api/v1/cart/all")}
CLEANUP = "/api/v1/cart/cleanup-guest/"

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = [pytest.mark.usefixtures("lambda_env"), pytest.mark.xdist_group("reliability")]


def corrupted(token: str, position: int, char: str) -> str:
    # Not the last character: its low bits are padding, so some changes there decode to the same
    # signature (a well-known, harmless malleability of base64url, not a forgery).
    position %= len(token) - 1
    return token[:position] + char + token[position + 1 :] if token[position] != char else token + char


authorization_values = st.one_of(
    st.text(max_size=60),
    st.text(max_size=60).map(lambda text: "Bearer " + text),
    # A token made when drawn, not at import: it expires minutes after it is made.
    st.builds(corrupted, st.builds(make_token), st.integers(0, 400), st.sampled_from("AaZz019-_.=")),
    st.sampled_from(["Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "bearer\u00a0x", "Bearer " + "x" * 9000]),
)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
paths = st.one_of(
    odd_text.map(lambda text: "/api/v1/cart/" + quote(text, safe="")),
    st.sampled_from(["/", "/api", "/api/v1/cart", "/api/v1/cart/migrat", "/api/v2/cart/all", "//"]),
)
not_api_gateway = st.recursive(
    json_scalars,
    lambda inner: st.dictionaries(st.text(max_size=8), inner, max_size=4) | st.lists(inner),
    max_leaves=6,
)


KINDS = (
    ["migrate_body"] * 4
    + ["cleanup_id"] * 2
    + ["authorization"] * 2
    + ["route", "base64", "not_api_gateway", "valid"]
)


@st.composite
def fuzzed_request(draw):
    """(kind, bad input?, event or a seeding step plus event)."""
    # About one request in ten is a valid migration: they cost the most (several DynamoDB calls).
    kind = KINDS[draw(st.integers(0, len(KINDS) - 1))]
    api = draw(apis)
    if kind == "migrate_body":
        return kind, True, api_event(api, "POST", "/api/v1/cart/migrate", draw(raw_bodies), bearer())
    if kind == "cleanup_id":
        segment = draw(odd_text.filter(lambda text: text and not VALID_SESSION.fullmatch(text)))
        # API Gateway hands REST APIs the decoded path and HTTP APIs the raw, percent-encoded one.
        path = CLEANUP + (segment if api == "rest_v1" else quote(segment, safe=""))
        return kind, True, api_event(api, "DELETE", path, headers=bearer())
    if kind == "authorization":
        method, path = draw(st.sampled_from(sorted(ROUTES) + [("DELETE", CLEANUP + "guest-abc")]))
        headers = {"Authorization": draw(authorization_values)}
        return kind, True, api_event(api, method, path, {"guest_session_id": "guest-abc"}, headers)
    if kind == "route":
        # A trailing slash reaches the same route, so it is no bad input.
        method, path = draw(
            st.tuples(methods, paths).filter(
                lambda route: (
                    (route[0], route[1].rstrip("/")) not in ROUTES and not route[1].startswith(CLEANUP)
                )
            )
        )
        return kind, True, api_event(api, method, path, {"guest_session_id": "guest-abc"}, bearer())
    if kind == "base64":
        event = api_event(api, "POST", "/api/v1/cart/migrate", None, bearer())
        event["isBase64Encoded"] = True
        event["body"] = draw(st.sampled_from(["***not base64***", "//79", "e30", "%%%", "eyJndWVzdA"]))
        return kind, True, event
    if kind == "not_api_gateway":
        return kind, True, draw(not_api_gateway)
    # A guest fills a cart in a few stores (some the customer also has), then signs in and migrates.
    stores = draw(st.lists(st.sampled_from(["S1", "S2", "S3", "S4"]), min_size=1, max_size=3, unique=True))
    lines = {
        store: draw(
            st.lists(
                st.tuples(st.sampled_from(["rice", "tea", "soap", "dal"]), st.integers(1, 5)),
                min_size=1,
                max_size=3,
                unique_by=lambda line: line[0],
            )
        )
        for store in stores
    }
    one_store = draw(st.none() | st.sampled_from(stores))
    return kind, False, (lines, one_store, api)


WRITES = {"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"}


def quantities_by_product(client) -> Counter:
    """How many of each product the carts table holds, all carts together."""
    totals: Counter = Counter()
    for entry in client.scan(TableName=CARTS_TABLE, ConsistentRead=True)["Items"]:
        for line in from_item(entry).get("items", []):
            totals[line["product_id"]] += int(line["quantity"])
    return totals


def test_fuzzed_requests_get_no_5xx_and_lose_no_item(aws, figure, monkeypatch):
    row = figure(
        "fuzzed_requests",
        "fuzzed API requests",
        unit="requests",
        scale=f"{FUZZED_REQUESTS} requests (hypothesis): migrate bodies, cleanup ids, Authorization headers, "
        "routes, base64 bodies, non-API-Gateway events; valid migrations mixed in",
    )
    row.count("5xx answers", expected=0)
    row.count("bad input not answered 4xx", expected=0)
    row.count("items lost", expected=0)
    row.count("items duplicated", expected=0)
    row.count("DynamoDB writes caused by bad input", expected=0)
    kinds: Counter = Counter()
    seed_customer_cart(CUSTOMER_ID, "S1", (item("rice", 2), item("tea", 1)))
    seed_customer_cart(CUSTOMER_ID, "S3", (item("dal", 4),))
    # What the table must hold at the end: what was put in, and nothing else. Scanning the table
    # after every request would cost more than the requests (moto serialises slowly), so bad input
    # is held to "no DynamoDB write at all" per request and the items are counted once at the end.
    ledger = quantities_by_product(aws)
    recorder = record_dynamodb_calls(monkeypatch)

    # No shrinking: every run of the body is counted, and the first failing request is reported as is.
    @settings(
        unit_settings, max_examples=FUZZED_REQUESTS, phases=[Phase.explicit, Phase.reuse, Phase.generate]
    )
    @given(request=fuzzed_request())
    def one_request(request):
        kind, bad_input, event = request
        if not bad_input:
            lines, one_store, api = event
            session = f"guest-{uuid.uuid4()}"
            for store, store_lines in lines.items():
                seed_guest_cart(session, store, tuple(item(product, count) for product, count in store_lines))
                ledger.update(dict(store_lines))
            body = {"guest_session_id": session, **({"store_id": one_store} if one_store else {})}
            event = api_event(api, "POST", "/api/v1/cart/migrate", body, bearer())
        row.tried += 1
        kinds[kind] += 1
        calls_before = len(recorder.calls)
        try:
            with captured_stdout():
                response = lambda_handler(event, LambdaContext())
            status = response["statusCode"]
        except Exception:  # an unhandled error: API Gateway would answer 502
            status = 502
        writes = [call for call in recorder.calls[calls_before:] if call in WRITES]
        row.add("5xx answers", int(status >= 500))
        if bad_input:
            row.add("bad input not answered 4xx", int(not 400 <= status < 500))
            row.add("DynamoDB writes caused by bad input", len(writes))
        assert status < 500, (kind, event)
        if bad_input:
            assert 400 <= status < 500, (kind, status, event)
            assert writes == [], (kind, writes)
        else:
            body = json.loads(response["body"])
            assert status == 200 and body["status"] == "success", response
            assert body["migrated_carts"] == (1 if one_store else len(lines)), body
            # The guest's other stores were rightly left alone; remove them so the table stays small
            # (moto copies whole tables in a transaction, so its cost grows with the table).
            for store in set(lines) - {one_store} if one_store else ():
                aws.delete_item(
                    TableName=CARTS_TABLE, Key={"customer_id": {"S": session}, "store_id": {"S": store}}
                )
                ledger.subtract(dict(lines[store]))

    one_request()

    held = quantities_by_product(aws)
    row.add("items lost", sum((ledger - held).values()))
    row.add("items duplicated", sum((held - ledger).values()))
    row.note("by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    row.note(f"items in the table at the end: {sum(held.values())}, as put in: {sum(ledger.values())}")
    assert row.tried >= FUZZED_REQUESTS
    assert kinds["valid"] > 0, "no valid migration was drawn: the item count was never put to the test"
    assert held == ledger, f"lost {ledger - held}, duplicated {held - ledger}"


# --- stored carts of any shape -----------------------------------------------------------------------

STORED_SHAPES = int(os.environ.get("RELIABILITY_STORED_SHAPES", "150"))
stored_values = st.recursive(
    st.one_of(
        st.text(max_size=6),
        st.integers(-(10**6), 2 * 10**6).map(Decimal),
        st.decimals(
            min_value=Decimal("-1e30"), max_value=Decimal("1e125"), allow_nan=False, allow_infinity=False
        )
        .filter(lambda number: len(number.as_tuple().digits) <= 38)
        .map(lambda number: +number),
        st.booleans(),
        st.none(),
        st.binary(max_size=4),
        st.frozensets(st.text(max_size=3), min_size=1, max_size=2).map(set),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
odd_lines = st.fixed_dictionaries(
    {"product_id": st.sampled_from(["p1", "p2"]) | stored_values},
    optional={
        "quantity": st.integers(0, 9).map(Decimal) | stored_values,
        "price": st.decimals(0, 100, places=2) | stored_values,
        "variant_id": stored_values,
        "max_stock": stored_values,
        "name": stored_values,
        "extra": stored_values,
    },
)
odd_carts = st.fixed_dictionaries(
    {"items": st.lists(odd_lines, max_size=3) | stored_values},
    optional={
        "updated_at": stored_values,
        "version": st.integers(0, 5).map(Decimal),
        "migrated_from": stored_values,
    },
)


def test_stored_carts_of_any_shape_never_break_a_listing_or_a_migration(aws, figure):
    row = figure(
        "stored_cart_shapes",
        "stored carts of any shape",
        unit="carts",
        scale=f"{STORED_SHAPES} carts (hypothesis) with any DynamoDB value in any line or cart attribute: "
        "listed beside a good cart, and migrated from a guest session into a customer's cart",
    )
    row.count("listings not answered 200", expected=0)
    row.count("good carts missing from a listing", expected=0)
    row.count("migrations answered 5xx", expected=0)
    row.count("written carts that do not read back", expected=0)
    row.count("refused migrations that changed a cart", expected=0)
    outcomes: Counter = Counter()

    @settings(unit_settings, max_examples=STORED_SHAPES, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(cart=odd_carts)
    def one_cart(cart):
        row.tried += 1
        for existing in aws.scan(TableName=CARTS_TABLE)["Items"]:
            aws.delete_item(TableName=CARTS_TABLE, Key={k: existing[k] for k in ("customer_id", "store_id")})
        seed_customer_cart(CUSTOMER_ID, "GOOD", (item("rice", 1),))
        lines, attributes = cart["items"], {k: v for k, v in cart.items() if k != "items"}
        seed_raw_cart(CUSTOMER_ID, "ODD", lines, **attributes)
        listing = all_carts()
        row.add("listings not answered 200", int(listing.status != 200))
        row.add(
            "good carts missing from a listing",
            int("GOOD" not in {c["store_id"] for c in listing.body.get("carts", [])}),
        )

        session = f"guest-{uuid.uuid4()}"
        seed_raw_cart(session, "S1", lines, **attributes)
        before = stored_cart(session, "S1")
        outcome = try_migrate("http_v2", {"guest_session_id": session, "store_id": "S1"})
        status = outcome.answer.status if outcome.answer else 502
        outcomes[status] += 1
        row.add("migrations answered 5xx", int(status >= 500))
        if status == 200 and stored_cart(CUSTOMER_ID, "S1") is not None:
            listed = {c["store_id"] for c in all_carts().body.get("carts", [])}
            row.add("written carts that do not read back", int("S1" not in listed))
        elif status != 200:
            row.add("refused migrations that changed a cart", int(stored_cart(session, "S1") != before))
        assert listing.status == 200 and status < 500, (cart, status)

    one_cart()
    row.note(
        "migration answers: " + ", ".join(f"{status} x{count}" for status, count in sorted(outcomes.items()))
    )
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value} (expected {check.expected})"
