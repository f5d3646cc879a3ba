"""`make emulator` / `make emulator-stop` semantics, on an emulator of the test's own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from cartmon.project import ROOT

LAUNCHER = [sys.executable, str(ROOT / "bootstrap" / "emulator_launcher.py")]


def launcher_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(EMULATOR_STATE_FILE=str(tmp_path / "state.json"), **extra)
    return env


def run_launcher(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(LAUNCHER + args, env=env, capture_output=True, text=True, timeout=timeout)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_start_is_idempotent_and_stop_leaves_nothing(tmp_path):
    env = launcher_env(tmp_path)
    first = run_launcher(["start"], env)
    assert first.returncode == 0, first.stderr
    last_line = first.stdout.strip().splitlines()[-1]
    assert last_line.startswith("AWS_ENDPOINT_URL=http://127.0.0.1:")
    port = int(last_line.rsplit(":", 1)[1])
    state = (tmp_path / "state.json").read_text()
    try:
        second = run_launcher(["start"], env, timeout=30)
        assert second.returncode == 0
        assert second.stdout.strip().splitlines()[-1] == last_line
        assert (tmp_path / "state.json").read_text() == state, "a second start must start nothing"
        status = run_launcher(["status"], env, timeout=30)
        assert status.stdout.strip() == last_line
    finally:
        stopped = run_launcher(["stop"], env, timeout=60)
    assert stopped.returncode == 0
    recorded = json.loads(state)
    assert not alive(recorded["pid"]), "the emulator process survived stop"
    assert not listening(port), f"port {port} still listening after stop"
    assert not Path(recorded["state_dir"]).exists(), "the emulator's temporary state was left behind"
    assert run_launcher(["status"], env, timeout=30).returncode == 1


def test_a_taken_port_is_reported_not_fought_over(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = run_launcher(["start"], launcher_env(tmp_path, EMULATOR_PORT=str(port)), timeout=30)
    assert result.returncode != 0
    assert f"EMULATOR_PORT={port} is already taken" in result.stderr
    assert not (tmp_path / "state.json").exists()


def test_a_failed_start_prints_the_log_tail_and_fails(tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'emulator exploded on purpose' >&2\nexit 3\n")
    broken.chmod(0o755)
    result = run_launcher(["start"], launcher_env(tmp_path, EMULATOR_PYTHON=str(broken)), timeout=60)
    assert result.returncode != 0
    assert "emulator failed to start" in result.stderr
    assert "emulator exploded on purpose" in result.stderr


def test_an_emulator_already_at_aws_endpoint_url_is_used(tmp_path, aws_endpoint):
    env = launcher_env(tmp_path, AWS_ENDPOINT_URL=aws_endpoint)
    result = run_launcher(["start"], env, timeout=30)
    assert result.returncode == 0
    assert result.stdout.strip().splitlines()[-1] == f"AWS_ENDPOINT_URL={aws_endpoint}"
    assert not (tmp_path / "state.json").exists(), "nothing may be started when an emulator is already up"


def test_the_emulator_stops_itself_when_its_owner_dies(tmp_path):
    owner = subprocess.Popen(["sleep", "600"])
    env = launcher_env(tmp_path)
    started = run_launcher(["start", "--owner-pid", str(owner.pid)], env)
    assert started.returncode == 0, started.stderr
    pid = json.loads((tmp_path / "state.json").read_text())["pid"]
    try:
        owner.kill()
        owner.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.5)
        assert not alive(pid), "the emulator outlived the process that owned it"
    finally:
        run_launcher(["stop"], env, timeout=60)


def test_a_background_start_returns_at_once_and_the_next_command_waits_for_it(tmp_path):
    env = launcher_env(tmp_path)
    owner = os.getpid()
    started = run_launcher(["start", "--background", "--owner-pid", str(owner)], env, timeout=30)
    assert started.returncode == 0, started.stderr
    recorded = json.loads((tmp_path / "state.json").read_text())
    assert recorded["owner_pid"] == owner
    try:
        assert started.stdout.strip().splitlines()[-1] == f"AWS_ENDPOINT_URL={recorded['url']}"
        # A start while that one is still starting waits for it instead of starting another.
        second = run_launcher(["start"], env)
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip().splitlines()[-1] == f"AWS_ENDPOINT_URL={recorded['url']}"
        assert json.loads((tmp_path / "state.json").read_text())["pid"] == recorded["pid"]
        # `stop --owner-pid` stops only an emulator started for that process.
        assert run_launcher(["stop", "--owner-pid", str(owner + 1)], env, timeout=60).returncode == 0
        assert alive(recorded["pid"]), "stop --owner-pid stopped an emulator started for another process"
    finally:
        stopped = run_launcher(["stop", "--owner-pid", str(owner)], env, timeout=60)
    assert stopped.returncode == 0
    assert not alive(recorded["pid"]), "the emulator process survived stop"
    assert not (tmp_path / "state.json").exists()
