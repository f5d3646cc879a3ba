"""`make traffic` against the applied stack on the emulator: the requests reach the function's
logs and metrics, spread over the simulated minutes, so queries and the review have data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cartmon.local.traffic import FAILING_KINDS
from cartmon.ops import query as saved_queries
from cartmon.ops import traffic as make_traffic

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")


def metric_sum(cloudwatch, namespace: str, name: str, dimensions: list, start: float, end: float) -> float:
    response = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=dimensions,
        StartTime=datetime.fromtimestamp(start, UTC),
        EndTime=datetime.fromtimestamp(end, UTC),
        Period=60,
        Statistics=["Sum"],
    )
    return sum(point["Sum"] for point in response["Datapoints"])


def test_make_traffic_fills_the_stacks_logs_and_metrics(
    applied_stack, aws_client, emulator_clock, make_runtime, tmp_path, capsys
):
    make_runtime  # noqa: B018 -- restores os.environ and the handler's clients after the module
    outputs = tmp_path / "outputs.json"
    # What `make apply` writes: terraform output -json, values wrapped.
    outputs.write_text(
        json.dumps(
            {
                name: {"value": value, "type": "any", "sensitive": False}
                for name, value in applied_stack.items()
            }
        )
    )
    arguments = ["--duration", "3m", "--rate", "6", "--failure-rate", "0.3", "--seed", "11"]
    schedule = make_traffic.plan(3, 6, 0.3, seed=11)
    # The stack's function is shared with the other tests, which stamp what they send with the clock's
    # time: from the next minute on, what is counted below is this test's alone, whatever ran before.
    emulator_clock.advance(60 - emulator_clock.now() % 60)
    started = emulator_clock.now()
    assert make_traffic.main([*arguments, "--outputs", str(outputs)]) == 0
    finished = emulator_clock.now()
    assert finished - started >= 3 * 60, "the clock moved a minute per simulated minute"
    assert "sent:" in capsys.readouterr().out

    kinds = [kind for minute in schedule for kind in minute]
    throttled = kinds.count("throttle")
    cloudwatch = aws_client("cloudwatch")
    function = [{"Name": "FunctionName", "Value": applied_stack["lambda_function_name"]}]
    # Every request but the throttled ones ran the handler (merge conflicts call it twice).
    invocations = metric_sum(cloudwatch, "AWS/Lambda", "Invocations", function, started, finished + 60)
    assert invocations == len(kinds) - throttled + kinds.count("conflict")
    assert metric_sum(cloudwatch, "AWS/Lambda", "Throttles", function, started, finished + 60) == throttled
    assert any(kind in FAILING_KINDS for kind in kinds), "the seed draws failures"

    logs = aws_client("logs")
    definition = saved_queries.find_definition(
        logs, applied_stack["query_definition_names"]["Top Failure Reasons"]
    )
    rows = saved_queries.run(logs, definition, int(started), int(finished) + 60)
    assert rows, "the failures are in the function's logs for the saved queries"
