"""cartmon/dev/bench/: the statistics, parsers, call counter and report rendering, and one quick run.

No test here asserts a time: the numbers are the benchmark's to report, not the suite's to judge.

Over 600 lines: a test per bench module (statistics, parsers, call meter, report sections) on shared
synthetic results, plus the one quick run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.hooks import HierarchicalEmitter

from cartmon.dev.bench import call_meter, cli, goals, machine, markdown, memory, settings, stats
from cartmon.dev.bench import report as bench_report
from cartmon.dev.bench.measures import apply_log, coldstart, deploy, importtime, roundtrips
from cartmon.local.tables import create_tables

# --- statistics ---------------------------------------------------------------------------------


def test_percentile_interpolates_between_the_closest_ranks():
    values = [5, 1, 4, 2, 3]  # order does not matter
    assert stats.percentile(values, 0) == 1
    assert stats.percentile(values, 25) == 2
    assert stats.percentile(values, 50) == 3
    assert stats.percentile(values, 100) == 5
    assert stats.percentile([1, 2], 50) == 1.5
    assert stats.percentile([7], 99) == 7


def test_p99_of_200_calls_sits_between_the_198th_and_199th():
    assert stats.percentile(range(1, 201), 99) == pytest.approx(198.01)


def test_percentile_refuses_no_values_and_out_of_range_ranks():
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1, 2], 101)


def test_summarize():
    summary = stats.summarize([4.0, 1.0, 3.0, 2.0])
    assert summary == {"n": 4, "p50": 2.5, "p99": pytest.approx(3.97), "min": 1.0, "max": 4.0, "mean": 2.5}


# --- python -X importtime ----------------------------------------------------------------------

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       112 |        112 |   _io
import time:       620 |        732 | _frozen_importlib_external
import time:      1063 |       1063 |     jmespath.lexer
import time:      2000 |       3063 |   jmespath
import time:       500 |       3563 | boto3
import time:        40 |         40 |   boto3.compat
Traceback (most recent call last): not an importtime line
"""


def test_importtime_lines_are_parsed_with_their_nesting():
    records = importtime.parse_importtime(IMPORTTIME)
    assert [(r.module, r.self_us, r.cumulative_us, r.depth) for r in records] == [
        ("_io", 112, 112, 1),
        ("_frozen_importlib_external", 620, 732, 0),
        ("jmespath.lexer", 1063, 1063, 2),
        ("jmespath", 2000, 3063, 1),
        ("boto3", 500, 3563, 0),
        ("boto3.compat", 40, 40, 1),
    ]


def test_import_cost_is_summed_per_top_level_package_without_start_up_modules():
    records = importtime.parse_importtime(IMPORTTIME)
    costs = importtime.import_cost_by_package(records, exclude={"_io", "_frozen_importlib_external"})
    assert costs == {"jmespath": 3063, "boto3": 540}
    assert list(costs) == ["jmespath", "boto3"], "largest first"


def test_what_our_modules_import_is_charged_with_its_dependencies():
    text = """\
import time:        50 |         50 | cart_migration
import time:        10 |         10 |     botocore
import time:        20 |         30 |   boto3
import time:         8 |          8 |     jwt
import time:         5 |         13 |   cart_migration.auth
import time:         7 |          7 |     json.decoder
import time:         3 |         10 |   json
import time:        40 |         93 | cart_migration.handler
import time:         9 |          9 | unrelated
"""
    costs = importtime.imports_made_by(importtime.parse_importtime(text), "cart_migration")
    assert costs == {"boto3": 30, "json": 10, "jwt": 8}
    assert list(costs) == ["boto3", "json", "jwt"]


def test_importtime_of_a_real_interpreter_parses():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import json"], capture_output=True, text=True, check=True
    )
    modules = {record.module for record in importtime.parse_importtime(result.stderr)}
    assert {"json", "json.decoder"} <= modules


# --- counting AWS calls -----------------------------------------------------------------------


