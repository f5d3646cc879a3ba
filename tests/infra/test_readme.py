"""Every module's README carries its generated reference tables, and they must not go stale."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from packaging.version import Version

from cartmon.dev import docs
from cartmon.project import ROOT

MODULE_DIRS = docs.module_dirs()
SECTIONS = ["Requirements", "Providers", "Modules", "Resources", "Inputs", "Outputs"]


def module_version() -> str:
    found = re.search(r'module_version\s*=\s*"([^"]+)"', (ROOT / "main.tf").read_text())
    assert found, "main.tf sets no module_version"
    return found.group(1)


def test_every_module_and_example_is_documented():
    names = {p.relative_to(ROOT).as_posix() for p in MODULE_DIRS}
    on_disk = {p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("modules/*/main.tf")}
    on_disk |= {p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("examples/*/main.tf")}
    assert names == on_disk | {"."}


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_readme_tables_match_the_hcl(module_dir):
    readme, current, wanted = docs.stale(module_dir)
    assert current == wanted, f"{readme.relative_to(ROOT)} is stale: run `make docs`"
    tables = current.split(docs.BEGIN, 1)[1].split(docs.END, 1)[0]
    assert [line[3:] for line in tables.splitlines() if line.startswith("## ")] == SECTIONS


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_variable_output_and_resource_is_in_the_tables(module_dir):
    source = docs.module_source(module_dir)
    text = (module_dir / "README.md").read_text()
    for name in docs.blocks(source, "variable"):
        assert f'<a name="input_{name}"></a>' in text, name
    for name in docs.blocks(source, "output"):
        assert f'<a name="output_{name}"></a>' in text, name
    for address in docs.blocks(source, "resource", 2):
        assert f"| [{address}](https://registry.terraform.io/" in text, address


def test_check_fails_on_a_stale_table(tmp_path):
    """Add a variable to a copy of a module: the tables of that copy are then stale."""
    copy = tmp_path / "log_groups"
    shutil.copytree(ROOT / "modules" / "log_groups", copy, ignore=shutil.ignore_patterns(".terraform*"))
    readme = (copy / "README.md").read_text()
    assert docs.updated_readme(readme, docs.render(copy)) == readme
    with (copy / "variables.tf").open("a") as variables:
        variables.write('\nvariable "added_later" {\n  description = "Added."\n  type        = string\n}\n')
    assert docs.updated_readme(readme, docs.render(copy)) != readme
    assert "input_added_later" in docs.render(copy)


def test_a_variables_file_of_a_concern_is_read(tmp_path):
    """The root groups its inputs in variables-<concern>.tf: a variable added there is in the table."""
    copy = tmp_path / "log_groups"
    shutil.copytree(ROOT / "modules" / "log_groups", copy, ignore=shutil.ignore_patterns(".terraform*"))
    (copy / "variables-later.tf").write_text(
        'variable "added_later" {\n  description = "Added."\n  type = string\n}\n'
    )
    assert "input_added_later" in docs.render(copy)


def test_the_check_command_passes():
    result = subprocess.run(
        [sys.executable, "-m", "cartmon.dev.docs", "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, f"run `make docs`:\n{result.stdout[-3000:]}{result.stderr[-1000:]}"


def test_readme_shows_the_two_quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick_start and "make test" in quick_start


def test_the_ref_example_changelog_and_harness_name_the_module_version():
    """The pinning instructions and the version string hold for the repository as it is: a "-dev"
    version is not tagged, so the README pins a commit; a release version is the newest CHANGELOG
    entry and the README pins its tag."""
    version = module_version()
    readme = (ROOT / "README.md").read_text()
    refs = re.findall(r"\?ref=([^\"\s)`]+)", readme)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, flags=re.MULTILINE)
    assert "## [Unreleased]" in changelog and "keepachangelog.com" in changelog
    if version.endswith("-dev"):
        assert refs == ["<commit-sha>"], "no tag of this version exists: the README pins a commit"
        assert version.removesuffix("-dev") not in released, "a -dev version is not released yet"
        unreleased = changelog.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0]
        assert unreleased.strip(), "the -dev version's changes are listed under Unreleased"
    else:
        assert refs == [f"v{version}"]
        assert released and released[0] == version, "the newest CHANGELOG entry is the module version"
        assert f"[{version}]: " in changelog
    harness = re.search(r'^version = "([^"]+)"$', (ROOT / "harness" / "pyproject.toml").read_text(), re.M)
    assert harness and Version(harness.group(1)) == Version(version)


def test_licence_is_apache_2():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.parametrize("example", sorted(ROOT.glob("examples/*/README.md")), ids=lambda p: p.parent.name)
def test_example_readmes_say_what_to_run_first(example):
    text = example.read_text()
    run_first = text.split("## Run first", 1)[1].split("\n## ", 1)[0]
    assert "make " in run_first
    # An example that deploys the function must say how its zip is built.
    if re.search(r"create_lambda\s*=\s*true", (example.parent / "main.tf").read_text()):
        assert "make package" in run_first or "make release" in run_first


def test_readme_says_how_runbook_links_default():
    readme = (ROOT / "README.md").read_text()
    runbooks = readme.split("### Runbooks", 1)[1].split("\n### ", 1)[0]
    assert "runbook_base_url = null" in runbooks
    assert f"v{module_version()}" in runbooks


NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def readme_map() -> dict[str, str]:
    """The README's map of folders: folder -> what it holds."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- MAP:", 1)[1].split("<!-- /MAP -->", 1)[0]
    rows = [line.strip("|").split("|") for line in block.splitlines() if line.startswith("| `")]
    return {folder.strip().strip("`"): what.strip() for folder, what in rows}


def names_in(text: str) -> set[str]:
    return set(re.findall(r"`([a-z0-9_-]+)`", text))


def test_the_map_of_folders_is_true():
    rows = readme_map()
    for folder in rows:
        if not folder.startswith("*.tf"):
            assert (ROOT / folder).is_dir(), f"the README's map names {folder}, which does not exist"
    for folder, pattern in (("modules/", "modules/*/main.tf"), ("examples/", "examples/*/main.tf")):
        on_disk = {p.parent.name for p in ROOT.glob(pattern)}
        assert names_in(rows[folder]) == on_disk, f"the map's {folder} row lists other folders than {folder}"
        count = re.match(r"(\d+) ", rows[folder])
        assert count and int(count.group(1)) == len(on_disk), f"the map's {folder} count is stale"
    test_folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert names_in(rows["tests/"]) == test_folders
    harness = {
        p.parent.relative_to(ROOT).as_posix() + "/" for p in ROOT.glob("harness/cartmon/*/__init__.py")
    }
    assert harness == {folder for folder in rows if folder.startswith("harness/")}, "the harness packages"
    # No stale counts in words elsewhere in the README ("six submodules", "two examples").
    readme = (ROOT / "README.md").read_text().lower()
    for word, number in NUMBER_WORDS.items():
        for thing, actual in (("submodules", len(list(ROOT.glob("modules/*/main.tf")))), ("examples", 3)):
            if f"{word} {thing}" in readme:
                assert number == actual, f"the README says {word} {thing}"


def test_the_readme_links_to_files_that_exist():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), f"the README links to {target}, which does not exist"
