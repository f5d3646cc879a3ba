"""Figures of the hardening suite: each test counts what it tried and what went wrong.

A test asks for the `figures` fixture and fills one row:

    row = figures.row("fuzzed_requests", "fuzzed API requests", unit="requests", scale="...")
    row.tried += 1
    row.count("5xx answers", expected=0)  # then row.add("5xx answers") when one happens

At the end of the session the rows are written to build/reliability.json (whatever the tests'
outcomes: a failing test's row shows the failing count), and `cartmon/dev/reliability_report.py`
prints them as one table. A row whose test failed is marked failed even if its counts look right.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cartmon.project import ROOT

FIGURES_PATH = Path(os.environ.get("RELIABILITY_FIGURES", ROOT / "build" / "reliability.json"))
ALL = "all"  # `expected=ALL`: the count must equal `tried`


@dataclass
class Check:
    name: str
    value: int = 0
    expected: int | str = 0


@dataclass
class Row:
    key: str
    title: str
    unit: str
    scale: str
    test: str
    tried: int = 0
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    job_seconds: float | None = None  # how long its background job ran, if it had one
    test_outcome: str = "not finished"

    def count(self, name: str, expected: int | str = 0) -> Check:
        """Declare a counted outcome; `expected` is a number or ALL (= every case tried)."""
        for check in self.checks:
            if check.name == name:
                return check
        check = Check(name, 0, expected)
        self.checks.append(check)
        return check

    def add(self, name: str, amount: int = 1) -> None:
        self.count(name).value += amount

    def value(self, name: str) -> int:
        return self.count(name).value

    def note(self, text: str) -> None:
        self.notes.append(text)

    def check_ok(self, check: Check) -> bool:
        expected = self.tried if check.expected == ALL else check.expected
        return check.value == expected

    @property
    def ok(self) -> bool:
        return (
            self.test_outcome == "passed"
            and self.tried > 0
            and all(self.check_ok(check) for check in self.checks)
        )


class Figures:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self._started: dict[str, float] = {}
        self._by_test: dict[str, list[str]] = {}

    def row(self, key: str, title: str, unit: str, scale: str, test: str) -> Row:
        if key in self.rows:
            raise ValueError(f"figure row {key!r} is filled by two tests")
        self.rows[key] = row = Row(key, title, unit, scale, test)
        self._started[key] = time.monotonic()
        self._by_test.setdefault(test, []).append(key)
        return row

    def test_finished(self, test: str, outcome: str) -> None:
        for key in self._by_test.get(test, []):
            row = self.rows[key]
            if row.test_outcome in ("not finished", "passed"):
                row.test_outcome = outcome
            row.seconds = round(time.monotonic() - self._started[key], 2)

    def document(self) -> dict:
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "rows": [dict(asdict(row), ok=row.ok) for row in self.rows.values()],
        }

    def write(self, path: Path = FIGURES_PATH) -> None:
        if not self.rows:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(self.document(), indent=2) + "\n")
        temporary.replace(path)
