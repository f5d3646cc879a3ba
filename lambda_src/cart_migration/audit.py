"""Audit trail: every entry goes to stdout as an ``audit_log`` event and, when ``AUDIT_LOG_GROUP``
is set, straight to that log group, apart from the function's own logs.

A failed audit write never fails the request it audits; it is logged as a warning instead.
Hand-written: Powertools has no CloudWatch Logs writer, and Logger writes to stdout only.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .catalogue import EVENTS
from .deadline import DeadlineExceeded
from .event_log import CartMigrationMetrics, log_operational
from .redaction import redact_record
from .storage import iso_timestamp

AUDIT_EVENT = EVENTS["audit_log"]


class AuditLogWriter:
    """Writes to one log stream per Lambda container, created on first use."""

    def __init__(self, logs_client_factory: Callable[[], Any]):
        self._logs_client_factory = logs_client_factory
        self._stream_name: str | None = None

    def write(self, log_group: str, entry: dict[str, Any]) -> bool:
        try:
            client = self._logs_client_factory()
            stream_name = self._ensure_stream(client, log_group)
            client.put_log_events(
                logGroupName=log_group,
                logStreamName=stream_name,
                logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(entry)}],
            )
        except (ClientError, BotoCoreError, DeadlineExceeded) as error:
            # DeadlineExceeded: too little time was left to write it; the stdout entry stands.
            code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
            if code == "ResourceNotFoundException":
                self._stream_name = None  # the stream (or group) is gone; make the stream anew next time
            log_operational("WARNING", "Audit log write failed", log_group=log_group, error_code=code)
            return False
        return True

    def _ensure_stream(self, client: Any, log_group: str) -> str:
        if self._stream_name is None:
            name = f"{datetime.now(UTC):%Y/%m/%d}/cart-migration/{uuid.uuid4().hex}"
            try:
                client.create_log_stream(logGroupName=log_group, logStreamName=name)
            except ClientError as error:
                if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise
            self._stream_name = name
        return self._stream_name


def record_audit(
    writer: AuditLogWriter,
    log_group: str | None,
    action: str,
    customer_id: str,
    guest_session_id: str,
    outcome: str,
    ip_address: str | None,
    **details: Any,
) -> None:
    fields = {
        "action": action,
        "customer_id": customer_id,
        "guest_session_id": guest_session_id,
        "outcome": outcome,
        "ip_address": ip_address,
        **details,
    }
    CartMigrationMetrics.log_audit_log(**fields)
    if log_group:
        entry = {
            "timestamp": iso_timestamp(datetime.now(UTC)),
            "event_type": AUDIT_EVENT.event_type,
            "message": AUDIT_EVENT.message,
            **{key: value for key, value in fields.items() if value is not None},
        }
        writer.write(log_group, redact_record(entry))
