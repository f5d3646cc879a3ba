"""Structured events: one redacted JSON object per line on stdout, as the metric filters expect.

``CartMigrationMetrics`` has one ``log_<event_type>`` classmethod per catalogue event, generated
from ``event_catalogue.json`` so that names, messages and fields exist in one place only. Each
method takes the event's fields in catalogue order (positionally or by name); extra keyword
arguments are logged too, and every value passes through the redaction layer.

Powertools Logger writes the lines. Powertools Metrics (EMF) is not used: the alarms count these
lines through metric filters that Terraform builds from the same catalogue.
"""

from __future__ import annotations

import inspect
import logging
import os
import random
import sys
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from .catalogue import EVENTS, EventSpec
from .redaction import FRAMEWORK_KEYS, redact_record

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME") or "cart-migration"
SAMPLE_RATE_ENV = "LOG_SAMPLE_RATE"
RECORD_ORDER = ["timestamp", "level", "message", "event_type", "service"]
# Event fields travel under one key so that no field name can collide with a LogRecord attribute.
EVENT_FIELDS_KEY = "cart_event_fields"


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at write time, so redirected stdout (tests) is honoured."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter with event fields flattened and the whole record redacted."""

    def serialize(self, log: dict[str, Any]) -> str:
        fields = log.pop(EVENT_FIELDS_KEY, None) or {}
        for key, value in fields.items():
            if value is not None:
                # A caller's field never takes the place of one the logger writes (nor escapes redaction).
                log[f"field_{key}" if key in log or key in FRAMEWORK_KEYS else key] = value
        return self.json_serializer(redact_record(log))


logger = Logger(
    service=SERVICE_NAME,
    level=os.environ.get("POWERTOOLS_LOG_LEVEL") or "INFO",
    stream=_CurrentStdout(),
    logger_formatter=RedactingFormatter(
        log_record_order=RECORD_ORDER,
        datefmt="%Y-%m-%dT%H:%M:%S.%FZ",
        utc=True,
    ),
)
# Function name and line number of the logging call are the same for every event: pure noise.
logger.remove_keys(["location"])
# Handlers up the tree (the Lambda runtime's, for one) format records without redaction.
logging.getLogger(logger.name).propagate = False

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
    # Powertools' sampling_rate samples DEBUG logging, not chosen events; this is per event type.
    return not spec.sampleable or _sampler.random() < log_sample_rate()


class CartMigrationMetrics:
    """Emit the catalogue's events. Usable outside Lambda: it only needs stdout."""

    @classmethod
    def emit(cls, event_type: str, /, **fields: Any) -> bool:
        """Log one event; returns False when a sampleable event was sampled out."""
        spec = EVENTS[event_type]
        if not _is_sampled_in(spec):
            return False
        log_method: Callable[..., None] = getattr(logger, spec.level.lower())
        log_method(spec.message, extra={"event_type": spec.event_type, EVENT_FIELDS_KEY: fields})
        return True


def _event_method(spec: EventSpec) -> classmethod:
    field_parameters = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None) for name in spec.fields
    ]
    extra = inspect.Parameter("extra_fields", inspect.Parameter.VAR_KEYWORD)
    call_signature = inspect.Signature([*field_parameters, extra])

    def log_event(cls: type[CartMigrationMetrics], *args: Any, **kwargs: Any) -> bool:
        arguments = call_signature.bind(*args, **kwargs).arguments
        extra_fields = arguments.pop("extra_fields", {})
        return cls.emit(spec.event_type, **arguments, **extra_fields)

    log_event.__name__ = f"log_{spec.event_type}"
    log_event.__qualname__ = f"{CartMigrationMetrics.__name__}.{log_event.__name__}"
    log_event.__doc__ = (
        f"Emit `{spec.event_type}` ({spec.message!r}, {spec.level}). Fields: {', '.join(spec.fields)}."
    )
    class_parameter = inspect.Parameter("cls", inspect.Parameter.POSITIONAL_ONLY)
    log_event.__signature__ = call_signature.replace(  # type: ignore[attr-defined]
        parameters=[class_parameter, *call_signature.parameters.values()]
    )
    return classmethod(log_event)


for _spec in EVENTS.values():
    setattr(CartMigrationMetrics, f"log_{_spec.event_type}", _event_method(_spec))


def log_operational(level: str, message: str, **fields: Any) -> None:
    """A line that is not a catalogue event (the audit sink is down, a setting is missing);
    redacted like events."""
    getattr(logger, level.lower())(message, extra={EVENT_FIELDS_KEY: fields})


def log_unhandled_error(message: str) -> None:
    """Log the exception being handled, through the redacting formatter."""
    logger.exception(message)
