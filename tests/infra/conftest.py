"""Fixtures of the plan-level tests: one `terraform plan` per configuration, shared by all checks.

Terraform runs on a copy of the module of these tests' own (`plan_copy`), never in the working tree.
The AWS provider reads data sources (caller identity, region) at plan time, so these tests need
the emulator: without it they fail, they never skip.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
import tftest

from cartmon.project import CATALOGUE_PATH, REGION, copy_module


@pytest.fixture(scope="session")
def catalogue() -> dict:
    return json.loads(CATALOGUE_PATH.read_text())


@pytest.fixture(scope="session")
def tf_env(aws_endpoint, terraform_cli_config) -> dict:
    return {
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "TF_CLI_CONFIG_FILE": str(terraform_cli_config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
    }


@pytest.fixture(scope="session")
def plan_copy(tmp_path_factory) -> Path:
    """A copy of the module of its own: the applied stack's copy holds state these plans must not see."""
    return copy_module(tmp_path_factory.mktemp("plan-module"))


@pytest.fixture(scope="session")
def lambda_package(tmp_path_factory) -> Path:
    """A stand-in deployment zip: plan only hashes it."""
    path = tmp_path_factory.mktemp("pkg") / "cart_migration.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("cart_migration/__init__.py", "")
        zf.writestr("cart_migration/handler.py", "def lambda_handler(event, context):\n    return {}\n")
    return path


def _terraform(module_copy: Path, subdir: str, tf_env: dict) -> tftest.TerraformTest:
    tf = tftest.TerraformTest(str(module_copy / subdir), env=tf_env)
    tf.setup(cleanup_on_exit=False)
    return tf


@pytest.fixture(scope="session")
def local_plan(plan_copy, tf_env, lambda_package) -> tftest.TerraformPlanOutput:
    """Plan of examples/local (what the tests and the demo apply), with the function."""
    tf = _terraform(plan_copy, "examples/local", tf_env)
    return tf.plan(output=True, tf_vars={"create_lambda": "true", "lambda_package_path": str(lambda_package)})


@pytest.fixture(scope="session")
def root_tf(plan_copy, tf_env) -> tftest.TerraformTest:
    """The root module itself (no provider block: region and endpoint come from the environment)."""
    return _terraform(plan_copy, ".", tf_env)


@pytest.fixture(scope="session")
def plan_error():
    """Run a plan that must fail; return its error text."""

    def run(tf: tftest.TerraformTest, tf_vars: dict) -> str:
        try:
            tf.plan(tf_vars=tf_vars)
        except tftest.TerraformTestError as exc:
            return str(exc)
        raise AssertionError(f"terraform plan succeeded with {tf_vars!r}; it must fail")

    return run
