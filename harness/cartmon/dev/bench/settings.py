"""What the bench measures and where it writes: paths, the region, the sections, repetitions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cartmon.project import ROOT

REGION = "ap-south-1"
DEFAULT_OUTPUT = ROOT / "BENCHMARKS.md"
DEFAULT_JSON = ROOT / "build" / "bench" / "results.json"
# Written by `make test` (see the Makefile): its wall time, reported beside the goal.
MAKE_TEST_RECORD = ROOT / "build" / "make-test.json"
LAMBDA_PACKAGE = ROOT / "build" / "cart_migration.zip"
EMULATOR_PYTHON = Path(os.environ.get("EMULATOR_PYTHON", ROOT / ".venv" / "emulator" / "bin" / "python"))
SECTIONS = ("coldstart", "logging", "redaction", "roundtrips", "handler", "deploy")
OPERATIONS = ("migrate_single_store", "migrate_multi_store", "get_all_carts", "cleanup_guest_cart")
JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Settings:
    """How much to measure. `quick` is for the smoke test: every code path, few repetitions."""

    calls: int = 200  # handler calls per operation (the issue asks for at least 200)
    warmup: int = 5
    roundtrip_reps: int = 1  # counts are deterministic; the emulator takes ~25 s for 25 stores x 100 items
    roundtrip_stores: tuple[int, ...] = (1, 5, 25)
    roundtrip_items: tuple[int, ...] = (1, 10, 100)
    coldstart_runs: int = 10
    importtime_runs: int = 3
    first_request_runs: int = 5  # fresh interpreters per variant: init plus the first request
    log_events: int = 3_000  # events per round per variant
    log_rounds: int = 5
    redaction_rounds: int = 5  # per hostile shape and its plain twin

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            calls=10,
            warmup=1,
            roundtrip_reps=1,
            roundtrip_stores=(1, 5),
            roundtrip_items=(1, 10),
            coldstart_runs=2,
            importtime_runs=1,
            first_request_runs=1,
            log_events=300,
            log_rounds=2,
            redaction_rounds=1,
        )
