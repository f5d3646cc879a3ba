"""The local runtime stops, fails and throttles invocations as Lambda does, and publishes what Lambda
publishes for each ("Types of metrics for Lambda functions",
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html): the handler here is a
stand-in, the logs and metrics clients record what they are sent."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from typing import Any

import pytest

from cartmon.local.runtime import LocalLambda, Throttled
from cartmon.project import ROOT

HUNG = 60  # seconds: only a hung test waits this long


class Recorder:
    """PutLogEvents and PutMetricData, kept."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.data: list[dict[str, Any]] = []

    def create_log_stream(self, **_: Any) -> None:
        pass

    def put_log_events(self, logEvents: list[dict], **_: Any) -> None:  # noqa: N803 - boto3's name
        self.lines += [e["message"] for e in logEvents]

    def put_metric_data(self, Namespace: str, MetricData: list[dict]) -> None:  # noqa: N803
        assert Namespace == "AWS/Lambda"
        self.data += MetricData

    def sums(self) -> Counter:
        totals: Counter = Counter()
        for datum in self.data:
            assert datum["Dimensions"] == [{"Name": "FunctionName", "Value": "fn"}]
            if datum["MetricName"] != "Duration":
                totals[datum["MetricName"]] += datum["Value"]
        return totals

    def durations(self) -> list[float]:
        return [d["Value"] for d in self.data if d["MetricName"] == "Duration"]


def runtime(recorder: Recorder, handler, **options: Any) -> LocalLambda:
    return LocalLambda(
        "fn",
        "/aws/lambda/fn",
        recorder,
        recorder,
        {},
        clock=lambda: 1_800_000_000.0,
        handler=handler,
        **options,
    )


def answering(event, context):
    print(json.dumps({"event_type": "migration_success", "request": context.aws_request_id}))
    return {"statusCode": 200, "body": "{}"}


@pytest.fixture
def release():
    """Set at the end of the test: a hung handler's thread ends then (and is waited for, so that it
    writes nothing into the next test)."""
    event = threading.Event()
    yield event
    event.set()
    for thread in threading.enumerate():
        if thread.name.startswith("lambda-"):
            thread.join(HUNG)


def test_a_hung_invocation_is_stopped_at_its_timeout_with_the_text_timeout_report(release):
    recorder = Recorder()
    marker = uuid.uuid4().hex

    def hangs(event, context):
        print(json.dumps({"event_type": "started", "marker": marker}))
        release.wait(HUNG)
        print(json.dumps({"event_type": "migration_failure", "marker": marker}))
        return {"statusCode": 503}

    result = runtime(recorder, hangs, timeout_seconds=0.2).invoke({})
    release.set()
    assert (result.response, result.error, result.status) == (None, "Task timed out", "timeout")
    assert result.duration_ms == 200
    assert [e["event_type"] for e in result.events] == ["started"]
    function_lines = [line for line in recorder.lines if marker in line]
    assert len(function_lines) == 1 and "started" in function_lines[0], "no line after the timeout"
    assert any(line.endswith("Task timed out after 0.20 seconds") for line in recorder.lines)
    (report,) = [line for line in recorder.lines if line.startswith("REPORT")]
    assert "Duration: 200.00 ms" in report and "Status: timeout" in report
    assert recorder.sums() == {"Invocations": 1, "Errors": 1, "Throttles": 0}
    assert recorder.durations() == [200.0]


def test_a_timeout_on_the_injected_clock_with_the_json_platform_report(release):
    """The deadline and the context's remaining time follow the injected clock: a dependency call that
    moves it past the timeout times the invocation out without any wait."""
    recorder = Recorder()
    now = [100.0]
    seen: list[int] = []

    def slow_dependency(event, context):
        seen.append(context.get_remaining_time_in_millis())
        now[0] += 20  # a 20 s call against a 15 s timeout
        seen.append(context.get_remaining_time_in_millis())
        print(json.dumps({"event_type": "migration_failure"}))  # written after the deadline
        return {"statusCode": 503}

    result = runtime(
        recorder, slow_dependency, timeout_seconds=15, log_format="JSON", monotonic=lambda: now[0]
    ).invoke({})
    assert seen == [15_000, 0]
    assert (result.response, result.status, result.events) == (None, "timeout", [])
    records = [json.loads(line) for line in recorder.lines]
    assert [r["type"] for r in records] == ["platform.start", "platform.report"]
    report = records[-1]["record"]
    assert report["status"] == "timeout" and report["metrics"]["durationMs"] == 15_000
    assert recorder.sums() == {"Invocations": 1, "Errors": 1, "Throttles": 0}
    assert recorder.durations() == [15_000.0]