class FakeClient:
    """Emits botocore's events for a call, as a client does, without any network."""

    def __init__(self, service_id: str = "dynamodb"):
        self.service_id = service_id
        self.meta = type("Meta", (), {"events": HierarchicalEmitter()})()

    def call(self, operation: str, attempts: int = 1, fail: bool = False) -> None:
        events = self.meta.events
        suffix = f"{self.service_id}.{operation}"
        events.emit(f"provide-client-params.{suffix}", params={}, model=None, context={})
        for _ in range(attempts):
            events.emit(f"before-send.{suffix}", request=None)
            if not fail:
                events.emit(f"before-parse.{suffix}", response_dict={})
            events.emit(f"response-received.{suffix}", exception=None)
        events.emit(f"after-call-error.{suffix}" if fail else f"after-call.{suffix}", context={})


def ticking(step: float):
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def test_meter_counts_api_calls_and_http_round_trips_per_service():
    dynamodb, logs = FakeClient("dynamodb"), FakeClient("cloudwatch-logs")
    meter = call_meter.AwsCallMeter(wall=ticking(1.0), cpu=ticking(0.5))
    meter.attach(dynamodb)
    meter.attach(logs)
    dynamodb.call("BatchGetItem")
    dynamodb.call("TransactWriteItems", attempts=2)
    logs.call("PutLogEvents")
    seen = meter.reading()
    assert seen.operations("dynamodb") == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert seen.operations("logs") == {"PutLogEvents": 1}
    assert (seen.count("dynamodb"), seen.round_trips("dynamodb")) == (2, 3), "a retry is a second round trip"
    assert (seen.count(), seen.round_trips()) == (3, 4)


def test_meter_times_the_send_inside_the_call():
    client = FakeClient()
    meter = call_meter.AwsCallMeter(wall=ticking(1.0), cpu=ticking(0.5))
    meter.attach(client)
    client.call("Query")
    seen = meter.reading()
    # Clock reads: call start, send start, send end, call end -> one tick per read.
    assert (seen.send_wall, seen.send_cpu) == (1.0, 0.5)
    assert (seen.call_wall, seen.call_cpu) == (3.0, 1.5)


def test_a_failed_send_still_closes_its_windows():
    client = FakeClient()
    meter = call_meter.AwsCallMeter(wall=ticking(1.0), cpu=ticking(1.0))
    meter.attach(client)
    client.call("UpdateItem", fail=True)
    client.call("UpdateItem")
    seen = meter.reading()
    assert seen.count() == 2 and seen.round_trips() == 2
    assert seen.send_wall == 2.0


def test_measure_holds_only_the_calls_inside_the_block_and_detach_stops_counting():
    client = FakeClient()
    meter = call_meter.AwsCallMeter()
    meter.attach(client)
    client.call("Query")
    with meter.measure() as seen:
        client.call("BatchGetItem")
        client.call("BatchGetItem")
    assert seen.operations("dynamodb") == {"BatchGetItem": 2}
    meter.detach()
    client.call("Query")
    assert meter.reading().count() == 3


class _Body:
    def __init__(self, payload: bytes):
        self.payload = payload

    def stream(self, **_):
        yield self.payload


def _answering(status: list[int], body: bytes = b"{}"):
    """A before-send handler that answers in place of the network: status codes in turn."""

    def answer(request, **_):
        code = status.pop(0) if len(status) > 1 else status[0]
        payload = body if code == 200 else b'{"__type": "InternalServerError", "message": "boom"}'
        return AWSResponse(request.url, code, {}, _Body(payload))

    return answer


def test_meter_counts_the_calls_of_a_real_botocore_client():
    client = boto3.client(
        "dynamodb",
        region_name="ap-south-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "legacy", "max_attempts": 2}),
    )
    meter = call_meter.AwsCallMeter()
    meter.attach(client)
    client.meta.events.register("before-send", _answering([500, 200], b'{"TableNames": []}'))
    assert client.list_tables()["TableNames"] == []
    client.list_tables()
    seen = meter.reading()
    assert seen.operations("dynamodb") == {"ListTables": 2}
    assert seen.round_trips() == 3, "the retried first call went out twice"
    assert seen.send_wall > 0 and seen.call_wall >= seen.send_wall


