"""Counting and timing AWS calls with botocore's event hooks, so the code under test runs unchanged."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MeterReading:
    """AWS calls seen by an AwsCallMeter over some interval."""

    calls: Counter = field(default_factory=Counter)  # "dynamodb.Query" -> API calls
    sends: Counter = field(default_factory=Counter)  # HTTP requests (a retried call sends twice)
    send_wall: float = 0.0
    send_cpu: float = 0.0
    call_wall: float = 0.0
    call_cpu: float = 0.0

    def __sub__(self, earlier: MeterReading) -> MeterReading:
        return MeterReading(
            calls=self.calls - earlier.calls,
            sends=self.sends - earlier.sends,
            send_wall=self.send_wall - earlier.send_wall,
            send_cpu=self.send_cpu - earlier.send_cpu,
            call_wall=self.call_wall - earlier.call_wall,
            call_cpu=self.call_cpu - earlier.call_cpu,
        )

    def count(self, service: str | None = None) -> int:
        return sum(n for key, n in self.calls.items() if service is None or key.startswith(f"{service}."))

    def round_trips(self, service: str | None = None) -> int:
        return sum(n for key, n in self.sends.items() if service is None or key.startswith(f"{service}."))

    def operations(self, service: str) -> dict[str, int]:
        prefix = f"{service}."
        return {key[len(prefix) :]: n for key, n in sorted(self.calls.items()) if key.startswith(prefix)}


SERVICE_NAMES = {"cloudwatch-logs": "logs"}


class AwsCallMeter:
    """Counts and times the API calls of the botocore clients it is attached to, with the client's
    event hooks, so the code under test runs unchanged.

    provide-client-params .. after-call   one API call (serialise, sign, send, parse)
    before-send .. before-parse           one HTTP exchange on the wire
    """

    HOOKS = (
        "provide-client-params",
        "before-send",
        "before-parse",
        "response-received",
        "after-call",
        "after-call-error",
    )

    def __init__(
        self, wall: Callable[[], float] = time.perf_counter, cpu: Callable[[], float] = time.process_time
    ):
        self._wall = wall
        self._cpu = cpu
        self._reading = MeterReading()
        self._call_started: tuple[float, float] | None = None
        self._send_started: tuple[float, float] | None = None
        self._clients: list[Any] = []

    @staticmethod
    def _key(event_name: str) -> str:
        parts = event_name.split(".")
        service = SERVICE_NAMES.get(parts[1], parts[1]) if len(parts) > 1 else "?"
        return f"{service}.{parts[-1]}" if len(parts) > 2 else service

    def _unique_id(self, hook: str) -> str:
        return f"bench-meter-{id(self)}-{hook}"

    def attach(self, client: Any) -> Any:
        handlers = {
            "provide-client-params": self._on_call,
            "before-send": self._on_send,
            "before-parse": self._on_received,
            "response-received": self._on_received,
            "after-call": self._on_call_done,
            "after-call-error": self._on_call_done,
        }
        for hook, handler in handlers.items():
            client.meta.events.register(hook, handler, unique_id=self._unique_id(hook))
        self._clients.append(client)
        return client

    def detach(self) -> None:
        for client in self._clients:
            for hook in self.HOOKS:
                client.meta.events.unregister(hook, unique_id=self._unique_id(hook))
        self._clients.clear()

    def reading(self) -> MeterReading:
        current = self._reading
        return MeterReading(
            Counter(current.calls),
            Counter(current.sends),
            current.send_wall,
            current.send_cpu,
            current.call_wall,
            current.call_cpu,
        )

    @contextlib.contextmanager
    def measure(self) -> Iterator[MeterReading]:
        """`with meter.measure() as seen:` -- `seen` holds the calls made inside the block."""
        before = self.reading()
        seen = MeterReading()
        try:
            yield seen
        finally:
            delta = self.reading() - before
            seen.__dict__.update(delta.__dict__)

    def _on_call(self, event_name: str = "", **_: Any) -> None:
        self._reading.calls[self._key(event_name)] += 1
        self._call_started = (self._wall(), self._cpu())

    def _on_send(self, event_name: str = "", **_: Any) -> None:
        self._reading.sends[self._key(event_name)] += 1
        self._send_started = (self._wall(), self._cpu())

    def _on_received(self, **_: Any) -> None:
        if self._send_started is not None:
            wall, cpu = self._send_started
            self._reading.send_wall += self._wall() - wall
            self._reading.send_cpu += self._cpu() - cpu
            self._send_started = None

    def _on_call_done(self, **_: Any) -> None:
        if self._call_started is not None:
            wall, cpu = self._call_started
            self._reading.call_wall += self._wall() - wall
            self._reading.call_cpu += self._cpu() - cpu
            self._call_started = None
