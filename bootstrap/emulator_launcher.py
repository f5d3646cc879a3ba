"""Start, stop and inspect the embedded AWS emulator (LocalStack in host mode, with our plugins).

    emulator.py start [--owner-pid PID] [--background]
                                          start in the background unless one is up; last line AWS_ENDPOINT_URL=...
                                          (--background: return at once; later commands wait until it serves)
    emulator.py stop [--owner-pid PID]    stop the one this checkout started (only if started for PID), with
                                          every child process
    emulator.py status                    exit 0 and print the endpoint line when one is reachable
    emulator.py run -- CMD ...            run CMD with AWS_ENDPOINT_URL set, starting an emulator only if
                                          none is up and stopping only what it started

An emulator the user already runs (AWS_ENDPOINT_URL pointing at a reachable endpoint) is used as
it is. State (data, logs) lives in a temporary folder that `stop` removes. Standard library only:
this runs before any venv exists.

EMULATOR_STATE_FILE chooses where the running emulator is recorded (a second, private emulator);
EMULATOR_STOCK_SERVICES=logs,cloudwatch leaves those services to LocalStack's own providers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = Path(os.environ.get("EMULATOR_STATE_FILE", ROOT / "build" / "emulator" / "state.json"))
EMULATOR_PYTHON = Path(os.environ.get("EMULATOR_PYTHON", ROOT / ".venv" / "emulator" / "bin" / "python"))
SERVICES = [
    # What the module creates and the tests call; the second line is served by stock LocalStack.
    *("sns", "sqs", "cloudwatch", "logs", "iam", "sts", "kms", "dynamodb", "lambda"),
    *("firehose", "s3", "apigateway", "ssm", "secretsmanager"),
]
PROVIDER_OVERRIDES = {service: "cartmon" for service in ("dynamodb", "lambda", "logs", "cloudwatch")}
# Services left to LocalStack's own providers (for the differential test: EMULATOR_STOCK_SERVICES=logs,cloudwatch).
# DynamoDB and Lambda cannot be stock here: LocalStack's need Java and Docker.
STOCK_CAPABLE = {"logs", "cloudwatch"}
START_TIMEOUT_SECONDS = float(os.environ.get("EMULATOR_START_TIMEOUT", "120"))
LOG_TAIL_LINES = 40


def endpoint_line(url: str) -> str:
    return f"AWS_ENDPOINT_URL={url}"


def health(url: str, timeout: float = 2.0) -> dict | None:
    """The emulator's health document, or None when nothing sane answers at url."""
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=timeout) as response:
            return json.loads(response.read().decode())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def serves_everything(document: dict | None) -> bool:
    if not document:
        return False
    states = document.get("services", {})
    return all(states.get(service) in ("running", "available") for service in SERVICES)


