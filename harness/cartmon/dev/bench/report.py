"""BENCHMARKS.md from the results: a header naming the machine, then one section per measurement."""

from __future__ import annotations

from typing import Any

from cartmon.dev.bench.goals import TITLE, render_goals
from cartmon.dev.bench.markdown import fmt_number, fmt_ratio, md_table, operations_text, range_text

SECTION_TITLES = {
    "goals": TITLE,
    "roundtrips": "## 1. DynamoDB round trips per migration",
    "handler": "## 2. Handler time",
    "coldstart": "## 3. Cold start: importing the handler",
    "logging": "## 4. Logging cost per event",
    "redaction": "## 5. Redaction of hostile strings",
    "deploy": "## 6. Deploy",
}


def render_roundtrips(section: dict[str, Any]) -> str:
    rows = []
    for cell in section["cells"]:
        ours, original = cell["ours"], cell["original"]
        rows.append(
            [
                cell["stores"],
                cell["items"],
                cell["request"],
                f"**{ours['dynamodb']}**" + ("" if ours["stable"] else " (varied between runs)"),
                operations_text(ours["dynamodb_operations"]),
                ours["logs"],
                ours["round_trips"],
                f"**{original['dynamodb']}**" + ("" if original["stable"] else " (varied between runs)"),
                operations_text(original["dynamodb_operations"]),
                fmt_ratio(original["dynamodb"] / ours["dynamodb"]) if ours["dynamodb"] else "n/a",
            ]
        )
    return "\n".join(
        [
            SECTION_TITLES["roundtrips"],
            "",
            "Counted with botocore event hooks on the Lambda's own clients (`cart_migration.clients.dynamodb()`",
            "and `.logs()`): `provide-client-params` marks an API call, `before-send` an HTTP request (a retry",
            "sends again). Ours is one `POST /api/v1/cart/migrate` through `lambda_handler`, merge strategy,",
            "every store also holding a one-item customer cart. The original's pattern is `original_migrate` in",
            "`cartmon/dev/bench/measures/roundtrips.py`: per store `GetItem` guest, `GetItem` customer,",
            "`DeleteItem` guest, `PutItem` customer, no transaction, plus one `Query` to list the stores when",
            "no store is named (its rate limit lived in memory: no call). Same tables, same client, same run; "
            f"{section['reps']} run(s) per row.",
            "",
            "Ours is constant: the rate-limit `UpdateItem`, one read (`BatchGetItem`; `Query` + `BatchGetItem`",
            "for all stores), one `TransactWriteItems` per 50 stores. The Logs call is the audit entry",
            "(`AUDIT_LOG_GROUP`, which the module sets); its `CreateLogStream` comes once per container and is",
            "not counted. All calls are sequential, so in AWS the latency grows with the count.",
            "",
            md_table(
                [
                    "stores",
                    "items/cart",
                    "request",
                    "ours: DynamoDB calls",
                    "which",
                    "ours: Logs calls",
                    "ours: HTTP round trips",
                    "original: DynamoDB calls",
                    "which",
                    "original / ours",
                ],
                rows,
                "rrlrlrrrlr",
            ),
            "",
            "Wall times are left out on purpose: the emulator's `TransactWriteItems` (moto) deep-copies the",
            "table once per operation in the transaction, so there a transaction costs in proportion to",
            "table size x operations, which DynamoDB's does not. (For the same reason the bench empties its",
            "table between runs and gives the Lambda's DynamoDB client a longer read timeout.)",
        ]
    )


