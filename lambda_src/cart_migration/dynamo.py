"""One place where DynamoDB calls are made, so every unexpected failure emits ``dynamo_error``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from .deadline import DeadlineExceeded
from .event_log import CartMigrationMetrics

DEADLINE_EXCEEDED = "DeadlineExceeded"
# Worth retrying later: the answer is 503 with these, 500 with anything else.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "LimitExceededException",
        "TransactionInProgressException",
        "TransactionConflict",
        "UnprocessedItems",
        "UnprocessedKeys",
        # The same conditions as cancellation reasons of a transaction.
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        # Not sent: too little of the invocation was left (deadline.py).
        DEADLINE_EXCEEDED,
    }
)


class StorageError(Exception):
    """A DynamoDB call failed in a way the caller cannot handle; already reported as ``dynamo_error``."""

    def __init__(self, operation: str, table: str, error_code: str, transport_failure: bool = False):
        super().__init__(f"DynamoDB {operation} on {table} failed: {error_code}")
        self.operation = operation
        self.table = table
        self.error_code = error_code
        self.transient = transport_failure or error_code in TRANSIENT_ERROR_CODES
        # The request may have been applied although no answer came back (timeout, reset).
        self.transport_failure = transport_failure


def report_failure(operation: str, table: str, error_code: str, error_message: str | None) -> None:
    CartMigrationMetrics.log_dynamo_error(
        operation=operation, table=table, error_code=error_code, error_message=error_message
    )


def call(
    client: Any, operation: str, table: str, expected_error_codes: Iterable[str] = (), **params: Any
) -> dict[str, Any]:
    """Call ``client.<operation>``; errors in ``expected_error_codes`` are re-raised untouched."""
    try:
        response: dict[str, Any] = getattr(client, xform_name(operation))(**params)
        return response
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        if code in set(expected_error_codes):
            raise
        report_failure(operation, table, code, error.response.get("Error", {}).get("Message"))
        raise StorageError(operation, table, code) from error
    except DeadlineExceeded as error:
        # Never sent, so nothing was applied: a retry later is safe and may well succeed.
        report_failure(operation, table, DEADLINE_EXCEEDED, str(error))
        raise StorageError(operation, table, DEADLINE_EXCEEDED) from error
    except BotoCoreError as error:
        # Timeouts and connection errors: the request may or may not have been applied.
        code = type(error).__name__
        report_failure(operation, table, code, str(error))
        raise StorageError(operation, table, code, transport_failure=True) from error
    except Exception as error:
        # Neither an AWS error nor a transport one (an SDK bug, say): counted, then left to the
        # caller as the unexpected exception it is.
        report_failure(operation, table, type(error).__name__, str(error))
        raise