def read_state() -> dict | None:
    try:
        return json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_serving(url: str, alive) -> bool:
    """Wait until the emulator at url serves every service; False once alive() is false or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and alive():
        if serves_everything(health(url)):
            return True
        time.sleep(0.5)
    return False


def running_endpoint(wait: bool = False) -> str | None:
    """The endpoint of an emulator that is already up: the user's own, or the one we started.
    With wait, one of ours that is still starting (`start --background`) is waited for."""
    user_url = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")
    if user_url and health(user_url) is not None:
        return user_url
    state = read_state()
    if state and process_alive(state["pid"]):
        if wait:
            wait_until_serving(state["url"], lambda: process_alive(state["pid"]))
        if health(state["url"]) is not None:
            return state["url"]
    return None


def emulator_environment(port: int, state_dir: Path, owner_pid: int | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")}
    env.update(
        GATEWAY_LISTEN=f"127.0.0.1:{port}",
        LOCALSTACK_VOLUME_DIR=str(state_dir / "volume"),
        FILESYSTEM_ROOT=str(state_dir / "filesystem"),
        TMPDIR=str(state_dir / "tmp"),
        DISABLE_EVENTS="1",
        SKIP_SSL_CERT_DOWNLOAD="1",
        DNS_ADDRESS="0",
        SERVICES=",".join(SERVICES),
        EAGER_SERVICE_LOADING="1",
        CARTMON_OWNER_PID=str(owner_pid or 0),
        CARTMON_STATE_DIR=str(state_dir),
        CARTMON_ALARM_EVALUATION_SECONDS=os.environ.get("CARTMON_ALARM_EVALUATION_SECONDS", "60"),
    )
    stock = stock_services()
    for service, provider in PROVIDER_OVERRIDES.items():
        if service not in stock:
            env[f"PROVIDER_OVERRIDE_{service.upper()}"] = provider
    return env


def stock_services() -> set[str]:
    requested = {s.strip() for s in os.environ.get("EMULATOR_STOCK_SERVICES", "").split(",") if s.strip()}
    unknown = requested - STOCK_CAPABLE
    if unknown:
        raise SystemExit(
            f"EMULATOR_STOCK_SERVICES: {sorted(unknown)} cannot run on LocalStack's own providers here; "
            f"choose from {sorted(STOCK_CAPABLE)}"
        )
    return requested


def start(owner_pid: int | None, background: bool = False) -> int:
    url = running_endpoint(wait=True)
    if url:
        print(endpoint_line(url))
        return 0
    stale = read_state()
    if stale:
        stop_recorded(stale)
    if not EMULATOR_PYTHON.exists():
        print(f"emulator venv missing ({EMULATOR_PYTHON}); run `make emulator`", file=sys.stderr)
        return 1

    requested = os.environ.get("EMULATOR_PORT", "").strip()
    if requested:
        port = int(requested)
        if not port_free(port):
            print(
                f"EMULATOR_PORT={port} is already taken by another process; choose another port",
                file=sys.stderr,
            )
            return 1
    else:
        port = free_port()
    url = f"http://127.0.0.1:{port}"
    state_dir = Path(tempfile.mkdtemp(prefix="cartmon-emulator-"))
    for sub in ("volume", "filesystem", "tmp"):
        (state_dir / sub).mkdir()
    log_path = state_dir / "emulator.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(EMULATOR_PYTHON), "-m", "localstack.runtime.main"],
            cwd=state_dir,
            env=emulator_environment(port, state_dir, owner_pid),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    state = {"pid": process.pid, "url": url, "port": port, "state_dir": str(state_dir), "log": str(log_path)}
    state["owner_pid"] = owner_pid
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps(state, indent=2))
    if background:
        print(f"emulator starting (pid {process.pid}, state {state_dir})", file=sys.stderr)
        print(endpoint_line(url))
        return 0

    if wait_until_serving(url, lambda: process.poll() is None):
        print(f"emulator up (pid {process.pid}, state {state_dir})", file=sys.stderr)
        print(endpoint_line(url))
        return 0
    reason = "exited" if process.poll() is not None else f"not healthy after {START_TIMEOUT_SECONDS:.0f}s"
    print(f"emulator failed to start ({reason}); last lines of {log_path}:", file=sys.stderr)
    print(tail(log_path), file=sys.stderr)
    stop_recorded(state, keep_log=True)
    return 1


def stop_recorded(state: dict, keep_log: bool = False) -> None:
    pid = state["pid"]
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process_alive(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if not keep_log:
        shutil.rmtree(state["state_dir"], ignore_errors=True)
    STATE_FILE.unlink(missing_ok=True)


def stop(owner_pid: int | None = None) -> int:
    state = read_state()
    if not state:
        print("no emulator started from this checkout", file=sys.stderr)
        return 0
    if owner_pid is not None and state.get("owner_pid") != owner_pid:
        print(
            f"the emulator of this checkout was not started for pid {owner_pid}: left running",
            file=sys.stderr,
        )
        return 0
    stop_recorded(state)
    print(f"emulator stopped (pid {state['pid']})", file=sys.stderr)
    return 0


def status() -> int:
    url = running_endpoint()
    if not url:
        print("no emulator running", file=sys.stderr)
        return 1
    print(endpoint_line(url))
    return 0


def run(command: list[str]) -> int:
    if not command:
        print("run needs a command after --", file=sys.stderr)
        return 2
    already_up = running_endpoint(wait=True)
    if already_up:
        url = already_up
    else:
        if start(owner_pid=os.getpid()) != 0:
            return 1
        url = read_state()["url"]
    env = dict(os.environ, AWS_ENDPOINT_URL=url)
    env.setdefault("AWS_ACCESS_KEY_ID", "test")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    env.setdefault("AWS_DEFAULT_REGION", "ap-south-1")
    child = subprocess.Popen(command, env=env)
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if not already_up:
            stop()
    return code


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start_parser = sub.add_parser("start")
    start_parser.add_argument("--owner-pid", type=int, help="stop by itself when this process is gone")
    start_parser.add_argument("--background", action="store_true", help="return without waiting for it")
    stop_parser = sub.add_parser("stop")
    stop_parser.add_argument("--owner-pid", type=int, help="stop it only if it was started for this process")
    sub.add_parser("status")
    run_parser = sub.add_parser("run")
    run_parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "run":
        return run(args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd)
    if args.command == "start":
        return start(args.owner_pid, args.background)
    if args.command == "stop":
        return stop(args.owner_pid)
    return status()


if __name__ == "__main__":
    sys.exit(main())
