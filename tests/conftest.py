"""Session fixtures shared by every suite: the emulator endpoint, boto3 clients, Terraform runs.

A test that needs the emulator asks for `aws_endpoint` (directly or through another fixture) and
fails, never skips, when no emulator answers. The standard AWS_ENDPOINT_URL variable routes
boto3 and the Terraform AWS provider alike, so nothing here is emulator-specific.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
import tftest
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
REGION = "ap-south-1"
LAMBDA_PACKAGE = ROOT / "build" / "cart_migration.zip"
# Fail fast when the emulator dies mid-run instead of hanging on retries.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=60, retries={"max_attempts": 2, "mode": "standard"})


def pytest_addoption(parser):
    parser.addoption("--real-aws", action="store_true", help="also run the opt-in checks against real AWS")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--real-aws"):
        return
    skip_real = pytest.mark.skip(reason="real AWS checks are opt-in: pytest --real-aws")
    for item in items:
        if "real_aws" in item.keywords:
            item.add_marker(skip_real)


def _reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=3):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _discover_endpoint() -> str | None:
    url = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")
    if url:
        return url
    status = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "emulator.py"), "status"], capture_output=True, text=True
    )
    for line in status.stdout.splitlines():
        if line.startswith("AWS_ENDPOINT_URL="):
            return line.split("=", 1)[1]
    return None


@pytest.fixture(scope="session")
def aws_endpoint() -> str:
    url = _discover_endpoint()
    if not url:
        pytest.fail("no emulator: run the suite with `make test`, or start one with `make emulator`", pytrace=False)
    if not _reachable(url):
        pytest.fail(f"the emulator at {url} does not answer; restart it with `make emulator`", pytrace=False)
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ["AWS_REGION"] = REGION
    return url


@pytest.fixture(scope="session")
def aws_client(aws_endpoint):
    """Factory of boto3 clients bound to the emulator: aws_client("logs")."""
    cache: dict[str, object] = {}

    def make(service: str):
        if service not in cache:
            cache[service] = boto3.client(service, region_name=REGION, endpoint_url=aws_endpoint, config=CLIENT_CONFIG)
        return cache[service]

    return make


@pytest.fixture(scope="session")
def terraform_cli_config() -> Path:
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if configured and Path(configured).is_file():
        return Path(configured)
    path = ROOT / "build" / "terraformrc"
    subprocess.run([sys.executable, str(ROOT / "tools" / "terraformrc.py"), str(path)], check=True)
    os.environ["TF_CLI_CONFIG_FILE"] = str(path)
    return path


@pytest.fixture(scope="session")
def terraform(terraform_cli_config):
    """Factory of tftest runners for a directory of the repo: terraform("examples/local")."""

    def make(directory: str) -> tftest.TerraformTest:
        runner = tftest.TerraformTest(directory, basedir=str(ROOT), binary="terraform")
        runner.setup(upgrade=False)
        return runner

    return make


def local_example_vars() -> dict[str, str]:
    return {"lambda_package_path": str(LAMBDA_PACKAGE)}


@pytest.fixture(scope="session")
def applied_stack(aws_endpoint, terraform):
    """examples/local applied once per session on the emulator; destroyed at the end.

    Yields the plain output values (`terraform output -json` with the values unwrapped).
    """
    if not LAMBDA_PACKAGE.is_file():
        pytest.fail(f"{LAMBDA_PACKAGE} is missing: build it with `make package`", pytrace=False)
    runner = terraform("examples/local")
    tf_vars = local_example_vars()
    try:
        runner.apply(tf_vars=tf_vars)
        outputs = {name: value for name, value in runner.output().items()}
        yield outputs
    finally:
        runner.destroy(tf_vars=tf_vars)


def output_json(runner: tftest.TerraformTest) -> dict:
    return json.loads(runner.execute_command("output", "-json").out)
