"""Deploy: a private emulator's start and memory, and terraform init/plan/apply/destroy of examples/local."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cartmon.dev.bench.measures.apply_log import diagnostics, resource_apply_times
from cartmon.dev.bench.memory import TreeMemoryMonitor
from cartmon.dev.bench.settings import (
    LAMBDA_PACKAGE,
    REGION,
    Settings,
)
from cartmon.project import LAUNCHER, ROOT


@dataclass
class CommandRun:
    seconds: float
    returncode: int
    output: str
    max_rss_kb: int


def run_measured(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> CommandRun:
    """Run a command; its wall time, and the peak RSS of its largest process (itself or a child it
    waited for, e.g. Terraform's provider plugin) from wait4's rusage."""
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return CommandRun(seconds, process.returncode, output.read(), usage.ru_maxrss)


_PLAN_SUMMARY = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")


def parse_plan_summary(output: str) -> int | None:
    match = _PLAN_SUMMARY.search(output)
    return int(match.group(1)) if match else None


def measure_deploy(settings: Settings) -> dict[str, Any]:
    from cartmon.project import copy_module

    if not LAMBDA_PACKAGE.is_file():
        raise RuntimeError(f"{LAMBDA_PACKAGE} is missing: run `make package`")
    cli_config = Path(os.environ.get("TF_CLI_CONFIG_FILE") or ROOT / "build" / "terraformrc")
    if not cli_config.is_file():
        cli_config = ROOT / "build" / "terraformrc"
    launcher = [sys.executable, str(LAUNCHER)]
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as scratch:
        scratch_dir = Path(scratch)
        state_file = scratch_dir / "emulator-state.json"
        launcher_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        launcher_env.update(EMULATOR_STATE_FILE=str(state_file), EMULATOR_PORT="")

        def emulator_pid() -> int | None:
            with contextlib.suppress(OSError, ValueError, KeyError):
                return json.loads(state_file.read_text())["pid"]
            return None

        steps = []
        with TreeMemoryMonitor(emulator_pid) as monitor:
            started = time.perf_counter()
            start = subprocess.run(
                [*launcher, "start", "--owner-pid", str(os.getpid())],
                env=launcher_env,
                capture_output=True,
                text=True,
            )
            start_seconds = time.perf_counter() - started
            try:
                if start.returncode != 0:
                    raise RuntimeError(f"the private emulator did not start: {start.stderr[-2000:]}")
                monitor.sample()
                peak_at_start_kb = monitor.peak_rss_kb
                url = start.stdout.strip().splitlines()[-1].split("=", 1)[1]

                (scratch_dir / "module").mkdir()
                module = copy_module(scratch_dir / "module")
                example = module / "examples" / "local"
                prefix = f"bench-{uuid.uuid4().hex[:6]}"
                variables = [
                    "-var",
                    f"lambda_package_path={LAMBDA_PACKAGE}",
                    "-var",
                    f"name_prefix={prefix}",
                    "-var",
                    f"function_name={prefix}-fn",
                    "-var",
                    f"alarm_name_prefix={prefix}",
                ]
                tf_env = dict(
                    launcher_env,
                    AWS_ENDPOINT_URL=url,
                    AWS_ACCESS_KEY_ID="test",
                    AWS_SECRET_ACCESS_KEY="test",
                    AWS_DEFAULT_REGION=REGION,
                    AWS_REGION=REGION,
                    TF_CLI_CONFIG_FILE=str(cli_config),
                    TF_IN_AUTOMATION="1",
                    TF_INPUT="0",
                )
                commands = [
                    ("init", ["terraform", "init", "-input=false", "-no-color"]),
                    (
                        "plan",
                        ["terraform", "plan", "-input=false", "-no-color", "-out=bench.tfplan", *variables],
                    ),
                    ("apply", ["terraform", "apply", "-input=false", "-no-color", "-json", "bench.tfplan"]),
                    (
                        "destroy",
                        ["terraform", "destroy", "-input=false", "-no-color", "-auto-approve", *variables],
                    ),
                ]
                resources = None
                apply_resources: list[dict[str, Any]] = []
                for step, command in commands:
                    run = run_measured(command, example, tf_env)
                    if run.returncode != 0:
                        raise RuntimeError(f"terraform {step} failed:\n{diagnostics(run.output)}")
                    if step == "plan":
                        resources = parse_plan_summary(run.output)
                    if step == "apply":
                        apply_resources = resource_apply_times(run.output)
                    steps.append({"step": step, "seconds": run.seconds, "max_rss_mb": run.max_rss_kb / 1024})
                monitor.sample()
            finally:
                subprocess.run([*launcher, "stop"], env=launcher_env, capture_output=True, text=True)
    return {
        "emulator": {
            "start_seconds": start_seconds,
            "peak_rss_at_start_mb": peak_at_start_kb / 1024,
            "peak_rss_mb": monitor.peak_rss_kb / 1024,
            "hwm_sum_mb": sum(monitor.hwm_kb.values()) / 1024,
            "processes": len(monitor.hwm_kb),
        },
        "resources": resources,
        "steps": steps,
        "apply_resources": apply_resources,
    }