# --- the original's pattern --------------------------------------------------------------------


@pytest.fixture
def moto_table(monkeypatch):
    from moto import mock_aws

    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-south-1")
        create_tables(client, "carts", "rate-limits")
        yield client


def _seed(client, owner: str, stores: int, quantity: int) -> None:
    from cart_migration.merge import CartItem
    from cart_migration.storage import cart_attributes, to_item

    items = (CartItem("prod-1", quantity, Decimal("10.00")),)
    for index in range(stores):
        attributes = cart_attributes(owner, f"store-{index}", items, datetime.now(UTC))
        client.put_item(TableName="carts", Item=to_item(attributes))


@pytest.mark.parametrize("stores", [1, 3])
def test_the_original_pattern_reads_reads_deletes_and_puts_per_store(moto_table, stores):
    _seed(moto_table, "guest-abc", stores, quantity=2)
    _seed(moto_table, "user-1", stores, quantity=3)
    meter = call_meter.AwsCallMeter()
    meter.attach(moto_table)
    with meter.measure() as seen:
        moved = roundtrips.original_migrate(moto_table, "carts", "user-1", "guest-abc", None)
    assert moved == stores
    assert seen.operations("dynamodb") == {
        "DeleteItem": stores,
        "GetItem": 2 * stores,
        "PutItem": stores,
        "Query": 1,
    }
    items = moto_table.scan(TableName="carts")["Items"]
    assert {item["customer_id"]["S"] for item in items} == {"user-1"}, "the guest carts are gone"
    assert {item["items"]["L"][0]["M"]["quantity"]["N"] for item in items} == {"5"}, "quantities merged"


def test_the_original_pattern_with_a_store_id_skips_the_listing(moto_table):
    _seed(moto_table, "guest-abc", 2, quantity=1)
    meter = call_meter.AwsCallMeter()
    meter.attach(moto_table)
    with meter.measure() as seen:
        assert roundtrips.original_migrate(moto_table, "carts", "user-1", "guest-abc", "store-1") == 1
    assert seen.count() == 4 and "Query" not in seen.operations("dynamodb")


# --- /proc, the machine, commands --------------------------------------------------------------


def test_proc_status_fields_in_kb():
    status = "Name:\tpython\nVmHWM:\t  180816 kB\nVmRSS:\t  170000 kB\nThreads:\t3\n"
    assert memory.parse_proc_status(status) == {"VmHWM": 180816, "VmRSS": 170000}


def test_parent_pid_survives_a_command_name_with_spaces_and_parentheses():
    assert memory.parse_proc_ppid("4242 (my (odd) name) S 17 4242 4242 0 -1") == 17


def test_process_tree_follows_parent_links(tmp_path):
    for pid, ppid in {1: 0, 10: 1, 11: 10, 12: 10, 20: 1, 13: 11}.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} (p {pid}) S {ppid} 0 0")
    (tmp_path / "self").mkdir()
    assert sorted(memory.process_tree(10, proc=tmp_path)) == [10, 11, 12, 13]


def test_tree_memory_monitor_samples_this_process():
    monitor = memory.TreeMemoryMonitor(lambda: os.getpid())
    monitor.sample()
    assert monitor.samples == 1
    assert monitor.peak_rss_kb > 0 and monitor.hwm_kb[os.getpid()] > 0


def test_run_measured_reports_exit_code_output_and_peak_memory(tmp_path):
    run = deploy.run_measured(
        [sys.executable, "-c", "print('hi'); raise SystemExit(3)"], tmp_path, dict(os.environ)
    )
    assert run.returncode == 3
    assert run.output.strip() == "hi"
    assert run.max_rss_kb > 0


