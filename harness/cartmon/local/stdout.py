"""What an invocation writes to stdout, kept apart per thread and cut off at the invocation's timeout.

The handler prints its log lines; Lambda gives each instance its own stdout. Here invocations run as
threads of one process, so `captured_stdout` routes each thread's writes to its own buffer, and
`OutputUntilDeadline` drops what a handler still writes after the runtime has stopped waiting for it.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterator


class OutputUntilDeadline(io.StringIO):
    """An invocation's stdout: once Lambda has stopped the invocation (its timeout on `monotonic`),
    nothing the abandoned handler thread still writes reaches the log."""

    def __init__(self, deadline: float, monotonic: Callable[[], float]) -> None:
        super().__init__()
        self.deadline = deadline
        self.monotonic = monotonic
        self.stopped = False
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            if self.stopped or self.monotonic() > self.deadline:
                return len(text)
            return super().write(text)

    def stop(self) -> str:
        with self.lock:
            self.stopped = True
            return self.getvalue()


class _StdoutByThread(io.TextIOBase):
    """sys.stdout stand-in that routes each thread's writes to that thread's buffer, so
    concurrent invocations keep their lines apart as separate Lambda instances would."""

    def __init__(self, fallback) -> None:
        self.fallback = fallback
        self.buffers: dict[int, io.StringIO] = {}

    def write(self, text: str) -> int:
        buffer = self.buffers.get(threading.get_ident())
        return buffer.write(text) if buffer is not None else self.fallback.write(text)

    def flush(self) -> None:
        self.fallback.flush()


_stdout_lock = threading.Lock()
_stdout_router: _StdoutByThread | None = None
_stdout_users = 0


@contextlib.contextmanager
def captured_stdout(buffer: io.StringIO | None = None) -> Iterator[io.StringIO]:
    """This thread's stdout, captured (into `buffer` if given); other threads are unaffected."""
    import sys

    global _stdout_router, _stdout_users
    with _stdout_lock:
        if _stdout_router is None:
            _stdout_router = _StdoutByThread(sys.stdout)
            sys.stdout = _stdout_router
        _stdout_users += 1
        router = _stdout_router
    buffer = io.StringIO() if buffer is None else buffer
    router.buffers[threading.get_ident()] = buffer
    try:
        yield buffer
    finally:
        router.buffers.pop(threading.get_ident(), None)
        with _stdout_lock:
            _stdout_users -= 1
            if _stdout_users == 0:
                sys.stdout = router.fallback
                _stdout_router = None