def test_an_answer_within_the_timeout_is_a_success():
    recorder = Recorder()
    result = runtime(recorder, answering, timeout_seconds=HUNG, log_format="JSON").invoke({})
    assert result.status_code == 200 and result.status == "success" and result.error is None
    assert [e["event_type"] for e in result.events] == ["migration_success"]
    report = json.loads(recorder.lines[-1])
    assert report["type"] == "platform.report" and report["record"]["status"] == "success"
    assert recorder.sums() == {"Invocations": 1, "Errors": 0, "Throttles": 0}


def test_a_failing_init_fails_every_invocation_at_init_until_it_passes():
    recorder = Recorder()
    broken = [True]

    def init():
        print("checking settings")
        if broken[0]:
            raise ImportError("No module named 'cart_migration.missing'")

    function = runtime(recorder, answering, init=init)
    assert recorder.lines == [] and recorder.data == [], "the first init fails before any request"
    for _ in range(3):
        result = function.invoke({})
        assert result.response is None and result.status == "error"
        assert result.error.startswith("Runtime.ImportModuleError")
    assert (
        recorder.lines.count("[ERROR] Runtime.ImportModuleError: No module named 'cart_migration.missing'")
        == 3
    )
    init_reports = [line for line in recorder.lines if line.startswith("INIT_REPORT")]
    assert len(init_reports) == 3 and all("Status: error" in r for r in init_reports)
    assert not any("migration_success" in line for line in recorder.lines)
    # Errors counts configuration errors; Invocations counts invocations ending in a function error.
    assert recorder.sums() == {"Invocations": 3, "Errors": 3, "Throttles": 0}
    broken[0] = False  # a good deploy
    assert function.invoke({}).status_code == 200
    assert recorder.sums() == {"Invocations": 4, "Errors": 3, "Throttles": 0}


def test_the_cart_migration_start_up_check_fails_init_with_its_reason_in_json(monkeypatch):
    from cart_migration.config import ConfigurationError

    def check():
        raise ConfigurationError("LOG_HASH_KEY is not set")

    recorder = Recorder()
    function = runtime(recorder, answering, init=check, log_format="JSON")
    result = function.invoke({})
    assert result.error == "ConfigurationError: LOG_HASH_KEY is not set"
    records = [json.loads(line) for line in recorder.lines]
    assert [r.get("type") for r in records] == [
        "platform.initStart",
        None,
        "platform.initReport",
        "platform.start",
        "platform.report",
    ]
    assert records[1]["errorType"] == "ConfigurationError" and records[1]["level"] == "ERROR"
    assert records[2]["record"]["status"] == "error" and records[-1]["record"]["status"] == "error"


def test_invocations_beyond_the_reserved_concurrency_are_throttled_not_invoked(release):
    recorder = Recorder()
    entered = threading.Event()

    def holds(event, context):
        entered.set()
        release.wait(HUNG)
        return {"statusCode": 200}

    function = runtime(recorder, holds, reserved_concurrency=1, timeout_seconds=HUNG)
    first = threading.Thread(target=function.invoke, args=({},))
    first.start()
    assert entered.wait(HUNG)
    lines_before = list(recorder.lines)
    with pytest.raises(Throttled) as throttled:
        function.invoke({})
    assert (throttled.value.status_code, throttled.value.error_type) == (429, "TooManyRequestsException")
    assert recorder.lines == lines_before, "a throttled request leaves no log line"
    assert recorder.sums() == {"Throttles": 1}, "counted in Throttles, not in Invocations or Errors"
    release.set()
    first.join(HUNG)
    assert recorder.sums() == {"Throttles": 1, "Invocations": 1, "Errors": 0}


def test_zero_reserved_concurrency_throttles_every_invocation():
    recorder = Recorder()
    function = runtime(recorder, answering, reserved_concurrency=0)
    for _ in range(4):
        with pytest.raises(Throttled):
            function.invoke({})
    assert recorder.sums() == {"Throttles": 4} and recorder.lines == []


@pytest.mark.parametrize("log_format", ["Text", "JSON"])
def test_the_timeout_report_is_what_the_modules_timeout_filter_counts(log_format, release):
    """The catalogue's timeout filter for the log format (slo.tf picks it) matches exactly one line of a
    timed-out invocation and none of an answered one."""
    from cartmon_emulator.engines.filter_patterns import compile_pattern

    catalogue = json.loads((ROOT / "lambda_src" / "cart_migration" / "event_catalogue.json").read_text())
    pattern = compile_pattern(catalogue["slis"]["timeouts"]["filter_patterns"][log_format])

    def hangs(event, context):
        release.wait(HUNG)

    timed_out, answered = Recorder(), Recorder()
    runtime(timed_out, hangs, timeout_seconds=0.1, log_format=log_format).invoke({})
    runtime(answered, answering, log_format=log_format).invoke({})
    assert sum(pattern.matches(line) for line in timed_out.lines) == 1
    assert not any(pattern.matches(line) for line in answered.lines)
