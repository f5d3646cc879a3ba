"""When the emulator dies mid-run, the suite fails with a clear message instead of hanging.

A private emulator (bootstrap/emulator_launcher.py with a state file of its own, as tests/emulator/test_launcher.py
starts one) answers a client call; then its process group is killed. After that, each way the
suite meets an emulator must fail, not hang, and say what happened (how long each took is a figure of
the reliability table, not a test: timings belong to `make bench`):

- the next boto3 call, with the suite's client configuration (tests/conftest.py CLIENT_CONFIG);
- `bootstrap/emulator_launcher.py status`;
- the `aws_endpoint` fixture, in a pytest run of its own, with AWS_ENDPOINT_URL at the dead
  emulator, and with no endpoint at all (the fixture fails, it does not skip);
- `terraform plan` (the AWS provider retries a refused connection for a while, then gives up).

A taken port is tests/emulator/test_launcher.py's (reported, not fought over). The whole scenario
runs in the background while the in-process figures are computed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from cartmon.project import CLIENT_CONFIG, REGION, ROOT

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = pytest.mark.xdist_group("reliability")

LAUNCHER = [sys.executable, str(ROOT / "bootstrap" / "emulator_launcher.py")]
PROBE = "tests/reliability/test_emulator_faults.py::test_the_suite_endpoint_answers"
# A subprocess still running after this long is hung, not slow: the suite may share the machine with
# another run. How long each probe took is recorded in the figures, never asserted.
HUNG_SECONDS = 900
TINY_CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region = "ap-south-1"
}
data "aws_caller_identity" "current" {}
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def timed[T](run: Callable[[], T]) -> tuple[float, T]:
    started = time.monotonic()
    outcome = run()
    return round(time.monotonic() - started, 2), outcome


def run_pytest_probe(ctx, env_changes: dict, drop: tuple[str, ...], scratch: Path) -> dict:
    env = {k: v for k, v in ctx.environment.items() if k not in drop and not k.startswith("AWS_ENDPOINT_URL")}
    env.update(env_changes, RELIABILITY_NO_BACKGROUND="1", RELIABILITY_FIGURES=str(scratch / "figures.json"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", PROBE, "-p", "no:cacheprovider", "-q", "--no-header"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=HUNG_SECONDS,
    )
    return {"returncode": result.returncode, "output": result.stdout + result.stderr}


def run_terraform_against(ctx, url: str, scratch: Path) -> dict:
    directory = scratch / "terraform"
    directory.mkdir()
    (directory / "main.tf").write_text(TINY_CONFIG)
    env = ctx.aws_environment(endpoint=url)
    init = subprocess.run(
        ["terraform", "init", "-input=false", "-no-color"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=HUNG_SECONDS,
    )
    if init.returncode != 0:
        return {
            "returncode": -1,
            "output": "terraform init failed: " + init.stdout + init.stderr,
            "seconds": 0,
        }
    seconds, plan = timed(
        lambda: subprocess.run(
            ["terraform", "plan", "-input=false", "-no-color"],
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=HUNG_SECONDS,
        )
    )
    return {"returncode": plan.returncode, "output": plan.stdout + plan.stderr, "seconds": seconds}


def kill_the_emulator_mid_run(ctx) -> dict:
    """Start a private emulator, use it, kill it, and record how everything fails afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="reliability-emulator-"))
    state_file = scratch / "state.json"
    launcher_env = {k: v for k, v in ctx.environment.items() if not k.startswith("AWS_ENDPOINT_URL")}
    launcher_env["EMULATOR_STATE_FILE"] = str(state_file)
    facts: dict = {}
    try:
        started = subprocess.run(
            LAUNCHER + ["start"], env=launcher_env, capture_output=True, text=True, timeout=HUNG_SECONDS
        )
        facts["start"] = {"returncode": started.returncode, "stderr": started.stderr[-2000:]}
        if started.returncode != 0:
            return facts
        state = json.loads(state_file.read_text())
        url, pid = state["url"], state["pid"]
        facts.update(url=url, shared_endpoint=ctx.endpoint)
        client = boto3.session.Session().client(
            "logs",
            region_name=REGION,
            endpoint_url=url,
            config=CLIENT_CONFIG,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        client.describe_log_groups(limit=1)
        facts["call before the kill"] = "answered"

        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + HUNG_SECONDS
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        facts["killed"] = not alive(pid)

        def next_call():
            try:
                client.describe_log_groups(limit=1)
                return {"error": None}
            except Exception as error:  # what the suite would see
                return {"error": type(error).__name__, "message": str(error)}

        seconds, outcome = timed(next_call)
        facts["client call"] = dict(outcome, seconds=seconds)
        seconds, status = timed(
            lambda: subprocess.run(
                LAUNCHER + ["status"], env=launcher_env, capture_output=True, text=True, timeout=HUNG_SECONDS
            )
        )
        facts["emulator.py status"] = {
            "returncode": status.returncode,
            "output": status.stdout + status.stderr,
            "seconds": seconds,
        }

        with ThreadPoolExecutor(max_workers=3) as pool:
            dead = pool.submit(
                timed, lambda: run_pytest_probe(ctx, {"AWS_ENDPOINT_URL": url}, (), scratch / "a")
            )
            none = pool.submit(
                timed,
                lambda: run_pytest_probe(
                    ctx, {"EMULATOR_STATE_FILE": str(state_file)}, ("AWS_ENDPOINT_URL",), scratch / "b"
                ),
            )
            terraform = pool.submit(run_terraform_against, ctx, url, scratch)
            for key, future in (("aws_endpoint (dead URL)", dead), ("aws_endpoint (none)", none)):
                seconds, probe = future.result()
                facts[key] = dict(probe, seconds=seconds)
            facts["terraform plan"] = terraform.result()
        return facts
    finally:
        subprocess.run(
            LAUNCHER + ["stop"], env=launcher_env, capture_output=True, text=True, timeout=HUNG_SECONDS
        )
        shutil.rmtree(scratch, ignore_errors=True)


def test_the_suite_endpoint_answers(aws_endpoint, aws_client):
    """The probe the scenario runs with a dead or missing emulator; here, with the suite's, it passes."""
    assert aws_client("logs").describe_log_groups(limit=1)["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.background(job=kill_the_emulator_mid_run)
def test_a_dead_emulator_fails_the_suite_with_a_clear_message(background, figure):
    row = figure(
        "emulator_death",
        "emulator killed mid-run",
        unit="probes",
        scale="a private emulator answers, its process group is SIGKILLed, then: boto3 call (suite config), "
        "emulator.py status, aws_endpoint fixture (dead URL, no URL), terraform plan",
    )
    row.count("failed without a clear message", expected=0)
    facts = background.result(kill_the_emulator_mid_run, row)
    assert facts["start"]["returncode"] == 0, (
        f"the private emulator did not start:\n{facts['start']['stderr']}"
    )
    assert facts["url"] != facts["shared_endpoint"], "the scenario must kill an emulator of its own"
    assert facts["call before the kill"] == "answered" and facts["killed"]
    url = facts["url"]
    expectations = {
        "client call": lambda f: (
            f["error"] == "EndpointConnectionError"
            and f'Could not connect to the endpoint URL: "{url}/"' in f["message"]
        ),
        "emulator.py status": lambda f: f["returncode"] == 1 and "no emulator running" in f["output"],
        "aws_endpoint (dead URL)": lambda f: (
            f["returncode"] != 0
            and f"the emulator at {url} does not answer; restart it with `make emulator`" in f["output"]
            and "1 error" in f["output"]
            and "skipped" not in f["output"]
        ),
        "aws_endpoint (none)": lambda f: (
            f["returncode"] != 0
            and "no emulator: run the suite with `make test`, or start one with `make emulator`"
            in f["output"]
            and "1 error" in f["output"]
            and "skipped" not in f["output"]
        ),
        "terraform plan": lambda f: f["returncode"] not in (0, -1) and "connection refused" in f["output"],
    }
    problems = []
    for probe, clear in expectations.items():
        fact = facts[probe]
        row.tried += 1
        unclear = not clear(fact)
        row.add("failed without a clear message", int(unclear))
        row.note(f"{probe}: failed in {fact['seconds']} s")
        if unclear:
            problems.append(f"{probe}: {json.dumps(fact)[-1500:]}")
    assert not problems, "\n".join(problems)
