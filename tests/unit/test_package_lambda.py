"""The zip writer of bootstrap/package_lambda.py (pip itself is exercised by `make package`)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("package_lambda", ROOT / "bootstrap" / "package_lambda.py")
package_lambda = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package_lambda)


def make_tree(root: Path, mtime: int, mode: int) -> None:
    for relative, text in {
        "pkg/__init__.py": "",
        "pkg/data.json": "{}",
        "pkg/__pycache__/x.pyc": "junk",
        "bin/script": "#!/somewhere/python",
        "pkg/mod.pyc": "junk",
        "top.py": "x = 1",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))


def test_the_same_files_give_the_same_bytes_whatever_their_times_and_modes(tmp_path):
    make_tree(tmp_path / "a", mtime=1_600_000_000, mode=0o600)
    make_tree(tmp_path / "b", mtime=1_700_000_000, mode=0o755)

    first = package_lambda.write_zip(package_lambda.collect(tmp_path / "a"), tmp_path / "a.zip")
    second = package_lambda.write_zip(package_lambda.collect(tmp_path / "b"), tmp_path / "b.zip")

    assert first == second
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_entries_are_sorted_cache_free_and_fixed(tmp_path):
    make_tree(tmp_path / "tree", mtime=1_700_000_000, mode=0o755)

    package_lambda.write_zip(package_lambda.collect(tmp_path / "tree"), tmp_path / "out.zip")

    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == ["pkg/__init__.py", "pkg/data.json", "top.py"]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_the_package_imports_from_a_zip_with_its_catalogue(tmp_path):
    source = ROOT / "lambda_src" / "cart_migration"
    package_lambda.write_zip(
        package_lambda.collect(source, prefix="cart_migration/"), tmp_path / "lambda.zip"
    )

    # -S: no site-packages, so only the zip can provide cart_migration.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from cart_migration import catalogue; print(len(catalogue.EVENTS))"
    )
    completed = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(tmp_path / "lambda.zip")],
        capture_output=True,
        text=True,
        check=True,
    )

    assert completed.stdout.strip() == str(
        len(json.loads((source / "event_catalogue.json").read_text())["events"])
    )
