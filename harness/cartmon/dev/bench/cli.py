"""`cartmon-bench`: run the chosen sections, write the raw results and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cartmon.dev.bench import __doc__ as bench_overview
from cartmon.dev.bench.fixtures import Bench
from cartmon.dev.bench.goals import load_make_test_record
from cartmon.dev.bench.machine import machine_info
from cartmon.dev.bench.measures.coldstart import measure_coldstart
from cartmon.dev.bench.measures.deploy import measure_deploy
from cartmon.dev.bench.measures.first_request import measure_first_request
from cartmon.dev.bench.measures.handler import measure_handler
from cartmon.dev.bench.measures.log_cost import measure_logging
from cartmon.dev.bench.measures.redaction import measure_redaction
from cartmon.dev.bench.measures.roundtrips import measure_roundtrips
from cartmon.dev.bench.report import render
from cartmon.dev.bench.settings import (
    DEFAULT_JSON,
    DEFAULT_OUTPUT,
    MAKE_TEST_RECORD,
    SECTIONS,
    Settings,
)


def run_sections(names: Sequence[str], settings: Settings, endpoint: str | None) -> dict[str, Any]:
    sections: dict[str, Any] = {}

    def measured(name: str, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            result = measure()
        except Exception as error:  # one failed section must not cost the others
            traceback.print_exc()
            result = {"error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}
        print(f"bench: {name} took {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
        return result

    def attempt(name: str, measure: Callable[[], dict[str, Any]]) -> None:
        sections[name] = measured(name, measure)

    if "coldstart" in names:
        attempt("coldstart", lambda: measure_coldstart(settings))
    if "logging" in names:
        attempt("logging", lambda: measure_logging(settings))
    if "redaction" in names:
        attempt("redaction", lambda: measure_redaction(settings))
    emulator_sections = [name for name in ("roundtrips", "handler") if name in names]
    # The cold start's "init plus first request" runs against the emulator's tables too.
    first_request = "coldstart" in names and "error" not in sections["coldstart"]
    if emulator_sections or first_request:
        if not endpoint:
            for name in emulator_sections:
                sections[name] = {"error": "no emulator: AWS_ENDPOINT_URL is not set (run `make bench`)"}
            if first_request:
                sections["coldstart"]["first_request"] = {"error": "no emulator: AWS_ENDPOINT_URL is not set"}
        else:
            with Bench(endpoint) as bench:
                if "roundtrips" in names:
                    attempt("roundtrips", lambda: measure_roundtrips(bench, settings))
                if "handler" in names:
                    attempt("handler", lambda: measure_handler(bench, settings))
                if first_request:
                    sections["coldstart"]["first_request"] = measured(
                        "coldstart (first request)", lambda: measure_first_request(bench, settings)
                    )
    if "deploy" in names:
        attempt("deploy", lambda: measure_deploy(settings))
    return sections


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cartmon-bench", description=bench_overview, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks that everything runs")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--calls", type=int, help="handler calls per operation (default 200)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the Markdown report")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="the raw results")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON", help="only re-render saved results")
    args = parser.parse_args(argv)

    if args.render:
        saved = json.loads(args.render.read_text())
        args.output.write_text(render(saved))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0

    names = [name.strip() for name in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = set(names) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    settings = Settings.quick() if args.quick else Settings()
    if args.calls:
        settings = dataclasses.replace(settings, calls=args.calls)
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/") or None

    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "settings": {**settings.__dict__},
        "machine": machine_info(),
        "make_test": load_make_test_record(MAKE_TEST_RECORD),
    }
    load_before = os.getloadavg()
    results["sections"] = run_sections(names, settings, endpoint)
    results["seconds"] = time.perf_counter() - started
    results["load"] = {"before": load_before, "after": os.getloadavg()}

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str))
    args.output.write_text(render(results))
    failed = [name for name, section in results["sections"].items() if "error" in section]
    print(
        f"wrote {args.output} in {results['seconds']:.0f}s"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        file=sys.stderr,
    )
    return 1 if failed else 0
