"""Where things are, and how to reach the emulator, for every suite."""

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from botocore.config import Config

# harness/cartmon/project.py: the repository is two folders up (the harness is installed editable).
ROOT = Path(__file__).resolve().parents[2]
# The environment before any fixture pointed AWS clients at the emulator (for opt-in real-AWS checks).
ENVIRONMENT_AT_START = dict(os.environ)
REGION = "ap-south-1"
LAMBDA_PACKAGE = ROOT / "build" / "cart_migration.zip"
LAUNCHER = ROOT / "bootstrap" / "emulator_launcher.py"
TERRAFORMRC_SCRIPT = ROOT / "bootstrap" / "terraformrc.py"
PACKAGE_SCRIPT = ROOT / "bootstrap" / "package_lambda.py"
CATALOGUE_PATH = ROOT / "lambda_src" / "cart_migration" / "event_catalogue.json"
# What a copy of the module needs: Terraform runs on copies, never in the working tree, so tests
# do not fight over state with each other or with a user's `make apply`.
MODULE_FOLDERS = ("modules", "examples", "docs")
PROVIDER_MOCKS = ROOT / "tests" / "terraform" / "mocks"  # the *.tftest.hcl files' mocked AWS provider


def module_files() -> list[Path]:
    """The root module's .tf files and the folders it references: a new root file needs no edit here."""
    return sorted(ROOT.glob("*.tf")) + [ROOT / folder for folder in MODULE_FOLDERS]


def variable_files(module_dir: Path) -> list[Path]:
    """A module's variable declarations: variables.tf and any variables-<concern>.tf (the root's)."""
    return sorted(module_dir.glob("variables.tf")) + sorted(module_dir.glob("variables-*.tf"))


def local_example_vars() -> dict[str, str]:
    """Variables the tests and the demo give examples/local."""
    return {"lambda_package_path": str(LAMBDA_PACKAGE)}


def copy_module(destination: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "*.tfplan"
    )
    for source in module_files():
        item = source.name
        if source.is_dir():
            shutil.copytree(source, destination / item, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, destination / item)
    (destination / CATALOGUE_PATH.relative_to(ROOT)).parent.mkdir(parents=True)
    shutil.copy2(CATALOGUE_PATH, destination / CATALOGUE_PATH.relative_to(ROOT))
    # `terraform init` in examples/existing-function also loads its test file, whose provider mocks
    # are the repository's shared ones.
    shutil.copytree(PROVIDER_MOCKS, destination / PROVIDER_MOCKS.relative_to(ROOT))
    return destination


# Fail fast when the emulator dies mid-run instead of hanging on retries.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=60, retries={"max_attempts": 2, "mode": "standard"})


def endpoint_reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=3):
            return True
    except (urllib.error.URLError, OSError):
        return False


def discover_endpoint() -> str | None:
    url = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")
    if url:
        return url
    status = subprocess.run([sys.executable, str(LAUNCHER), "status"], capture_output=True, text=True)
    for line in status.stdout.splitlines():
        if line.startswith("AWS_ENDPOINT_URL="):
            return line.split("=", 1)[1]
    return None


def use_emulator_if_running() -> str | None:
    """Point boto3 at the emulator when one is up (test credentials, the module's region); else at AWS.

    The user tools (query, dashboard renderer) run against whichever the user has: a running
    emulator wins, and without one the user's own credentials and region reach real AWS.
    """
    endpoint = discover_endpoint()
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        print(f"emulator: {endpoint}", file=sys.stderr)
    else:
        print("no emulator endpoint: using AWS", file=sys.stderr)
    return endpoint


def emulator_now(endpoint: str, timeout: float = 5.0) -> float | None:
    """The embedded emulator's clock (it may run ahead of the wall clock), or None elsewhere."""
    try:
        with urllib.request.urlopen(f"{endpoint.rstrip('/')}/_cartmon/clock", timeout=timeout) as response:
            return float(json.load(response)["now"])
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError):
        return None


class EmulatorClock:
    """The embedded emulator's clock (`/_cartmon/clock`): read it, or move it forward; a move is also
    an alarm evaluation moment. Unlike emulator_now, a failure raises (OSError): the demo and the
    tests need this project's emulator."""

    def __init__(self, endpoint: str):
        self.url = f"{endpoint.rstrip('/')}/_cartmon/clock"

    def _call(self, advance_seconds: float | None) -> dict:
        data = None if advance_seconds is None else json.dumps({"advance_seconds": advance_seconds}).encode()
        request = urllib.request.Request(self.url, data=data, method="GET" if data is None else "POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def now(self) -> float:
        return self._call(None)["now"]

    def advance(self, seconds: float) -> float:
        return self._call(seconds)["now"]

    def evaluate_alarms(self) -> None:
        self._call(0)


class EmulatorDeliveries:
    """Invocations the embedded emulator accepted but runs no function for (`/_cartmon/deliveries`):
    subscription filters and alarm actions whose target is a Lambda function (and other alarm actions).
    `pending` reads them; `take` returns them and removes them, so a local runtime runs each once.
    Each is {"id", "source", "targetArn", "sourceArn", "time", "event"} (emulator/README.md)."""

    def __init__(self, endpoint: str):
        self.url = f"{endpoint.rstrip('/')}/_cartmon/deliveries"

    def pending(self, target_arn: str | None = None) -> list[dict]:
        query = "?" + urllib.parse.urlencode({"targetArn": target_arn}) if target_arn else ""
        with urllib.request.urlopen(self.url + query, timeout=60) as response:
            return json.loads(response.read())["deliveries"]

    def take(self, target_arn: str) -> list[dict]:
        data = json.dumps({"targetArn": target_arn}).encode()
        request = urllib.request.Request(f"{self.url}/take", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["deliveries"]
