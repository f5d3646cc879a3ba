"""Log-level settings cannot starve the alarms: counted events are written whatever the function's
own level, and a Lambda application log level above INFO stops the function from starting."""

from __future__ import annotations

import pytest

from cart_migration import event_log, handler
from cart_migration.config import ConfigurationError
from cart_migration.log_levels import log_level_problem
from tests.unit.support import captured_stdout, migrate, new_guest_session


@pytest.mark.parametrize("level", ["WARN", "ERROR", "FATAL", "warn"])
def test_a_lambda_application_log_level_above_info_stops_the_function_from_starting(monkeypatch, level):
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", level)

    with captured_stdout() as lines, pytest.raises(ConfigurationError, match="AWS_LAMBDA_LOG_LEVEL"):
        handler.check_configuration()
    (record,) = lines.records
    # An ERROR line, which Lambda delivers at WARN and ERROR; at FATAL the failed init still shows.
    assert record["level"] == "ERROR"
    assert record["message"] == "Service misconfigured; the function cannot start"
    assert "application_log_level" in record["error_message"] and "INFO" in record["error_message"]


@pytest.mark.parametrize("level", ["INFO", "DEBUG", "TRACE", "", None])
def test_info_and_more_detailed_levels_start(monkeypatch, level):
    if level is None:
        monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", level)

    assert log_level_problem() is None
    with captured_stdout() as lines:
        assert handler.check_configuration() is not None
    assert lines.records == []


def test_the_functions_own_level_never_drops_the_counted_events(aws, api, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "ERROR")
    monkeypatch.setattr(event_log.writer, "threshold", event_log._threshold())
    assert event_log.writer.threshold == event_log.LEVELS["ERROR"]

    answer = migrate(api, {"guest_session_id": new_guest_session(), "merge_strategy": "merge"})

    assert answer.status == 200
    # All INFO events, each counted by a metric filter.
    for event_type in ("migration_start", "no_guest_carts", "performance_metric", "audit_log"):
        assert event_type in answer.lines.event_types, event_type
