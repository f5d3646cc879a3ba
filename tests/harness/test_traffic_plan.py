"""`make traffic`'s request mix and its arguments, without an emulator."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from cartmon.local.traffic import BURST_KINDS, FAILING_KINDS, MORNING, steady_minute
from cartmon.ops import traffic as make_traffic


def test_a_steady_minute_draws_the_demos_mix_with_the_failure_rate_asked():
    rng = random.Random(7)
    healthy = Counter(kind for _ in range(50) for kind in steady_minute(rng, 20, 0.0))
    assert sum(healthy.values()) == 1000
    assert not set(healthy) & set(FAILING_KINDS + BURST_KINDS)
    # Every ordinary kind of the demo's morning shows up, most often its biggest wave.
    ordinary = {kind for _, _, kind in MORNING if kind not in FAILING_KINDS + BURST_KINDS}
    assert set(healthy) == ordinary
    assert healthy.most_common(1)[0][0] == "migration"
    failing = Counter(steady_minute(random.Random(7), 1000, 1.0))
    assert set(failing) == set(FAILING_KINDS)
    share = Counter(steady_minute(random.Random(7), 4000, 0.25))
    assert 0.2 < sum(share[k] for k in FAILING_KINDS) / 4000 < 0.3
    with pytest.raises(ValueError, match="between 0 and 1"):
        steady_minute(rng, 1, 5)


def test_the_plan_spans_the_duration_with_one_burst_in_its_middle():
    schedule = make_traffic.plan(make_traffic.minutes("10m"), 12, 0.05, seed=1)
    assert len(schedule) == 10
    bursts = [index for index, kinds in enumerate(schedule) if "rate_limited" in kinds]
    assert bursts == [5]
    assert schedule[5].count("rate_limited") == make_traffic.BURST_REQUESTS
    assert [len(kinds) for index, kinds in enumerate(schedule) if index != 5] == [12] * 9
    assert make_traffic.plan(10, 12, 0.05, seed=1) == schedule, "the same seed, the same traffic"


def test_durations_and_rates_are_checked():
    assert make_traffic.minutes("2h") == 120
    assert make_traffic.minutes("90s") == 1
    for bad in ("30s", "15", "a while"):
        with pytest.raises(SystemExit):
            make_traffic.minutes(bad)
    with pytest.raises(SystemExit, match="between 0 and 1"):
        make_traffic.main(["--failure-rate", "5"])
    with pytest.raises(SystemExit, match="at least 1"):
        make_traffic.main(["--rate", "0"])


def test_outputs_of_terraform_are_read_as_plain_values(tmp_path):
    missing = tmp_path / "outputs.json"
    with pytest.raises(SystemExit, match="make apply"):
        make_traffic.read_outputs(missing)
    missing.write_text(json.dumps({"dashboard_name": {"value": "d", "type": "string", "sensitive": False}}))
    with pytest.raises(SystemExit, match="lambda_function_name"):
        make_traffic.read_outputs(missing)
    outputs = {
        "lambda_function_name": {"value": "fn", "type": "string", "sensitive": False},
        "log_group_names": {
            "value": {"function": "/aws/lambda/fn"},
            "type": ["object", {}],
            "sensitive": False,
        },
        "carts_table_name": "carts",  # already plain (the demo's outputs.json)
    }
    missing.write_text(json.dumps(outputs))
    assert make_traffic.read_outputs(missing) == {
        "lambda_function_name": "fn",
        "log_group_names": {"function": "/aws/lambda/fn"},
        "carts_table_name": "carts",
    }
