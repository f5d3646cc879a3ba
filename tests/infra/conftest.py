"""Fixtures of the plan-level tests: one `terraform plan` per configuration, shared by all checks.

Terraform runs on a copy of the module (root *.tf, modules/, examples/, the event catalogue) in a
temporary directory, so that these tests never touch the working tree's .terraform directories or
state files, which other tests (apply against the emulator) use at the same time.

The AWS provider reads data sources (caller identity, region) at plan time: it needs an endpoint.
AWS_ENDPOINT_URL must point at the emulator; without it the tests fail, they never skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tftest

REPO = Path(__file__).resolve().parents[2]
CATALOGUE_PATH = REPO / "lambda_src" / "cart_migration" / "event_catalogue.json"

# The copy of the module mirrors these paths of the repository.
_COPY_ITEMS = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "locals.tf", "modules", "examples")
_IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "*.tfplan")


def _cli_config(tmp: Path) -> str:
    """The project's Terraform CLI config (provider mirror or registry)."""
    given = os.environ.get("TF_CLI_CONFIG_FILE")
    if given and Path(given).is_file():
        return given
    built = REPO / "build" / "terraformrc"
    if built.is_file():
        return str(built)
    target = tmp / "terraformrc"
    subprocess.run([sys.executable, str(REPO / "tools" / "terraformrc.py"), str(target)], check=True)
    return str(target)


@pytest.fixture(scope="session")
def catalogue() -> dict:
    return json.loads(CATALOGUE_PATH.read_text())


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory) -> dict:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        pytest.fail(
            "AWS_ENDPOINT_URL is not set. The plan-level tests read AWS data sources at plan time and need "
            "the emulator: start it and export AWS_ENDPOINT_URL=http://127.0.0.1:<port> (see the Makefile)."
        )
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-south-1"),
        "AWS_REGION": os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "ap-south-1")),
        "TF_CLI_CONFIG_FILE": _cli_config(tmp_path_factory.mktemp("tfrc")),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
    }


@pytest.fixture(scope="session")
def module_copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("module")
    for item in _COPY_ITEMS:
        src = REPO / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=_IGNORE)
        elif src.is_file():
            shutil.copy2(src, dest / item)
    (dest / CATALOGUE_PATH.relative_to(REPO)).parent.mkdir(parents=True)
    shutil.copy2(CATALOGUE_PATH, dest / CATALOGUE_PATH.relative_to(REPO))
    return dest


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
def local_plan(module_copy, tf_env, lambda_package) -> tftest.TerraformPlanOutput:
    """Plan of examples/local (what the tests and the demo apply), with the function."""
    tf = _terraform(module_copy, "examples/local", tf_env)
    return tf.plan(output=True, tf_vars={"create_lambda": "true", "lambda_package_path": str(lambda_package)})


@pytest.fixture(scope="session")
def root_tf(module_copy, tf_env) -> tftest.TerraformTest:
    """The root module itself (no provider block: region and endpoint come from the environment)."""
    return _terraform(module_copy, ".", tf_env)


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
