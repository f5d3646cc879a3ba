"""The cost of one structured log event, beside a bare Powertools Logger call and stdlib logging."""

from __future__ import annotations

import io
import json
import os
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, Any, cast

from cartmon.dev.bench.fixtures import NullSink, stdout_to
from cartmon.dev.bench.settings import (
    Settings,
)
from cartmon.dev.bench.stats import percentile

LOG_FIELDS = {
    "customer_id": "user-123456",
    "guest_session_id": "guest-3f2b1c9e-8a47-4d1e-9b5a-2c6d7e8f9a0b",
    "migrated_carts": 2,
    "total_items": 5,
    "total_value": Decimal("1250.00"),
    "merge_strategy": "merge",
    "duration_ms": 245.3,
}


def _log_variants() -> dict[str, tuple[str, Callable[[], Any]]]:
    """Each variant writes one `migration_success`-shaped line to stdout (a NullSink while timed),
    except `ours_redaction_only`, which is the redaction step of ours on its own."""
    import logging

    from aws_lambda_powertools import Logger

    from cart_migration.event_log import CartMigrationMetrics
    from cart_migration.redaction import redact_record

    class _CurrentStdout:
        def write(self, text: str) -> int:
            return sys.stdout.write(text)

        def flush(self) -> None:
            pass

    # Logger wants an IO[str]; it only ever writes and flushes.
    bare = Logger(service="bench-bare", stream=cast(IO[str], _CurrentStdout()))
    message = "Cart migration successful"
    stdlib = logging.getLogger(f"bench.stdlib.{uuid.uuid4().hex}")
    stdlib.propagate = False
    stdlib.setLevel(logging.INFO)
    handler = logging.StreamHandler(_CurrentStdout())
    handler.setFormatter(logging.Formatter("%(message)s"))
    stdlib.addHandler(handler)

    def stdlib_line() -> None:
        record = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": "INFO",
            "message": message,
            "event_type": "migration_success",
            "service": "bench-stdlib",
            **LOG_FIELDS,
        }
        stdlib.info(json.dumps(record, default=str))

    formatted = {
        "timestamp": "2025-11-21T10:30:00.000Z",
        "level": "INFO",
        "message": message,
        "event_type": "migration_success",
        "service": "cart-migration",
        "request_id": str(uuid.uuid4()),
        **LOG_FIELDS,
    }

    return {
        "ours_migration_success": (
            "`CartMigrationMetrics.log_migration_success` (catalogue, redaction, HMAC of customer_id)",
            lambda: CartMigrationMetrics.log_migration_success(**LOG_FIELDS),
        ),
        "ours_performance_metric": (
            "`CartMigrationMetrics.log_performance_metric` (the event every call writes)",
            lambda: CartMigrationMetrics.log_performance_metric("migrate_single_store", 245.3, 1, 5),
        ),
        "ours_redaction_only": (
            "of which: `redact_record` of that event's record alone (writes nothing)",
            lambda: redact_record(formatted),
        ),
        "bare_powertools": (
            "bare Powertools `Logger.info(message, extra=fields)`",
            lambda: bare.info(message, extra={"event_type": "migration_success", **LOG_FIELDS}),
        ),
        "stdlib": ("stdlib `logging` of a `json.dumps` line", stdlib_line),
    }


def measure_logging(settings: Settings) -> dict[str, Any]:
    os.environ.setdefault("LOG_HASH_KEY", "bench-log-hash-key")
    os.environ["LOG_SAMPLE_RATE"] = "1.0"
    variants = _log_variants()
    sample_lines: dict[str, str] = {}
    for name, (_, emit) in variants.items():
        captured = io.StringIO()
        with stdout_to(captured):
            emit()
        lines = captured.getvalue().strip().splitlines()
        if lines:
            sample_lines[name] = lines[-1]

    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    n = settings.log_events
    for _ in range(settings.log_rounds):
        for name, (_, emit) in variants.items():  # interleaved: drift hits all variants alike
            sink = NullSink()
            with stdout_to(sink):
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for _ in range(n):
                    emit()
                wall1, cpu1 = time.perf_counter(), time.process_time()
            if name in sample_lines and sink.lines != n:
                raise RuntimeError(f"{name} wrote {sink.lines} lines for {n} events")
            wall[name].append((wall1 - wall0) / n * 1e6)
            cpu[name].append((cpu1 - cpu0) / n * 1e6)
    stdlib_us = percentile(wall["stdlib"], 50)
    bare_us = percentile(wall["bare_powertools"], 50)
    rows = []
    for name, (description, _) in variants.items():
        us = percentile(wall[name], 50)
        rows.append(
            {
                "name": name,
                "description": description,
                "us_per_event": us,
                "cpu_us_per_event": percentile(cpu[name], 50),
                "vs_stdlib": us / stdlib_us,
                "vs_bare_powertools": us / bare_us,
                "bytes": len(sample_lines[name].encode("utf-8")) + 1 if name in sample_lines else None,
            }
        )
    return {"events": n, "rounds": settings.log_rounds, "variants": rows, "sample_lines": sample_lines}