def test_cpu_model_and_memory_from_proc():
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\n"
    assert machine.parse_cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert machine.parse_cpu_model("processor: 0\n") == "unknown"
    assert machine.parse_mem_total_gib("MemTotal:       24684544 kB\nMemFree: 1 kB\n") == pytest.approx(
        23.54, 0.01
    )


def test_plan_summary():
    assert deploy.parse_plan_summary("...\nPlan: 57 to add, 0 to change, 0 to destroy.\n") == 57
    assert deploy.parse_plan_summary("No changes.") is None


# --- BENCHMARKS.md -------------------------------------------------------------------------------


def test_markdown_table_aligns_and_escapes():
    table = markdown.md_table(["name", "value"], [["a|b", 1], ["two\nlines", 2.5]], "lr")
    assert table.splitlines() == [
        "| name | value |",
        "|---|---:|",
        "| a\\|b | 1 |",
        "| two lines | 2.5 |",
    ]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(1234.5, "ms", "1234 ms"), (123.4, "ms", "123 ms"), (12.34, "", "12.3"), (1.234, "s", "1.23 s"),
     (0.01234, "ms", "0.0123 ms"), (0, "ms", "0 ms"), (None, "ms", "n/a")],
)  # fmt: skip
def test_number_formatting(value, unit, text):
    assert markdown.fmt_number(value, unit) == text


def test_ratio_formatting():
    assert markdown.fmt_ratio(1.333) == "1.33x"
    assert markdown.fmt_ratio(25.0) == "25x"


def _summary(p50: float, p99: float) -> dict:
    return {"n": 200, "p50": p50, "p99": p99, "min": p50, "max": p99, "mean": p50}


