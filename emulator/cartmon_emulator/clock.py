"""The emulator's clock: wall time plus an offset that tests may only move forward."""

import threading
import time


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offset_seconds = 0.0

    def now(self) -> float:
        return time.time() + self.offset_seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset_seconds += seconds


CLOCK = Clock()
