"""The README's module reference is generated from the HCL and must not go stale."""

from __future__ import annotations

import subprocess
import sys

from cartmon.project import ROOT


def test_readme_tables_match_the_hcl():
    result = subprocess.run(
        [sys.executable, "-m", "cartmon.dev.docs", "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, f"run `make docs`:\n{result.stdout[-3000:]}{result.stderr[-1000:]}"


def test_readme_shows_the_two_quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick_start and "make test" in quick_start