def sample_results() -> dict:
    roundtrip_cell = {
        "stores": 25,
        "items": 100,
        "request": "all stores",
        "ours": {
            "dynamodb": 4,
            "dynamodb_operations": {"BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1, "UpdateItem": 1},
            "logs": 1,
            "logs_operations": {"PutLogEvents": 1},
            "round_trips": 5,
            "stable": True,
        },
        "original": {
            "dynamodb": 101,
            "dynamodb_operations": {"DeleteItem": 25, "GetItem": 50, "PutItem": 25, "Query": 1},
            "round_trips": 101,
            "stable": True,
        },
    }
    operations = [
        {
            "operation": name,
            "label": label,
            "scenario": "a scenario",
            "target_ms": target,
            "acceptable_ms": target * 2,
            "alert_ms": target * 4,
            "wall_ms": _summary(50.0, 90.0),
            "aws_wall_ms": _summary(40.0, 80.0),
            "cpu_ms": _summary(20.0, 30.0),
            "send_cpu_ms": _summary(5.0, 8.0),
            "cpu_excluding_send_ms": _summary(15.0, 22.0),
            "cpu_excluding_aws_ms": _summary(6.0, 9.0),
            "aws_calls": 4.0,
            "round_trips": 4.0,
            "round_trips_range": [4, 4],
            "log_lines": 6.0,
        }
        for name, label, target in [
            ("migrate_single_store", "Single store migration", 300),
            ("migrate_multi_store", "Multi-store migration", 500),
            ("get_all_carts", "Get all carts", 200),
            ("cleanup_guest_cart", "Cleanup guest cart", 150),
        ]
    ]
    variants = [
        {"name": name, "description": name, "runs": 10, "median_ms": ms, "min_ms": ms, "max_ms": ms,
         "over_interpreter_ms": ms - 28}
        for name, ms in [("interpreter", 28.0), ("boto3", 300.0), ("bare_powertools", 150.0), ("handler", 600.0)]
    ]  # fmt: skip
    return {
        "generated_at": "2026-11-28 12:00 UTC",
        "quick": False,
        "machine": {
            "cpu": "AMD EPYC 7B13",
            "cores": 2,
            "usable_cores": 2,
            "memory_gib": 23.5,
            "os": "Linux 6.1",
            "python": "3.13.0",
            "terraform": "1.11.4",
            "localstack": "2026.3.0",
            "packages": {"boto3": "1.44.8"},
        },
        "sections": {
            "roundtrips": {"reps": 1, "cells": [roundtrip_cell]},
            "handler": {"calls": 200, "warmup": 5, "operations": operations},
            "coldstart": {
                "runs": 10,
                "importtime_runs": 3,
                "variants": variants,
                "import_total_ms": 500.0,
                "contributors": [
                    {"package": "botocore", "self_ms": 150.0},
                    {"package": "jwt", "self_ms": 10.0},
                ],
                "direct_imports": [{"module": "boto3", "cumulative_ms": 200.0}],
                "packages": [
                    {"package": "RS256", "file": "cart_migration.zip", "bytes": 7_023_541},
                    {"package": "HS256 only", "file": "cart_migration-hs256.zip", "bytes": None},
                ],
            },
            "redaction": {
                "rounds": 5,
                "shapes": [
                    {
                        "shape": "200,000 '@'",
                        "chars": 200_000,
                        "hostile_ms": 2.0,
                        "plain_ms": 1.0,
                        "vs_plain": 2.0,
                    }
                ],
            },
            "logging": {
                "events": 3000,
                "rounds": 5,
                "variants": [
                    {
                        "name": "ours",
                        "description": "ours",
                        "us_per_event": 60.0,
                        "cpu_us_per_event": 59.0,
                        "vs_stdlib": 3.0,
                        "vs_bare_powertools": 1.5,
                        "bytes": 357,
                    },
                    {
                        "name": "stdlib",
                        "description": "stdlib",
                        "us_per_event": 20.0,
                        "cpu_us_per_event": 20.0,
                        "vs_stdlib": 1.0,
                        "vs_bare_powertools": 0.5,
                        "bytes": 371,
                    },
                ],
            },
            "deploy": {"error": "RuntimeError: terraform apply failed"},
        },
    }


def test_the_report_names_how_it_was_made_and_the_machine():
    report = bench_report.render(sample_results())
    assert report.startswith("# Benchmarks\n")
    assert "Generated by `make bench`" in report
    for fact in ("2026-11-28 12:00 UTC", "AMD EPYC 7B13", "23.5 GiB", "3.13.0", "1.11.4", "2026.3.0"):
        assert fact in report


def test_the_report_puts_the_guide_targets_beside_the_measurements():
    report = bench_report.render(sample_results())
    row = next(
        line for line in report.splitlines() if line.startswith("| Single store migration | a scenario")
    )
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2:7] == ["50.0 ms", "90.0 ms", "< 300 ms", "< 600 ms", "> 1200 ms"]
    assert "| Cleanup guest cart | a scenario | 50.0 ms | 90.0 ms | < 150 ms |" in report


def test_the_report_has_one_table_per_point_and_says_what_was_not_measured():
    report = bench_report.render(sample_results())
    titles = [line for line in report.splitlines() if line.startswith("## ")]
    assert titles == list(bench_report.SECTION_TITLES.values())
    assert "| 25 | 100 | all stores | **4** |" in report
    assert "| **101** |" in report and "| 25x |" in report
    assert "Not measured in this run: RuntimeError: terraform apply failed" in report
    assert "| `botocore` | 150 ms | 30% |" in report  # 150 of 500 ms
    assert "| `boto3` | 200 ms | 40% |" in report
    assert (
        "| `cart_migration.zip` | 7.02 MB |" in report
        and "| `cart_migration-hs256.zip` | not built |" in report
    )


def test_saved_results_render_again(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps(sample_results()))
    output = tmp_path / "BENCHMARKS.md"
    assert cli.main(["--render", str(results), "--output", str(output)]) == 0
    assert output.read_text() == bench_report.render(sample_results())


def _apply_message(kind: str, address: str, stamp: str, **hook) -> str:
    return json.dumps(
        {
            "@timestamp": stamp,
            "type": kind,
            "hook": {"resource": {"addr": address}, "action": "create", **hook},
        }
    )


