"""The emulator's clock for the emulator suite (the same helper the end-to-end suite uses)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import EmulatorClock


@pytest.fixture(scope="session")
def emulator_clock(aws_endpoint) -> EmulatorClock:
    clock = EmulatorClock(aws_endpoint)
    try:
        clock.now()
    except OSError as error:
        pytest.fail(f"the emulator at {aws_endpoint} lacks this project's plugins: {error}", pytrace=False)
    return clock
