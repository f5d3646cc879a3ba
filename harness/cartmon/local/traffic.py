"""Shop traffic against the deployed cart-migration function, through `LocalLambda`.

A `Shop` seeds guest carts as the shop front end stores them and calls the API as customers do:
successful migrations with each strategy, merge conflicts, guests without carts, a DynamoDB
failure burst, rate-limit bursts, forged tokens and bad input. `MORNING` is the demo's morning in
the shop, wave by wave; `Customers` plays one kind of request of it, and `steady_minute` draws a
minute of steady traffic from the same mix (`make traffic`). Used by the demo, `make traffic`
and the end-to-end tests.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

from cartmon.local.events import api_event
from cartmon.local.runtime import Invocation, LocalLambda, Throttled
from cartmon.local.tokens import make_token

GUEST_CART_TTL = 7 * 86400
STRATEGIES = ("merge", "replace", "keep_newest")
MIGRATE = "/api/v1/cart/migrate"


def new_customer() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def new_guest_session() -> str:
    return f"guest-{uuid.uuid4()}"


class Shop:
    def __init__(self, runtime: LocalLambda, jwt_secret: str, carts_table: str, api: str = "http_v2"):
        self.runtime = runtime
        self.secret = jwt_secret
        self.carts_table = carts_table
        self.api = api

    def token(self, customer_id: str) -> str:
        return make_token(customer_id, self.secret)

    def seed_guest_cart(self, stores: tuple[str, ...] = ("STORE-001",), session: str | None = None) -> str:
        from cart_migration import clients
        from cart_migration.merge import CartItem
        from cart_migration.storage import CartTable

        session = session or new_guest_session()
        table = CartTable(clients.dynamodb(), self.carts_table)
        for store in stores:
            items = (
                CartItem("P-1", 2, Decimal("120.00"), 10, None),
                CartItem("P-2", 1, Decimal("80.50"), 5, None),
            )
            table.put_guest_cart(session, store, items, datetime.now(UTC), GUEST_CART_TTL)
        return session

    def call(
        self,
        method: str,
        path: str,
        customer_id: str | None,
        body=None,
        headers: dict | None = None,
        runtime: LocalLambda | None = None,
    ) -> Invocation:
        headers = dict(headers or {})
        if customer_id is not None:
            headers.setdefault("Authorization", f"Bearer {self.token(customer_id)}")
        return (runtime or self.runtime).invoke(api_event(self.api, method, path, body, headers))

    def migrate(
        self,
        customer_id: str,
        session: str,
        strategy: str = "merge",
        store_id: str | None = None,
        runtime: LocalLambda | None = None,
    ) -> Invocation:
        body = {"guest_session_id": session, "merge_strategy": strategy}
        if store_id:
            body["store_id"] = store_id
        return self.call("POST", MIGRATE, customer_id, body, runtime=runtime)

    def successful_migrations(
        self, count: int, strategy: str = "merge", stores: tuple[str, ...] = ("STORE-001",)
    ) -> None:
        for _ in range(count):
            invocation = self.migrate(new_customer(), self.seed_guest_cart(stores), strategy)
            assert invocation.status_code == 200 and invocation.body["status"] == "success", invocation.body

    def migration_with_conflict(self, strategy: str) -> Invocation:
        """The customer already has a cart in the store the guest cart comes from."""
        customer = new_customer()
        first = self.migrate(customer, self.seed_guest_cart(), strategy)
        assert first.status_code == 200, first.body
        second = self.migrate(customer, self.seed_guest_cart(), strategy)
        assert second.status_code == 200 and second.body["conflicts_resolved"], second.body
        return second

    def migration_without_guest_carts(self) -> Invocation:
        invocation = self.migrate(new_customer(), new_guest_session())
        assert invocation.status_code == 200 and invocation.body["status"] == "no_carts_found", (
            invocation.body
        )
        return invocation

    def all_carts(self, customer_id: str) -> Invocation:
        return self.call("GET", "/api/v1/cart/all", customer_id)

    def cleanup(self, customer_id: str, session: str) -> Invocation:
        return self.call("DELETE", f"/api/v1/cart/cleanup-guest/{session}", customer_id)

    def rate_limit_burst(self, calls: int) -> list[int | None]:
        customer = new_customer()
        return [self.migrate(customer, new_guest_session()).status_code for _ in range(calls)]

    def forged_token_request(self) -> Invocation:
        forged = make_token(new_customer(), "a-key-that-is-long-enough-but-not-the-function-secret")
        return self.call(
            "POST",
            MIGRATE,
            None,
            {"guest_session_id": new_guest_session()},
            {"Authorization": f"Bearer {forged}"},
        )

    def bad_input_request(self) -> Invocation:
        return self.call(
            "POST", MIGRATE, new_customer(), {"guest_session_id": "not-a-guest", "merge_strategy": "union"}
        )

    @contextmanager
    def carts_table_missing(self) -> Iterator[None]:
        """The function pointed at a table that is not there: every migration fails in DynamoDB."""
        saved = os.environ["CARTS_TABLE"]
        os.environ["CARTS_TABLE"] = f"{saved}-deleted"
        try:
            yield
        finally:
            os.environ["CARTS_TABLE"] = saved

    def failed_migrations(self, count: int) -> None:
        with self.carts_table_missing():
            for _ in range(count):
                invocation = self.migrate(new_customer(), new_guest_session())
                status = invocation.status_code
                assert status is not None and status >= 500, invocation.body


# The demo's morning in the shop: (wave, requests, kind of request), in the order it plays them.
MORNING: tuple[tuple[str, int, str], ...] = (
    ("successful migrations, every strategy", 30, "migration"),
    ("multi-store migrations", 6, "multi_store_migration"),
    ("single-store migrations", 10, "single_store_migration"),
    ("cart summaries", 5, "cart_summary"),
    ("guest cart cleanups", 5, "cleanup"),
    ("merge conflicts", 6, "conflict"),
    ("guests without carts", 5, "no_guest_carts"),
    ("DynamoDB failure burst", 8, "dynamodb_failure"),
    ("rate-limit burst", 40, "rate_limited"),
    ("forged tokens", 5, "forged_token"),
    ("bad input", 5, "bad_input"),
    ("timeouts", 6, "timeout"),
    ("throttled invocations", 2, "throttle"),
)
# What fails on the function's side (the failure rate of `make traffic`); the rest is the shop's
# ordinary mix, client mistakes (forged tokens, bad input) included.
FAILING_KINDS = ("dynamodb_failure", "timeout", "throttle")
# The rate-limit burst is one customer's burst, not a share of every minute: steady traffic
# plays it once, in its middle minute.
BURST_KINDS = ("rate_limited",)


class Customers:
    """Plays one request of a kind of `MORNING` through the shop. `throttling` is a runtime whose
    reserved concurrency is used up, `impatient` one whose timeout every call overruns."""

    def __init__(self, shop: Shop, throttling: LocalLambda, impatient: LocalLambda):
        self.shop, self.throttling, self.impatient = shop, throttling, impatient
        self.rate_limited_customer = new_customer()
        self.statuses: dict[str, list[int | None]] = {}

    def play(self, kind: str, index: int = 0) -> None:
        shop = self.shop
        status: int | None = None
        if kind == "migration":
            shop.successful_migrations(1, STRATEGIES[index % len(STRATEGIES)])
            status = 200
        elif kind == "multi_store_migration":
            shop.successful_migrations(1, "merge", ("STORE-001", "STORE-002", "STORE-003"))
            status = 200
        elif kind == "single_store_migration":
            status = shop.migrate(new_customer(), shop.seed_guest_cart(), store_id="STORE-001").status_code
        elif kind == "cart_summary":
            status = shop.all_carts(new_customer()).status_code
        elif kind == "cleanup":
            status = shop.cleanup(new_customer(), shop.seed_guest_cart()).status_code
        elif kind == "conflict":
            status = shop.migration_with_conflict(STRATEGIES[index % len(STRATEGIES)]).status_code
        elif kind == "no_guest_carts":
            status = shop.migration_without_guest_carts().status_code
        elif kind == "dynamodb_failure":
            shop.failed_migrations(1)
            status = 500
        elif kind == "rate_limited":
            status = shop.migrate(self.rate_limited_customer, shop.seed_guest_cart()).status_code
        elif kind == "forged_token":
            status = shop.forged_token_request().status_code
        elif kind == "bad_input":
            status = shop.bad_input_request().status_code
        elif kind == "timeout":
            status = shop.migrate(new_customer(), shop.seed_guest_cart(), runtime=self.impatient).status_code
        elif kind == "throttle":
            try:
                self.throttling.invoke({})
            except Throttled:
                pass
        else:
            raise ValueError(f"unknown kind of request {kind!r}; kinds: {[k for _, _, k in MORNING]}")
        self.statuses.setdefault(kind, []).append(status)


def steady_minute(rng: random.Random, requests: int, failure_rate: float) -> list[str]:
    """A minute of steady traffic: `requests` kinds drawn from the morning's mix, a `failure_rate`
    share of them failing on the function's side (in the morning's proportions of its failures)."""
    if not 0 <= failure_rate <= 1:
        raise ValueError(f"the failure rate is a share between 0 and 1, not {failure_rate}")
    ordinary = [(kind, count) for _, count, kind in MORNING if kind not in FAILING_KINDS + BURST_KINDS]
    failing = [(kind, count) for _, count, kind in MORNING if kind in FAILING_KINDS]
    out = []
    for _ in range(requests):
        pool = failing if rng.random() < failure_rate else ordinary
        out.append(rng.choices([k for k, _ in pool], weights=[c for _, c in pool])[0])
    return out
