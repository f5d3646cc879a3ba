"""Cold start: the handler's import time in fresh interpreters, beside boto3 and a Powertools-only handler."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cartmon.dev.bench.measures.importtime import import_cost_by_package, imports_made_by, parse_importtime
from cartmon.dev.bench.settings import (
    LAMBDA_PACKAGE,
    Settings,
)
from cartmon.dev.bench.stats import medians_largest_first, percentile
from cartmon.project import ROOT

BARE_HANDLER = '''"""A Lambda handler that does nothing but log through Powertools Logger."""
from aws_lambda_powertools import Logger

logger = Logger(service="bare")


def lambda_handler(event, context):
    logger.info("hello")
    return {"statusCode": 200}
'''


def _python_env(pythonpath: Sequence[Path]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in pythonpath)
    return env


def _timed_python(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed: {result.stderr[-2000:]}")
    return elapsed, result.stderr


def read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def writable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def import_ratios(variants: list[dict[str, Any]]) -> dict[str, float | None]:
    """Issue 18's import measures: the handler's import over bare `import boto3`, each with the
    interpreter's own start-up taken out; None when a variant is missing."""
    by_name = {variant["name"]: variant for variant in variants}
    boto3 = by_name.get("boto3", {}).get("over_interpreter_ms")

    def over_boto3(name: str) -> float | None:
        ours = by_name.get(name, {}).get("over_interpreter_ms")
        return ours / boto3 if ours is not None and boto3 else None

    return {"cached": over_boto3("handler"), "deployed": over_boto3("handler_deployed")}


def measure_coldstart(settings: Settings) -> dict[str, Any]:
    import zipfile

    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as scratch:
        scratch_dir = Path(scratch)
        (scratch_dir / "bare").mkdir()
        (scratch_dir / "bare" / "bare_handler.py").write_text(BARE_HANDLER)
        variants: list[tuple[str, str, list[str], list[Path]]] = [
            ("interpreter", "`python -c pass`: interpreter start-up and exit", ["-c", "pass"], []),
            ("boto3", "`import boto3` (the version the zip carries)", ["-c", "import boto3"], []),
            (
                "bare_powertools",
                "a handler that only creates a Powertools Logger",
                ["-c", "import bare_handler"],
                [scratch_dir / "bare"],
            ),
            (
                "handler",
                "`import cart_migration.handler` (PYTHONPATH=lambda_src, bytecode cached)",
                ["-c", "import cart_migration.handler"],
                [ROOT / "lambda_src"],
            ),
        ]
        if LAMBDA_PACKAGE.is_file():
            deployed = scratch_dir / "task"
            with zipfile.ZipFile(LAMBDA_PACKAGE) as archive:
                archive.extractall(deployed)
            # As /var/task in Lambda: read-only, so no run leaves bytecode for the next one; only
            # what the zip ships is cached. (-B as well: permissions do not stop root.)
            read_only(deployed)
            variants.append(
                (
                    "handler_deployed",
                    "the same from a fresh copy of the deployment zip, read-only, its own boto3 (as in Lambda)",
                    ["-B", "-c", "import cart_migration.handler"],
                    [deployed],
                )
            )
        results = []
        # Run the variants in turn, so that a slow moment of the machine hits all of them alike.
        walls: dict[str, list[float]] = defaultdict(list)
        envs = {name: _python_env(path) for name, _, _, path in variants}
        for _ in range(settings.coldstart_runs):
            for name, _, args, _ in variants:
                elapsed, _ = _timed_python(args, envs[name])
                walls[name].append(elapsed * 1000)
        interpreter = percentile(walls["interpreter"], 50)
        for name, description, _, _ in variants:
            median = percentile(walls[name], 50)
            results.append(
                {
                    "name": name,
                    "description": description,
                    "runs": len(walls[name]),
                    "median_ms": median,
                    "min_ms": min(walls[name]),
                    "max_ms": max(walls[name]),
                    "over_interpreter_ms": median - interpreter if name != "interpreter" else 0.0,
                }
            )

        # Where the import time goes: -X importtime, modules the bare interpreter loads left out.
        startup = {
            record.module
            for record in parse_importtime(
                _timed_python(["-X", "importtime", "-c", "pass"], envs["interpreter"])[1]
            )
        }
        runs, direct_runs = [], []
        for _ in range(settings.importtime_runs):
            _, stderr = _timed_python(
                ["-X", "importtime", "-c", "import cart_migration.handler"], envs["handler"]
            )
            records = parse_importtime(stderr)
            runs.append(import_cost_by_package(records, exclude=startup))
            direct_runs.append(imports_made_by(records, "cart_migration"))
        total_us = percentile([sum(costs.values()) for costs in runs], 50)
        contributors = medians_largest_first(runs, "package", "self_ms")
        direct = medians_largest_first(direct_runs, "module", "cumulative_ms")
        writable(scratch_dir)  # so that the temporary directory can be removed
    return {
        "runs": settings.coldstart_runs,
        "importtime_runs": settings.importtime_runs,
        "variants": results,
        "import_total_ms": total_us / 1000,
        "contributors": contributors,
        "direct_imports": direct,
        "packages": package_sizes(),
    }


# The two zips `make bench` builds first (`make package`, `make package JWT_PACKAGE=HS256`): an HS256
# deployment needs neither PyJWT nor cryptography (lambda_src/README.md, docs/calling-the-api.md).
PACKAGES = {
    "RS256 (serves HS256 too): PyJWT and cryptography inside": LAMBDA_PACKAGE,
    "HS256 only (JWT_PACKAGE=HS256)": LAMBDA_PACKAGE.with_name(LAMBDA_PACKAGE.stem + "-hs256.zip"),
}


def package_sizes() -> list[dict[str, Any]]:
    return [
        {"package": name, "file": path.name, "bytes": path.stat().st_size if path.is_file() else None}
        for name, path in PACKAGES.items()
    ]
