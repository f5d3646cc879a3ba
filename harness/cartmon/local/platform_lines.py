"""The lines the Lambda platform writes around an invocation, in the function's log format.

With the Text format (Lambda's default) these are START, END and REPORT (and INIT_START/INIT_REPORT when
the init fails, and "Task timed out" at a timeout); with JSON (the function's logging_config) they are
the Telemetry API's platform events
(https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html). The metric filters
under test read them (Duration, timeouts, init errors), so they are written as Lambda writes them.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TIMED_OUT = "Task timed out"
LOG_FORMATS = ("Text", "JSON")
RUNTIME_VERSION = "python:3.12"


@dataclass(frozen=True)
class PlatformLines:
    """The platform's lines for one function: `clock` stamps them (seconds since the epoch)."""

    log_format: str
    memory_mb: int
    timeout_seconds: float
    clock: Callable[[], float]

    def stamp(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.clock())) + ".000Z"

    def telemetry(self, event_type: str, record: dict[str, Any]) -> str:
        """A system log line in JSON format: the Telemetry API event schema."""
        return json.dumps({"time": self.stamp(), "type": event_type, "record": record})

    def start(self, request_id: str) -> str:
        if self.log_format == "JSON":
            return self.telemetry("platform.start", {"requestId": request_id, "version": "$LATEST"})
        return f"START RequestId: {request_id} Version: $LATEST"

    def closing(
        self, request_id: str, duration_ms: float, status: str, error_type: str | None, init_ms: float | None
    ) -> list[str]:
        """END and REPORT (Text) or platform.report (JSON). A timed-out invocation's report has status
        "timeout" (and, in Text, the runtime's "Task timed out after N seconds" line before END)."""
        billed = max(1, int(duration_ms + 0.999))
        if self.log_format == "JSON":
            metrics: dict[str, Any] = {
                "durationMs": round(duration_ms, 3),
                "billedDurationMs": billed,
                "memorySizeMB": self.memory_mb,
                "maxMemoryUsedMB": min(self.memory_mb, 90),
            }
            if init_ms is not None:
                metrics["initDurationMs"] = init_ms
            record: dict[str, Any] = {"requestId": request_id, "metrics": metrics, "status": status}
            if error_type:
                record["errorType"] = error_type
            return [self.telemetry("platform.report", record)]
        lines = []
        if status == "timeout":
            lines.append(f"{self.stamp()} {request_id} {TIMED_OUT} after {self.timeout_seconds:.2f} seconds")
        lines.append(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {min(self.memory_mb, 90)} MB"
        )
        if init_ms is not None:
            report += f"\tInit Duration: {init_ms:.2f} ms"
        if status != "success":
            report += f"\tStatus: {status}"
            if error_type:
                report += f"\tError Type: {error_type}"
        return [*lines, report]

    def error(self, exc: BaseException, request_id: str, error_type: str | None = None) -> str:
        """An unhandled exception as the Python runtime logs it."""
        record = {
            "errorMessage": str(exc),
            "errorType": error_type or type(exc).__name__,
            "requestId": request_id,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
        if self.log_format == "JSON":
            return json.dumps({"timestamp": self.stamp(), "level": "ERROR", **record})
        return f"[ERROR] {record['errorType']}: {exc}"

    def failed_init(
        self, request_id: str, init_ms: float, error_type: str, output: list[str], error_line: str
    ) -> list[str]:
        """An invocation whose init failed again: the init's start, what the init printed (`output`),
        the init error, the init report with status "error", then the invocation's START and report."""
        if self.log_format == "JSON":
            init_start = self.telemetry(
                "platform.initStart",
                {"initializationType": "on-demand", "phase": "invoke", "runtimeVersion": RUNTIME_VERSION},
            )
            init_report = self.telemetry(
                "platform.initReport",
                {
                    "initializationType": "on-demand",
                    "phase": "invoke",
                    "status": "error",
                    "errorType": error_type,
                    "metrics": {"durationMs": round(init_ms, 3)},
                },
            )
        else:
            init_start = f"INIT_START Runtime Version: {RUNTIME_VERSION}"
            init_report = (
                f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: invoke\tStatus: error\t"
                f"Error Type: {error_type}"
            )
        return [
            init_start,
            *output,
            error_line,
            init_report,
            self.start(request_id),
            *self.closing(request_id, init_ms, "error", error_type, None),
        ]