def test_per_resource_apply_times_come_from_the_json_timestamps():
    output = "\n".join(
        [
            '{"type": "version", "terraform": "1.11.4"}',
            _apply_message("apply_start", "aws_kms_key.sns", "2026-11-28T12:00:00.000000Z"),
            _apply_message("apply_start", "aws_sns_topic.critical", "2026-11-28T12:00:00.250000Z"),
            "not json",
            _apply_message(
                "apply_complete", "aws_sns_topic.critical", "2026-11-28T12:00:01.000000Z", elapsed_seconds=0
            ),
            _apply_message(
                "apply_complete", "aws_kms_key.sns", "2026-11-28T12:00:12.500000Z", elapsed_seconds=12
            ),
            _apply_message("apply_errored", "aws_lambda_function.this", "bad stamp", elapsed_seconds=3),
        ]
    )
    rows = apply_log.resource_apply_times(output)
    assert [(row["address"], row["seconds"], row["outcome"]) for row in rows] == [
        ("aws_kms_key.sns", 12.5, "complete"),
        ("aws_lambda_function.this", 3.0, "errored"),
        ("aws_sns_topic.critical", 0.75, "complete"),
    ]


def test_a_failed_json_apply_reports_its_error_diagnostics():
    output = json.dumps(
        {"@level": "error", "@message": "Error: creating SNS topic", "type": "diagnostic",
         "diagnostic": {"detail": "AccessDenied"}}
    )  # fmt: skip
    assert apply_log.diagnostics(output) == "Error: creating SNS topic: AccessDenied"
    assert apply_log.diagnostics("plain text failure") == "plain text failure"


def test_import_ratios_take_the_interpreter_out_of_both_sides():
    variants = sample_results()["sections"]["coldstart"]["variants"]
    ratios = coldstart.import_ratios(variants)
    assert ratios["cached"] == pytest.approx((600 - 28) / (300 - 28))
    assert ratios["deployed"] is None  # no deployed variant in the sample


def test_the_make_test_record_is_read_when_it_is_there(tmp_path):
    record = tmp_path / "make-test.json"
    assert goals.load_make_test_record(record) is None
    record.write_text("{not json")
    assert goals.load_make_test_record(record) is None
    record.write_text(
        '{"seconds": 312, "fresh_setup": true, "exit_status": 0, "finished_at": "2026-11-30T10:00:00Z"}'
    )
    assert goals.load_make_test_record(record)["seconds"] == 312


def test_the_goals_table_puts_each_measure_beside_its_goal():
    results = sample_results()
    results["sections"]["logging"]["variants"][0]["name"] = "ours_migration_success"
    results["make_test"] = {
        "seconds": 312,
        "fresh_setup": True,
        "exit_status": 0,
        "finished_at": "2026-11-30",
    }
    results["sections"]["coldstart"]["first_request"] = {
        "runs": 5,
        "ratio": 1.5,
        "variants": [
            {"name": "ours", "description": "ours", "init_ms": 900.0, "first_request_ms": 300.0, "total_ms": 1200.0},
            {"name": "baseline", "description": "bare", "init_ms": 700.0, "first_request_ms": 100.0, "total_ms": 800.0},
        ],
    }  # fmt: skip
    report = bench_report.render(results)
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [cell.strip() for cell in line.strip("|").split("|")]
            for line in report.split(goals.TITLE, 1)[1].split("\n## ", 1)[0].splitlines()
            if line.startswith("| ")
        )
    }
    assert rows[goals.GOALS["import_cached"].measure] == ["2.10x", "≤ 1.25", "**no**"]
    assert rows[goals.GOALS["import_deployed"].measure] == ["n/a", "≤ 1.35", "n/a"]
    assert rows[goals.GOALS["log_line"].measure] == ["1.50x", "≤ 1.0", "**no**"]
    assert rows[goals.GOALS["apply"].measure] == ["not in this run", "≤ 20 s", "n/a"]
    assert rows[goals.GOALS["make_test"].measure][1:] == ["≤ 6 min", "yes"]
    assert rows[goals.GOALS["make_test"].measure][0].startswith("5.20 min")
    assert rows[goals.GOALS["first_request"].measure][0] == "1.50x (1200 ms vs 800 ms)"
    assert "| `cart_migration.handler`" not in report  # the sample's own descriptions are used
    assert "| ours | 900 ms | 300 ms | **1200 ms** |" in report


