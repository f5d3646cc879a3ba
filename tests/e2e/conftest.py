"""The applied local example, a Lambda runtime bound to it, and the emulator's clock."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from cartmon.local_lambda import LocalLambda


class EmulatorClock:
    """The emulator's clock (`/_cartmon/clock`): read it, or move it forward; a move is also an
    alarm evaluation moment."""

    def __init__(self, endpoint: str):
        self.url = f"{endpoint}/_cartmon/clock"

    def _call(self, advance_seconds: float | None) -> dict:
        data = None if advance_seconds is None else json.dumps({"advance_seconds": advance_seconds}).encode()
        request = urllib.request.Request(self.url, data=data, method="GET" if data is None else "POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def now(self) -> float:
        return self._call(None)["now"]

    def advance(self, seconds: float) -> float:
        return self._call(seconds)["now"]

    def evaluate_alarms(self) -> None:
        self._call(0)


@pytest.fixture(scope="session")
def emulator_clock(aws_endpoint) -> EmulatorClock:
    clock = EmulatorClock(aws_endpoint)
    try:
        clock.now()
    except OSError as error:
        pytest.fail(
            f"the emulator at {aws_endpoint} lacks this project's plugins (/_cartmon/clock): {error}",
            pytrace=False,
        )
    return clock


@pytest.fixture(scope="session")
def function_environment(applied_stack, aws_client) -> dict[str, str]:
    """The deployed function's own environment, as Lambda would give it to the handler."""
    configuration = aws_client("lambda").get_function_configuration(
        FunctionName=applied_stack["lambda_function_name"]
    )
    return dict(configuration["Environment"]["Variables"])


@pytest.fixture(scope="module")
def make_runtime(applied_stack, aws_client, emulator_clock, function_environment):
    """Factory of LocalLambda runtimes for the deployed function. The handler's settings go into
    os.environ as Lambda would put them; both they and the handler's cached AWS clients (one
    "container") are gone again after the session, so later suites start clean."""
    from cart_migration import clients

    saved_environment = dict(os.environ)
    clients.reset()

    def make(**options) -> LocalLambda:
        return LocalLambda(
            function_name=applied_stack["lambda_function_name"],
            log_group=applied_stack["log_group_names"]["function"],
            logs_client=aws_client("logs"),
            cloudwatch_client=aws_client("cloudwatch"),
            environment=function_environment,
            clock=emulator_clock.now,
            **options,
        )

    yield make
    os.environ.clear()
    os.environ.update(saved_environment)
    clients.reset()
