"""The log-level settings must not starve the alarms of the events they count.

The metric filters count catalogue events, most of them INFO (``migration_success``,
``performance_metric``, ``audit_log``, ...). Two settings could drop them:

- ``POWERTOOLS_LOG_LEVEL`` (or ``LOG_LEVEL``): the function's own threshold. It applies to
  operational lines only; catalogue events are written whatever it says (event_log.py).
- Lambda's application log level (``logging_config.application_log_level``, seen by the function
  as ``AWS_LAMBDA_LOG_LEVEL``): with the JSON log format, Lambda itself drops every line below it
  before it reaches CloudWatch Logs, and nothing in the function can bypass that
  (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html). Above
  INFO the function therefore refuses to start, with this reason in its log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LAMBDA_LOG_LEVEL_ENV = "AWS_LAMBDA_LOG_LEVEL"
# Lambda's application levels, most detailed first.
LAMBDA_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
# The most restrictive level that still lets the counted INFO events through.
HIGHEST_ALLOWED_LEVEL = "INFO"


def log_level_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the log-level settings would hide counted events, or None when they do not."""
    environ = os.environ if environ is None else environ
    level = (environ.get(LAMBDA_LOG_LEVEL_ENV) or "").strip().upper()
    if level in LAMBDA_LEVELS and LAMBDA_LEVELS.index(level) > LAMBDA_LEVELS.index(HIGHEST_ALLOWED_LEVEL):
        return (
            f"{LAMBDA_LOG_LEVEL_ENV} is {level}: Lambda drops every application line below {level}, "
            "and the metric filters behind the alarms count INFO events (migration_success, "
            "performance_metric, ...), so the alarms would go blind. Set the function's "
            f"logging_config application_log_level to {HIGHEST_ALLOWED_LEVEL} (the module does) "
            "or to DEBUG/TRACE"
        )
    return None
