"""The applied local example, a Lambda runtime bound to it, and each scenario's own copy of its monitoring."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cartmon.local.runtime import LocalLambda
from cartmon.local.traffic import Shop
from tests.e2e.scenario_monitoring import ScenarioMonitoring, isolated_monitoring


@pytest.fixture(scope="session")
def function_environment(applied_stack, aws_client) -> dict[str, str]:
    """The deployed function's own environment, as Lambda would give it to the handler."""
    configuration = aws_client("lambda").get_function_configuration(
        FunctionName=applied_stack["lambda_function_name"]
    )
    return dict(configuration["Environment"]["Variables"])


@pytest.fixture(scope="session")
def function_log_format(applied_stack, aws_client) -> str:
    """The deployed function's log format (its logging_config; Lambda's default is Text): the form in
    which the local runtime writes the platform's lines."""
    configuration = aws_client("lambda").get_function_configuration(
        FunctionName=applied_stack["lambda_function_name"]
    )
    return (configuration.get("LoggingConfig") or {}).get("LogFormat", "Text")


@pytest.fixture(scope="module")
def make_runtime(applied_stack, aws_client, emulator_clock, function_environment, function_log_format):
    """Factory of LocalLambda runtimes for the deployed function. The handler's settings go into
    os.environ as Lambda would put them; both they and the handler's cached AWS clients (one
    "container") are gone again after the session, so later suites start clean. A scenario passes
    `**scenario.runtime_target()` so that the runtime writes and publishes into its own copy."""
    from cart_migration import clients

    saved_environment = dict(os.environ)
    clients.reset()

    def make(**options) -> LocalLambda:
        settings = {
            "function_name": applied_stack["lambda_function_name"],
            "log_group": applied_stack["log_group_names"]["function"],
            "logs_client": aws_client("logs"),
            "cloudwatch_client": aws_client("cloudwatch"),
            "environment": function_environment,
            "clock": emulator_clock.now,
            "log_format": function_log_format,
        }
        return LocalLambda(**{**settings, **options})

    yield make
    os.environ.clear()
    os.environ.update(saved_environment)
    clients.reset()


@pytest.fixture
def scenario(applied_stack, aws_client) -> Iterator[ScenarioMonitoring]:
    """This test's own copy of the stack's log groups, metric filters, alarms and inboxes
    (tests/e2e/scenario_monitoring.py): it starts from no data, wherever the clock is and whatever
    the tests before it did. Deleted when the test ends."""
    with isolated_monitoring(applied_stack, aws_client) as monitoring:
        yield monitoring


@pytest.fixture
def shop(make_runtime, function_environment, applied_stack, scenario) -> Shop:
    """The shop's customers calling the deployed function, whose lines go to this test's own copy of
    the stack's monitoring (the `scenario` fixture). A module that calls the stack's own function
    defines its own `shop`."""
    return Shop(
        make_runtime(**scenario.runtime_target()),
        function_environment["JWT_SECRET"],
        applied_stack["carts_table_name"],
    )