def render_handler(section: dict[str, Any]) -> str:
    latency_rows, cpu_rows = [], []
    for op in section["operations"]:
        wall = op["wall_ms"]
        latency_rows.append(
            [
                op["label"],
                op["scenario"],
                fmt_number(wall["p50"], "ms"),
                fmt_number(wall["p99"], "ms"),
                f"< {op['target_ms']} ms",
                f"< {op['acceptable_ms']} ms",
                f"> {op['alert_ms']} ms",
                fmt_number(op["aws_wall_ms"]["p50"], "ms"),
                fmt_number(op["own_wall_ms"]["p50"], "ms") if "own_wall_ms" in op else "n/a",
                range_text(op.get("round_trips_range")) or fmt_number(op["round_trips"]),
                f"{op['log_lines']:g}"
                if float(op["log_lines"]).is_integer()
                else fmt_number(op["log_lines"]),
            ]
        )
        cpu_rows.append(
            [
                op["label"],
                fmt_number(op["cpu_ms"]["p50"], "ms"),
                fmt_number(op["send_cpu_ms"]["p50"], "ms"),
                f"**{fmt_number(op['cpu_excluding_send_ms']['p50'], 'ms')}**",
                fmt_number(op["cpu_excluding_send_ms"]["p99"], "ms"),
                fmt_number(op["cpu_excluding_aws_ms"]["p50"], "ms"),
            ]
        )
    return "\n".join(
        [
            SECTION_TITLES["handler"],
            "",
            f"`lambda_handler` called in-process with REST API events, {section['calls']} calls per operation after",
            f"{section['warmup']} warm-up calls, against the emulator (fresh guest carts seeded before each call,",
            "outside the timing; rate limit set high; `LOG_SAMPLE_RATE=1`, so every event is written). An",
            "emulator round trip is local HTTP to a Python process (whose transactions copy the table), not",
            "DynamoDB's latency: *outside AWS calls* is what the function itself adds and carries over; the",
            "time *in AWS calls* becomes round trips x DynamoDB's latency in AWS.",
            "",
            md_table(
                [
                    "operation",
                    "scenario",
                    "p50",
                    "p99",
                    "guide target",
                    "acceptable",
                    "alert",
                    "in AWS calls (p50)",
                    "outside AWS calls (p50)",
                    "round trips/call",
                    "log lines/call",
                ],
                latency_rows,
                "llrrrrrrrrr",
            ),
            "",
            "CPU time of the handler per call (median; p99 where noted), with `time.process_time()`. The",
            "emulator is another process, so its work is never counted. *HTTP send* is the CPU spent between",
            "botocore's `before-send` and `before-parse` events (urllib3, sockets): what an AWS endpoint",
            "changes. *Excluding AWS calls entirely* also leaves out botocore's serialising, signing and",
            "parsing (`provide-client-params` to `after-call`), which does carry over to Lambda.",
            "",
            md_table(
                [
                    "operation",
                    "CPU total",
                    "of which HTTP send",
                    "CPU excluding send",
                    "CPU excluding send, p99",
                    "CPU excluding AWS calls entirely",
                ],
                cpu_rows,
                "lrrrrr",
            ),
        ]
    )


def render_coldstart(section: dict[str, Any]) -> str:
    variant_rows = [
        [
            variant["description"],
            fmt_number(variant["median_ms"], "ms"),
            fmt_number(variant["over_interpreter_ms"], "ms") if variant["name"] != "interpreter" else "",
            f"{fmt_number(variant['min_ms'])}-{fmt_number(variant['max_ms'])} ms",
        ]
        for variant in section["variants"]
    ]
    by_name = {variant["name"]: variant for variant in section["variants"]}
    notes = []
    if "handler" in by_name and "bare_powertools" in by_name:
        ratio = by_name["handler"]["over_interpreter_ms"] / max(
            by_name["bare_powertools"]["over_interpreter_ms"], 1e-9
        )
        notes.append(
            f"Our handler's imports cost {fmt_ratio(ratio)} those of the Powertools-Logger-only handler."
        )
    total = section["import_total_ms"]
    contributor_rows = [
        [f"`{row['package']}`", fmt_number(row["self_ms"], "ms"), f"{row['self_ms'] / total * 100:.0f}%"]
        for row in section["contributors"][:10]
        if total
    ]
    direct_rows = [
        [
            f"`{row['module']}`",
            fmt_number(row["cumulative_ms"], "ms"),
            f"{row['cumulative_ms'] / total * 100:.0f}%",
        ]
        for row in section.get("direct_imports", [])[:8]
        if total and row["cumulative_ms"] >= total / 100
    ]
    package_rows = [
        [
            row["package"],
            f"`{row['file']}`",
            fmt_number(row["bytes"] / 1e6, "MB") if row["bytes"] else "not built",
        ]
        for row in section.get("packages", [])
    ]
    package_lines = (
        [
            "",
            "The deployment zips whose import is timed above (x86_64): the configured JWT algorithm decides",
            "what the zip must hold. Both carry boto3 and botocore at the versions of requirements/aws-sdk.txt",
            "(the ones the tests and the rows above run on), with botocore's dynamodb, logs, ssm and sts",
            "models only; the runtime's own boto3 is not used.",
            "",
            md_table(["deployment zip", "file", "size"], package_rows, "llr"),
        ]
        if package_rows
        else []
    )
    direct_lines = (
        [
            "",
            "The same run seen from our side: each module `cart_migration` imports first-hand, with",
            "everything it pulls in (modules already loaded by an earlier import count there).",
            "",
            md_table(["imported by cart_migration", "cumulative", "share"], direct_rows, "lrr"),
        ]
        if direct_rows
        else []
    )
    return "\n".join(
        [
            SECTION_TITLES["coldstart"],
            "",
            f"Wall time of a fresh `python` process (the one running this benchmark), median of {section['runs']}",
            'runs, the variants taking turns. "Over the interpreter" subtracts the bare interpreter\'s',
            "start-up and exit, leaving the import itself. Lambda adds its own runtime start-up on top.",
            "",
            md_table(["what is imported", "median", "over the interpreter", "range"], variant_rows, "lrrr"),
            "",
            *([" ".join(notes), ""] if notes else []),
            "Where `import cart_migration.handler` spends its time, from `python -X importtime` (median of",
            f"{section['importtime_runs']}; self time summed per top-level package, modules the bare interpreter",
            f"loads anyway left out): {fmt_number(total, 'ms')} in all, -X importtime's own overhead included.",
            "",
            md_table(["package", "import time (self)", "share"], contributor_rows, "lrr"),
            *direct_lines,
            *package_lines,
            *first_request_lines(section.get("first_request")),
        ]
    )