def test_a_warm_make_test_is_reported_but_not_judged():
    results = sample_results()
    results["make_test"] = {"seconds": 200, "fresh_setup": False, "exit_status": 1, "finished_at": "x"}
    value, shown = goals.figures(results)["make_test"]
    assert value is None
    assert "set-up already done" in shown and "the suite failed" in shown
    results["make_test"] = {"seconds": 90, "fresh_setup": True, "exit_status": 0, "pytest_args": "tests/unit"}
    value, shown = goals.figures(results)["make_test"]
    assert value is None and "only PYTEST_ARGS=tests/unit" in shown


def test_the_deploy_section_lists_the_slowest_resources_of_the_apply():
    results = sample_results()
    results["sections"]["deploy"] = {
        "emulator": {"start_seconds": 5.0, "peak_rss_at_start_mb": 170.0, "peak_rss_mb": 320.0,
                     "hwm_sum_mb": 320.0, "processes": 1},
        "resources": 45,
        "steps": [{"step": "apply", "seconds": 18.0, "max_rss_mb": 400.0}],
        "apply_resources": [
            {"address": "aws_kms_key.sns", "action": "create", "seconds": 12.5, "outcome": "complete"},
            {"address": "aws_sns_topic.critical", "action": "create", "seconds": 0.75, "outcome": "complete"},
        ],
    }  # fmt: skip
    report = bench_report.render(results)
    assert "| `aws_kms_key.sns` | create | 12.5 s | complete |" in report
    assert "the 2 slowest of 2" in report
    assert f"| {goals.GOALS['apply'].measure} | 18.0 s | ≤ 20 s | yes |" in report


# --- one quick run against the emulator ------------------------------------------------------------


@pytest.mark.emulator
def test_a_quick_run_measures_and_writes_the_report(aws_endpoint, tmp_path):
    output, results = tmp_path / "BENCHMARKS.md", tmp_path / "results.json"
    env = dict(os.environ, AWS_ENDPOINT_URL=aws_endpoint)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cartmon.dev.bench",
            "--quick",
            "--only",
            "roundtrips,handler,coldstart,logging,redaction",
            "--output",
            str(output),
            "--json",
            str(results),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    sections = json.loads(results.read_text())["sections"]
    assert set(sections) == {"roundtrips", "handler", "coldstart", "logging", "redaction"}
    shapes = sections["redaction"]["shapes"]
    assert len(shapes) == 4 and all(shape["chars"] >= 200_000 and shape["vs_plain"] > 0 for shape in shapes)
    assert "## 5. Redaction of hostile strings" in output.read_text()
    single = next(cell for cell in sections["roundtrips"]["cells"] if cell["stores"] == 1)
    assert single["ours"]["dynamodb_operations"] == {
        "BatchGetItem": 1,
        "TransactWriteItems": 1,
        "UpdateItem": 1,
    }
    assert single["original"]["dynamodb"] == 4
    assert all(
        cell["ours"]["dynamodb"] == 4 for cell in sections["roundtrips"]["cells"] if cell["stores"] > 1
    )
    assert [op["operation"] for op in sections["handler"]["operations"]] == list(settings.OPERATIONS)
    first_request = sections["coldstart"]["first_request"]
    assert [variant["name"] for variant in first_request["variants"]] == ["ours", "baseline"]
    assert all(
        variant["init_ms"] > 0 and variant["first_request_ms"] > 0 for variant in first_request["variants"]
    )
    report = output.read_text()
    assert "Not measured" not in report and "Not in this run" not in report
    assert "< 300 ms" in report
