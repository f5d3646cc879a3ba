"""`make help`: the targets' `## ` comments grouped under their `##@ ` headings, users first, and the
make targets of docs/development.md are the same targets."""

from __future__ import annotations

import re
import subprocess

import pytest

from cartmon.project import ROOT

HELPED_TARGET = re.compile(r"^([a-z][a-zA-Z_-]+):.*## (.+)$")


def helped_targets() -> list[str]:
    """The targets that carry a `## ` comment, in the Makefile's order."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    return [match.group(1) for line in lines if (match := HELPED_TARGET.match(line))]


@pytest.fixture(scope="module")
def help_groups() -> dict[str, list[str]]:
    """What `make help` prints: heading -> the targets under it, in printed order."""
    result = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    groups: dict[str, list[str]] = {}
    heading = None
    for line in result.stdout.splitlines()[1:]:
        if not line.strip():
            continue
        if not line.startswith(" "):
            heading = line.split(":", 1)[0]
            assert heading not in groups, f"make help prints the heading {heading!r} twice"
            groups[heading] = []
            continue
        assert heading is not None, f"make help lists {line.split()[0]!r} before any heading"
        groups[heading].append(line.split()[0])
    return groups


def test_help_groups_the_targets_by_audience_users_first(help_groups):
    assert list(help_groups) == ["Use the module", "Check and develop", "Release"]
    assert help_groups["Use the module"][0] == "demo"
    assert {"apply", "traffic", "query", "review", "destroy"} <= set(help_groups["Use the module"])
    assert {"test", "check", "docs", "fmt", "tftest", "bench"} <= set(help_groups["Check and develop"])
    assert help_groups["Release"] == ["package", "release"]


def test_help_lists_every_commented_target_once(help_groups):
    printed = [target for targets in help_groups.values() for target in targets]
    assert sorted(printed) == sorted(helped_targets())
    assert len(printed) == len(set(printed))


def test_development_guide_names_every_target_of_make_help():
    guide = (ROOT / "docs" / "development.md").read_text()
    table = guide.split("## Make targets", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `make ")]
    named = {name for row in rows for name in re.findall(r"`make ([a-z][a-zA-Z_-]+)", row)}
    assert named == set(helped_targets())