def first_request_lines(first: dict[str, Any] | None) -> list[str]:
    """Init plus the first request: ours beside the bare-boto3 baseline (measured on the emulator)."""
    if first is None:
        return []
    title = ["", "### Init plus the first request", ""]
    if "error" in first:
        return [*title, f"Not in this run: {first['error']}"]
    rows = [
        [
            variant["description"],
            fmt_number(variant["init_ms"], "ms"),
            fmt_number(variant["first_request_ms"], "ms"),
            f"**{fmt_number(variant['total_ms'], 'ms')}**",
        ]
        for variant in first["variants"]
    ]
    return [
        *title,
        "A fresh interpreter imports the handler module (init), then the local Lambda runtime serves one",
        "single-store migration (1 store x 5 items) against the emulator; medians of",
        f"{first['runs']} run(s) per handler, taking turns. The baseline makes the same DynamoDB calls (rate-limit",
        "`UpdateItem`, `BatchGetItem`, `TransactWriteItems`) with a bare boto3 client and does nothing else.",
        "Interpreter start-up is left out of both; emulator round trips are in both alike.",
        "",
        md_table(["handler", "init (import)", "first request", "init + first request"], rows, "lrrr"),
        "",
        f"Ours takes {fmt_ratio(first['ratio'])} the baseline's init plus first request.",
    ]


def render_logging(section: dict[str, Any]) -> str:
    rows = [
        [
            variant["description"],
            fmt_number(variant["us_per_event"], "us"),
            fmt_number(variant["cpu_us_per_event"], "us"),
            fmt_ratio(variant["vs_stdlib"]),
            fmt_ratio(variant["vs_bare_powertools"]),
            variant["bytes"] if variant["bytes"] is not None else "",
        ]
        for variant in section["variants"]
    ]
    return "\n".join(
        [
            SECTION_TITLES["logging"],
            "",
            f"One `migration_success`-shaped JSON line to stdout, {section['events']} events per round, median of",
            f"{section['rounds']} interleaved rounds, stdout replaced by a sink that discards. Ours adds the",
            "catalogue lookup, field flattening, redaction of every value (emails, phones, card numbers) and",
            "the HMAC of `customer_id`.",
            "",
            md_table(
                [
                    "logger",
                    "per event (wall)",
                    "per event (CPU)",
                    "vs stdlib",
                    "vs bare Powertools",
                    "bytes/line",
                ],
                rows,
                "lrrrrr",
            ),
        ]
    )


def render_redaction(section: dict[str, Any]) -> str:
    rows = [
        [
            shape["shape"],
            f"{shape['chars']:,}",
            fmt_number(shape["hostile_ms"], "ms"),
            fmt_number(shape["plain_ms"], "ms"),
            fmt_ratio(shape["vs_plain"]) if shape["vs_plain"] is not None else "n/a",
        ]
        for shape in section["shapes"]
    ]
    return "\n".join(
        [
            SECTION_TITLES["redaction"],
            "",
            "`scrub_string` on strings shaped to make its patterns backtrack, beside plain text of the same",
            f"length (median of {section['rounds']} rounds each). Both are cut to 4,096 characters; a ratio",
            "near 1 means the shape costs no more than ordinary text.",
            "",
            md_table(["shape", "characters", "hostile", "plain text", "vs plain"], rows, "lrrrr"),
        ]
    )


