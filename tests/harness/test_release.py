"""`make release`: the zips per architecture, their SHA-256 and the manifest, the same bytes twice."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import subprocess
import sys
import zipfile

import pytest

from cartmon.project import CATALOGUE_PATH, ROOT

SCRIPT = ROOT / "bootstrap" / "release.py"
_spec = importlib.util.spec_from_file_location("release", SCRIPT)
assert _spec is not None and _spec.loader is not None
release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(release)


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple:
    folders = [tmp_path_factory.mktemp(f"dist{n}") for n in (1, 2)]
    for folder in folders:
        subprocess.run([sys.executable, str(SCRIPT), str(folder)], check=True, capture_output=True)
    return tuple(folders)


def test_two_releases_are_the_same_bytes(two_releases):
    first, second = two_releases
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert "manifest.json" in names and any(n.endswith(".zip") for n in names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_manifest_names_version_catalogue_and_every_architecture(two_releases):
    dist = two_releases[0]
    manifest = json.loads((dist / "manifest.json").read_text())
    assert manifest["version"] == release.module_version()
    assert manifest["catalogue_sha256"] == hashlib.sha256(CATALOGUE_PATH.read_bytes()).hexdigest()
    assert set(manifest["packages"]) == set(release.ARCHITECTURES) == {"x86_64", "arm64"}
    for architecture, package in manifest["packages"].items():
        data = (dist / package["file"]).read_bytes()
        assert package["file"] == f"cart_migration-{manifest['version']}-{architecture}.zip"
        assert package["sha256"] == hashlib.sha256(data).hexdigest()
        assert package["sha256_base64"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
        assert package["size"] == len(data)
        assert (dist / f"{package['file']}.sha256").read_text() == f"{package['sha256']}  {package['file']}\n"
        with zipfile.ZipFile(dist / package["file"]) as archive:
            carried = archive.read("cart_migration/event_catalogue.json")
            assert "cart_migration/handler.py" in archive.namelist()
        assert hashlib.sha256(carried).hexdigest() == manifest["catalogue_sha256"]


def test_sha256sum_accepts_the_checksum_files(two_releases):
    dist = two_releases[0]
    sums = sorted(p.name for p in dist.glob("*.sha256"))
    result = subprocess.run(["sha256sum", "-c", *sums], cwd=dist, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_second_release_removes_stale_zips(tmp_path):
    stale = tmp_path / "cart_migration-0.0.1-x86_64.zip"
    stale.write_bytes(b"old")
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], check=True, capture_output=True)
    assert not stale.exists()
