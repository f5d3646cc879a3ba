"""The hardening suite (`make reliability`): bad input, faults, races, privacy, tokens, Terraform misuse,
infrastructure security and emulator faults, each at a stated scale, each counted.

Every test fills a row of figures (see figures.py); the rows go to build/reliability.json at the end
of the session and `cartmon/dev/reliability_report.py` prints them as one table. The Lambda's figures run
in-process on moto, as the unit tests do, reusing their scenarios and builders; the Terraform and
emulator figures need the emulator (`aws_endpoint`) and fail, never skip, without it.

Work done by other programs (checkov, Terraform, a private emulator) is slow but mostly waiting, so
it starts in background threads when this suite's first test starts (`@pytest.mark.background(job=f)`)
and runs while the in-process figures are computed; the tests that take a job's result run last. A job
gets everything it needs as arguments (`JobContext`): it never reads os.environ, which the
in-process tests change as they run.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import moto.dynamodb.models
import pytest
from moto import mock_aws

from cart_migration import clients, handler
from cart_migration.audit import AuditLogWriter
from cartmon.project import ENVIRONMENT_AT_START, REGION, ROOT, discover_endpoint, endpoint_reachable
from tests.reliability.figures import Figures
from tests.unit.conftest import LAMBDA_ENV, UNSET_ENV, create_tables

FIGURES = Figures()
JOB_TIMEOUT_SECONDS = 1800  # hung, not slow: the suite may share the machine with another run


@dataclass(frozen=True)
class JobContext:
    """What a background job may use: the environment as the session found it, and the emulator."""

    environment: dict[str, str]
    endpoint: str | None  # None when no emulator answers: the test fails through `aws_endpoint`
    terraform_cli_config: Path

    def aws_environment(self, endpoint: str | None = None, **extra: str) -> dict[str, str]:
        """The environment for a program that talks to the emulator (or to `endpoint`)."""
        env = {k: v for k, v in self.environment.items() if not k.startswith("AWS_ENDPOINT_URL")}
        env.update(
            AWS_ACCESS_KEY_ID=self.environment.get("AWS_ACCESS_KEY_ID", "test"),
            AWS_SECRET_ACCESS_KEY=self.environment.get("AWS_SECRET_ACCESS_KEY", "test"),
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            TF_CLI_CONFIG_FILE=str(self.terraform_cli_config),
            TF_IN_AUTOMATION="1",
            **extra,
        )
        if address := endpoint or self.endpoint:
            env["AWS_ENDPOINT_URL"] = address
        return env


class Background:
    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: dict[object, Future] = {}
        self._context: JobContext | None = None
        self.seconds: dict[object, float] = {}

    def context(self) -> JobContext:
        if self._context is None:
            configured = ENVIRONMENT_AT_START.get("TF_CLI_CONFIG_FILE")
            cli_config = Path(configured) if configured else ROOT / "build" / "terraformrc"
            if not cli_config.is_file():
                subprocess.run(
                    [sys.executable, str(ROOT / "bootstrap" / "terraformrc.py"), str(cli_config)], check=True
                )
            url = discover_endpoint()
            self._context = JobContext(
                dict(ENVIRONMENT_AT_START), url if url and endpoint_reachable(url) else None, cli_config
            )
        return self._context

    def start(self, job) -> Future:
        if job not in self._jobs:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="reliability-job")
            self._jobs[job] = self._pool.submit(self._timed, job, self.context())
        return self._jobs[job]

    def _timed(self, job, context: JobContext):
        started = time.monotonic()
        try:
            return job(context)
        finally:
            self.seconds[job] = round(time.monotonic() - started, 2)

    def result(self, job, row=None):
        """The job's result (running it now if it was not started), or its exception raised here.
        With `row`, the figures row records how long the job ran."""
        try:
            return self.start(job).result(timeout=JOB_TIMEOUT_SECONDS)
        finally:
            if row is not None:
                row.job_seconds = self.seconds.get(job)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


BACKGROUND = Background()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "background(job): start job(JobContext) in a thread once collection is done; "
        "the test takes its result with the `background` fixture",
    )


def in_this_suite(item) -> bool:
    return Path(str(item.path)).is_relative_to(Path(__file__).parent)


def pytest_collection_modifyitems(items):
    """Within this suite, the tests that wait for a background job come last, so that the jobs run
    while the in-process tests do. Tests of other suites keep their places."""
    places = [index for index, item in enumerate(items) if in_this_suite(item)]
    ours = [items[index] for index in places]
    ours.sort(key=lambda item: item.get_closest_marker("background") is not None)
    for index, item in zip(places, ours, strict=True):
        items[index] = item


@pytest.fixture(scope="package", autouse=True)
def background_jobs(request):
    """Start the background jobs of this suite's selected tests when its first test starts (not at
    collection: in `make test` they would then run alongside other suites' timing-sensitive tests)."""
    if not os.environ.get("RELIABILITY_NO_BACKGROUND"):
        for item in request.session.items:
            marker = item.get_closest_marker("background")
            if marker and in_this_suite(item):
                BACKGROUND.start(marker.kwargs["job"])
    yield


@pytest.fixture(scope="session")
def background() -> Background:
    return BACKGROUND


def pytest_runtest_logreport(report):
    if report.when == "call":
        FIGURES.test_finished(report.nodeid, report.outcome)
    elif report.failed:
        FIGURES.test_finished(report.nodeid, "error" if report.when == "setup" else "failed")
    elif report.skipped:
        FIGURES.test_finished(report.nodeid, "skipped")


def pytest_sessionfinish(session):
    BACKGROUND.shutdown()
    FIGURES.write()


@pytest.fixture
def figure(request):
    """figure(key, title, unit=..., scale=...) -> the Row this test fills."""

    def make(key: str, title: str, unit: str, scale: str):
        return FIGURES.row(key, title, unit, scale, request.node.nodeid)

    return make


@pytest.fixture
def lambda_env(monkeypatch):
    """The function's environment as the Terraform module sets it (as in tests/unit)."""
    clients.reset()
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in LAMBDA_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(handler, "audit_writer", AuditLogWriter(lambda: clients.logs()))
    yield
    clients.reset()


@pytest.fixture
def aws(lambda_env):
    """Moto-backed DynamoDB and Logs with both tables created as Terraform creates them."""
    with mock_aws():
        create_tables(clients.dynamodb())
        yield clients.dynamodb()


class OneCopyPerTable:
    """Stands in for the `copy` module inside moto's DynamoDB backend during a transaction.

    moto backs a table up before a transaction once per operation on it: a deep copy of the same,
    still unchanged table each time, of which it keeps the last. One copy per table is the same
    backup; without this a 25-store transaction (50 operations) spends half a second copying.
    """

    def __init__(self) -> None:
        self.copies: dict[int, object] | None = None

    def deepcopy(self, value, memo=None):
        if self.copies is None or not isinstance(value, moto.dynamodb.models.Table):
            return copy.deepcopy(value, memo)
        if id(value) not in self.copies:
            self.copies[id(value)] = copy.deepcopy(value, memo)
        return self.copies[id(value)]


@pytest.fixture
def one_backup_per_table(monkeypatch):
    shim = OneCopyPerTable()
    transact = moto.dynamodb.models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        shim.copies = {}
        try:
            return transact(self, transact_items)
        finally:
            shim.copies = None

    monkeypatch.setattr(moto.dynamodb.models, "copy", shim)
    monkeypatch.setattr(moto.dynamodb.models.DynamoDBBackend, "transact_write_items", transact_write_items)