def render_deploy(section: dict[str, Any]) -> str:
    emulator = section["emulator"]
    rows = [
        [
            "emulator start (to healthy)",
            fmt_number(emulator["start_seconds"], "s"),
            fmt_number(emulator["peak_rss_at_start_mb"], "MB"),
        ]
    ]
    for step in section["steps"]:
        rows.append(
            [
                f"`terraform {step['step']}`",
                fmt_number(step["seconds"], "s"),
                fmt_number(step["max_rss_mb"], "MB"),
            ]
        )
    total = sum(step["seconds"] for step in section["steps"] if step["step"] in ("plan", "apply", "destroy"))
    rows.append(["plan + apply + destroy", fmt_number(total, "s"), ""])
    resources = section.get("resources")
    return "\n".join(
        [
            SECTION_TITLES["deploy"],
            "",
            "A private emulator started for this (`bootstrap/emulator_launcher.py start` with its own `EMULATOR_STATE_FILE`),",
            f"then `examples/local` on a copy of the module ({resources if resources is not None else 'n/a'} resources,",
            "the Lambda from `build/cart_migration.zip`) planned, applied and destroyed against it. Emulator",
            "memory is the RSS of its process tree, sampled every 0.2 s; Terraform's is the peak RSS of its",
            "largest process (Terraform or the AWS provider plugin), from `wait4`.",
            "",
            md_table(["step", "wall time", "peak memory"], rows, "lrr"),
            "",
            f"Emulator peak over start, plan, apply and destroy: {fmt_number(emulator['peak_rss_mb'], 'MB')} RSS "
            f"({emulator['processes']} process(es); sum of per-process peaks {fmt_number(emulator['hwm_sum_mb'], 'MB')}).",
            *apply_resource_lines(section.get("apply_resources") or []),
        ]
    )


def apply_resource_lines(resources: list[dict[str, Any]], shown: int = 12) -> list[str]:
    """The slowest resources of the apply, from the timestamps of `terraform apply -json`."""
    if not resources:
        return []
    timed = [row for row in resources if row["seconds"] is not None]
    rows = [
        [f"`{row['address']}`", row["action"], fmt_number(row["seconds"], "s"), row["outcome"]]
        for row in timed[:shown]
    ]
    total = sum(row["seconds"] for row in timed)
    return [
        "",
        "Where `terraform apply` waits: each resource from its `apply_start` to its `apply_complete`",
        f"message (`terraform apply -json`), the {min(shown, len(timed))} slowest of {len(resources)}. Terraform",
        f"applies up to 10 resources at once, so their sum ({fmt_number(total, 's')}) exceeds the apply's wall time.",
        "",
        md_table(["resource", "action", "time", "outcome"], rows, "llrl"),
    ]


RENDERERS = {
    "roundtrips": render_roundtrips,
    "handler": render_handler,
    "coldstart": render_coldstart,
    "logging": render_logging,
    "redaction": render_redaction,
    "deploy": render_deploy,
}
REPORT_ORDER = ("roundtrips", "handler", "coldstart", "logging", "redaction", "deploy")


def render(results: dict[str, Any]) -> str:
    machine = results.get("machine", {})
    packages = ", ".join(f"{name} {version}" for name, version in machine.get("packages", {}).items())
    memory = machine.get("memory_gib")
    load = results.get("load")
    load_text = (
        f"{' / '.join(f'{x:.2f}' for x in load['before'])} before, "
        f"{' / '.join(f'{x:.2f}' for x in load['after'])} after (other work on the machine skews times)"
        if load
        else "n/a"
    )
    header = [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (cartmon/dev/bench/); do not edit by hand. -->",
        "Generated by `make bench`: do not edit by hand. Emulator latency is not AWS latency; these",
        "tables measure what carries over (round trips, CPU time, import time) and compare with",
        "baselines measured in the same run. No test asserts any of these numbers.",
        "",
        md_table(
            ["", ""],
            [
                ["date", results.get("generated_at", "n/a")],
                ["mode", "quick (smoke run, few repetitions)" if results.get("quick") else "full"],
                ["CPU", machine.get("cpu", "n/a")],
                ["cores", f"{machine.get('cores')} ({machine.get('usable_cores')} usable)"],
                ["memory", fmt_number(memory, "GiB") if memory else "n/a"],
                ["OS", machine.get("os", "n/a")],
                ["Python", machine.get("python", "n/a")],
                ["Terraform", machine.get("terraform") or "n/a"],
                ["LocalStack", machine.get("localstack") or "n/a"],
                ["packages", packages or "n/a"],
                ["load average (1, 5, 15 min)", load_text],
                ["duration of the run", fmt_number(results.get("seconds"), "s")],
            ],
        ),
    ]
    parts = ["\n".join(header), render_goals(results)]
    for name in REPORT_ORDER:
        section = results.get("sections", {}).get(name)
        if section is None:
            continue
        if "error" in section:
            parts.append(f"{SECTION_TITLES[name]}\n\nNot measured in this run: {section['error']}")
        else:
            parts.append(RENDERERS[name](section))
    return "\n\n".join(parts) + "\n"
