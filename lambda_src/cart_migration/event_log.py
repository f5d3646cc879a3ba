"""Structured events: one redacted JSON object per line on stdout, as the metric filters expect.

``CartMigrationMetrics`` has one ``log_<event_type>`` classmethod per catalogue event, written
into ``event_methods.py`` from ``event_catalogue.json`` by ``cartmon.dev.generate_event_methods``
so that names, messages and fields exist in one place only and a type checker sees every method.
Each method takes the event's fields in catalogue order (positionally or by name); extra keyword
arguments are logged too, and every value passes through the redaction layer.

The lines are written by ``EventWriter`` below, not by Powertools Logger. Every line must be
redacted, so going through Logger meant paying for two record builders (logging's LogRecord and
Powertools' formatter dict) before the redaction pass, and the package import besides: measured
side by side, an event cost 2-3x a bare ``Logger.info``. The writer builds the record once, in the
order the filters and queries read it, redacts it, and writes one line. The envelope is
Powertools Logger's, with its Lambda-context keys (``inject_lambda_context``) and correlation id:
``timestamp, level, message, event_type, service, cold_start, function_name,
function_memory_size, function_arn, function_request_id, request_id, correlation_id,
xray_trace_id``, then the event's fields (lambda_src/README.md, "Log lines"). ``request_id`` is
``function_request_id`` under the name this project logged first; ``correlation_id`` is API
Gateway's request id (``requestContext.requestId``), which the API's access log writes under the
same name, so a 5xx in the access log finds its function lines. Powertools Metrics (EMF) is not used either: the alarms count these lines through metric
filters that Terraform builds from the same catalogue.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from typing import Any

from .catalogue import EVENTS, EventSpec
from .event_methods import CatalogueEvents
from .redaction import FRAMEWORK_KEYS, MAX_STRING_LENGTH, TRUNCATED, redact_record

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME") or "cart-migration"
LOG_LEVEL_ENV = "POWERTOOLS_LOG_LEVEL"
SAMPLE_RATE_ENV = "LOG_SAMPLE_RATE"
TRACE_ID_ENV = "_X_AMZN_TRACE_ID"
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
# Keys the writer sets itself; a caller's field of that name is logged as `field_<name>`.
ENVELOPE_KEYS = frozenset({"message", "request_id", "exception", *FRAMEWORK_KEYS})


def _threshold() -> int:
    return LEVELS.get((os.environ.get(LOG_LEVEL_ENV) or "INFO").upper(), LEVELS["INFO"])


class EventWriter:
    """Writes redacted JSON lines to whatever ``sys.stdout`` is at write time (tests redirect it)."""

    def __init__(self, service: str, threshold: int) -> None:
        self.service = service
        self.threshold = threshold
        self.request_id: str | None = None
        # Powertools' Lambda-context keys and correlation id, set once per invocation.
        self.context_fields: dict[str, Any] = {}
        self._second = -1
        self._second_text = ""

    def _timestamp(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:  # formatted once a second, not once a line
            self._second, self._second_text = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{int((now - second) * 1000):03d}Z"

    def write(
        self,
        level: str,
        message: str,
        event_type: str | None,
        fields: dict[str, Any],
        exception: BaseException | None = None,
    ) -> None:
        # The level threshold is for operational lines: catalogue events feed the metric filters
        # and are written whatever it says (log_levels.py).
        if event_type is None and LEVELS.get(level, LEVELS["INFO"]) < self.threshold:
            return
        record: dict[str, Any] = {"timestamp": self._timestamp(), "level": level, "message": message}
        if event_type is not None:
            record["event_type"] = event_type
        record["service"] = self.service
        if self.context_fields:
            record.update(self.context_fields)
        elif self.request_id is not None:
            record["request_id"] = self.request_id
        trace_header = os.environ.get(TRACE_ID_ENV)
        if trace_header:
            record["xray_trace_id"] = trace_header.partition(";")[0].removeprefix("Root=")
        if exception is not None:
            record["exception"] = bounded_traceback(exception)
            record["exception_name"] = type(exception).__name__
        for key, value in fields.items():
            if value is not None:
                # A caller's field never takes the place of one the writer sets (nor escapes redaction).
                record[f"field_{key}" if key in record or key in ENVELOPE_KEYS else key] = value
        # The message and the traceback are redacted as free text, like every field.
        line = json.dumps(redact_record(record), separators=(",", ":"), default=str)
        stream = sys.stdout
        stream.write(line + "\n")
        stream.flush()


# Room the redactor leaves a traceback (redaction.MAX_STRING_LENGTH), less what scrubbing may add.
TRACEBACK_BUDGET = MAX_STRING_LENGTH - 512
# The final "Type: message" kept whole up to this length; a longer message is cut at its end.
EXCEPTION_SUMMARY_LIMIT = 1536
TRACEBACK_CUT = "\n  [... traceback cut ...]\n"


def bounded_traceback(exception: BaseException) -> str:
    """The traceback, short enough for the redactor to keep whole, ending in ``Type: message``.

    A deep or chained traceback is cut in the middle, never at its end: the last line is what
    says what went wrong."""
    full = "".join(traceback.format_exception(exception)).rstrip()
    if len(full) <= TRACEBACK_BUDGET:
        return full
    summary = "".join(traceback.format_exception_only(exception)).rstrip()
    if len(summary) > EXCEPTION_SUMMARY_LIMIT:
        summary = summary[:EXCEPTION_SUMMARY_LIMIT] + TRUNCATED
    head = full[: max(0, TRACEBACK_BUDGET - len(summary) - len(TRACEBACK_CUT))]
    return head + TRACEBACK_CUT + summary


writer = EventWriter(SERVICE_NAME, _threshold())
_cold_start = True


def set_request_id(request_id: str | None) -> None:
    """Stamp the lines that follow with the Lambda request id only (tools outside the handler)."""
    writer.request_id = request_id
    writer.context_fields = {}


def set_lambda_context(context: Any, correlation_id: Any = None) -> None:
    """Stamp the lines of this invocation with Powertools' Lambda-context keys and the
    correlation id (the handler calls this first). ``cold_start`` is true on the lines of the first
    invocation of this execution environment only, as Powertools logs it."""
    global _cold_start
    cold_start, _cold_start = _cold_start, False
    request_id = getattr(context, "aws_request_id", None)
    writer.request_id = request_id
    fields: dict[str, Any] = {"cold_start": cold_start}
    for key, attribute in (
        ("function_name", "function_name"),
        ("function_memory_size", "memory_limit_in_mb"),
        ("function_arn", "invoked_function_arn"),
        ("function_request_id", "aws_request_id"),
    ):
        value = getattr(context, attribute, None)
        if value is not None:
            fields[key] = int(value) if key == "function_memory_size" and str(value).isdigit() else value
    if request_id is not None:
        fields["request_id"] = request_id
    if isinstance(correlation_id, str) and correlation_id:
        fields["correlation_id"] = correlation_id[:128]
    writer.context_fields = fields


_sampler = random.Random()


def log_sample_rate() -> float:
    """``LOG_SAMPLE_RATE`` clamped to 0..1; an unreadable value logs everything."""
    try:
        rate = float(os.environ.get(SAMPLE_RATE_ENV, "1.0"))
    except ValueError:
        return 1.0
    if rate != rate:  # NaN
        return 1.0
    return min(1.0, max(0.0, rate))


def _is_sampled_in(spec: EventSpec) -> bool:
    # Only events no alarm counts are sampleable (catalogue.py enforces it).
    return not spec.sampleable or _sampler.random() < log_sample_rate()


class CartMigrationMetrics(CatalogueEvents):
    """Emit the catalogue's events. Usable outside Lambda: it only needs stdout.

    The ``log_<event_type>`` methods come from ``CatalogueEvents`` (event_methods.py, generated from
    the catalogue); each calls ``emit`` with the event's fields in catalogue order."""

    @classmethod
    def emit(cls, event_type: str, /, **fields: Any) -> bool:
        """Log one event; returns False when a sampleable event was sampled out."""
        spec = EVENTS[event_type]
        if not _is_sampled_in(spec):
            return False
        writer.write(spec.level, spec.message, spec.event_type, fields)
        return True


def log_operational(level: str, message: str, **fields: Any) -> None:
    """A line that is not a catalogue event (the audit sink is down, a setting is missing);
    redacted like events."""
    writer.write(level.upper(), message, None, fields)


def log_unhandled_error(message: str) -> None:
    """Log the exception being handled, its message and traceback redacted."""
    writer.write("ERROR", message, None, {}, exception=sys.exception())
