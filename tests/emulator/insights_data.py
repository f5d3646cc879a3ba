"""Shared data for the Logs Insights engine tests (test_insights*.py): log events that mimic the
cart-migration Lambda's JSON log lines, plus the Lambda runtime's plain-text START/REPORT lines and two events
outside the queried time range, and helpers to run a query and spell a result row."""

from __future__ import annotations

import json

from cartmon_emulator.engines.insights import LogEvent, run_query

BASE = 1_763_721_000  # 2025-11-21 10:30:00 UTC, epoch seconds
GROUP = "/aws/lambda/cart-migration"
STREAM = "2025/11/21/[$LATEST]0123456789abcdef"
ACCOUNT = "123456789012"
START, END = BASE, BASE + 3599  # the queried window: one hour

CCF = "ConditionalCheckFailedException"
PTE = "ProvisionedThroughputExceededException"
TEXTS = {
    "migration_start": ("INFO", "Cart migration started"),
    "migration_success": ("INFO", "Cart migration successful"),
    "migration_failure": ("ERROR", "Cart migration failed"),
    "no_guest_carts": ("INFO", "No guest carts found"),
}


def at(offset: float) -> int:
    """Epoch milliseconds `offset` seconds after BASE."""
    return BASE * 1000 + round(offset * 1000)


def cart_event(offset: float, event_type: str, **fields) -> LogEvent:
    level, text = TEXTS[event_type]
    body = {
        "timestamp": f"2025-11-21T10:30:00Z+{offset}s",
        "level": level,
        "message": text,
        "event_type": event_type,
        "service": "cart-migration",
        **fields,
    }
    return LogEvent(at(offset), json.dumps(body), STREAM, GROUP, at(offset) + 150, ACCOUNT)


def success(offset: float, customer: str, duration) -> LogEvent:
    return cart_event(
        offset,
        "migration_success",
        customer_id=customer,
        guest_session_id=f"guest_{int(offset)}",
        migrated_carts=1,
        total_items=3,
        merge_strategy="merge",
        duration_ms=duration,
    )


def failure(offset: float, customer: str, error_type: str, error_message: str, duration) -> LogEvent:
    return cart_event(
        offset,
        "migration_failure",
        customer_id=customer,
        guest_session_id=f"guest_{int(offset)}",
        error_type=error_type,
        error_message=error_message,
        merge_strategy="merge",
        duration_ms=duration,
    )


def plain(offset: float, message: str) -> LogEvent:
    return LogEvent(at(offset), message, STREAM, GROUP, at(offset) + 150, ACCOUNT)


EVENTS = [
    plain(0, "START RequestId: 8f2c Version: $LATEST"),
    cart_event(5, "migration_start", customer_id="cust_ab12", merge_strategy="merge"),
    success(10.25, "cust_ab12", 245.3),
    success(40, "cust_ab12", 120),
    failure(75, "cust_cd34", CCF, "Cart version conflict", 80.5),
    success(130, "cust_ef56", 310.25),
    failure(200, "cust_ab12", CCF, "Cart version conflict", 95),
    success(250, "cust_cd34", 275),
    success(310, "cust_ab12", 300.5),
    success(320, "cust_ab12", 150),
    success(330, "cust_ab12", 180.25),
    failure(400, "cust_ef56", PTE, "Rate exceeded", 60),
    failure(410, "cust_gh78", PTE, "Rate exceeded", 61),
    cart_event(450, "no_guest_carts", customer_id="cust_gh78"),
    success(610, "cust_ab12", 210),
    success(620, "cust_ef56", 199.5),
    failure(630, "cust_cd34", "ValidationException", "Invalid guest session", 12),
    failure(640, "cust_ef56", CCF, "Cart version conflict", 70),
    plain(700, "REPORT RequestId: 8f2c\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"),
    failure(-3600, "cust_zz99", "StaleException", "before the window", 1),
    success(7200, "cust_ab12", 999),
]
IN_RANGE = [event for event in EVENTS if START <= event.timestamp_ms // 1000 <= END]


def row(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"field": field, "value": value} for field, value in pairs]


def query(text: str, events=EVENTS, **kwargs):
    return run_query(text, events, START, END, **kwargs)


def customers(text: str, events=EVENTS) -> list[str | None]:
    return [{f["field"]: f["value"] for f in r}.get("customer_id") for r in query(text, events)]
