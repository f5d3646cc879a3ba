"""The machine the bench ran on: CPU, memory, OS, tool and package versions."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from cartmon.dev.bench.memory import parse_proc_status
from cartmon.dev.bench.settings import (
    EMULATOR_PYTHON,
)


def parse_cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("model name", "Model", "Hardware") and value.strip():
            return value.strip()
    return "unknown"


def parse_mem_total_gib(meminfo: str) -> float | None:
    kb = parse_proc_status(meminfo).get("MemTotal")
    return None if kb is None else kb / 1024 / 1024


def _command_output(command: list[str]) -> str | None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def machine_info() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    terraform = _command_output(["terraform", "version", "-json"])
    try:
        terraform_version = json.loads(terraform)["terraform_version"] if terraform else None
    except (ValueError, KeyError):
        terraform_version = None
    localstack = _command_output(
        [
            str(EMULATOR_PYTHON),
            "-c",
            "from importlib.metadata import version; print(version('localstack-core'))",
        ]
    )
    packages = {}
    for name in ("boto3", "botocore", "aws-lambda-powertools", "pyjwt"):
        with contextlib.suppress(PackageNotFoundError):
            packages[name] = version(name)
    usable: int | None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": parse_cpu_model(read("/proc/cpuinfo")),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": parse_mem_total_gib(read("/proc/meminfo")),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "terraform": terraform_version,
        "localstack": localstack,
        "packages": packages,
    }
