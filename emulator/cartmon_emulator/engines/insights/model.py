"""Errors, the stored log event, the query outcome and the service limits the engine enforces."""

from __future__ import annotations

import dataclasses

#: Rows returned when neither the query (``limit``) nor the API call (``limit``) asks for fewer.
DEFAULT_RESULT_LIMIT = 10_000
#: StartQuery's own ``limit`` parameter (API reference: 1 to 10,000).
_MAX_API_LIMIT = 10_000
#: The ``limit`` command: "You can specify a limit value of up to 100,000" -
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html
_MAX_QUERY_LIMIT = 100_000
_MAX_STATS_COMMANDS = 2


class InsightsQueryError(ValueError):
    """Base class of the two query errors; ``message``, ``line`` and ``column`` (1-based, or None)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class MalformedQuery(InsightsQueryError):
    """The query is not valid Logs Insights QL (AWS answers MalformedQueryException)."""


class UnsupportedQuery(InsightsQueryError):
    """The query uses a command or function that is valid Logs Insights QL but not implemented here."""


@dataclasses.dataclass(frozen=True)
class LogEvent:
    """One log event as CloudWatch Logs stores it."""

    timestamp_ms: int
    message: str
    log_stream: str = ""
    log_group: str = ""
    ingestion_time_ms: int | None = None
    account_id: str = "000000000000"
    log_group_class: str = "STANDARD"  # what SOURCE logGroups(class: [...]) selects on


@dataclasses.dataclass(frozen=True)
class QueryOutcome:
    """Result of :func:`execute`: rows as ``GetQueryResults`` shapes them, plus the statistics."""

    rows: list[list[dict[str, str]]]
    records_matched: int
    records_scanned: int
    bytes_scanned: int

    @property
    def statistics(self) -> dict[str, float]:
        """The ``statistics`` member of a ``GetQueryResults`` response (AWS sends doubles)."""
        return {
            "recordsMatched": float(self.records_matched),
            "recordsScanned": float(self.records_scanned),
            "bytesScanned": float(self.bytes_scanned),
        }
