"""Offline plans of examples/local for the alert-quality replay, cached by their inputs.

A plan is `terraform test -json -verbose` of a copy of the module with the repository's mocked AWS
provider (tests/terraform/mocks, as `make tftest` uses it): no emulator, no credentials. With
`-verbose`, Terraform prints each run block's plan as a `test_plan` message, in the JSON format of
`terraform show -json` (its `resource_changes`; the outputs as `output_changes`). The alarms, their
metric queries and thresholds are read from there: nothing here restates how slo.tf derives them.

`module_inputs` are inputs of the root module that the plan sets on top of examples/local (for instance
`slo_burn_rate_windows`), written into the copy as an override of its `module "monitoring"` block; each
set of inputs is planned in its own copy of examples/local, all of them in one `terraform test` run.

A plan is cached under build/alert-quality-plans/, named by a hash of what it is made from: the module's
Terraform files and the files they read (catalogue, mocks), and the inputs. An edit to slo.tf plans again;
a second `make alert-quality`, or the tests after it, read the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cartmon.project import CATALOGUE_PATH, PROVIDER_MOCKS, ROOT, copy_module, module_files

CACHE = ROOT / "build" / "alert-quality-plans"
# A stand-in deployment zip: a plan only hashes the package.
STAND_IN_PACKAGE = ROOT / "tests" / "terraform" / "fixtures" / "lambda-stand-in.zip"
# What a plan is made from besides its inputs: Terraform files and the files they read.
PLANNED_SUFFIXES = (".tf", ".json", ".hcl", ".tftpl")
# Bump when the shape of a cached plan changes, so that older entries are not read.
CACHE_FORMAT = "1"
# The module creates its REST API: its availability SLI adds the API's 5XX.
WITH_API = {"create_api": True}
# Offline: an endpoint or credentials in the environment must not reach the mocked provider (OFFLINE_TF).
OFFLINE_UNSET = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
)
TESTS = "alert-quality-plans"


def _planned_files() -> list[Path]:
    out: list[Path] = []
    for source in [*module_files(), CATALOGUE_PATH, PROVIDER_MOCKS]:
        files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        out += [
            p
            for p in files
            if p.suffix in PLANNED_SUFFIXES
            and ".terraform" not in p.parts
            and p.name != ".terraform.lock.hcl"
        ]
    return sorted(set(out))


def module_digest() -> str:
    """A hash of the module's Terraform files and the files they read."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for path in _planned_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(module_inputs: dict, digest: str) -> str:
    inputs = json.dumps(module_inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{digest}\0{inputs}".encode()).hexdigest()[:32]


def override(module_inputs: dict) -> str:
    """The override file setting the inputs on the example's module: a JSON value is an HCL expression."""
    lines = [f"  {name} = {json.dumps(value)}" for name, value in sorted(module_inputs.items())]
    return 'module "monitoring" {\n' + "\n".join(lines) + "\n}\n"


def test_file(runs: list[str], package: Path) -> str:
    blocks = [f'mock_provider "aws" {{\n  source = "./{PROVIDER_MOCKS.relative_to(ROOT)}"\n}}\n']
    for run in runs:
        blocks.append(
            f'run "{run}" {{\n  command = plan\n  module {{\n    source = "./examples/{run}"\n  }}\n'
            f'  variables {{\n    create_lambda       = true\n    lambda_package_path = "{package}"\n  }}\n}}\n'
        )
    return "\n".join(blocks)


def shown(test_plan: dict) -> dict:
    """The parts of a `test_plan` message the replay reads, as `terraform show -json` of a plan names them."""
    return {
        "resource_changes": test_plan["resource_changes"],
        "planned_values": {
            "outputs": {
                name: {"value": change["after"]}
                for name, change in test_plan.get("output_changes", {}).items()
                if "after" in change
            }
        },
    }


def _terraform(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_UNSET}
    if not Path(env.get("TF_CLI_CONFIG_FILE", "")).is_file():
        env["TF_CLI_CONFIG_FILE"] = str(
            ROOT / "build" / "terraformrc"
        )  # make terraformrc: the provider mirror
    env.update(TF_IN_AUTOMATION="1", TF_INPUT="0")
    return subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True)


def _plan(missing: dict[str, dict]) -> dict[str, dict]:
    """Plan every set of inputs (run name -> inputs) in one `terraform test` run."""
    with tempfile.TemporaryDirectory(prefix="alert-quality-") as tmp:
        copy = copy_module(Path(tmp))
        package = copy / "lambda-stand-in.zip"
        shutil.copy2(STAND_IN_PACKAGE, package)
        for run, inputs in missing.items():
            example = copy / "examples" / run
            shutil.copytree(copy / "examples" / "local", example)
            if inputs:
                (example / "alert_quality_override.tf").write_text(override(inputs))
        (copy / TESTS).mkdir()
        (copy / TESTS / "plans.tftest.hcl").write_text(test_file(list(missing), package))
        init = _terraform(
            ["init", "-backend=false", "-input=false", "-no-color", f"-test-directory={TESTS}"], copy
        )
        if init.returncode:
            raise RuntimeError(f"terraform init failed:\n{init.stdout}{init.stderr}")
        result = _terraform(["test", "-json", "-verbose", "-no-color", f"-test-directory={TESTS}"], copy)
    plans: dict[str, dict] = {}
    errors: list[str] = []
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "test_plan":
            plans[message["@testrun"]] = shown(message["test_plan"])
        elif message["type"] == "diagnostic" and message["diagnostic"]["severity"] == "error":
            d = message["diagnostic"]
            errors.append(f"{message.get('@testrun')}: {d.get('summary')}: {d.get('detail', '')}")
    if errors or set(plans) != set(missing):
        raise RuntimeError(
            "terraform test did not plan every configuration:\n" + "\n".join(errors) + result.stderr[-3000:]
        )
    return plans


def plan_jsons(inputs: list[dict]) -> list[dict]:
    """The plan of examples/local with each set of root-module inputs, from the cache or planned now."""
    digest = module_digest()
    keys = [cache_key(i, digest) for i in inputs]
    missing = {f"aq-{k}": i for k, i in zip(keys, inputs, strict=True) if not (CACHE / f"{k}.json").exists()}
    if missing:
        CACHE.mkdir(parents=True, exist_ok=True)
        for run, plan in _plan(missing).items():
            path = CACHE / f"{run.removeprefix('aq-')}.json"
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(plan))
            os.replace(partial, path)  # whole or absent, whoever reads it meanwhile
    return [json.loads((CACHE / f"{k}.json").read_text()) for k in keys]


def plan_json(module_inputs: dict | None = None) -> dict:
    return plan_jsons([module_inputs or {}])[0]
